"""Fixtures of the integration tests: a wall server at its defaults in this process, and an
HTTP client of it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from wallsupport import running_wall

from command_center.server.runtime import WallRuntime


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[WallRuntime]:
    """A wall at its defaults (embedded stores under ``tmp_path``, no simulator)."""
    async with running_wall(tmp_path) as runtime:
        yield runtime


@pytest.fixture
async def client(rt: WallRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}") as c:
        yield c
