"""Real Chromium (Debian's package) through Playwright; screenshots go to test-artifacts/."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

# The network-namespace harness of the WebRTC tests (tests/netns.py).
from netns import fake_camera, netns, netns_browser, netns_wall  # noqa: F401
from playwright.async_api import BrowserContext, async_playwright
from wallprocess import CHROMIUM_ARGS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
async def browser() -> AsyncIterator[BrowserContext]:
    """A fresh Chromium profile; open one page per wall screen with ``new_page()``."""
    with tempfile.TemporaryDirectory(prefix="wall-chromium-") as profile:
        async with async_playwright() as pw:
            context = await pw.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield context
            await context.close()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    folder = ARTIFACTS / request.node.name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
