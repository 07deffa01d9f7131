"""The indicator tiles as the room reads them (issue 13), in real Chromium at 1920 × 1080 on
the room's wall (5 m from 55" FHD panels: text ≥ 32 px, values ≥ 64 px): the screen learns
the rule from the server, the tiles' type never goes under it, tiles show the indicators'
short names (the full one on hover), a late value is marked late rather than greyed out, and
the reporting-status tile shows its rows and the late units' names whole."""

from __future__ import annotations

import re
from pathlib import Path

from pagesupport import kiosk, switch_to
from playwright.async_api import BrowserContext
from wallprocess import WallProcess
from wallsupport import WALL_2X2

DIGIT = re.compile(r"\d")
# Every text node's element in `tiles`, with its font size (the screen sits in Panel's
# shadow root: locators reach it, document.querySelectorAll does not).
FONT_SIZES_JS = """(tiles) => {
  const out = [];
  for (const tile of tiles) {
    const walk = document.createTreeWalker(tile, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !el.getClientRects().length) continue;
      out.push([n.textContent.trim(), parseFloat(getComputedStyle(el).fontSize)]);
    }
  }
  return out;
}"""


async def test_indicator_tiles_keep_to_the_walls_legibility_rule(
    browser: BrowserContext, room_wall: WallProcess, artifacts: Path
) -> None:
    # The overview's digital-government group: on main its names and lines were 27 px.
    page = await kiosk(browser, room_wall, "r2c4", 1920, 1080)
    item = page.locator(".g-item[data-indicator='online_dossier_share']")
    await item.locator(".v", has_text=DIGIT).wait_for(timeout=30_000)
    screen = page.locator(".wall-screen")
    rule = await screen.evaluate(
        "(el) => ['--min-text', '--min-value'].map((v) => el.style.getPropertyValue(v))"
    )
    assert rule == ["32px", "64px"]
    sizes = await page.locator(".tile-kind-indicator-group").evaluate_all(FONT_SIZES_JS)
    assert len(sizes) > 10, sizes
    small = [(text, px) for text, px in sizes if px < 32 - 0.01]
    assert not small, small
    value_px = await item.locator(".v").evaluate(
        "(el) => parseFloat(getComputedStyle(el).fontSize)"
    )
    assert value_px >= 64
    # The catalogue's short name on the tile, the full one on hover.
    name = item.locator(".g-name")
    assert await name.inner_text() == "Hồ sơ xử lý trực tuyến"
    full = "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình"
    assert full in (await name.get_attribute("title") or "")
    await page.screenshot(path=artifacts / "r2c4-overview.png")


async def test_a_late_item_is_marked_late_not_greyed(
    browser: BrowserContext, room_wall: WallProcess
) -> None:
    page = await kiosk(browser, room_wall, "r1c1", 1920, 1080)
    item = page.locator(".g-item[data-indicator='cpi_yoy']")
    await item.locator(".v", has_text=DIGIT).wait_for(timeout=30_000)
    # The class the live late mark sets (common/dom.js drawLate) when the next report is overdue.
    look = await item.evaluate(
        """(el) => { el.classList.add('is-late');
          const v = getComputedStyle(el.querySelector('.v'));
          return [v.opacity, getComputedStyle(el).boxShadow]; }"""
    )
    assert look[0] == "1", "a late value stays readable: the mark says late, not disabled"
    assert "rgb(255, 107, 61)" in look[1], look  # the late colour around the item itself


async def test_the_reporting_status_shows_rows_and_unit_names_whole(
    browser: BrowserContext, room_wall: WallProcess, artifacts: Path
) -> None:
    page = await kiosk(browser, room_wall, "r2c4", 1920, 1080)
    await page.locator(".wall-screen[data-preset]").wait_for(state="attached", timeout=30_000)
    await switch_to(room_wall, "socio-economic")
    rows = page.locator(".tile[data-tile='reporting'] tbody tr")
    await rows.first.wait_for(timeout=30_000)
    cut = await page.locator(".tile[data-tile='reporting']").evaluate(
        """(tile) => {
          const out = [];
          const table = tile.querySelector('.s-table').getBoundingClientRect();
          for (const td of tile.querySelectorAll('td')) {
            const r = td.getBoundingClientRect();
            if (r.right > table.right + 1 || r.bottom > table.bottom + 1
                || td.scrollWidth > td.clientWidth + 1) out.push(td.textContent);
          }
          for (const s of tile.querySelectorAll('.s-who li span')) {
            if (s.scrollWidth > s.clientWidth + 1) out.push(s.textContent);
          }
          return out;
        }"""
    )
    assert not cut, cut
    names = await page.locator(
        ".tile[data-tile='reporting'] .s-who li span:first-child"
    ).all_inner_texts()
    # The short written forms: "UBND Lạng Sơn", "UBND TP. Hải Phòng", never "Ủy ban nhân dân …".
    assert not [n for n in names if n.startswith("Ủy ban") or "thành phố" in n], names
    await page.screenshot(path=artifacts / "r2c4-reporting.png")


async def test_a_wall_without_a_viewing_distance_keeps_relative_sizes(
    browser: BrowserContext, tmp_path: Path
) -> None:
    wall = WallProcess(data_dir=tmp_path / "data", wall_file=WALL_2X2).start()
    try:
        page = await kiosk(browser, wall, "left-top")
        await page.locator(".g-item").first.wait_for(timeout=30_000)
        rule = await page.locator(".wall-screen").evaluate(
            "(el) => getComputedStyle(el).getPropertyValue('--min-text')"
        )
        assert rule == ""
    finally:
        wall.stop()
