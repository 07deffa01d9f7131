"""Authorised where it runs (issue 9, point 1), in real Chromium against a real server: a
viewer's console has no control widget at all, and a switch fired through the page's own
Bokeh document (as anyone with the browser's developer tools can) is refused on the server:
the wall does not switch, and the attempt is audited as refused under the viewer's name."""

from __future__ import annotations

import httpx
from pagesupport import ROSTER, SEND_THROUGH_DOCUMENT, audit_log, sign_in
from playwright.async_api import BrowserContext
from wallprocess import WallProcess
from wallsupport import wait_until

MODEL_TYPES = "() => [...new Set([...Bokeh.documents[0].all_models].map((m) => m.type))]"


async def test_viewer_switch_through_the_bokeh_document_is_refused_and_audited(
    browser: BrowserContext, wall: WallProcess
) -> None:
    page = await sign_in(browser, wall, "viewer", ready=ROSTER)
    types = await page.evaluate(MODEL_TYPES)
    assert not [t for t in types if "Button" in t and "RadioButton" not in t], types
    # The audit view's filters are selects too, but no preset picker.
    assert await page.locator(".preset-picker").count() == 0

    sent = await page.evaluate(SEND_THROUGH_DOCUMENT, {"action": "switch", "preset": "area-view"})
    assert sent >= 1
    await page.locator(".console-message .bad").first.wait_for()

    async def refused() -> bool:
        return any(
            e["action"] == "switch_layout" and e["detail"].get("refused")
            for e in await audit_log(wall, 50)
        )

    await wait_until(refused, within=10, what="the refused switch is in the audit log")
    entries = await audit_log(wall, 50)
    row = next(e for e in entries if e["action"] == "switch_layout")
    assert row["actor"] == "xem" and row["role"] == "viewer"
    assert "switch_layout" in row["detail"]["refused"]
    assert not [
        e for e in entries if e["action"] == "switch_layout" and not e["detail"].get("refused")
    ]
    async with httpx.AsyncClient(base_url=wall.url) as client:
        health = (await client.get("/health")).json()
    assert health["preset"] != "area-view"
