"""The history writer: what the hub shows its screens, batched into the history store.

The hub calls the tap (``history_tap.HistoryTap``) on the loop; the writer keeps each screen's
state (``history.rebuild``) and queues the message with the screen and a time in epoch ms,
strictly increasing per screen. Every ``flush_s`` the queue becomes one zlib JSON chunk per
screen (packed on a worker thread) and one store write, with a snapshot of each screen that
took ``snapshot_events`` (500) messages since its last one, or changed at all when its last
is ``snapshot_ms`` (60 s) old (and one an hour regardless, so retention never deletes a
screen's last snapshot): an instant is rebuilt from at most ~500 messages per screen (plus
one flush's worth) whatever the rate. The queue is
bounded: with the store down the oldest messages go (counted) and the next flush writes a
snapshot of every screen, so the picture is right again from then on.

With several processes only the holder of the control store's ``"history"`` lease writes;
the others keep their states (so one that takes over starts with a snapshot) and drop the
queue.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from command_center.control_store import ControlStore
from command_center.history import HistoryStore
from command_center.history.model import (
    MAX_CHUNK_SPAN_MS,
    Chunk,
    Mark,
    Snapshot,
    chunk_of_rows,
    data_row,
    encode,
    message_row,
    pack_text,
)
from command_center.history.rebuild import State, apply, apply_data, empty_state, tile_ids
from command_center.protocol import BannersMessage, LayoutMessage
from command_center.server.health import Dependency
from command_center.server.timers import wall_ms
from command_center.tasks import stop_if_cancelled

log = logging.getLogger(__name__)

LEASE = "history"
LEASE_TTL_MS = 10_000
MAX_QUEUE = 200_000  # ~100 s of a very busy wall
MAX_MARKS = 5_000
HEARTBEAT_MS = 3_600_000.0


class HistoryWriter:
    def __init__(
        self,
        store: HistoryStore,
        control: ControlStore | None,
        screens: Sequence[str],
        holder: str,
        *,
        clock: Callable[[], float] = wall_ms,
        flush_s: float = 1.0,
        snapshot_ms: float = 60_000.0,
        snapshot_events: int = 500,
        max_queue: int = MAX_QUEUE,
    ) -> None:
        self._store = store
        self._control = control
        self._holder = holder
        self._clock = clock
        self.flush_s = flush_s
        self._snapshot_ms = snapshot_ms
        self._snapshot_events = snapshot_events
        self.screens = list(screens)
        self.states: dict[str, State] = {s: empty_state() for s in screens}
        self._last_t = dict.fromkeys(screens, 0.0)
        # (screen, row): rows in their stored form (model.data_row, model.message_row).
        self._queue: deque[tuple[str, list[Any]]] = deque(maxlen=max_queue)
        self._max_queue = max_queue
        self._marks: deque[Mark] = deque(maxlen=MAX_MARKS)
        self._tiles: dict[str, list[str]] = {}
        self._since_snapshot = dict.fromkeys(screens, 0)
        self._snapshot_at = dict.fromkeys(screens, float("-inf"))
        self._forced: set[str] = set(screens)
        self._banner_ids: set[str] = set()
        # Counters (/metrics) and the state /health reports.
        self.leader = control is None
        self.events = 0
        self.dropped = 0
        self.bytes_written = 0
        self.flushes = 0
        self.failures = 0
        self.flush_seconds = 0.0
        self.last_error: str | None = None
        self._failing_since: float | None = None

    # ---- the tap (on the loop, never blocking) -------------------------------------------

    def _record(self, screen: str, message: dict[str, Any], now: float | None = None) -> None:
        t = max(self._clock() if now is None else now, self._last_t[screen] + 0.001)
        self._last_t[screen] = t
        apply(self.states[screen], t, message)
        if len(self._queue) == self._max_queue:
            self.dropped += 1
            self._forced.add(self._queue[0][0])
        self._queue.append((screen, message_row(t, message)))
        self._since_snapshot[screen] += 1
        self.events += 1

    def switched(self, layouts: Mapping[str, LayoutMessage]) -> None:
        for screen, message in layouts.items():
            if screen in self.states:
                self._record(screen, message.model_dump(mode="json"))
        self._tiles = {}
        for screen, state in self.states.items():
            for tile in tile_ids(state):
                self._tiles.setdefault(tile, []).append(screen)
        if len(layouts) == len(self.screens):  # the whole wall: one mark
            first = next(iter(layouts.values()))
            self.mark(
                "switch", f"Chuyển bố cục: {first.name_vi}", f"Switched to {first.name_en}", None
            )
            return
        for screen, message in sorted(layouts.items()):
            self.mark(
                "switch",
                f"{screen} chuyển bố cục: {message.name_vi}",
                f"{screen} switched to {message.name_en}",
                screen,
            )

    def data(self, tile: str, data: dict[str, Any], ts: float) -> None:
        """The hot path (every tile update): the same as ``_record``, unrolled."""
        screens = self._tiles.get(tile)
        if not screens:
            return
        now = self._clock()
        queue, last_t = self._queue, self._last_t
        for screen in screens:
            last = last_t[screen]
            t = last_t[screen] = now if now > last else last + 0.001
            apply_data(self.states[screen], t, tile, data, ts)
            if len(queue) == self._max_queue:
                self.dropped += 1
                self._forced.add(queue[0][0])
            queue.append((screen, data_row(t, tile, data, ts)))
            self._since_snapshot[screen] += 1
        self.events += len(screens)

    def banners(self, screen: str, message: BannersMessage) -> None:
        if screen not in self.states:
            return
        self._record(screen, message.model_dump(mode="json"))
        for banner in message.banners:
            if banner.id not in self._banner_ids:
                self._banner_ids.add(banner.id)
                kind = "alert" if banner.source == "alert" else "banner"
                self.mark(kind, banner.text_vi, banner.text_en, None)
        if len(self._banner_ids) > MAX_MARKS:  # forget the oldest ids; bounded
            self._banner_ids = {b.id for b in message.banners}

    def mark(self, kind: str, label_vi: str, label_en: str, screen: str | None) -> None:
        self._marks.append(Mark(self._clock(), kind, label_vi, label_en, screen))

    def start_from(self, layouts: Mapping[str, LayoutMessage], banners: Mapping[str, Any]) -> None:
        """What every screen shows now (the server starting): recorded, then snapshotted."""
        self.switched(layouts)
        for screen, message in banners.items():
            self.banners(screen, message)
        self._marks.clear()  # a start is neither a switch nor a new banner
        self._forced = set(self.screens)

    # ---- writing -------------------------------------------------------------------------

    async def run(self) -> None:
        """Take (or keep) the lease and flush, every ``flush_s``, until cancelled."""
        while True:
            await self.tick()
            stop_if_cancelled()  # a cancellation the store's client lost (tasks.cancel_all)
            await asyncio.sleep(self.flush_s)

    async def tick(self) -> None:
        if self._control is not None:
            try:
                leader = await self._control.lease(LEASE, self._holder, LEASE_TTL_MS)
            except Exception as exc:
                stop_if_cancelled()
                leader = False
                self.last_error = f"lease: {type(exc).__name__}: {exc}"[:300]
            if leader and not self.leader:
                self._forced = set(self.screens)  # taking over: start from a whole picture
            self.leader = leader
        if self.leader:
            await self.flush()
        else:
            self._queue.clear()
            self._marks.clear()

    async def flush(self) -> None:
        started = time.perf_counter()
        now = self._clock()
        queued = list(self._queue)
        self._queue.clear()
        marks = list(self._marks)
        self._marks.clear()
        texts = self._snapshot_texts(now)
        if not queued and not texts and not marks:
            return
        try:
            chunks, snapshots = await asyncio.to_thread(_pack, queued, texts)
            self.bytes_written += await self._store.append(chunks, snapshots, marks)
        except Exception as exc:
            stop_if_cancelled()
            self._failed(exc, queued, marks, texts)
            return
        for screen, t, _ in texts:
            self._snapshot_at[screen] = t
            self._since_snapshot[screen] = 0
            self._forced.discard(screen)
        self.flushes += 1
        self._failing_since = None
        self.last_error = None
        self.flush_seconds += time.perf_counter() - started

    def _snapshot_texts(self, now: float) -> list[tuple[str, float, bytes]]:
        """The screens due a snapshot, each state serialised now (on the loop: the state
        changes with the next message)."""
        due = []
        for screen in self.screens:
            age = now - self._snapshot_at[screen]
            count = self._since_snapshot[screen]
            if (
                screen in self._forced
                or count >= self._snapshot_events
                or (count and age >= self._snapshot_ms)
                or age >= HEARTBEAT_MS
            ):
                t = max(now, self._last_t[screen])
                self._last_t[screen] = t  # later messages come strictly after it
                due.append((screen, t, encode(self.states[screen])))
        return due

    def _failed(
        self,
        exc: Exception,
        queued: list[tuple[str, list[Any]]],
        marks: list[Mark],
        texts: list[tuple[str, float, bytes]],
    ) -> None:
        self.failures += 1
        self.last_error = f"{type(exc).__name__}: {exc}"[:300]
        maxlen = self._max_queue
        if self._failing_since is None:
            self._failing_since = self._clock()
            log.warning("history not written (%s); keeping up to %d messages", exc, maxlen)
        together = [*queued, *self._queue]
        lost = max(0, len(together) - maxlen)
        self.dropped += lost
        self._forced.update(screen for screen, _ in together[:lost])
        self._forced.update(screen for screen, _, _ in texts)
        self._queue = deque(together, maxlen=maxlen)
        self._marks = deque([*marks, *self._marks], maxlen=MAX_MARKS)

    def health(self) -> Dependency:
        """ok while flushes succeed (or another process writes); degraded while the store
        refuses and the queue holds; down once messages were lost to it."""
        if self._failing_since is None:
            return Dependency("ok")
        detail = f"store refuses since {self._failing_since:.0f}: {self.last_error}"
        if self.dropped:
            return Dependency("down", f"{detail}; {self.dropped} messages lost")
        return Dependency("degraded", f"{detail}; {len(self._queue)} queued")

    @property
    def queued(self) -> int:
        return len(self._queue)


def _pack(
    queued: list[tuple[str, list[Any]]], texts: list[tuple[str, float, bytes]]
) -> tuple[list[Chunk], list[Snapshot]]:
    """One chunk per screen (split past ``MAX_CHUNK_SPAN_MS``), and the snapshots: the
    JSON and zlib work of a flush, on a worker thread."""
    by_screen: dict[str, list[list[Any]]] = {}
    for screen, row in queued:
        by_screen.setdefault(screen, []).append(row)
    chunks: list[Chunk] = []
    for screen, rows in by_screen.items():
        start = 0
        for i, row in enumerate(rows):
            if row[0] - rows[start][0] > MAX_CHUNK_SPAN_MS:
                chunks.append(chunk_of_rows(screen, rows[start:i]))
                start = i
        chunks.append(chunk_of_rows(screen, rows[start:]))
    return chunks, [Snapshot(screen, t, pack_text(text)) for screen, t, text in texts]
