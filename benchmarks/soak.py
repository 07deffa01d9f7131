"""Soak: the wall as the room runs it for weeks, compressed. ``make soak`` (``--minutes``).

The shipped 2 × 4 wall (8 FHD screens, each a Chromium page), the simulator at 60× speed, a
layout switch every 10 s through the presets, and one bridge point (the headless client) on a
call, all inside a network namespace (Chromium offers no loopback candidate for video). Every
``interval`` it samples, per page after a forced garbage collection, the JS heap in use and the
DOM nodes (Chrome DevTools Protocol ``Performance.getMetrics``), and the server's resident
memory and open file descriptors (``/proc``). After the warm-up, a least-squares slope per
screen gives the growth per hour; the target is ≤ 1 MB of heap per hour per screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from playwright.async_api import BrowserContext, CDPSession, Page, async_playwright

from benchmarks.rig import ROOT, WallProcess

# isort: split
from netns import NetNamespace, network_namespace, why_not_available  # tests/ (rig's path)

WALL = ROOT / "layouts" / "walls" / "default.yaml"
POINT = "hue"
HEAP_TARGET_MB_PER_H = 1.0


@dataclass
class Sample:
    at_s: float
    heap_mb: list[float]
    nodes: list[int]
    server_rss_mb: float
    server_fds: int


@dataclass
class Soak:
    screens: int
    minutes: float
    warmup_s: float
    switches: int = 0
    switch_failures: int = 0
    # Samples at which the bridge point was in the call (the roster said so), of all samples.
    in_call: int = 0
    samples: list[Sample] = field(default_factory=list)
    presets: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if len(self.samples) < 3:
            return ["soak: too few samples to say anything"]
        first, last = self.samples[0], self.samples[-1]
        settled = [s for s in self.samples if s.at_s >= self.warmup_s] or self.samples[-3:]
        hours = [s.at_s / 3600.0 for s in settled]
        slopes = [_slope(hours, [s.heap_mb[i] for s in settled]) for i in range(len(first.heap_mb))]
        node_slopes = [
            _slope(hours, [float(s.nodes[i]) for s in settled]) for i in range(len(first.nodes))
        ]
        worst = max(slopes)
        verdict = "met" if worst <= HEAP_TARGET_MB_PER_H else "NOT met"
        span_min = (settled[-1].at_s - settled[0].at_s) / 60.0
        out = [
            f"soak: {self.screens} Chromium screens (the 2 × 4 wall), simulator at 60× speed, "
            f"a switch every 10 s ({self.switches} made, {self.switch_failures} failed), "
            f"bridge point '{POINT}' on a call (in call at {self.in_call} of "
            f"{len(self.samples)} samples); {self.minutes:g} min, "
            f"{len(self.samples)} samples, growth fitted over the last {span_min:.1f} min "
            f"(after {self.warmup_s / 60:.1f} min warm-up)",
            f"  page JS heap after GC: start {_span(first.heap_mb)}, end {_span(last.heap_mb)} MB",
            f"  heap growth per screen: median {statistics.median(slopes):+.2f} MB/h, "
            f"worst {worst:+.2f} MB/h (target ≤ {HEAP_TARGET_MB_PER_H:g} MB/h per screen: "
            f"{verdict}{', ×%.2f of it' % (worst / HEAP_TARGET_MB_PER_H) if worst > 0 else ''})",
            f"  DOM nodes: start {_span(first.nodes)}, end {_span(last.nodes)}; "
            f"worst growth {max(node_slopes):+.0f} nodes/h",
            f"  server RSS: start {first.server_rss_mb:.0f} MB, end {last.server_rss_mb:.0f} MB "
            f"({_slope(hours, [s.server_rss_mb for s in settled]):+.1f} MB/h after warm-up); "
            f"open fds: start {first.server_fds}, end {last.server_fds}, "
            f"max {max(s.server_fds for s in self.samples)}",
        ]
        if span_min < 10:
            out.append(
                "  (a short run: the slopes are mostly noise; `make soak` runs 30 min or more)"
            )
        out.append("  over time (min: worst heap MB / max nodes / server RSS MB / fds):")
        step = max(1, len(self.samples) // 12)
        picked = self.samples[::step] + ([last] if self.samples[::step][-1] is not last else [])
        out.append(
            "    "
            + "  ".join(
                f"{s.at_s / 60:.1f}: {max(s.heap_mb):.1f}/{max(s.nodes)}/"
                f"{s.server_rss_mb:.0f}/{s.server_fds}"
                for s in picked
            )
        )
        return out


def _span(values: list[float] | list[int]) -> str:
    return f"{min(values):.1f}–{max(values):.1f}" if values else "–"


def _slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys over xs (0 for fewer than two points)."""
    if len(xs) < 2:
        return 0.0
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return 0.0


