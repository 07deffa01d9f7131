"""The server's indicator feed with trend charts: a trend tile's first data carries the
columns at once and its figure follows from the chart thread; later data, columns only."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from wallsupport import RecordingLink, wait_until

from command_center.auth import Principal, Role
from command_center.server.hub import ScreenHub
from command_center.server.trend_feed import ChartingIndicatorFeed
from feeds.loader import load_feeds
from feeds.observations import NATIONAL, Observation
from layouts.geometry import screens_for_tile

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
TILE = "cpi-trend"


def cpi(period: str, value: float) -> Observation:
    return Observation(
        indicator="cpi_yoy",
        area=NATIONAL,
        period=period,
        value=value,
        agency="cuc_thong_ke",
        received_at=NOW.timestamp() * 1000,
    )


def sent(link: RecordingLink) -> list[dict[str, Any]]:
    return [m.tiles[TILE] for m in link.data() if TILE in m.tiles]


async def test_figure_once_from_the_chart_thread_then_columns(hub: ScreenHub) -> None:
    await hub.switch("socio-economic", Principal("truc-ban", Role.DUTY_OFFICER))
    spec = next(t for t in hub.presets["socio-economic"].tiles if t.id == TILE)
    link = RecordingLink(screens_for_tile(hub.wall, spec.rect)[0].screen_id)
    await hub.attach(link, None)
    feed = ChartingIndicatorFeed(load_feeds(), hub, clock=lambda: NOW)

    feed.accept([cpi("2026-09", 3.1)])
    await feed.flush()
    hub.flush()
    (first,) = sent(link)
    assert "figure" not in first  # the columns did not wait for the chart
    assert [v for v in first["columns"]["value"] if v is not None] == [3.1]

    def figure_arrived() -> bool:
        hub.flush()
        return any("figure" in d for d in sent(link))

    await wait_until(figure_arrived, within=60, what="the figure from the chart thread")
    (figure,) = [d["figure"] for d in sent(link) if "figure" in d]
    assert figure["key"] == first["chart_key"]

    await wait_until(feed.charts.idle, within=30, what="the chart thread to finish")
    link.sent.clear()
    feed.accept([cpi("2026-10", 3.21)])
    await feed.flush()
    hub.flush()
    (patch,) = sent(link)
    assert "figure" not in patch and patch["chart_key"] == figure["key"]
    assert patch["columns"]["value"][-2:] == [3.1, 3.21]
    assert feed.charts.idle()  # nothing queued for a new point
