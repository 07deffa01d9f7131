"""The console's audit view filters by actor and by action, in real Chromium."""

from __future__ import annotations

import httpx
from pagesupport import sign_in
from playwright.async_api import BrowserContext, Page
from wallprocess import WallProcess
from wallsupport import wait_until


async def audit_rows(page: Page) -> list[str]:
    rows = page.locator("table.audit tr")
    texts = await rows.all_inner_texts()
    return texts[1:]  # the header row


async def test_audit_view_filters_by_actor_and_action(
    browser: BrowserContext, wall: WallProcess
) -> None:
    viewer, viewer_password = wall.users["viewer"]
    async with httpx.AsyncClient(base_url=wall.url) as client:
        refused = await client.post(
            "/api/v1/sessions", json={"username": "ghost", "password": "guess"}
        )
        assert refused.status_code == 401
        signed = await client.post(
            "/api/v1/sessions", json={"username": viewer, "password": viewer_password}
        )
        assert signed.status_code == 201
    page = await sign_in(browser, wall, "admin", ready="table.audit")

    async def rows_are(predicate: object, what: str) -> None:
        async def ok() -> bool:
            rows = await audit_rows(page)
            return bool(rows) and all(predicate(r) for r in rows)  # type: ignore[operator]

        await wait_until(ok, within=15, what=what)

    actor = page.locator(".audit-actor input")
    await actor.fill(viewer)
    await actor.press("Enter")
    # Sentences, not codes (issue 13): "Đăng nhập (API)", never "sign_in".
    await rows_are(
        lambda r: viewer in r and "Đăng nhập (API)" in r and "sign_in" not in r,
        f"only {viewer}'s sign-in",
    )

    await actor.fill("")
    await actor.press("Enter")
    await page.locator(".audit-action select").select_option(label="Đăng nhập bị từ chối")
    await rows_are(lambda r: "ghost" in r and "Đăng nhập bị từ chối" in r, "only the refused one")
    assert len(await audit_rows(page)) == 1
