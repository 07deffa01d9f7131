"""Reading the history: the wall at an instant, the messages of a span, the marks.

The decompression and the rebuild run on a worker thread (``asyncio.to_thread``): a busy
screen's run after its snapshot is a few chunks, but several screens' add up. Times are epoch
ms here; ``history_api.py`` speaks ISO 8601.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from command_center.history import Chunk, HistoryStore, Mark, Snapshot
from command_center.history.rebuild import messages, preset, rebuild_rows
from command_center.store.base import AuditEntry

MAX_SPAN_MS = 6 * 3600 * 1000.0
MAX_EVENTS = 50_000
MAX_MARKS = 5_000
# The events of a span are read this much at a time, so a capped answer reads little more
# than it returns.
EVENTS_WINDOW_MS = 5 * 60 * 1000.0
# Audit actions that make "recording" marks (the recorder audits them).
RECORDING_ACTIONS = {
    "recording_start": ("Bắt đầu ghi", "Recording started"),
    "recording_stop": ("Dừng ghi", "Recording stopped"),
}


@dataclass(frozen=True)
class ScreenAt:
    preset: str | None
    changed_at: float | None
    messages: list[dict[str, Any]]


async def state_at(store: HistoryStore, screens: Sequence[str], at: float) -> dict[str, ScreenAt]:
    """What each of ``screens`` showed at ``at`` (a screen with no history then: absent)."""
    parts = await store.state_parts(screens, at)
    return await asyncio.to_thread(_rebuild_all, parts, at)


def _rebuild_all(
    parts: dict[str, tuple[Snapshot | None, list[Chunk]]], at: float
) -> dict[str, ScreenAt]:
    found: dict[str, ScreenAt] = {}
    for screen, (snapshot, chunks) in parts.items():
        rows = (row for c in chunks for row in c.rows())
        state = rebuild_rows(None if snapshot is None else snapshot.state(), rows, at)
        if state is not None:
            found[screen] = ScreenAt(preset(state), state["changed_at"], messages(state))
    return found


async def events_between(
    store: HistoryStore, screens: Sequence[str], start: float, end: float, limit: int = MAX_EVENTS
) -> tuple[list[tuple[float, str, dict[str, Any]]], bool]:
    """The messages of ``screens`` in (start, end], in order, at most ``limit``; and
    whether more were left out."""
    out: list[tuple[float, str, dict[str, Any]]] = []
    low = start
    while low < end:
        high = min(end, low + EVENTS_WINDOW_MS)
        chunks = await store.chunks(screens, low, high)
        if chunks:
            found = await asyncio.to_thread(_events_of, chunks, low, high, limit - len(out) + 1)
            out += found
            if len(out) > limit:
                return out[:limit], True
        low = high
    return out, False


def _events_of(
    chunks: list[Chunk], low: float, high: float, limit: int
) -> list[tuple[float, str, dict[str, Any]]]:
    runs = [[(t, c.screen, m) for t, m in c.events() if low < t <= high] for c in chunks]
    merged = heapq.merge(*runs, key=lambda e: (e[0], e[1]))
    return [e for _, e in zip(range(limit), merged, strict=False)]


async def marks_between(
    store: HistoryStore, audit: Sequence[AuditEntry], start: float, end: float
) -> tuple[list[Mark], bool]:
    """The timeline's marks in [start, end], oldest first, at most ``MAX_MARKS``: the
    history's own and the audit's recording starts and stops."""
    found = await store.marks(start, end, MAX_MARKS + 1)
    for entry in audit:
        labels = RECORDING_ACTIONS.get(entry.action)
        # A refused attempt is audited too: it started or stopped nothing.
        if labels is not None and not entry.detail.get("refused") and start <= entry.at <= end:
            vi, en = labels
            found.append(
                Mark(entry.at, "recording", f"{vi}: {entry.target}", f"{en}: {entry.target}")
            )
    found.sort(key=lambda m: m.t)
    return found[:MAX_MARKS], len(found) > MAX_MARKS
