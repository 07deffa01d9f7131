"""The history writer on a real hub and a real embedded history store: what a screen's link
was sent is what the history rebuilds; snapshots keep a rebuild short; a store that refuses
costs the oldest messages (counted, /health says so) and the next snapshot makes it right;
of two processes only the lease holder writes. The writer's clock is the test's."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from wallsupport import RecordingLink

from command_center.auth import Principal, Role
from command_center.control_store import open_control_store
from command_center.history import Chunk, HistoryStore, Mark, Snapshot
from command_center.history.embedded import EmbeddedHistoryStore
from command_center.protocol import Banner, BannersMessage
from command_center.server.history_query import state_at
from command_center.server.history_tap import NO_HISTORY
from command_center.server.history_writer import HistoryWriter
from command_center.server.hub import ScreenHub

DUTY = Principal("duty", Role.DUTY_OFFICER)


class Clock:
    """Epoch ms that move on by 1 ms each time they are read (time passes between any
    two things the hub does), and by ``step`` when the test says so."""

    def __init__(self) -> None:
        self.now = 1_800_000_000_000.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now

    def step(self, ms: float = 10.0) -> float:
        self.now += ms
        return self.now


class Refusing:
    """The real store, made to refuse writes while ``down`` (a store outage)."""

    def __init__(self, store: HistoryStore) -> None:
        self.store = store
        self.down = False

    async def append(
        self, chunks: Sequence[Chunk], snapshots: Sequence[Snapshot], marks: Sequence[Mark]
    ) -> int:
        if self.down:
            raise ConnectionError("history store unreachable")
        return await self.store.append(chunks, snapshots, marks)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[EmbeddedHistoryStore]:
    opened = await EmbeddedHistoryStore.open(tmp_path / "history")
    yield opened
    await opened.close()


def writer_on(hub: ScreenHub, store: Any, clock: Clock, **options: Any) -> HistoryWriter:
    writer = HistoryWriter(
        store, None, [s.id for s in hub.wall.screens], "p1", clock=clock, **options
    )
    writer.start_from(
        {s.id: hub.layout_message(s.id) for s in hub.wall.screens},
        {s.id: BannersMessage(banners=hub.banners(s.id)) for s in hub.wall.screens},
    )
    hub.history = writer
    return writer


def shown(messages: list[dict[str, Any]]) -> tuple[Any, dict[str, Any], Any]:
    preset, tiles, banners = None, {}, None
    for m in messages:
        if m["type"] == "layout":
            preset, tiles = m["preset"], {t["id"]: dict(t["data"]) for t in m["tiles"]}
        elif m["type"] == "data":
            for tile, patch in m["tiles"].items():
                tiles[tile].update(patch)
        elif m["type"] == "banners":
            banners = m["banners"]
    return preset, tiles, banners


def sent(link: RecordingLink) -> list[dict[str, Any]]:
    return [json.loads(m.model_dump_json()) for m in link.sent]


async def test_what_a_link_was_sent_is_what_the_history_rebuilds(
    hub: ScreenHub, store: EmbeddedHistoryStore
) -> None:
    clock = Clock()
    writer = writer_on(hub, store, clock)
    screen = hub.wall.screens[0].id
    link = RecordingLink(screen)
    await hub.attach(link, None)
    clock.step()
    seen: list[tuple[float, int]] = []

    def now_seen() -> None:  # this instant shows what the link had; what follows is later
        seen.append((clock(), len(link.sent)))

    now_seen()
    await hub.switch("calibration", DUTY)
    now_seen()
    await hub.switch("overview", DUTY)
    tile = hub.tile_ids(screen)[0]
    hub.push(tile, {"value": 41}, clock.now)
    hub.push(tile, {"late": True}, clock.now)
    hub.flush()
    now_seen()
    banner = Banner(
        id="b1", text_vi="Bão số 3", text_en="Typhoon 3", severity="warning",
        source="alert", expires_at=None, since=clock.now,
    )  # fmt: skip
    hub.set_banners({screen: [banner]})
    now_seen()
    await writer.flush()
    for at, count in seen:
        rebuilt = await state_at(store, [screen], at)
        assert shown(rebuilt[screen].messages) == shown(sent(link)[:count])
    marks = await store.marks(0, clock.now, 10)
    assert [m.kind for m in marks] == ["switch", "switch", "alert"]
    hub.history = NO_HISTORY


async def test_snapshots_keep_a_rebuild_to_a_short_run(
    hub: ScreenHub, store: EmbeddedHistoryStore
) -> None:
    clock = Clock()
    writer = writer_on(hub, store, clock, snapshot_events=100, snapshot_ms=1e9)
    screen = hub.wall.screens[0].id
    tile = hub.tile_ids(screen)[0]
    for i in range(1000):
        hub.push(tile, {"value": i}, clock.step(1))
        if i % 50 == 49:
            await writer.flush()
    parts = await store.state_parts([screen], clock.now)
    snapshot, chunks = parts[screen]
    assert snapshot is not None
    assert sum(len(c.events()) for c in chunks) < 100
    rebuilt = await state_at(store, [screen], clock.now)
    assert shown(rebuilt[screen].messages)[1][tile]["value"] == 999
    hub.history = NO_HISTORY


async def test_a_refusing_store_costs_the_oldest_messages_and_says_so(
    hub: ScreenHub, store: EmbeddedHistoryStore
) -> None:
    clock = Clock()
    refusing = Refusing(store)
    writer = writer_on(hub, refusing, clock, max_queue=50)
    await writer.flush()
    on = [(s.id, t) for s in hub.wall.screens for t in hub.tile_ids(s.id)]
    screen, tile = next((s, t) for s, t in on if [x for _, x in on].count(t) == 1)
    refusing.down = True
    for i in range(20):
        hub.push(tile, {"value": i}, clock.step(1))
    await writer.flush()
    assert writer.health().status == "degraded" and writer.dropped == 0
    for i in range(20, 80):
        hub.push(tile, {"value": i}, clock.step(1))
    await writer.flush()
    health = writer.health()
    assert health.status == "down" and "30 messages lost" in str(health.detail)
    assert writer.queued == 50
    refusing.down = False
    await writer.flush()
    assert writer.health().status == "ok" and writer.queued == 0
    rebuilt = await state_at(store, [screen], clock.now)
    assert shown(rebuilt[screen].messages)[1][tile]["value"] == 79
    hub.history = NO_HISTORY


async def test_only_the_lease_holder_writes(
    hub: ScreenHub, store: EmbeddedHistoryStore, tmp_path: Path
) -> None:
    clock = Clock()
    screens = [s.id for s in hub.wall.screens]
    async with open_control_store(tmp_path / "control", None) as control:
        one = HistoryWriter(store, control, screens, "p1", clock=clock)
        two = HistoryWriter(store, control, screens, "p2", clock=clock)
        for w in (one, two):
            w.start_from({s: hub.layout_message(s) for s in screens}, {})
        await one.tick()
        await two.tick()
        assert (one.leader, two.leader) == (True, False)
        assert (one.flushes, two.flushes) == (1, 0)
        await control.release("history", "p1")  # p1 stops cleanly
        clock.step()
        await two.tick()
        assert two.leader and two.flushes == 1
        parts = await store.state_parts(screens, clock.now)
        assert all(snap is not None and snap.t == clock.now for snap, _ in parts.values())
