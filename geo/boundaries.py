"""Nạp các lớp ranh giới dẫn xuất (63, 34, hai quần đảo) thành hình shapely.
/ Loading the derived boundary layers (63, 34, the two archipelagos) as shapely shapes.

Đọc JSON thuần + shapely, không geopandas: nạp một lớp mất vài chục ms, còn `import geopandas`
mất khoảng 0,7 s ở mỗi lần khởi động. Không có bộ nhớ đệm toàn cục: người gọi giữ lớp đã nạp.
Tên trong tệp phải khớp sổ đăng ký: lệch nghĩa là tệp cũ, cần dựng lại.
/ Plain JSON + shapely, not geopandas: a layer loads in tens of ms, `import geopandas` costs
~0.7 s per start. No global cache: callers keep the layer they loaded. Names in the file must
match the registry; a mismatch means a stale file to rebuild.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import Point, shape

from geo.archipelagos import ARCHIPELAGOS, Archipelago
from geo.assets import ARCHIPELAGOS_FILE, ASSETS_DIR, layer_file
from geo.codelists import CodeList, code_list_for
from geo.errors import BoundaryDataError
from geo.provinces import Province, codes, province

REBUILD = "rebuild with `python -m geo.build_boundaries`"


@dataclass(frozen=True, eq=False)
class Unit:
    """Một đơn vị và hình của nó. / One unit and its shape."""

    province: Province
    geometry: Any  # shapely Polygon | MultiPolygon (shapely has no type hints)

    @property
    def code(self) -> str:
        return self.province.code


@dataclass(frozen=True, eq=False)
class BoundaryLayer:
    """Các đơn vị của một danh mục, theo thứ tự mã. / The units of one list, in code order."""

    code_list: CodeList
    units: tuple[Unit, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(u.code for u in self.units)

    def unit(self, code: str) -> Unit:
        """Đơn vị theo mã (mã lạ: UnknownProvinceError). / The unit by code."""
        wanted = province(code, self.code_list)
        return next(u for u in self.units if u.province.key == wanted.key)

    def locate(self, lon: float, lat: float, within: float = 0.0) -> Unit | None:
        """Đơn vị chứa điểm; nếu không có, đơn vị gần nhất trong `within` độ (bờ biển đã
        đơn giản hóa lệch tới vài trăm mét, và điểm trên biển sát bờ vẫn thuộc tỉnh).
        / The unit containing the point, else the nearest within `within` degrees (simplified
        coasts are off by a few hundred metres, and a point just offshore still has a province).
        """
        point = Point(lon, lat)
        for u in self.units:
            if u.geometry.covers(point):
                return u
        nearest = min(self.units, key=lambda u: float(u.geometry.distance(point)))
        return nearest if float(nearest.geometry.distance(point)) <= within else None


@dataclass(frozen=True, eq=False)
class ArchipelagoShape:
    """Một quần đảo và hình các đảo của nó. / An archipelago and its islets' shape."""

    archipelago: Archipelago
    geometry: Any


def _features(path: Path) -> list[dict[str, Any]]:
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
        features = collection["features"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BoundaryDataError(
            f"{path}: not a readable GeoJSON FeatureCollection ({exc}); {REBUILD}"
        ) from exc
    return list(features)


def _polygonal(path: Path, feature: dict[str, Any], key: str) -> Any:
    geometry = shape(feature["geometry"])
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or not shapely.is_valid(geometry):
        raise BoundaryDataError(
            f"{path}: {key}: need a valid (Multi)Polygon (got {geometry.geom_type})"
        )
    return geometry


def load_layer(code_list: CodeList, directory: Path = ASSETS_DIR) -> BoundaryLayer:
    """Nạp lớp tỉnh của một danh mục. / Load the province layer of one code list."""
    code_list = CodeList(code_list)
    path = directory / layer_file(code_list)
    features = _features(path)
    found = [str(f.get("properties", {}).get("code")) for f in features]
    if sorted(found) != sorted(codes(code_list)):
        missing = sorted(set(codes(code_list)) - set(found))
        extra = sorted(set(found) - set(codes(code_list)))
        raise BoundaryDataError(
            f"{path}: codes must be exactly the {code_list} list "
            f"(missing: {missing or 'none'}, unexpected: {extra or 'none'}); {REBUILD}"
        )
    units = []
    for feature in features:
        props = feature["properties"]
        unit = province(props["code"], code_list)
        stamped = (
            props.get("code_list"),
            props.get("name_vi"),
            props.get("name_en"),
            props.get("kind"),
        )
        if stamped != (code_list.value, unit.name_vi, unit.name_en, unit.kind.value):
            raise BoundaryDataError(
                f"{path}: {unit.code}: properties {stamped} disagree with the registry; {REBUILD}"
            )
        units.append(Unit(unit, _polygonal(path, feature, unit.code)))
    units.sort(key=lambda u: u.code)
    return BoundaryLayer(code_list, tuple(units))


def load_layer_for(day: date, directory: Path = ASSETS_DIR) -> BoundaryLayer:
    """Lớp của danh mục áp dụng ngày `day`. / The layer of the list in force on `day`."""
    return load_layer(code_list_for(day), directory)


def load_archipelagos(directory: Path = ASSETS_DIR) -> tuple[ArchipelagoShape, ...]:
    """Nạp lớp Hoàng Sa, Trường Sa. / Load the Hoàng Sa and Trường Sa layer."""
    path = directory / ARCHIPELAGOS_FILE
    by_key = {str(f.get("properties", {}).get("key")): f for f in _features(path)}
    expected = [a.key for a in ARCHIPELAGOS]
    if sorted(by_key) != sorted(expected):
        raise BoundaryDataError(
            f"{path}: archipelagos must be {expected} (got {sorted(by_key)}); {REBUILD}"
        )
    shapes = []
    for arch in ARCHIPELAGOS:
        props = by_key[arch.key]["properties"]
        if props.get("parent_code") != arch.parent_code:
            raise BoundaryDataError(
                f"{path}: {arch.key}: parent_code must be {arch.parent_code!r} "
                f"(got {props.get('parent_code')!r}); {REBUILD}"
            )
        shapes.append(ArchipelagoShape(arch, _polygonal(path, by_key[arch.key], arch.key)))
    return tuple(shapes)
