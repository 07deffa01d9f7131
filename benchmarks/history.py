"""history: the wall's history (issue 15 point 7): the writer's cost at 2,000 updates/s
(target ≤ 2 % of a core), the bytes per hour it writes, and ``at=`` query time (target p95
≤ 50 ms), both after the busy run and over a synthetic month in each store (``--short``: a day).

Write cost: a synthetic wall (8 screens × 12 tiles, each update a realistic indicator
payload) paced at the rate on the loop, in pairs of runs: one with the history's tap off (the
baseline: the load alone), then one feeding a real ``HistoryWriter`` that flushes every second
into the store. The difference in this process's CPU time (all threads: the zlib and SQLite
work runs on worker threads) over the wall-clock seconds is the writer's share of a core. One
pair of a few seconds swings by ±1 % of a core on these virtual machines (the load itself is
1.5 %), so the figure is the median over the pairs, with their spread. Both stores: SQLite in
a temporary folder, the test Redis (127.0.0.1:6379) under a fresh prefix, deleted after.

Query time: ``state_at`` (what ``GET /api/v1/history?at=`` runs: the store lookups, the
decompression and the rebuild) for every screen, at random instants. The synthetic month is
written straight through the store: per screen a chunk every 10 s (5 messages) and a snapshot
every 60 s, the writer's cadence for a wall changing a few times a minute per screen; a
month of the busy rate itself would be ~100 GB, so the busy rebuild is measured on the
busy run's own history instead.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from benchmarks.rig import percentile
from command_center.history import HistoryStore, Snapshot, open_history_store
from command_center.history.model import chunk_of, pack
from command_center.history.rebuild import apply, empty_state
from command_center.protocol import BannersMessage, LayoutMessage, Rect, TileView
from command_center.server.history_query import state_at
from command_center.server.history_writer import HistoryWriter

REDIS_URL = "redis://127.0.0.1:6379/0"
SCREENS = 8
TILES = 12
DAY_MS = 86_400_000.0


def _layouts() -> dict[str, LayoutMessage]:
    out = {}
    for s in range(SCREENS):
        tiles = [
            TileView(
                id=f"s{s}-t{t}",
                kind="indicator",
                params={"indicator": f"ind_{t}", "area": "VN"},
                rect=Rect(x=0.25 * (t % 4), y=0.33 * (t // 4), w=0.25, h=0.33),
            )
            for t in range(TILES)
        ]
        out[f"s{s}"] = LayoutMessage(
            version=1, preset="overview", name_vi="Tổng quan", name_en="Overview", tiles=tiles
        )
    return out


def _payload(rng: random.Random, now: float) -> dict[str, Any]:
    value = round(rng.uniform(0, 1000), 1)
    return {
        "value": value,
        "previous": round(value * 0.98, 1),
        "change": round(value * 0.02, 2),
        "as_of": now,
        "late": False,
        "period": "2026-11",
        "period_vi": "Tháng 11/2026",
    }


@asynccontextmanager
async def _store(kind: str, folder: Path) -> AsyncIterator[HistoryStore]:
    if kind == "embedded":
        async with open_history_store(folder / kind, None) as store:
            yield store
        return
    prefix = f"bench:history:{uuid.uuid4().hex}:"
    try:
        async with open_history_store(folder, REDIS_URL, redis_prefix=prefix) as store:
            yield store
    finally:
        with redis.Redis.from_url(REDIS_URL) as client:
            keys = list(client.scan_iter(match=f"{prefix}*"))
            if keys:
                client.delete(*keys)


async def _load(
    tap: Callable[[str, dict[str, Any], float], None], rate: int, seconds: float
) -> float:
    """``rate`` updates a second for ``seconds``, in 10 ms steps on the loop; the CPU seconds."""
    rng = random.Random(15)
    tiles = [f"s{s}-t{t}" for s in range(SCREENS) for t in range(TILES)]
    per_step = rate / 100
    owed = 0.0
    cpu0 = time.process_time()
    start = time.monotonic()
    step = 0
    while (elapsed := time.monotonic() - start) < seconds:
        owed += per_step
        now = time.time() * 1000.0
        while owed >= 1:
            owed -= 1
            tap(rng.choice(tiles), _payload(rng, now), now)
        step += 1
        await asyncio.sleep(max(0.0, start + step * 0.01 - time.monotonic()))
    del elapsed
    return time.process_time() - cpu0


@dataclass(frozen=True)
class WriteResult:
    store: str
    rate: int
    seconds: float
    cpu_pct: list[float]  # one per pair of runs
    bytes_per_hour: float
    events: int
    dropped: int
    busy_query_ms: list[float]


async def write_cost(kind: str, rate: int, seconds: float, pairs: int) -> WriteResult:
    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        async with _store(kind, Path(tmp)) as store:
            writer = HistoryWriter(store, None, [f"s{s}" for s in range(SCREENS)], "bench")
            writer.start_from(
                _layouts(), {f"s{s}": BannersMessage(banners=[]) for s in range(SCREENS)}
            )
            await writer.flush()
            written0 = writer.bytes_written
            started = time.time() * 1000.0
            task = asyncio.create_task(writer.run())
            shares = []
            for _ in range(pairs):
                baseline = await _load(lambda tile, data, ts: None, rate, seconds)
                loaded = await _load(writer.data, rate, seconds)
                shares.append((loaded - baseline) / seconds * 100.0)
            task.cancel()
            await writer.flush()
            ended = time.time() * 1000.0
            rng = random.Random(7)
            screens = [f"s{s}" for s in range(SCREENS)]
            times = []
            for _ in range(60):
                t0 = time.perf_counter()
                await state_at(store, screens, rng.uniform(started, ended))
                times.append((time.perf_counter() - t0) * 1000.0)
            return WriteResult(
                kind,
                rate,
                seconds,
                shares,
                (writer.bytes_written - written0) / (seconds * pairs) * 3600.0,
                writer.events,
                writer.dropped,
                times,
            )


async def synthetic(store: HistoryStore, days: float, end: float) -> int:
    """``days`` of history ending at ``end``: per screen a 5-message chunk every 10 s and a
    snapshot every 60 s (the state itself, packed once: its bytes do not change its cost)."""
    rng = random.Random(3)
    layouts = _layouts()
    states = {}
    for screen, layout in layouts.items():
        state = empty_state()
        apply(state, end - days * DAY_MS, layout.model_dump(mode="json"))
        for t in range(TILES):
            tile = f"{screen}-t{t}"
            apply(
                state, end, {"type": "data", "tiles": {tile: _payload(rng, end)}, "ts": {tile: end}}
            )
        states[screen] = pack(state)
    start = end - days * DAY_MS
    rows = 0
    t = start
    while t < end:
        chunks, snaps = [], []
        for _ in range(360):  # an hour at a time
            if t >= end:
                break
            for s in range(SCREENS):
                screen = f"s{s}"
                if int(t) % 60_000 == 0:
                    snaps.append(Snapshot(screen, t, states[screen]))
                events = []
                for i in range(5):
                    tile = f"{screen}-t{rng.randrange(TILES)}"
                    at = t + 1 + i * 1000 + s
                    events.append(
                        (
                            at,
                            {
                                "type": "data",
                                "tiles": {tile: _payload(rng, at)},
                                "ts": {tile: at},
                                "sent": at,
                            },
                        )
                    )
                chunks.append(chunk_of(screen, events))
            t += 10_000
        rows += len(chunks) + len(snaps)
        await store.append(chunks, snaps, [])
    return rows


@dataclass(frozen=True)
class QueryResult:
    store: str
    days: float
    rows: int
    build_s: float
    query_ms: list[float]
    one_screen_ms: list[float]


async def query_month(kind: str, days: float, queries: int) -> QueryResult:
    end = float(int(time.time() * 1000.0) // 60_000 * 60_000)
    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        async with _store(kind, Path(tmp)) as store:
            t0 = time.perf_counter()
            rows = await synthetic(store, days, end)
            build_s = time.perf_counter() - t0
            rng = random.Random(11)
            screens = [f"s{s}" for s in range(SCREENS)]
            whole, one = [], []
            for _ in range(queries):
                at = rng.uniform(end - days * DAY_MS + 60_000, end)
                t1 = time.perf_counter()
                found = await state_at(store, screens, at)
                whole.append((time.perf_counter() - t1) * 1000.0)
                assert len(found) == SCREENS
                t1 = time.perf_counter()
                await state_at(store, [rng.choice(screens)], at)
                one.append((time.perf_counter() - t1) * 1000.0)
            return QueryResult(kind, days, rows, build_s, whole, one)


def _ms(values: list[float]) -> str:
    return f"p50 {percentile(values, 0.5):.1f} ms, p95 {percentile(values, 0.95):.1f} ms"


def run(short: bool) -> list[str]:
    rate = 2000
    seconds, pairs = (3.0, 3) if short else (10.0, 9)
    lines = [
        f"history: {SCREENS} screens × {TILES} tiles, {rate} updates/s, "
        f"{pairs} pairs of {seconds:g} s runs (load alone, load and writer)"
    ]
    for kind in ("embedded", "redis"):
        w = asyncio.run(write_cost(kind, rate, seconds, pairs))
        lines.append(
            f"  {kind}: writer {statistics.median(w.cpu_pct):.2f} % of a core, median "
            f"(target ≤ 2 %; pairs {min(w.cpu_pct):.2f} to {max(w.cpu_pct):.2f} %), "
            f"{w.bytes_per_hour / 1e6:.0f} MB/hour, {w.events} messages, {w.dropped} dropped; "
            f"at= after the busy run (every screen): {_ms(w.busy_query_ms)}"
        )
    days = 1.0 if short else 30.0
    for kind in ("embedded", "redis"):
        q = asyncio.run(query_month(kind, days, 50 if short else 200))
        lines.append(
            f"  {kind}: at= over a synthetic {q.days:g} day(s) ({q.rows:,} rows, written in "
            f"{q.build_s:.0f} s): every screen {_ms(q.query_ms)} (target p95 ≤ 50 ms); "
            f"one screen {_ms(q.one_screen_ms)}"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(run(short=True)))
