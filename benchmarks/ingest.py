"""ingest: observations per second accepted end to end through ``POST /api/v1/observations``,
for batches of 1, 100 and 10,000 rows, against the embedded store and against Redis.

Each (store, batch size) run gets a server process of its own (``--no-simulator``) on a fresh
data folder, and for Redis a fresh private ``redis-server`` with ``--appendonly yes
--appendfsync always``, so every row is new (duplicates are cheap and would flatter the
figures) and "accepted" means on disk in both stores. One agency (the Ministry of Health)
reports COVID-19 community cases, a daily province-level indicator, for the 34 provinces on
past days: 34 distinct rows a day. One keep-alive HTTP client posts one request at a time.
It is httpx's synchronous client: the asynchronous one retries ``import sniffio`` (not
installed) on every request, a path search that cost ~10 ms of client CPU per post here.

Two moments per post: the API's 201 (validated and durable), and with Redis the moment the
``ObservationsAccepted`` message is seen on the servers' pub/sub channel ``cc:bus`` by a
subscriber of our own (fanned out: every server process gets it then). The embedded server's
bus is in memory, inside the server process: for it only the API's figures are reported.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import redis

from benchmarks.rig import (
    WallProcess,
    agency_credential,
    cpu_seconds,
    durable_redis,
    percentile,
)
from command_center.bus import unseal_unchecked
from feeds.acceptance import ANNOUNCE_SLICE
from geo.codelists import CodeList
from geo.provinces import codes

AGENCY = "bo_y_te"
INDICATOR = "covid19_community_cases"  # province level, daily, owned by bo_y_te
CODE_LIST = CodeList.NEW_34
CHANNEL = "cc:bus"
STORES = ("embedded", "redis")
WARMUP_POSTS = 20  # single rows, before the clock starts (new rows too, never measured)
TARGET_OBS_S = 20_000  # in batches
TARGET_SINGLE_P99_MS = 50.0  # one observation per post
FANOUT_WAIT_S = 30.0  # for the last bus message after the last 201, at most


@dataclass(frozen=True)
class BatchRun:
    store: str
    batch: int
    posts: int
    api_seconds: float  # first send → last 201
    api_p50_ms: float  # per post: send → 201
    api_p99_ms: float
    server_cpu_pct: float  # the wall server process, % of one core over the API window
    # Redis only (None for the embedded store): send → ObservationsAccepted seen on cc:bus.
    bus_seconds: float | None = None  # first send → last message seen
    bus_p50_ms: float | None = None
    bus_p99_ms: float | None = None
    bus_seen: int | None = None  # observations in the messages seen
    # Redis only: a post is done end to end when both its 201 and its message have arrived.
    e2e_seconds: float | None = None  # first send → last post done
    e2e_p50_ms: float | None = None
    e2e_p99_ms: float | None = None
    redis_cpu_pct: float | None = None

    @property
    def observations(self) -> int:
        return self.batch * self.posts

    @property
    def api_obs_s(self) -> float:
        return self.observations / self.api_seconds

    @property
    def bus_obs_s(self) -> float | None:
        return None if self.bus_seconds is None else (self.bus_seen or 0) / self.bus_seconds

    @property
    def end_to_end_obs_s(self) -> float:
        """What the target is judged on: 201 and fanned out where we can see both (only
        observations whose message was seen count), else the API's 201 alone."""
        if self.e2e_seconds is None:
            return self.api_obs_s
        return (self.bus_seen or 0) / self.e2e_seconds

    @property
    def end_to_end_p99_ms(self) -> float:
        return self.api_p99_ms if self.e2e_p99_ms is None else self.e2e_p99_ms

    def verdict(self) -> str:
        if self.batch == 1:
            ok = self.end_to_end_p99_ms < TARGET_SINGLE_P99_MS
            return f"target p99 < {TARGET_SINGLE_P99_MS:.0f} ms: {'met' if ok else 'NOT met'}"
        ratio = self.end_to_end_obs_s / TARGET_OBS_S
        ok = ratio >= 1.0
        return f"target ≥ {TARGET_OBS_S:,} obs/s: {'met' if ok else 'NOT met'}, ×{ratio:.2f} of it"