def _fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def _page_memory(cdp: CDPSession) -> tuple[float, int]:
    await cdp.send("HeapProfiler.collectGarbage")
    metrics = await cdp.send("Performance.getMetrics")
    values = {m["name"]: m["value"] for m in metrics["metrics"]}
    return values["JSHeapUsedSize"] / (1 << 20), int(values["Nodes"])


async def _in_call(client: httpx.AsyncClient) -> bool:
    try:
        roster = (await client.get("/api/v1/video/roster")).json()
    except (httpx.HTTPError, ValueError):
        return False
    return any(p["id"] == POINT and p.get("in_call") for p in roster.get("points", []))


@contextlib.asynccontextmanager
async def _browser(ns: NetNamespace) -> AsyncIterator[BrowserContext]:
    with tempfile.TemporaryDirectory(prefix="soak-chromium-") as profile:
        async with async_playwright() as pw:
            context = await pw.chromium.launch_persistent_context(
                profile,
                executable_path=str(ns.chromium_launcher()),
                headless=True,
                args=ns.chromium_args(),
                viewport={"width": 1920, "height": 1080},
            )
            try:
                yield context
            finally:
                await context.close()


async def _switcher(client: httpx.AsyncClient, soak: Soak, stop: asyncio.Event) -> None:
    turn = 0
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 10.0)
            return
        preset = soak.presets[turn % len(soak.presets)]
        turn += 1
        try:
            r = await client.post("/api/v1/switch", json={"preset": preset})
            ok = r.status_code == 202
        except httpx.HTTPError:
            ok = False
        soak.switches += 1
        soak.switch_failures += not ok


async def _run(
    ns: NetNamespace, folder: Path, screens: int, minutes: float, interval: float
) -> Soak:
    wall = WallProcess(
        data_dir=folder / "data",
        wall_file=WALL,
        launcher=ns.wrap([]),
        extra=["--sim-speed", "60"],
    )
    wall.start(timeout=120)
    client_log = (folder / "bridge-client.log").open("w")
    point = await asyncio.create_subprocess_exec(
        *ns.wrap(
            [
                sys.executable,
                *("-m", "video.client", "--url", wall.url, "--point", POINT),
                *("--token", wall.token("bridge", POINT), "--size", "640x360"),
            ]
        ),
        cwd=ROOT,
        stdout=client_log,
        stderr=subprocess.STDOUT,
    )
    soak = Soak(screens=screens, minutes=minutes, warmup_s=min(300.0, minutes * 60 * 0.25))
    try:
        assert wall.proc is not None
        pid = wall.proc.pid
        async with (
            ns.forward(wall.port) as port,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client,
        ):
            name, password = wall.users["duty_officer"]
            r = await client.post("/api/v1/sessions", json={"username": name, "password": password})
            r.raise_for_status()
            client.headers["Authorization"] = f"Bearer {r.json()['token']}"
            listed = (await client.get("/api/v1/presets")).json()["presets"]
            soak.presets = [p["id"] for p in listed]
            soak.presets = [p for p in soak.presets if p != "calibration"] or soak.presets
            async with _browser(ns) as browser:
                pages: list[Page] = []
                cdps: list[CDPSession] = []
                for screen in list(wall.screens)[:screens]:
                    page = await browser.new_page()
                    await page.goto(
                        f"{wall.url}/wall/{screen}?token={wall.token('screen', screen)}"
                    )
                    cdp = await browser.new_cdp_session(page)
                    await cdp.send("Performance.enable")
                    pages.append(page)
                    cdps.append(cdp)
                stop = asyncio.Event()
                switching = asyncio.create_task(_switcher(client, soak, stop))
                started = time.monotonic()
                try:
                    while (elapsed := time.monotonic() - started) < minutes * 60:
                        memory = [await _page_memory(cdp) for cdp in cdps]
                        soak.samples.append(
                            Sample(
                                at_s=elapsed,
                                heap_mb=[m[0] for m in memory],
                                nodes=[m[1] for m in memory],
                                server_rss_mb=_rss_mb(pid),
                                server_fds=_fds(pid),
                            )
                        )
                        soak.in_call += await _in_call(client)
                        await asyncio.sleep(interval)
                finally:
                    stop.set()
                    await switching
    finally:
        point.terminate()
        try:
            await asyncio.wait_for(point.wait(), 10)
        except TimeoutError:
            point.kill()
            await point.wait()
        client_log.close()
        wall.stop()
    return soak


def run(screens: int = 8, minutes: float = 30.0, interval: float = 30.0) -> list[str]:
    reason = why_not_available()
    if reason:
        return [f"soak: skipped ({reason})"]
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp, network_namespace() as ns:
        soak = asyncio.run(_run(ns, Path(tmp), screens, minutes, interval))
    return soak.lines()
