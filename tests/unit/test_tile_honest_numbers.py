"""What the tiles say from five metres (issue 13): short names that fit, gaps to a rate's
target in percentage points, year-to-date series that break at New Year, retired indicators
off the shipped presets, and the wall's legibility rule sent to each screen."""

from __future__ import annotations

import pytest
from observationsupport import observation, vn

from command_center.protocol import Rect, ScreenInfo
from command_center.server.composition import build_registry
from command_center.server.hub import ScreenHub
from feeds.catalogue import SHORT_NAME_MAX, Catalogue, Indicator
from feeds.judging import gap_points
from feeds.loader import load_feeds
from feeds.observations import NATIONAL
from feeds.tile_indicator import indicator_data
from feeds.tile_trend import trend_data
from feeds.trend_chart import chart_columns
from layouts import PRESETS_DIR, WALLS_DIR
from layouts.loader import load_presets, load_wall


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_feeds().catalogue


# --- names ------------------------------------------------------------------------------------


def test_every_indicator_has_a_short_name_for_tiles(catalogue: Catalogue) -> None:
    for ind in catalogue:
        assert ind.short_vi and ind.short_en, ind.code
        assert len(ind.short_vi) <= SHORT_NAME_MAX and len(ind.short_en) <= SHORT_NAME_MAX


def test_a_short_name_longer_than_a_tile_holds_is_refused(catalogue: Catalogue) -> None:
    data = catalogue.get("gdp_growth").model_dump()
    with pytest.raises(ValueError, match="short_vi"):
        Indicator.model_validate({**data, "short_vi": "x" * (SHORT_NAME_MAX + 1)})


def test_tiles_get_the_short_name_and_keep_the_full_one(catalogue: Catalogue) -> None:
    d = indicator_data(catalogue.get("gdp_growth"), NATIONAL, [], vn(2026, 4, 6))
    assert (d["short_vi"], d["short_en"]) == ("Tăng trưởng GDP", "GDP growth")
    assert d["name_vi"] == "Tốc độ tăng tổng sản phẩm trong nước (GDP)"


def test_without_a_short_name_the_tile_shows_the_full_one(catalogue: Catalogue) -> None:
    data = catalogue.get("gdp_growth").model_dump()
    plain = Indicator.model_validate({**data, "short_vi": None, "short_en": None})
    d = indicator_data(plain, NATIONAL, [], vn(2026, 4, 6))
    assert (d["short_vi"], d["short_en"]) == (plain.name_vi, plain.name_en)


def test_retired_indicators_are_on_no_shipped_preset(catalogue: Catalogue) -> None:
    retired = {i.code for i in catalogue if i.retired}
    assert "covid19_community_cases" in retired  # kept in the catalogue, for its history
    wall = load_wall(WALLS_DIR / "default.yaml")
    for preset in load_presets(PRESETS_DIR / "default", wall, build_registry()).values():
        for tile in preset.tiles:
            params = tile.params
            named = set(getattr(params, "indicators", None) or []) | {
                getattr(params, "indicator", None)
            }
            assert not named & retired, (preset.id, tile.id, named & retired)


# --- gaps to target -----------------------------------------------------------------------------


def test_a_rates_gap_to_its_target_is_in_percentage_points(catalogue: Catalogue) -> None:
    # GDP growth 7,19 % against the Assembly's ≥ 10 %: "−2,81 điểm %", not "đạt 71,9 %".
    d = indicator_data(
        catalogue.get("gdp_growth"),
        NATIONAL,
        [observation("gdp_growth", "2026-Q3", 7.19, vn(2026, 10, 5))],
        vn(2026, 10, 6),
    )
    assert d["target_gap_pp"] == pytest.approx(-2.81)


def test_a_count_has_no_gap_in_points(catalogue: Catalogue) -> None:
    ind = catalogue.get("new_enterprises")
    assert not ind.unit_vi.startswith("%")
    d = indicator_data(
        ind, NATIONAL, [observation(ind.code, "2026-03", 20000, vn(2026, 4, 2))], vn(2026, 4, 3)
    )
    assert d["target_gap_pp"] is None


@pytest.mark.parametrize(
    "value, high, expected",
    [(5.0, None, -1.0), (7.5, None, 1.5), (5.0, 7.0, -1.0), (6.5, 7.0, 0.0), (7.4, 7.0, 0.4)],
    ids=["below-floor", "above-floor", "below-range", "inside-range", "above-range"],
)
def test_gap_points_measures_to_the_nearest_bound(
    catalogue: Catalogue, value: float, high: float | None, expected: float
) -> None:
    ind = catalogue.get("gdp_growth")
    target = ind.targets[0].model_copy(update={"value": 6.0, "high": high})
    assert gap_points(ind, value, target) == pytest.approx(expected)


# --- year to date -------------------------------------------------------------------------------


DISBURSED = {"2025-11": 72.0, "2025-12": 87.0, "2026-01": 2.0, "2026-02": 6.5}


def test_a_year_to_date_sparkline_breaks_at_the_year(catalogue: Catalogue) -> None:
    ind = catalogue.get("public_investment_disbursement")
    observations = [observation(ind.code, p, v, vn(2026, 3, 1)) for p, v in DISBURSED.items()]
    d = indicator_data(ind, NATIONAL, observations, vn(2026, 3, 1), sparkline=4)
    assert d["sparkline_periods"] == list(DISBURSED)
    assert d["sparkline_breaks"] == [2]  # January starts again from zero


def test_a_monthly_rate_runs_on_across_the_year(catalogue: Catalogue) -> None:
    ind = catalogue.get("cpi_yoy")
    observations = [observation(ind.code, p, 3.0, vn(2026, 3, 1)) for p in DISBURSED]
    d = indicator_data(ind, NATIONAL, observations, vn(2026, 3, 1), sparkline=4)
    assert d["sparkline_breaks"] == []


def test_a_year_to_date_trend_has_a_gap_between_december_and_january(
    catalogue: Catalogue,
) -> None:
    ind = catalogue.get("public_investment_disbursement")
    observations = [observation(ind.code, p, v, vn(2026, 3, 1)) for p, v in DISBURSED.items()]
    trend = trend_data(ind, NATIONAL, observations, vn(2026, 3, 1), periods=4)
    columns = chart_columns(dict(trend))
    # A break row half a period before January, with no value: Bokeh stops the line there.
    assert columns["i"] == [0, 1, 1.5, 2, 3]
    assert columns["value"] == [72.0, 87.0, None, 2.0, 6.5]
    assert columns["label"][2] == ""
    assert [p["starts_year"] for p in trend["points"]] == [False, False, True, False]


# --- the wall's legibility rule reaches the screen -------------------------------------------


async def test_the_screen_is_told_the_walls_legibility_rule(hub: ScreenHub) -> None:
    rule = hub.wall.legibility
    assert rule is not None  # the room's wall: 5 m from 55" FHD panels
    info = hub.screen_info(hub.wall.screen_ids()[0])
    assert (info.min_text_px, info.min_value_px) == (rule.min_text_px, rule.min_value_px)
    assert (info.min_text_px, info.min_value_px) == (32, 64)


def test_a_wall_without_a_viewing_distance_sends_no_rule() -> None:
    # The field's default: the screen then keeps the tiles' relative sizes.
    assert load_wall(WALLS_DIR / "wall-2x2.yaml").legibility is None
    info = ScreenInfo(
        id="a", width=1, height=1, viewport=Rect(x=0, y=0, w=1, h=1), wall_width=1, wall_height=1
    )
    assert (info.min_text_px, info.min_value_px) == (None, None)
