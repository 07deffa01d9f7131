"""The bridge page fails over (issue 11 pt 6), in real Chromium inside a network namespace:
two wall processes on one Redis (all three in the namespace), both listed with
``--server``. A point's page loaded from A publishes to A; a wall screen connected to B
plays the point (B pulls it from A). A is killed with ``kill -9``: the page finds its
server gone, publishes again to B (cross-origin: B allows A's origin), and the screen on B
plays the point again on its own WHEP session. The time from the kill to moving frames is
printed, not asserted."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from netns import NetNamespace
from playwright.async_api import BrowserContext
from videosupport import PRESET, bridge_url, frames_advance, open_point, open_screen, tile
from wallprocess import WallProcess, free_port
from wallsupport import WALL_2X2, wait_until

POINT = "hue"


@pytest.fixture
def walls(netns: NetNamespace, tmp_path: Path) -> Iterator[tuple[WallProcess, WallProcess]]:
    presets = tmp_path / "presets"
    presets.mkdir()
    (presets / "video-test.yaml").write_text(PRESET, encoding="utf-8")
    redis_port, ports = free_port(), [free_port(), free_port()]
    redis = subprocess.Popen(
        netns.wrap(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""]
        ),
        stdout=subprocess.DEVNULL,
    )
    extra = ["--presets", str(presets), "--no-simulator", "--keys-file", str(tmp_path / "k.json")]
    extra += ["--redis", f"redis://127.0.0.1:{redis_port}/0"]
    extra += [arg for port in ports for arg in ("--server", f"http://127.0.0.1:{port}")]
    a, b = (
        WallProcess(
            data_dir=tmp_path / name,
            wall_file=WALL_2X2,
            port=port,
            launcher=netns.wrap([]),
            extra=extra,
        )
        for name, port in zip("ab", ports, strict=True)
    )
    try:
        a.start(timeout=90)
        b.start(timeout=90)
        yield a, b
    finally:
        b.stop()
        a.stop()
        redis.terminate()
        redis.wait(10)


async def test_the_bridge_page_publishes_again_to_b_when_a_is_killed(
    netns_browser: BrowserContext, walls: tuple[WallProcess, WallProcess], artifacts: Path
) -> None:
    a, b = walls
    logs: list[str] = []  # the page's console, shown if it never reaches B
    point = await open_point(netns_browser, await bridge_url(a, POINT))
    point.on("console", lambda m: logs.append(m.text))
    stats = await point.evaluate("() => window.bridgePoint.stats()")
    assert stats["server"] == a.url and stats["servers"] == [a.url, b.url]
    # The screen hangs on B (its kiosk URL names B; the token is the wall's, from one key file).
    screen = await open_screen(netns_browser, _on(b, a.screens["left-top"]), "left-top")
    await frames_advance(screen, point=POINT)
    killed_at = time.monotonic()
    a.stop(kill=True)

    async def on_b() -> bool:
        s = await point.evaluate("() => window.bridgePoint.stats()")
        return bool(s["server"] == b.url and s["state"] == "live")

    try:
        await wait_until(on_b, within=30, interval=0.1, what="the page live on B")
    except AssertionError:
        print(await point.evaluate("() => window.bridgePoint.stats()"), *logs[-30:], sep="\n")
        raise
    await frames_advance(screen, point=POINT)
    print(
        f"\nkill -9 of A -> the page's picture moving on B's screen: "
        f"{time.monotonic() - killed_at:.2f} s"
    )
    shown = await tile(screen)
    assert shown["state"] == "playing"
    await screen.screenshot(path=artifacts / "screen-on-b-after-failover.png")
    await point.screenshot(path=artifacts / "bridge-page-on-b.png")


def _on(wall: WallProcess, url: str) -> WallProcess:
    """A stand-in whose ``screens`` give ``url`` moved to ``wall``'s origin."""
    moved = WallProcess(data_dir=wall.data_dir, url=wall.url)
    path = url.split("/", 3)[3]
    moved.screens = {"left-top": f"{wall.url}/{path}"}
    return moved
