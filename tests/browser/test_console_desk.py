"""The console as a duty desk (issue 13, point 6), in real Chromium against a real server:
a preset is previewed on the miniature before it goes live, switched only on confirmation;
names instead of codes; real titles and ``lang="vi"``; the common tasks fit 1920 × 1080."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pagesupport import sign_in
from playwright.async_api import BrowserContext, Page
from wallprocess import WallProcess
from wallsupport import WALL_2X2, wait_until

DESK = {"width": 1920, "height": 1000}  # a 1920 × 1080 desk screen less the browser's bar
# The text a person can read, through Panel's shadow roots (inner_text stops at them).
VISIBLE_TEXT = """() => {
  const parts = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) walk(el.shadowRoot);
      if (['SCRIPT', 'STYLE'].includes(el.tagName) || !el.checkVisibility()) continue;
      for (const node of el.childNodes) if (node.nodeType === 3) parts.push(node.textContent);
      if (el.tagName === 'OPTION') parts.push(el.textContent);
    }
  };
  walk(document);
  return parts.join(' ');
}"""
# Font sizes under 16 px of the elements matching a selector, through Panel's shadow roots.
SMALL_TEXT = """(selector) => {
  const found = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.matches(selector)) {
        const px = parseFloat(getComputedStyle(el).fontSize);
        if (px < 16) found.push([el.className, px]);
      }
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return found;
}"""


@pytest.fixture
def wall(tmp_path: Path) -> Iterator[WallProcess]:
    process = WallProcess(data_dir=tmp_path / "data", wall_file=WALL_2X2).start()
    yield process
    process.stop()


async def wall_preset(wall: WallProcess) -> str:
    async with httpx.AsyncClient(base_url=wall.url) as client:
        preset: str = (await client.get("/health")).json()["preset"]
        return preset


async def desk(browser: BrowserContext, wall: WallProcess) -> Page:
    page = await sign_in(browser, wall, "duty_officer", ready=".preset-picker")
    await page.set_viewport_size(DESK)
    await page.locator("table.audit").wait_for()
    return page


async def test_a_preset_is_previewed_then_switched_only_on_confirmation(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    page = await desk(browser, wall)
    assert await wall_preset(wall) == "overview"
    live = page.locator(".wall-preview").first
    await live.wait_for()

    await page.get_by_role("button", name="Thông báo khẩn cấp", exact=True).click()
    frame = page.locator(".preset-preview .preview-frame[data-preset='emergency-banner']")
    await frame.wait_for()
    # The miniature shows the chosen preset's tiles by name instead of the live wall.
    assert await live.is_hidden()
    labels = await frame.locator(".tile-label").all_inner_texts()
    assert labels and all(label.strip() for label in labels), labels
    assert "Xem trước" in await page.inner_text("p.previewing")
    await page.screenshot(path=artifacts / "desk-preview.png")
    # Cancel: back to the live wall, nothing switched.
    await page.get_by_role("button", name="Huỷ xem trước").click()
    await live.wait_for()
    assert await page.locator(".preset-preview .preview-frame").count() == 0
    assert await wall_preset(wall) == "overview"

    await page.get_by_role("button", name="Thông báo khẩn cấp", exact=True).click()
    await frame.wait_for()
    assert await wall_preset(wall) == "overview", "a preview alone switches nothing"
    await page.get_by_role("button", name="Chuyển bố cục", exact=True).click()

    async def switched() -> bool:
        return await wall_preset(wall) == "emergency-banner"

    await wait_until(switched, within=15, what="the wall switched after the confirmation")
    await live.wait_for()
    row = page.locator("table.audit tr[data-action='switch_layout']").first
    await row.wait_for(timeout=10_000)
    assert "Chuyển bố cục sang “Thông báo khẩn cấp”" in await row.inner_text()
    await page.screenshot(path=artifacts / "desk-after-switch.png")


async def test_the_console_shows_names_not_codes(
    browser: BrowserContext, wall: WallProcess
) -> None:
    page = await desk(browser, wall)
    await page.get_by_role("button", name="Bản đồ cả nước", exact=True).click()
    await page.get_by_role("button", name="Chuyển bố cục", exact=True).click()
    await page.locator("table.audit tr[data-action='switch_completed']").first.wait_for(
        timeout=20_000
    )
    await page.locator(".video-roster table.roster").wait_for()
    text = await page.evaluate(VISIBLE_TEXT)
    for code in ("switch_layout", "switch_completed", "map-national", "duty_officer", "sign_in"):
        assert code not in text, f"'{code}' shown on the console"
    assert "Trực ban" in text  # the role, by name
    # Bridge points by name, no slug under each (the pin menus: tests/unit).
    cells = page.locator("table.roster tr[data-point] td:first-child")
    names = await cells.all_inner_texts()
    assert names and not [n for n in names if "\n" in n.strip()], names
    assert any("Huế" in n for n in names), names


async def test_titles_and_lang_of_the_panel_pages(
    browser: BrowserContext, wall: WallProcess
) -> None:
    page = await desk(browser, wall)
    assert await page.title() == "Bảng điều khiển trực ban · Duty console"
    assert await page.evaluate("document.documentElement.lang") == "vi"
    kiosk = await browser.new_page()
    await kiosk.goto(wall.screens["left-top"])
    assert await kiosk.title() == "Màn hình left-top · Screen left-top"
    assert await kiosk.evaluate("document.documentElement.lang") == "vi"


async def test_the_common_tasks_fit_a_desk_screen_unscrolled(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    page = await desk(browser, wall)
    await page.get_by_role("button", name="Tổng quan", exact=True).click()
    await page.locator(".preset-preview .preview-frame").wait_for()
    # The preview, the confirm button, every preset card, the alerts and the audit panel
    # lie inside the first screenful: nothing of the common tasks needs a scroll.
    for selector in (
        ".preset-preview",
        ".switch-button",
        ".preset-picker",
        "ul.alerts",
        "table.audit",
    ):
        box = await page.locator(selector).first.bounding_box()
        assert box is not None, selector
        assert box["y"] + box["height"] <= DESK["height"], (selector, box)
        assert box["x"] + box["width"] <= DESK["width"], (selector, box)
    # Type for arm's length: none of the desk's reading text under 16 px.
    small = await page.evaluate(SMALL_TEXT, ".now, .alerts li, table.audit td, .previewing")
    assert small == [], small
    await page.screenshot(path=artifacts / "desk.png")
