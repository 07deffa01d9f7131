"""Real Chromium (Debian's package) through Playwright; screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from chromiumsupport import fresh_chromium

# The network-namespace harness of the WebRTC tests (tests/netns.py).
from netns import NetNamespace, fake_camera, netns, netns_browser, netns_wall  # noqa: F401
from playwright.async_api import BrowserContext
from videosupport import PRESET, StartVideoWall, video_wall_process
from wallprocess import WallProcess, quiet_wall
from wallsupport import WALL_2X2

from layouts import DEFAULT_WALL_FILE

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
async def browser() -> AsyncIterator[BrowserContext]:
    """A fresh Chromium profile; open one page per wall screen with ``new_page()``."""
    async with fresh_chromium() as context:
        yield context


@pytest.fixture
def wall(tmp_path: Path) -> Iterator[WallProcess]:
    """The 2 × 2 test wall with no simulator: the screens show only what the test reports."""
    process = quiet_wall(tmp_path / "data", WALL_2X2)
    yield process
    process.stop()


@pytest.fixture
def room_wall(tmp_path: Path) -> Iterator[WallProcess]:
    """The operations room's 2 × 4 wall, the simulator reporting: every tile has data."""
    process = WallProcess(data_dir=tmp_path / "data", wall_file=DEFAULT_WALL_FILE).start()
    yield process
    process.stop()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    folder = ARTIFACTS / request.node.name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# A video wall inside the test's network namespace: ``start_video_wall(preset)`` starts one
# (the 2 x 2 wall showing ``preset``, videosupport.PRESET by default), stopped after the test.
@pytest.fixture
def start_video_wall(
    netns: NetNamespace,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> Iterator[StartVideoWall]:
    started: list[WallProcess] = []

    def start(preset: str = PRESET) -> WallProcess:
        folder = tmp_path / f"video-wall-{len(started)}"
        folder.mkdir()
        wall = video_wall_process(netns, folder, preset).start()
        started.append(wall)
        return wall

    try:
        yield start
    finally:
        for wall in reversed(started):
            wall.stop()


@pytest.fixture
def video_wall(start_video_wall: StartVideoWall) -> WallProcess:
    """The video test wall (videosupport.PRESET: a video tile on each top screen)."""
    return start_video_wall()
