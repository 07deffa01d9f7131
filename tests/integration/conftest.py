"""Fixtures of the integration tests: a wall server at its defaults in this process (its HTTP
client is tests/conftest.py's ``client``); for the ingestion tests (files, polling), the shipped catalogue, an embedded
observation store, a sink that validates and stores as the push API does, and an HTTP source;
for the video tests, a short clip."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pollersupport import Polling, Source, clock, serving
from relaysupport import small_clip
from wallsupport import StoringSink, running_wall

from command_center.server.runtime import WallRuntime
from feeds.loader import FeedsSpec, load_feeds
from feeds.observation_store import EmbeddedObservationStore, ObservationStore
from video.media import EncodedClip


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[WallRuntime]:
    """A wall at its defaults (embedded stores under ``tmp_path``, no simulator)."""
    async with running_wall(tmp_path) as runtime:
        yield runtime


@pytest.fixture(scope="module")
def feeds() -> FeedsSpec:
    return load_feeds()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[ObservationStore]:
    """An embedded observation store under ``tmp_path/data`` (modules may define their own)."""
    opened = await EmbeddedObservationStore.open(tmp_path / "data")
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def sink(store: ObservationStore, feeds: FeedsSpec) -> StoringSink:
    return StoringSink(clock, store, feeds)


@pytest.fixture
def source() -> Iterator[tuple[Source, str]]:
    src = Source()
    with serving(src) as url:
        yield src, url


@pytest.fixture
async def polling(
    source: tuple[Source, str], feeds: FeedsSpec, sink: StoringSink
) -> AsyncIterator[Polling]:
    """Pollers started against ``source``, cancelled after the test."""
    run = Polling(*source, feeds, sink)
    yield run
    for task in run.tasks:
        task.cancel()
    for task in run.tasks:
        with pytest.raises(asyncio.CancelledError):
            await task


@pytest.fixture(scope="module")
def clip() -> EncodedClip:
    return small_clip()
