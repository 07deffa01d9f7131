"""failover (issue 11 pt 9, the screens' part): two wall processes of one wall on one Redis
(``--server A --server B``), the 2 × 2 wall's four kiosks in Chromium opened on A, and an
agency posting all along to A, or to B while A is down. N times: ``kill -9`` A, switch the
wall and post a fresh value on B at once, and time per screen

* kill → the screen is on B with the current layout ("layout back"),
* kill → it also shows the value posted after the kill ("fresh data back"),
* A up again → the screen is back on A;

then count the observations lost: every post answered 201 must be in the store at the end.
Percentiles are over every screen of every kill (4 × N samples)."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx

from benchmarks.rig import percentile  # first: it puts tests/ on the path

# isort: split
from failover_pair import Pair, kiosks, running_pair, screen_state
from wallprocess import RedisServer

TARGET_S = 10.0
# The agency that posts all along: one daily province indicator, a new day each post, so
# every acknowledged row is one row to find at the end.
STREAM_AGENCY = "bo_y_te"
STREAM_INDICATOR = "covid19_community_cases"
STREAM_AREA = "01"
FIRST_DAY = date(2015, 1, 1)
POST_EVERY_S = 0.2
PRESETS = ("overview", "map-national")


@dataclass
class FailoverResult:
    kills: int
    layout_s: list[float] = field(default_factory=list)
    data_s: list[float] = field(default_factory=list)
    return_s: list[float] = field(default_factory=list)
    restart_s: list[float] = field(default_factory=list)
    acknowledged: int = 0
    to_b: int = 0  # acknowledged by B because A did not answer
    refused: int = 0  # answered, but not 201 (a 503 during a move, say): the agency retries
    lost: int = 0

    def lines(self) -> list[str]:
        def p(values: list[float], q: float) -> float:
            return percentile(values, q)

        d95 = p(self.data_s, 0.95)
        return [
            f"failover: {self.kills} × kill -9 of the kiosks' server (2 servers, 4 screens)",
            f"  kill → screen on the current layout (on B): p50 {p(self.layout_s, 0.5):.2f} s,"
            f" p95 {p(self.layout_s, 0.95):.2f} s, max {max(self.layout_s, default=float('nan')):.2f} s",
            f"  kill → fresh data on the screen: p50 {p(self.data_s, 0.5):.2f} s, p95 {d95:.2f} s"
            f" (target ≤ {TARGET_S:.0f} s: {'met' if d95 <= TARGET_S else 'NOT met'})",
            f"  A up again → screen back on A: p50 {p(self.return_s, 0.5):.2f} s,"
            f" p95 {p(self.return_s, 0.95):.2f} s (A's restart itself: p50"
            f" {p(self.restart_s, 0.5):.1f} s)",
            f"  observations: {self.acknowledged} acknowledged (201; {self.to_b} by B while A"
            f" was down), {self.refused} refused and retried, lost: {self.lost} (must be 0)",
        ]


class Agency:
    """Posts one row every ``POST_EVERY_S`` to A, or to B when A does not answer."""

    def __init__(self, pair: Pair) -> None:
        self.pair = pair
        self.credential = f"{STREAM_AGENCY}:{pair.a.token('agency', STREAM_AGENCY)}"
        self.acknowledged: list[str] = []
        self.to_b = 0
        self.refused = 0
        self.stopped = asyncio.Event()

    async def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.credential}"}
        day = 0
        async with httpx.AsyncClient(timeout=5) as client:
            while not self.stopped.is_set():
                period = (FIRST_DAY + timedelta(days=day)).isoformat()
                row = {
                    "indicator": STREAM_INDICATOR,
                    "area_code": STREAM_AREA,
                    "code_list": "gso-34",
                    "period": period,
                    "value": day % 50,
                }
                for server in (self.pair.a, self.pair.b):
                    try:
                        r = await client.post(
                            f"{server.url}/api/v1/observations",
                            json={"observations": [row]},
                            headers=headers,
                        )
                    except httpx.HTTPError:
                        continue  # not answering (killed): the next server
                    if r.status_code == 201:
                        self.acknowledged.append(period)
                        self.to_b += server is self.pair.b
                        day += 1
                        break
                    self.refused += 1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopped.wait(), POST_EVERY_S)

    async def lost(self) -> int:
        """Acknowledged rows not in the store (read through B)."""
        async with httpx.AsyncClient(base_url=self.pair.b.url, timeout=60) as client:
            r = await client.get(
                "/api/v1/series",
                params={
                    "indicator": STREAM_INDICATOR,
                    "area": f"gso-34:{STREAM_AREA}",
                    "from": FIRST_DAY.isoformat(),
                    "to": (FIRST_DAY + timedelta(days=len(self.acknowledged) + 1)).isoformat(),
                },
                headers=self.pair.auth,
            )
            r.raise_for_status()
            stored = {o["period"] for o in r.json()["observations"]}
        return len(set(self.acknowledged) - stored)


async def _times(
    pair: Pair, version: int, value: float, since: float, within: float
) -> dict[str, tuple[float, float]]:
    """Per screen: (layout back, fresh data back) in seconds since ``since``, on B."""
    layout: dict[str, float] = {}
    data: dict[str, float] = {}
    deadline = since + within
    while len(data) < len(pair.pages) and time.monotonic() < deadline:
        for screen, page in pair.pages.items():
            if screen in data:
                continue
            s = await screen_state(page)
            on = s["up"] and s["server"] == pair.b.url and s["version"] == version
            if on and screen not in layout:
                layout[screen] = time.monotonic() - since
            fresh = s["value"] not in (None, "") and abs(float(s["value"]) - value) < 1e-6
            if on and fresh:
                data[screen] = time.monotonic() - since
        await asyncio.sleep(0.05)
    return {s: (layout[s], data[s]) for s in data}


async def _all_on(pair: Pair, server: str, since: float, within: float) -> list[float]:
    seen: dict[str, float] = {}
    deadline = since + within
    while len(seen) < len(pair.pages) and time.monotonic() < deadline:
        for screen, page in pair.pages.items():
            s = await screen_state(page)
            if screen not in seen and s["up"] and s["server"] == server:
                seen[screen] = time.monotonic() - since
        await asyncio.sleep(0.05)
    return list(seen.values())


async def run(kills: int, within: float = 60.0) -> FailoverResult:
    result = FailoverResult(kills)
    with tempfile.TemporaryDirectory(prefix="wall-failover-") as tmp:
        redis = RedisServer().start()
        try:
            with running_pair(Path(tmp), redis) as pair:
                await pair.sign_in(pair.b)
                async with kiosks(pair):
                    agency = Agency(pair)
                    poster = asyncio.create_task(agency.run())
                    try:
                        for k in range(kills):
                            killed = time.monotonic()
                            pair.a.stop(kill=True)
                            version = await pair.switch(pair.b, PRESETS[k % 2])
                            value = 40.0 + k / 10
                            await pair.post(pair.b, value)
                            times = await _times(pair, version, value, killed, within)
                            result.layout_s += [t[0] for t in times.values()]
                            result.data_s += [t[1] for t in times.values()]
                            missing = len(pair.pages) - len(times)
                            if missing:
                                print(
                                    f"failover: kill {k + 1}: {missing} screen(s) not back in {within:.0f} s"
                                )
                            started = time.monotonic()
                            await asyncio.to_thread(pair.a.restart, False)
                            up = time.monotonic()
                            result.restart_s.append(up - started)
                            result.return_s += await _all_on(pair, pair.a.url, up, within)
                    finally:
                        agency.stopped.set()
                        await poster
                    result.acknowledged = len(agency.acknowledged)
                    result.refused = agency.refused
                    result.to_b = agency.to_b
                    result.lost = await agency.lost()
        finally:
            redis.stop()
    return result
