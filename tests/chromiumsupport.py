"""Debian's Chromium as the tests drive it (browsers cannot be downloaded here): where it
is, and one launch on a profile of its own that nothing else has touched."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from playwright.async_api import BrowserContext, async_playwright
from wallprocess import CHROMIUM_ARGS

from command_center.chromium import chromium_path

CHROMIUM = chromium_path()


@asynccontextmanager
async def fresh_chromium(
    executable: str = CHROMIUM,
    args: Sequence[str] = CHROMIUM_ARGS,
    prefix: str = "wall-chromium-",
    **options: Any,
) -> AsyncIterator[BrowserContext]:
    """Headless Chromium on a fresh profile (a temporary folder named ``prefix``…), closed
    after. ``executable``: a launcher in a network namespace, say; ``options`` go to
    Playwright's ``launch_persistent_context`` (a viewport, say)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as profile:
        async with async_playwright() as pw:
            context = await pw.chromium.launch_persistent_context(
                profile, executable_path=executable, headless=True, args=list(args), **options
            )
            try:
                yield context
            finally:
                await context.close()
