"""A schedule fires at a fake clock time (issue 14 point 10): the 2 × 2 wall started with a
schedule whose clock (``--clock-offset-s``) stands thirty seconds before Monday 07:30 in Hà
Nội; at 07:30 the kiosk swaps to the slot's preset by itself, and the duty desk names the
next change."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pagesupport import sign_in
from playwright.async_api import BrowserContext, Locator, Page
from wallprocess import WallProcess
from wallsupport import WALL_2X2, wait_until

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
SCHEDULE = """\
timezone: Asia/Ho_Chi_Minh
slots:
  - id: giao-ban-sang
    title: {vi: "Giao ban sáng", en: "Morning briefing"}
    days: [mon]
    from: "07:30"
    to: "08:30"
    preset: map-national
"""
# The wall starts this long before the slot (on the schedule's clock): time to open a kiosk.
LEAD_S = 30.0


def _offset_to_monday_0730(lead_s: float) -> float:
    """Seconds to add to now so that the schedule's clock reads ``lead_s`` before the
    next Monday 07:30 in Hà Nội (a week or so ahead: never the real one)."""
    now = datetime.now(HCM)
    monday = (now + timedelta(days=7 - now.weekday())).replace(
        hour=7, minute=30, second=0, microsecond=0
    )
    return (monday - now).total_seconds() - lead_s


@pytest.fixture
def scheduled_wall(tmp_path: Path) -> Iterator[tuple[WallProcess, float]]:
    """The started wall, and the real ``time.time()`` at which its slot starts."""
    folder = tmp_path / "schedules"
    folder.mkdir()
    (folder / "wall-2x2.yaml").write_text(SCHEDULE, encoding="utf-8")
    offset = _offset_to_monday_0730(LEAD_S)
    fires_at = time.time() + LEAD_S
    process = WallProcess(
        data_dir=tmp_path / "data",
        wall_file=WALL_2X2,
        extra=[
            "--no-simulator",
            *("--schedule", str(folder / "wall-2x2.yaml")),
            *("--clock-offset-s", f"{offset:.3f}"),
        ],
    ).start()
    yield process, fires_at
    process.stop()


async def _preset(page: Page) -> str | None:
    connected = await page.evaluate(
        "() => !!(window.wallScreen && window.wallScreen.stats().connected)"
    )
    if not connected:
        return None
    preset: str | None = await page.evaluate("() => document.body.dataset.preset || null")
    return preset


async def test_a_slot_fires_at_its_fake_clock_time(
    browser: BrowserContext, scheduled_wall: tuple[WallProcess, float], artifacts: Path
) -> None:
    wall, fires_at = scheduled_wall
    kiosk = await browser.new_page()
    await kiosk.set_viewport_size({"width": 960, "height": 540})
    await kiosk.goto(wall.screens["left-top"])
    first = await wait_until(lambda: _preset(kiosk), within=30, what="the kiosk's first layout")
    if time.time() < fires_at - 1.0:
        # Still before 07:30 on the schedule's clock: the wall shows its starting preset.
        # (On a slow machine the server may start after 07:30: then the kiosk's first
        # layout is already the slot's: the schedule's clock is days ahead of the real one.)
        assert first == "overview"

    await wait_until(
        lambda: _has(kiosk, "map-national"), within=60, what="the kiosk swapped to the slot"
    )
    await kiosk.screenshot(path=str(artifacts / "left-top.png"))

    console = await sign_in(browser, wall, "duty_officer")
    line = console.locator(".schedule-next")
    await line.wait_for()
    # After Monday's slot the next change is the next Monday's, by name, Vietnamese first.
    await wait_until(
        lambda: _text_is(line, "Lần chuyển tiếp theo · Next change: 07:30 Thứ Hai → Giao ban sáng"),
        what="the desk's next change",
    )


async def _has(page: Page, preset: str) -> bool:
    return await _preset(page) == preset


async def _text_is(locator: Locator, text: str) -> bool:
    return (await locator.inner_text()).strip() == text
