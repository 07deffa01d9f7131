"""``/metrics`` on its own address: what a Prometheus scraper reads off a running wall.

Every figure is made to move by the real thing (a screen linking, an agency posting good and
bad batches, a bridge point publishing) and read back through the text format's own parser.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from relaysupport import publisher, video_runtime
from wallsupport import device_token, screen_client, wait_until

from command_center.server.metrics import parse_bind
from command_center.server.runtime import WallRuntime
from video.media import EncodedClip

AGENCY = "cuc_thong_ke"


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[WallRuntime]:
    async with video_runtime(
        tmp_path, {"metrics_bind": "127.0.0.1:0"}, stats_interval_s=0.5
    ) as runtime:
        yield runtime


async def scrape(rt: WallRuntime) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample as {(name, sorted labels): value}."""
    async with httpx.AsyncClient() as c:
        r = await c.get(f"http://127.0.0.1:{rt.metrics_port}/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain; version=")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def one_row(period: str) -> dict[str, object]:
    return {"indicator": "cpi_yoy", "period": period, "value": 3.1}


async def test_metrics_count_screens_and_agency_batches(rt: WallRuntime) -> None:
    assert rt.metrics_port not in (None, rt.port)
    before = await scrape(rt)
    assert before[("cc_screens_online", ())] == 0
    assert before[("cc_screens_total", ())] == 4
    assert ("process_open_fds", ()) in before and ("cc_loop_lag_p99_seconds", ()) in before
    assert before[("cc_bus_up", ())] == 1
    states = [before[("cc_server_status", (("status", s),))] for s in ("ok", "degraded", "down")]
    assert sorted(states) == [0, 0, 1]  # exactly one (a loaded machine may be degraded)

    token = device_token(rt, "agency", AGENCY)
    auth = {"Authorization": f"Bearer {AGENCY}:{token}"}
    base = f"http://127.0.0.1:{rt.port}/api/v1/observations"
    async with screen_client(rt, "left-top") as screen, httpx.AsyncClient() as c:
        await screen.recv("layout")
        good = await c.post(
            base, json={"observations": [one_row("2025-09"), one_row("2025-10")]}, headers=auth
        )
        assert good.status_code == 201, good.text
        again = await c.post(base, json={"observations": [one_row("2025-10")]}, headers=auth)
        assert again.status_code == 200, again.text  # a duplicate: stored once
        bad = await c.post(base, json={"observations": [{"indicator": "NOPE"}]}, headers=auth)
        assert bad.status_code == 422
        stranger = await c.post(base, json={"observations": []})
        assert stranger.status_code == 401
        m = await scrape(rt)
        assert m[("cc_screens_online", ())] == 1
        assert m[("cc_screen_links", (("screen", "left-top"),))] == 1
        assert m[("cc_screen_links", (("screen", "right-top"),))] == 0
        accepted = (("agency", AGENCY), ("outcome", "accepted"))
        duplicate = (("agency", AGENCY), ("outcome", "duplicate"))
        assert m[("cc_observation_rows_total", accepted)] == good.json()["accepted"]
        assert m[("cc_observation_rows_total", duplicate)] == 1 + good.json()["duplicates"]
        assert m[("cc_observation_batches_refused_total", (("status", "422"),))] == 1
        assert m[("cc_observation_batches_refused_total", (("status", "401"),))] == 1
    after = await scrape(rt)
    assert after[("cc_screens_online", ())] == 0


async def test_metrics_show_a_publishing_bridge_point(rt: WallRuntime, clip: EncodedClip) -> None:
    async with publisher(rt, "hue", clip):

        async def fps() -> float:
            return (await scrape(rt)).get(("cc_bridge_fps", (("point", "hue"),)), 0.0)

        assert await wait_until(fps, within=20, what="hue's frame rate in /metrics") > 0
        m = await scrape(rt)
        assert m[("cc_bridge_publishing", (("point", "hue"),))] == 1
        assert m[("cc_bridge_bitrate_bps", (("point", "hue"),))] > 0
    gone = await scrape(rt)
    assert ("cc_bridge_publishing", (("point", "hue"),)) not in gone


async def test_metrics_are_not_on_the_wall_port(rt: WallRuntime) -> None:
    async with httpx.AsyncClient() as c:
        r = await c.get(f"http://127.0.0.1:{rt.port}/metrics")
        assert r.status_code == 404
        r = await c.get(f"http://127.0.0.1:{rt.metrics_port}/health")
        assert r.status_code == 404
        r = await c.post(f"http://127.0.0.1:{rt.metrics_port}/metrics", content=b"x")
        assert r.status_code == 405


@pytest.mark.parametrize("text", ["9464", "host:", ":9464", "h:99999", "h:port"])
def test_metrics_bind_must_be_host_and_port(text: str) -> None:
    with pytest.raises(ValueError, match="HOST:PORT"):
        parse_bind(text)