@dataclass(frozen=True)
class IngestResult:
    runs: tuple[BatchRun, ...]

    def run(self, store: str, batch: int) -> BatchRun | None:
        return next((r for r in self.runs if r.store == store and r.batch == batch), None)

    def lines(self) -> list[str]:
        out = [
            f"ingest: POST /api/v1/observations, {INDICATOR} by {AGENCY} (34 provinces × past "
            f"days, every row new), one keep-alive client, one post at a time; "
            f"{os.cpu_count()} cores here",
        ]
        for store in STORES:
            runs = [r for r in self.runs if r.store == store]
            if not runs:
                continue
            if store == "embedded":
                out.append(
                    "  embedded (SQLite WAL, synchronous=FULL): API side only, 201 = validated"
                    " and on disk; its bus is in memory inside the server, not visible from"
                    " outside"
                )
            else:
                out.append(
                    "  redis (private redis-server, appendonly yes, appendfsync always):"
                    " 201 = validated and fsynced; fanned out = ObservationsAccepted seen on"
                    f" {CHANNEL} by our subscriber"
                )
            for r in runs:
                posts = f"{r.posts} post{'s' if r.posts != 1 else ''}"
                out.append(
                    f"    batch {r.batch:>6,} × {posts}: 201 at {r.api_obs_s:>9,.0f} obs/s,"
                    f" per post p50 {r.api_p50_ms:.1f} ms, p99 {r.api_p99_ms:.1f} ms;"
                    f" server CPU {r.server_cpu_pct:.0f} % of one core"
                )
                if r.bus_seconds is not None:
                    bus_obs_s = r.bus_obs_s or 0.0
                    out.append(
                        f"      fanned out at {bus_obs_s:>9,.0f} obs/s"
                        f" ({r.bus_seen:,} of {r.observations:,} seen),"
                        f" send→bus p50 {r.bus_p50_ms:.1f} ms, p99 {r.bus_p99_ms:.1f} ms;"
                        f" redis-server CPU {r.redis_cpu_pct:.0f} %"
                    )
                    out.append(
                        f"      end to end (201 and fanned out) at {r.end_to_end_obs_s:>9,.0f}"
                        f" obs/s, per post p50 {r.e2e_p50_ms:.1f} ms, p99 {r.e2e_p99_ms:.1f} ms"
                    )
                short = " (p99 of so few posts is near their max)" if r.posts < 100 else ""
                short = short if r.batch == 1 else ""
                out.append(f"      {r.verdict()}{short}")
            single, big = self.run(store, 1), self.run(store, 10_000)
            if single is not None and big is not None:
                out.append(
                    f"    batches of 10,000 carry ×{big.end_to_end_obs_s / single.end_to_end_obs_s:,.0f}"
                    " the observations per second of single posts"
                )
        return out


def rows(count: int, seed: int = 0) -> Iterator[dict[str, object]]:
    """``count`` distinct rows: every province on yesterday, then the day before, and so on
    (never a future period, whatever the time zone)."""
    provinces = codes(CODE_LIST)
    rng = random.Random(seed)
    day = datetime.now(UTC).date() - timedelta(days=1)
    made = 0
    while made < count:
        for code in provinces:
            if made == count:
                return
            yield {
                "indicator": INDICATOR,
                "area_code": code,
                "code_list": CODE_LIST.value,
                "period": day.isoformat(),
                "value": rng.randrange(0, 500),
            }
            made += 1
        day -= timedelta(days=1)
        if day < date(1990, 1, 1):
            raise ValueError(f"too many rows asked for: {count}")


def bodies(batch: int, posts: int) -> tuple[list[bytes], list[bytes], dict[tuple[str, str], int]]:
    """The warm-up and measured request bodies (serialised before the clock starts), and the
    measured post each row belongs to, by its (area code, period)."""
    made = rows(WARMUP_POSTS + batch * posts)
    warmup = [json.dumps({"observations": [next(made)]}).encode() for _ in range(WARMUP_POSTS)]
    measured, owner = [], {}
    for i in range(posts):
        chunk = [next(made) for _ in range(batch)]
        owner |= {(str(row["area_code"]), str(row["period"])): i for row in chunk}
        measured.append(json.dumps({"observations": chunk}).encode())
    return warmup, measured, owner


