"""A moment of the wall as a PNG: headless Chromium (Playwright's async API, Debian's
``/usr/bin/chromium``) loads the replay page in its picture mode with a short-lived session
of the asking person (as a viewer, ended as soon as the picture is taken) and photographs it.

One render at a time plus a small bounded wait queue: beyond it ``renderer_busy`` (503),
past the deadline ``renderer_timeout`` (504), no Chromium ``renderer_unavailable`` (503).
Chromium runs as its own process; the event loop only awaits it.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from command_center.auth import Principal, Role
from command_center.chromium import QUIET_ARGS, chromium_path
from command_center.errors import TooManyRequests, WallError
from command_center.server.http_base import SESSION_COOKIE
from command_center.sessions import Sessions

CHROMIUM_ARGS = (
    *QUIET_ARGS,
    "--ignore-certificate-errors",  # the server's own loopback address, maybe self-signed
)
QUEUE = 2  # waiting renders beyond the one running
TIMEOUT_S = 30.0
MAX_SIDE_PX = 1920


class RendererBusy(TooManyRequests):
    status = 503
    code = "renderer_busy"


class RendererUnavailable(TooManyRequests):
    status = 503
    code = "renderer_unavailable"


class RendererTimeout(WallError):
    status = 504
    code = "renderer_timeout"


def picture_size(width: float, height: float) -> tuple[int, int]:
    """The PNG's size: the wall's (or screen's) proportions, at most 1920 px wide or high."""
    scale = min(1.0, MAX_SIDE_PX / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


class PictureRenderer:
    def __init__(
        self,
        base_url: str,
        sessions: Sessions,
        executable: str | None = None,
        queue: int = QUEUE,
        timeout_s: float = TIMEOUT_S,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.sessions = sessions
        self.executable = executable or chromium_path()
        self.queue = queue
        self.timeout_s = timeout_s
        self._one = asyncio.Semaphore(1)
        self._holding = 0  # running + waiting

    def available(self) -> bool:
        return Path(self.executable).exists() or shutil.which(self.executable) is not None

    async def render(self, principal: Principal, path: str, size: tuple[int, int]) -> bytes:
        """``path``: the replay page's path and query (picture mode)."""
        if not self.available():
            raise RendererUnavailable(
                "Không có Chromium để vẽ ảnh · no Chromium to render the picture "
                f"(looked for '{self.executable}')",
                60,
            )
        if self._holding > self.queue:
            raise RendererBusy(
                "Đang vẽ ảnh khác, hãy thử lại sau · another picture is being rendered; retry",
                5,
            )
        self._holding += 1
        try:
            async with asyncio.timeout(self.timeout_s):
                async with self._one:
                    return await self._render(principal, path, size)
        except TimeoutError:
            raise RendererTimeout(
                f"Vẽ ảnh quá {self.timeout_s:g} giây · rendering took over {self.timeout_s:g} s"
            ) from None
        finally:
            self._holding -= 1

    async def _render(self, principal: Principal, path: str, size: tuple[int, int]) -> bytes:
        try:
            from playwright.async_api import async_playwright
        except ImportError as exc:  # pragma: no cover - a runtime dependency
            raise RendererUnavailable(f"Playwright is not installed ({exc})", 60) from None
        # The person's own right, no more: a viewer session named after them, ended after.
        token = await self.sessions.issue(Principal(principal.name, Role.VIEWER), "renderer")
        # A fresh profile each time, made and removed off the event loop.
        profile = await asyncio.to_thread(tempfile.mkdtemp, prefix="wall-picture-")
        try:
            async with async_playwright() as pw:
                context = await pw.chromium.launch_persistent_context(
                    profile,
                    executable_path=self.executable,
                    headless=True,
                    args=list(CHROMIUM_ARGS),
                    viewport={"width": size[0], "height": size[1]},
                )
                try:
                    await context.add_cookies(
                        [{"name": SESSION_COOKIE, "value": token, "url": self.base_url}]
                    )
                    page = await context.new_page()
                    await page.goto(self.base_url + path)
                    await page.wait_for_function(
                        "() => document.body.dataset.replayReady", timeout=0
                    )
                    ready = await page.evaluate("() => document.body.dataset.replayReady")
                    if ready != "1":
                        raise RendererUnavailable("the replay page failed to load", 5)
                    # Tiles that load late (boundaries, charts) get their moment.
                    await page.evaluate(
                        "() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 500)))"
                    )
                    return await page.screenshot(type="png")
                finally:
                    await context.close()
        finally:
            await self.sessions.end(token)
            await asyncio.to_thread(shutil.rmtree, profile, True)
