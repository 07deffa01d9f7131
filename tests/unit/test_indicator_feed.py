"""From observations to indicator tiles on screens: the simulator's reports go through the
feed into the hub, and only the tiles a batch changes get new data."""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from wallsupport import RecordingLink

from command_center.errors import SpecError
from command_center.protocol import LayoutMessage
from command_center.server.hub import ScreenHub
from command_center.server.indicator_feed import IndicatorFeed, indicator_tiles
from feeds.loader import load_feeds
from feeds.observations import Observation
from feeds.simulator import simulate
from feeds.tile_kinds import IndicatorParams, RankingParams

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


async def simulated_feed(hub: ScreenHub) -> tuple[IndicatorFeed, list[Observation]]:
    """A feed of ``hub``'s presets that has taken and pushed the simulator's reports."""
    feeds = load_feeds()
    feed = IndicatorFeed(feeds, hub, clock=lambda: NOW)
    history = simulate(feeds.catalogue, feeds.agencies, NOW, random.Random(7))
    feed.accept(history)
    await feed.flush()
    return feed, history


def newest_national_cpi(history: list[Observation]) -> Observation:
    return max(
        (o for o in history if o.indicator == "cpi_yoy" and o.area.code is None),
        key=lambda o: o.period,
    )


async def test_simulated_reports_fill_every_indicator_tile(hub: ScreenHub) -> None:
    feeds = load_feeds()
    feed = IndicatorFeed(feeds, hub, clock=lambda: NOW)
    assert feed.tile_ids, "the shipped presets show indicator tiles"
    link = RecordingLink(hub.wall.screens[0].id)
    await hub.attach(link, None)
    batch = simulate(feeds.catalogue, feeds.agencies, NOW, random.Random(7))
    assert feed.accept(batch) == len(feed.tile_ids)
    pushed = await feed.flush()
    assert pushed == len(feed.tile_ids)
    hub.flush()
    shown = {t.id for m in link.sent if isinstance(m, LayoutMessage) for t in m.tiles}
    sent = {tile for m in link.data() for tile in m.tiles}
    assert sent == shown & set(feed.tile_ids)
    for message in link.data():
        for data in message.tiles.values():
            assert "as_of" in data, "every value says how old it is"


async def test_a_batch_only_recomputes_the_tiles_naming_its_indicator(hub: ScreenHub) -> None:
    feed, history = await simulated_feed(hub)
    one = newest_national_cpi(history)
    revised = one.model_copy(update={"revision": one.revision + 1, "value": one.value + 0.1})
    feed.accept([revised])
    pushed = await feed.flush()
    naming_cpi = feed.tiles_naming({"cpi_yoy"})
    assert naming_cpi and len(naming_cpi) < len(feed.tile_ids)
    assert pushed == len(naming_cpi)
    # An older revision arriving late changes nothing.
    assert feed.accept([one]) == 0
    assert await feed.flush() == 0


def test_one_tile_id_means_one_tile_in_every_preset(hub: ScreenHub) -> None:
    presets = dict(hub.presets)
    some = next(p for p in presets.values() if any(t.kind == "indicator" for t in p.tiles))
    tile = next(t for t in some.tiles if t.kind == "indicator")
    other = tile.model_copy(update={"params": tile.params.model_copy(update={"sparkline": 3})})
    clash = some.model_copy(update={"id": "clash", "source": "clash.yaml", "tiles": (other,)})
    presets["clash"] = clash
    with pytest.raises(SpecError, match=f"tile '{tile.id}' has other parameters"):
        indicator_tiles(presets)


async def test_tile_data_is_stamped_with_the_oldest_change_it_shows(hub: ScreenHub) -> None:
    # The screens measure latency from this stamp: "accepted" to "applied".
    feed, history = await simulated_feed(hub)
    link = RecordingLink(hub.wall.screens[0].id)
    await hub.attach(link, None)
    cpi = newest_national_cpi(history)
    first = cpi.model_copy(update={"revision": cpi.revision + 1, "value": cpi.value + 0.1})
    second = first.model_copy(update={"revision": first.revision + 1, "value": 9.9})
    feed.accept([first], accepted_at=1000.0)
    feed.accept([second], accepted_at=2000.0)
    await feed.flush()
    hub.flush()
    shown = {t.id for m in link.sent if isinstance(m, LayoutMessage) for t in m.tiles}
    naming = set(feed.tiles_naming({"cpi_yoy"})) & shown
    assert naming, "the default preset shows CPI"
    stamps = {tile: ts for m in link.data() for tile, ts in m.ts.items() if tile in naming}
    assert stamps == dict.fromkeys(naming, 1000.0)


async def test_a_province_report_recomputes_that_province_tiles_not_the_others(
    hub: ScreenHub,
) -> None:
    feeds = load_feeds()
    feed = IndicatorFeed(feeds, hub, clock=lambda: NOW)
    tiles = indicator_tiles(hub.presets)
    province_tiles = {
        t: p for t, p in tiles.items() if isinstance(p, IndicatorParams) and p.province
    }
    assert province_tiles, "the shipped presets show a province's indicator"
    tile_id, params = next(iter(province_tiles.items()))
    area = f"gso-34:{params.province}"
    marked = feed.tiles_changed_by({(params.indicator, area)})
    assert tile_id in marked
    # Tiles of the same indicator elsewhere read other series: untouched.
    for other, p in tiles.items():
        if isinstance(p, IndicatorParams) and p.indicator == params.indicator:
            assert (other in marked) == (p.province == params.province), other
    # A ranking of the indicator compares every province: recomputed.
    for other, p in tiles.items():
        if isinstance(p, RankingParams) and p.indicator == params.indicator:
            assert other in marked
    # A report for another province of the same indicator leaves the tile alone.
    elsewhere = "01" if params.province != "01" else "79"
    assert tile_id not in feed.tiles_changed_by({(params.indicator, f"gso-34:{elsewhere}")})