class BusWatcher:
    """Our own subscriber to ``cc:bus`` on a thread (not on the posting event loop): notes
    when each ObservationsAccepted arrives, and reads it after the run."""

    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(url)
        self._pubsub = self._client.pubsub()
        self._pubsub.subscribe(CHANNEL)
        deadline = time.monotonic() + 10
        while (m := self._pubsub.get_message(timeout=1.0)) is None or m["type"] != "subscribe":
            if time.monotonic() > deadline:
                raise RuntimeError(f"could not subscribe to {CHANNEL}")
        self.seen: list[tuple[float, bytes]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        while not self._stop.is_set():
            m = self._pubsub.get_message(timeout=0.05)
            if m is not None and m["type"] == "message":
                at = time.perf_counter()
                if b'"observations_accepted"' in m["data"]:
                    self.seen.append((at, m["data"]))

    def wait_for(self, messages: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self.seen) < messages and time.monotonic() < deadline:
            time.sleep(0.01)

    def clear(self) -> None:
        self.seen = []

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._pubsub.close()
        self._client.close()


@contextlib.contextmanager
def server(store: str) -> Iterator[tuple[WallProcess, str, str | None, int | None]]:
    """A wall server on a fresh data folder (and a fresh durable Redis), with the agency's
    credential: yields (process, credential, redis URL or None, redis-server pid or None)."""
    with tempfile.TemporaryDirectory(prefix="wall-ingest-") as tmp, contextlib.ExitStack() as es:
        url, redis_pid = es.enter_context(durable_redis()) if store == "redis" else (None, None)
        extra = ["--no-simulator"] + (["--redis", url] if url else [])
        wall = WallProcess(data_dir=Path(tmp) / "data", extra=extra)
        wall.start()
        es.callback(wall.stop)
        yield wall, agency_credential(AGENCY, wall.data_dir, url), url, redis_pid


def post_all(
    client: httpx.Client, payloads: list[bytes], batch: int
) -> tuple[list[float], list[float]]:
    """Post each body in turn; the send and 201 moments (perf_counter seconds) of each."""
    sent, answered = [], []
    for body in payloads:
        t0 = time.perf_counter()
        r = client.post("/api/v1/observations", content=body)
        t1 = time.perf_counter()
        if r.status_code != 201 or r.json().get("accepted") != batch:
            raise RuntimeError(f"post not accepted whole: {r.status_code} {r.text[:500]}")
        sent.append(t0)
        answered.append(t1)
    return sent, answered


def run_one(store: str, batch: int, posts: int) -> BatchRun:
    warmup, measured, owner = bodies(batch, posts)
    with server(store) as (wall, credential, url, redis_pid):
        assert wall.proc is not None
        watcher = BusWatcher(url) if url else None
        try:
            headers = {
                "Authorization": f"Bearer {credential}",
                "Content-Type": "application/json",
            }
            with httpx.Client(base_url=wall.url, headers=headers, timeout=120.0) as client:
                post_all(client, warmup, 1)
                if watcher is not None:
                    watcher.wait_for(WARMUP_POSTS, FANOUT_WAIT_S)
                    watcher.clear()
                cpu0 = cpu_seconds(wall.proc.pid)
                rcpu0 = cpu_seconds(redis_pid) if redis_pid else 0.0
                sent, answered = post_all(client, measured, batch)
                window = answered[-1] - sent[0]
                cpu = (cpu_seconds(wall.proc.pid) - cpu0) / window * 100
            api_ms = [(b - a) * 1000 for a, b in zip(sent, answered, strict=True)]
            result = BatchRun(
                store=store,
                batch=batch,
                posts=posts,
                api_seconds=window,
                api_p50_ms=percentile(api_ms, 0.5),
                api_p99_ms=percentile(api_ms, 0.99),
                server_cpu_pct=cpu,
            )
            if watcher is None:
                return result
            # A big batch is announced in slices: a post is fanned out with its last one.
            watcher.wait_for(posts * -(-batch // ANNOUNCE_SLICE), FANOUT_WAIT_S)
            assert redis_pid is not None
            rcpu = (cpu_seconds(redis_pid) - rcpu0) / window * 100
            last, seen, seen_at, rows_seen = sent[0], 0, {}, [0] * posts
            for at, raw in watcher.seen:
                body = raw if isinstance(raw, bytes) else raw.encode()
                observations = json.loads(unseal_unchecked(body))["observations"]
                head = observations[0]
                i = owner.get((head["area"]["code"], head["period"]))
                if i is None:
                    continue  # not one of the measured posts
                rows_seen[i] += len(observations)
                last, seen = max(last, at), seen + len(observations)
                if rows_seen[i] == batch:
                    seen_at[i] = at
            bus_ms = [(seen_at[i] - sent[i]) * 1000 for i in seen_at]
            # A post whose message never came is never done: its time counts as infinite.
            done = [max(answered[i], seen_at.get(i, float("inf"))) for i in range(posts)]
            e2e_ms = [(d - t) * 1000 for d, t in zip(done, sent, strict=True)]
            return dataclasses.replace(
                result,
                bus_seconds=last - sent[0],
                bus_p50_ms=percentile(bus_ms, 0.5),
                bus_p99_ms=percentile(bus_ms, 0.99),
                bus_seen=seen,
                redis_cpu_pct=rcpu,
                e2e_seconds=max(last, answered[-1]) - sent[0],
                e2e_p50_ms=percentile(e2e_ms, 0.5),
                e2e_p99_ms=percentile(e2e_ms, 0.99),
            )
        finally:
            if watcher is not None:
                watcher.close()


def run(
    plan: dict[int, int], stores: tuple[str, ...] = STORES, progress: bool = True
) -> IngestResult:
    """``plan``: batch size → number of posts; one fresh server per store and batch size."""
    done = []
    for store in stores:
        for batch, posts in plan.items():
            if progress:
                print(
                    f"ingest … {store}: {posts} × batch of {batch:,}", file=sys.stderr, flush=True
                )
            done.append(run_one(store, batch, posts))
    return IngestResult(runs=tuple(done))
