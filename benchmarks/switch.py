"""switch: N screens, console switch (through the API) to every screen swapped: the time
from the request to the last swap, and the skew between the first and last screen."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from benchmarks.rig import chromium, open_screens, percentile, private_redis, wall_server

# A swap more than this after the agreed instant missed it (the spin ends within a ms).
LATE_MS = 1.0


@dataclass(frozen=True)
class SwitchResult:
    screens: int
    switches: int
    incomplete: int
    duration_ms: list[float]
    skew_ms: list[float]
    dispatch_ms: list[float]
    late: int

    def lines(self) -> list[str]:
        d50, d95 = percentile(self.duration_ms, 0.5), percentile(self.duration_ms, 0.95)
        s50, s95 = percentile(self.skew_ms, 0.5), percentile(self.skew_ms, 0.95)
        return [
            f"switch: N={self.screens} screens, {self.switches} switches "
            f"({self.incomplete} incomplete, {self.late} screen swaps > {LATE_MS:.0f} ms late)",
            f"  request→all swapped: p50 {d50:.0f} ms, p95 {d95:.0f} ms"
            f" (target ≤ 300 ms: {'met' if d95 <= 300 else 'NOT met'})",
            f"  skew first→last screen: p50 {s50:.1f} ms, p95 {s95:.1f} ms, max {max(self.skew_ms, default=float('nan')):.1f} ms"
            f" (target ≤ 17 ms: {'met' if s95 <= 17 else 'NOT met'})",
            f"  server loop busy sending the switch: p50 {percentile(self.dispatch_ms, 0.5):.2f} ms,"
            f" p95 {percentile(self.dispatch_ms, 0.95):.2f} ms",
        ]


async def run(screens: int, switches: int, lead_ms: float = 250.0) -> SwitchResult:
    durations, skews, dispatch, incomplete, late = [], [], [], 0, 0
    with (
        private_redis() as redis_url,
        wall_server(screens, 48, redis_url, switch_lead_ms=lead_ms) as wall,
    ):
        async with chromium() as context:
            pages, _ = await open_screens(context, wall)
            name, password = wall.users["duty_officer"]
            async with httpx.AsyncClient(base_url=wall.url, timeout=30) as client:
                r = await client.post(
                    "/api/v1/sessions", json={"username": name, "password": password}
                )
                auth = {"Authorization": f"Bearer {r.json()['token']}"}
                for i in range(switches):
                    preset = "grid-b" if i % 2 == 0 else "grid-a"
                    r = await client.post("/api/v1/switch", json={"preset": preset}, headers=auth)
                    r.raise_for_status()
                    switch_id = r.json()["switch_id"]
                    report = r.json()
                    for _ in range(100):
                        await asyncio.sleep(0.1)
                        report = (
                            await client.get(f"/api/v1/switches/{switch_id}", headers=auth)
                        ).json()
                        if report["complete"]:
                            break
                    if not report["complete"]:
                        incomplete += 1
                        continue
                    durations.append(report["duration_ms"])
                    dispatch.append(report["dispatch_ms"])
                    skews.append(report["skew_ms"])
            for page in pages:
                swaps = await page.evaluate("() => window.wallScreen.stats().swaps")
                late += sum(1 for s in swaps if s["late_ms"] > LATE_MS)
    return SwitchResult(screens, switches, incomplete, durations, skews, dispatch, late)
