"""The Bokeh socket's frame cap (issue 10, point 1), measured where it matters: every frame a
real console and a real trend-chart screen send while a duty officer switches layouts and
language. The cap (``BOKEH_MAX_MESSAGE``) must leave them ample headroom; before the change
Bokeh accepted 20 MB frames from anyone with a page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from pagesupport import screen_showing, sign_in, switch_from_console
from playwright.async_api import BrowserContext, WebSocket
from wallprocess import WallProcess

from command_center.server.link_limits import BOKEH_MAX_MESSAGE

HEADROOM = 8  # the largest frame seen, times this, must fit under the cap

TILE = "cpi-trend"  # socio-economic preset: CPI y/y over 13 months
PRESET = "socio-economic"


@pytest.fixture
def wall(tmp_path: Path) -> Iterator[WallProcess]:
    process = WallProcess(data_dir=tmp_path / "data").start()
    yield process
    process.stop()


async def test_console_and_trend_frames_fit_the_bokeh_cap(
    browser: BrowserContext, wall: WallProcess
) -> None:
    sent: dict[str, list[int]] = defaultdict(list)

    def watch(ws: WebSocket) -> None:
        path = ws.url.split("?")[0].split("/", 3)[-1]
        ws.on("framesent", lambda payload: sent[path].append(len(payload)))

    browser.on("page", lambda page: page.on("websocket", watch))
    screen = screen_showing(TILE, PRESET)
    kiosk = await browser.new_page()
    await kiosk.goto(wall.screens[screen])
    console = await sign_in(browser, wall, "admin")
    await console.wait_for_selector("text=Bảng điều khiển trực ban")
    await console.locator(".preset-picker").wait_for()
    for label in ("Kinh tế - xã hội", "Hiệu chỉnh màn hình"):
        if await console.get_by_role("button", name=label, exact=True).count():
            await switch_from_console(console, label)
    await console.get_by_role("button", name="English").click()
    await console.wait_for_selector("text=Duty console")
    # The cards keep the Vietnamese name first (the English one is under it).
    await switch_from_console(console, "Kinh tế - xã hội", "Switch layout")
    await kiosk.wait_for_function(
        f"() => document.body.dataset.preset === '{PRESET}'", timeout=20_000
    )
    await console.get_by_role("button", name="Tiếng Việt").click()
    await console.wait_for_selector("text=Bảng điều khiển trực ban")
    bokeh = {path: sizes for path, sizes in sent.items() if not path.startswith("ws/")}
    assert bokeh, f"no Bokeh socket seen (sockets: {sorted(sent)})"
    largest = max(max(sizes) for sizes in bokeh.values())
    for path, sizes in sorted(bokeh.items()):
        print(f"{path}: {len(sizes)} frames sent, largest {max(sizes)} bytes")
    assert largest * HEADROOM <= BOKEH_MAX_MESSAGE, (largest, BOKEH_MAX_MESSAGE)
