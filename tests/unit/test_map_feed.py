"""Map tiles live on the hub: simulated reports colour the provinces, a later report patches
only its province, incidents and bridge points arrive over the bus, and the console's focus
reaches the maps and the focused province's indicator tiles."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from wallsupport import RecordingLink, wait_until

from command_center.auth import Principal, Role
from command_center.bus import MemoryBus
from command_center.messages import (
    BridgePointState,
    IncidentsAccepted,
    MapFocusChanged,
)
from command_center.server.hub import ScreenHub
from command_center.server.map_feed import MapFeed, run_map_feed
from feeds.incident_store import open_incident_store
from feeds.incidents import validate_incidents
from feeds.loader import load_feeds
from feeds.observation_store import open_observation_store
from feeds.simulator import simulate
from layouts.geometry import screens_for_tile
from video.registry import load_bridge_points

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
FEEDS = load_feeds()
ADMIN = Principal("admin", Role.ADMIN)


def screen_of(hub: ScreenHub, preset: str, tile: str) -> str:
    spec = next(t for t in hub.presets[preset].tiles if t.id == tile)
    return screens_for_tile(hub.wall, spec.rect)[0].screen_id


def data_of(link: RecordingLink, tile: str) -> list[dict[str, Any]]:
    return [m.tiles[tile] for m in link.data() if tile in m.tiles]


async def test_reports_colour_the_map_and_a_later_one_patches_its_province(hub: ScreenHub) -> None:
    await hub.switch("map-national", ADMIN)
    link = RecordingLink(screen_of(hub, "map-national", "map-disbursement"))
    await hub.attach(link, None)
    maps = MapFeed(FEEDS, hub, clock=lambda: NOW)
    assert {"map-disbursement", "map-health-insurance", "map-sar"} <= set(maps.tile_ids)
    batch = simulate(FEEDS.catalogue, FEEDS.agencies, NOW, random.Random(7))
    assert maps.accept(batch) >= 2
    maps.flush()
    hub.flush()
    (full,) = data_of(link, "map-disbursement")
    reported = [code for code in full if code.isdigit() and full[code] is not None]
    assert full["per"]["code_list"] == "gso-34" and full["n"] == [len(reported), 34]
    assert len(reported) > 20
    link.sent.clear()

    code = reported[0]
    shown = next(
        o
        for o in batch
        if o.indicator == "public_investment_disbursement"
        and o.area.code == code
        and o.period == full["per"]["key"]
    )
    maps.accept([shown.model_copy(update={"revision": shown.revision + 1, "value": 99.9})])
    maps.flush()
    hub.flush()
    (patched,) = data_of(link, "map-disbursement")
    assert patched[code][1] == 99.9
    assert all(patched[k] != full[k] for k in patched if k.isdigit())  # only what changed
    assert "ind" not in patched and "per" not in patched  # unchanged keys are not resent


@pytest.fixture
async def live(hub: ScreenHub, tmp_path: Path) -> AsyncIterator[tuple[MapFeed, MemoryBus]]:
    bus = MemoryBus()
    async with (
        open_observation_store(tmp_path / "obs", None) as observations,
        open_incident_store(tmp_path / "inc", None) as incidents,
        run_map_feed(FEEDS, hub, observations, incidents, bus, lambda: NOW) as maps,
    ):
        yield maps, bus
    await bus.close()


async def test_a_bridge_point_published_on_the_bus_is_drawn(
    hub: ScreenHub, live: tuple[MapFeed, MemoryBus]
) -> None:
    maps, bus = live
    await hub.switch("incident-response", ADMIN)
    link = RecordingLink(screen_of(hub, "incident-response", "map-sar"))
    await hub.attach(link, None)
    state = BridgePointState(
        point="quang-ninh",
        name_vi="Quảng Ninh",
        name_en="Quang Ninh",
        kind="province",
        lat=20.95,
        lon=107.08,
        online=True,
        in_call=False,
        ts=1.0,
    )
    await bus.publish(state)
    await bus.publish(state.model_copy(update={"in_call": True, "ts": 2.0}))
    await bus.publish(state.model_copy(update={"online": False, "ts": 0.5}))  # older: ignored

    def drawn() -> list[dict[str, Any]]:
        hub.flush()
        return [b for d in data_of(link, "map-sar") for b in d.get("bridges", [])]

    await wait_until(lambda: any(b["in_call"] for b in drawn()), what="the point in the call")
    assert maps.bridges["quang-ninh"].in_call and maps.bridges["quang-ninh"].online
    # Only maps listing the layer get it.
    assert "bridges" not in hub._tile_data.get("map-disbursement", {})


async def test_registry_points_never_connected_are_drawn_until_their_state_is_heard(
    hub: ScreenHub, tmp_path: Path
) -> None:
    # The search-and-rescue map must show every bridge point, not only those heard of.
    points = load_bridge_points()
    await hub.switch("incident-response", ADMIN)
    link = RecordingLink(screen_of(hub, "incident-response", "map-sar"))
    await hub.attach(link, None)
    bus = MemoryBus()
    async with (
        open_observation_store(tmp_path / "obs", None) as observations,
        open_incident_store(tmp_path / "inc", None) as incidents,
        run_map_feed(FEEDS, hub, observations, incidents, bus, lambda: NOW, points=points),
    ):

        def layer() -> dict[str, dict[str, Any]]:
            hub.flush()
            sent = [d["bridges"] for d in data_of(link, "map-sar") if "bridges" in d]
            return {b["point"]: b for b in sent[-1]} if sent else {}

        start = await wait_until(layer, what="the bridge-point layer")
        assert set(start) == set(points.ids)
        assert all(not b["online"] and b["ts"] is None for b in start.values())
        assert start["quang-ninh"]["name_vi"] == points.get("quang-ninh").name_vi
        hue = points.get("hue")
        await bus.publish(
            BridgePointState(
                point="hue",
                name_vi=hue.name_vi,
                name_en=hue.name_en,
                kind="province",
                lat=hue.location.lat,
                lon=hue.location.lon,
                online=True,
                in_call=False,
                ts=5.0,
            )
        )
        heard = await wait_until(
            lambda: (d := layer()) and d["hue"]["online"] and d, what="Huế online"
        )
        assert heard["hue"]["ts"] == 5.0 and set(heard) == set(points.ids)
        assert heard["quang-ninh"]["ts"] is None  # still never connected
    await bus.close()


async def test_incidents_on_the_bus_reach_the_incident_layer(
    hub: ScreenHub, live: tuple[MapFeed, MemoryBus]
) -> None:
    maps, bus = live
    row = {
        "id": "T-1",
        "kind": "maritime",
        "status": "reported",
        "occurred_at": "2026-11-27T08:00:00+07:00",
        "province": "56",
        "lat": 11.9,
        "lon": 109.4,
        "people_deployed": 40,
    }
    (incident,) = validate_incidents([row], "trung_tam_tkcn", None, NOW)
    await bus.publish(
        IncidentsAccepted(
            agency="trung_tam_tkcn", incidents=[incident.model_dump(mode="json")], ts=1.0
        )
    )
    await wait_until(lambda: maps.incidents, what="the incident")
    shown = hub._tile_data["map-sar"]["incidents"]
    assert shown[0]["id"] == "T-1" and shown[0]["kind_vi"] == "Sự cố trên biển"


async def test_focus_reaches_the_maps_and_the_province_tiles(
    hub: ScreenHub, live: tuple[MapFeed, MemoryBus]
) -> None:
    maps, bus = live
    await bus.publish(MapFocusChanged(province="48", actor="truc-ban", ts=1.0))
    await wait_until(lambda: maps.focus, what="the focus")
    assert hub._tile_data["map-disbursement"]["focus"]["name_vi"] == "TP. Đà Nẵng"
    assert hub._tile_data["map-da-nang"]["focused"] is True
    # A whole-country tile of a province-level indicator now shows Đà Nẵng; one of national
    # indicators (CPI) stays national.
    assert "disbursement" in maps.views.tile_ids and "socio-economic" not in maps.views.tile_ids
    await wait_until(lambda: "focus_view" in hub._tile_data.get("disbursement", {}), what="view")
    view = hub._tile_data["disbursement"]["focus_view"]
    assert (view["area"], view["area_vi"]) == ("gso-34:48", "Đà Nẵng")
    assert hub._tile_data["disbursement"]["focused"] is True
    await bus.publish(MapFocusChanged(province=None, actor="truc-ban", ts=2.0))
    await wait_until(lambda: maps.focus is None, what="back to the whole country")
    assert hub._tile_data["map-disbursement"]["focus"] is None
    assert hub._tile_data["map-da-nang"]["focused"] is False
    await wait_until(lambda: hub._tile_data["disbursement"]["focus_view"] is None, what="cleared")
    assert hub._tile_data["disbursement"]["focused"] is False
