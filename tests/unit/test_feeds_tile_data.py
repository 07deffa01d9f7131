"""What the indicator tiles show: attainment, status, lateness, sparklines, rankings,
reporting status and tile references, from hand-made observations and a fixed ``now``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from observationsupport import ms, observation, vn

from command_center.server.composition import build_registry
from feeds.catalogue import Catalogue
from feeds.judging import attainment
from feeds.loader import FeedsSpec, load_feeds
from feeds.observations import NATIONAL, Area
from feeds.tile_data import tile_data
from feeds.tile_group import group_data
from feeds.tile_indicator import indicator_data
from feeds.tile_kinds import IndicatorParams, RankingParams, check_tile_references
from feeds.tile_ranking import ranking_data
from feeds.tile_reporting import reporting_status_data
from geo import CodeList, codes
from layouts import PRESETS_DIR, WALLS_DIR
from layouts.loader import load_presets, load_wall


@pytest.fixture(scope="module")
def feeds() -> FeedsSpec:
    return load_feeds()


@pytest.fixture(scope="module")
def catalogue(feeds: FeedsSpec) -> Catalogue:
    return feeds.catalogue


def p34(code: str) -> Area:
    return Area(code=code, code_list="gso-34")


# --- attainment and status ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "attained", "met", "status"),
    [
        # Higher is better: ≥ 10 % in 2026; warning below 6.5, alarm below 5.
        ("test_growth", 10.0, 100.0, True, "ok"),
        # Below the target but above both thresholds: amber, never green.
        ("test_growth", 7.0, 70.0, False, "warning"),
        ("test_growth", 6.0, 60.0, False, "warning"),
        ("test_growth", 4.0, 40.0, False, "alarm"),
        # Lower is better: ≤ 4.2; warning 4.2, alarm 5.
        ("test_deficit", 3.5, 120.0, True, "ok"),
        ("test_deficit", 4.6, 91.3, False, "warning"),
        ("test_deficit", 5.5, 76.4, False, "alarm"),
        # A 60 ceiling with thresholds 55 / 60: met, and still amber.
        ("test_debt", 57.0, 105.3, True, "warning"),
    ],
    ids=lambda v: str(v),
)
def test_attainment_and_status_follow_the_direction(
    judging_catalogue: Catalogue, code: str, value: float, attained: float, met: bool, status: str
) -> None:
    period = "2026-Q1" if code == "test_growth" else "2026"
    d = indicator_data(
        judging_catalogue.get(code),
        NATIONAL,
        [observation(code, period, value, vn(2026, 4, 5))],
        vn(2026, 4, 6),
    )
    assert d["attainment_pct"] == pytest.approx(attained, abs=0.05)
    assert d["target_met"] is met
    assert d["status"] == status
    # Who set it travels with the target.
    expected_by = "Chính phủ" if code == "test_debt" else "Quốc hội"
    assert d["target"] is not None and d["target"]["set_by_vi"] == expected_by


def test_band_and_neutral_indicators_have_no_attainment(judging_catalogue: Catalogue) -> None:
    band = judging_catalogue.get("test_band")  # band 33-34
    target = band.targets[0]
    assert attainment(band, 33.5, target) is None
    d = indicator_data(
        band, NATIONAL, [observation(band.code, "2020", 35.5, vn(2021, 1, 5))], vn(2021, 1, 6)
    )
    assert (d["target_met"], d["status"]) == (False, "warning")
    neutral = judging_catalogue.get("test_neutral")
    d = indicator_data(
        neutral,
        NATIONAL,
        [observation(neutral.code, "2026-03", 4.0, vn(2026, 3, 20))],
        vn(2026, 3, 21),
    )
    assert (d["status"], d["target"], d["attainment_pct"]) == ("neutral", None, None)


def test_the_shipped_catalogue_judges_gdp_2026_against_the_assemblys_10_percent(
    catalogue: Catalogue,
) -> None:
    """The one judging test on the shipped file: its GDP target and thresholds as the wall
    shows them (the rules themselves are tested on tests/data/judging-catalogue.yaml)."""
    d = indicator_data(
        catalogue.get("gdp_growth"),
        NATIONAL,
        [observation("gdp_growth", "2026-Q1", 7.0, vn(2026, 4, 5))],
        vn(2026, 4, 6),
    )
    assert d["target"] is not None
    assert (d["target"]["value"], d["target"]["set_by_vi"]) == (10.0, "Quốc hội")
    assert (d["attainment_pct"], d["status"]) == (70.0, "warning")


# --- lateness -------------------------------------------------------------------------------


def test_a_value_turns_late_when_the_next_deadline_passes(catalogue: Catalogue) -> None:
    # CPI (Decree 13/2026): a month's figure is due by the 3rd of the following month, so
    # March's value is fresh until the end of 3 May (April's deadline) and late from 00:00 on 4 May.
    cpi = catalogue.get("cpi_yoy")
    observations = [observation("cpi_yoy", "2026-03", 3.2, vn(2026, 4, 2, 9))]
    before = indicator_data(cpi, NATIONAL, observations, vn(2026, 5, 3, 23, 59))
    after = indicator_data(cpi, NATIONAL, observations, vn(2026, 5, 5, 0, 0))
    assert before["late"] is False and before["overdue_ms"] == 0
    assert after["late"] is True
    assert after["overdue_ms"] == 24 * 3600 * 1000
    assert after["due_at"] == ms(vn(2026, 5, 4))
    assert after["due_period_vi"] == "Tháng 4/2026"
    # The frame's stale mark falls on the same instant as the late mark.
    assert before["as_of"] + before["stale_after_s"] * 1000 == after["due_at"]
    assert before["arrived_late_ms"] == 0


def test_nothing_reported_is_late_from_the_first_missed_deadline(catalogue: Catalogue) -> None:
    d = indicator_data(catalogue.get("cpi_yoy"), NATIONAL, [], vn(2026, 5, 4, 12))
    assert d["value"] is None and d["as_of"] is None and d["stale_after_s"] is None
    assert d["late"] is True and d["period"] == "2026-04"
    assert d["overdue_ms"] == 12 * 3600 * 1000


def test_a_group_gives_each_item_its_own_age_and_late_mark(catalogue: Catalogue) -> None:
    # The frame can show one age only (the oldest); each item carries its own, so the wall
    # marks the late item on itself and says how old each value is (issue 13).
    fresh_at, old_at = vn(2026, 5, 2, 9), vn(2025, 10, 20, 9)
    observations = [
        observation("cpi_yoy", "2026-04", 3.2, fresh_at),  # April's CPI: May's is due by 3 June
        observation("gdp_growth", "2025-Q3", 7.1, old_at),  # Q4 2025 was due by 6 January
    ]
    g = group_data(catalogue, ["cpi_yoy", "gdp_growth"], NATIONAL, observations, vn(2026, 5, 5))
    cpi, gdp = g["items"]
    assert (cpi["indicator"], cpi["as_of"], cpi["late"]) == ("cpi_yoy", ms(fresh_at), False)
    assert (gdp["indicator"], gdp["as_of"], gdp["late"]) == ("gdp_growth", ms(old_at), True)
    assert gdp["due_at"] == ms(vn(2026, 1, 7)) and cpi["due_at"] == ms(vn(2026, 6, 4))
    assert g["late_count"] == 1
    # The frame: the oldest age, stale from the first item's deadline.
    assert g["as_of"] == ms(old_at)
    assert g["stale_after_s"] == (ms(vn(2026, 1, 7)) - ms(old_at)) / 1000


def test_the_latest_revision_is_shown(catalogue: Catalogue) -> None:
    observations = [
        observation("cpi_yoy", "2026-03", 3.2, vn(2026, 4, 2), revision=0),
        observation("cpi_yoy", "2026-03", 3.4, vn(2026, 4, 10), revision=1),
    ]
    d = indicator_data(catalogue.get("cpi_yoy"), NATIONAL, reversed(observations), vn(2026, 4, 11))
    assert (d["value"], d["revision"], d["as_of"]) == (3.4, 1, ms(vn(2026, 4, 10)))


def test_sparkline_runs_oldest_first_with_gaps(catalogue: Catalogue) -> None:
    observations = [
        observation("cpi_yoy", "2025-12", 3.0, vn(2026, 1, 2)),
        observation("cpi_yoy", "2026-02", 3.2, vn(2026, 3, 2)),
        observation("cpi_yoy", "2026-03", 3.3, vn(2026, 4, 2)),
    ]
    d = indicator_data(
        catalogue.get("cpi_yoy"), NATIONAL, observations, vn(2026, 4, 5), sparkline=4
    )
    assert d["sparkline_periods"] == ["2025-12", "2026-01", "2026-02", "2026-03"]
    assert d["sparkline"] == [3.0, None, 3.2, 3.3]
    assert d["change"] == pytest.approx(0.1)
    assert (d["period_vi"], d["period_en"]) == ("Tháng 3/2026", "March 2026")


# --- ranking ----------------------------------------------------------------------------------


def test_ranking_orders_provinces_by_direction_with_vietnamese_names(
    catalogue: Catalogue,
) -> None:
    ind = catalogue.get("public_investment_disbursement")
    at = vn(2026, 4, 20)
    values = {"01": 40.0, "79": 55.5, "46": 72.0, "15": 12.0, "48": 30.0}
    observations = [
        observation(ind.code, "2026-04", v, at, p34(c), agency=f"ubnd_{c}")
        for c, v in values.items()
    ]
    d = ranking_data(ind, observations, vn(2026, 4, 21), count=2)
    assert [(r["rank"], r["name_vi"]) for r in d["best"]] == [(1, "Huế"), (2, "Hồ Chí Minh")]
    assert [(r["rank"], r["name_vi"]) for r in d["worst"]] == [(5, "Lào Cai"), (4, "Đà Nẵng")]
    assert (d["reported"], d["expected"], d["code_list"]) == (5, 34, "gso-34")
    assert len(d["missing"]) == 29


def test_lower_is_better_ranks_the_lowest_first(catalogue: Catalogue) -> None:
    ind = catalogue.get("enterprises_exiting")
    observations = [
        observation(ind.code, "2026-04", v, vn(2026, 4, 20), p34(c))
        for c, v in {"01": 900, "04": 20}.items()
    ]
    d = ranking_data(ind, observations, vn(2026, 4, 21), count=1)
    assert d["best"][0]["name_vi"] == "Cao Bằng"
    assert d["worst"][0]["name_vi"] == "Hà Nội"


@pytest.mark.parametrize(
    ("period", "code_list", "count", "name_of_46"),
    [
        # Decree 09 cut-off: June 2025's data run 15 May - 14 June, before the switch.
        ("2025-06", "gso-63", 63, "Huế"),
        ("2025-07", "gso-34", 34, "Huế"),
        ("2024-06", "gso-63", 63, "Thừa Thiên Huế"),  # renamed on 01/01/2025
    ],
)
def test_a_period_uses_the_code_list_in_force_on_its_last_day(
    catalogue: Catalogue, period: str, code_list: str, count: int, name_of_46: str
) -> None:
    ind = catalogue.get("public_investment_disbursement")
    year, month = (int(x) for x in period.split("-"))
    at = vn(year, month, 20)
    observations = [
        observation(ind.code, period, 50.0, at, Area(code="46", code_list=code_list)),
        # A report keyed on the other list never counts for this period.
        observation(
            ind.code,
            period,
            99.0,
            at,
            Area(code="01", code_list="gso-34" if code_list == "gso-63" else "gso-63"),
        ),
    ]
    d = ranking_data(ind, observations, vn(year, month, 21))
    assert (d["code_list"], d["expected"], d["reported"]) == (code_list, count, 1)
    assert d["best"][0]["name_vi"] == name_of_46
    assert len(codes(CodeList(code_list))) == count


# --- reporting status -------------------------------------------------------------------------


def test_reporting_status_names_who_is_overdue_and_for_how_long(feeds: FeedsSpec) -> None:
    catalogue = feeds.catalogue
    # Disbursement for April 2026 (data to 14 April) is due by 25 April; now is 27 April, 06:00.
    now = vn(2026, 4, 27, 6)
    ind = "public_investment_disbursement"
    on_time = [
        observation(ind, "2026-04", 30.0, vn(2026, 4, 24), p34(c), agency=f"ubnd_{c}")
        for c in codes(CodeList.NEW_34)
        if c not in ("15", "79")
    ]
    late = observation(ind, "2026-04", 20.0, vn(2026, 4, 26, 12), p34("79"), agency="ubnd_79")
    d = reporting_status_data(catalogue, [*on_time, late], now, feeds.agencies, indicators=[ind])
    (row,) = d["rows"]
    assert row["period_vi"] == "Tháng 4/2026"
    assert row["deadline"] == ms(vn(2026, 4, 26))
    assert row["state"] == "overdue"
    assert row["national"] is None  # the nation's rate is the provinces' weighted mean
    assert row["provinces"] == {"code_list": "gso-34", "expected": 34, "reported": 33}
    assert [m["name_vi"] for m in row["missing"]] == ["Lào Cai"]
    assert row["missing"][0]["agency"] == "ubnd_15"
    assert row["overdue_ms"] == 30 * 3600 * 1000  # since 00:00 on 26 April
    assert row["late_count"] == 1  # Hồ Chí Minh City came in 12 h late
    (agency,) = d["overdue_agencies"]
    assert agency["agency_vi"] == "Ủy ban nhân dân tỉnh Lào Cai"
    assert agency["overdue_ms"] == 30 * 3600 * 1000
    assert d["summary"]["reports_missing"] == 1


def test_reporting_status_puts_the_longest_overdue_first(feeds: FeedsSpec) -> None:
    now = vn(2026, 4, 27, 6)
    d = reporting_status_data(
        feeds.catalogue, [], now, feeds.agencies, indicators=["cpi_yoy", "budget_revenue"]
    )
    # CPI for March was due by 3 April; budget revenue for April by 25 April.
    assert [r["indicator"] for r in d["rows"]] == ["cpi_yoy", "budget_revenue"]
    assert d["rows"][0]["overdue_ms"] == ms(now) - ms(vn(2026, 4, 4))
    assert [a["agency"] for a in d["overdue_agencies"]] == ["cuc_thong_ke", "bo_tai_chinh"]


def test_tile_data_dispatches_on_the_params(catalogue: Catalogue) -> None:
    d = tile_data(IndicatorParams(indicator="cpi_yoy", sparkline=3), catalogue, [], vn(2026, 4, 5))
    assert d is not None and len(d["sparkline"]) == 3
    r = tile_data(
        RankingParams(indicator="public_investment_disbursement"), catalogue, [], vn(2026, 4, 5)
    )
    assert r is not None and r["best"] == []
    with pytest.raises(ValueError, match="timezone-aware"):
        tile_data(IndicatorParams(indicator="cpi_yoy"), catalogue, [], datetime(2026, 4, 5))


# --- tile references ---------------------------------------------------------------------------


SHIPPED = sorted(
    (wall_file, preset_dir)
    for wall_file in WALLS_DIR.glob("*.yaml")
    for preset_dir in [PRESETS_DIR / wall_file.stem]
)


@pytest.mark.parametrize(("wall_file", "preset_dir"), SHIPPED, ids=lambda p: Path(p).stem)
def test_every_shipped_preset_names_known_indicators(
    catalogue: Catalogue, wall_file: Path, preset_dir: Path
) -> None:
    wall = load_wall(wall_file)
    presets = load_presets(preset_dir, wall, build_registry())
    for preset in presets.values():
        assert check_tile_references(preset, catalogue) == []


def test_unknown_codes_and_wrong_levels_are_reported(catalogue: Catalogue) -> None:
    from layouts.model import PresetSpec, Rect, TileSpec

    rect = Rect(x=0, y=0, w=10, h=10)
    preset = PresetSpec(
        id="bad",
        name_vi="x",
        name_en="x",
        description_vi="x",
        description_en="x",
        source="bad.yaml",
        tiles=(
            TileSpec(
                id="a", kind="indicator", rect=rect, params=IndicatorParams(indicator="gdp_grwth")
            ),
            TileSpec(id="b", kind="ranking", rect=rect, params=RankingParams(indicator="cpi_yoy")),
            TileSpec(
                id="c",
                kind="indicator",
                rect=rect,
                params=IndicatorParams(indicator="population", province="02"),
            ),
        ),
    )
    problems = check_tile_references(preset, catalogue)
    assert len(problems) == 3
    assert (
        "tile 'a', indicator: unknown indicator 'gdp_grwth' (did you mean 'gdp_growth'?)"
        in problems[0]
    )
    assert "tile 'b'" in problems[1] and "reported nationally only" in problems[1]
    assert "tile 'c', province: '02' is not a province of the 34-unit list" in problems[2]
