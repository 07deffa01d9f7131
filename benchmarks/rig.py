"""What the benchmarks share: a generated wall of N screens, a private Redis, Chromium pages,
and CPU accounting of the server process."""

from __future__ import annotations

import contextlib
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, async_playwright

from command_center.chromium import chromium_path
from geo.codelists import CodeList
from geo.provinces import codes

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the same server harness as the browser tests

from sdp_offers import many_videos, unbundled, watch_offer  # noqa: E402
from wallprocess import CHROMIUM_ARGS, WallProcess, free_port, private_redis  # noqa: E402
from wallsupport import RecordingLink  # noqa: E402

# The benchmarks take these from here.
__all__ = [
    "CHROMIUM_ARGS",
    "RecordingLink",
    "WallProcess",
    "free_port",
    "many_videos",
    "private_redis",
    "unbundled",
    "watch_offer",
]


def grid_for(screens: int) -> tuple[int, int]:
    """Rows × cols, as square as possible (16 → 4 × 4)."""
    rows = int(math.sqrt(screens))
    while screens % rows:
        rows -= 1
    return rows, screens // rows


# The API mode of the fanout benchmark: one agency reports one daily province indicator,
# and every tile shows it for one of the 34 provinces.
INDICATOR_AGENCY = "bo_y_te"
INDICATOR = "covid19_community_cases"


def write_wall(
    folder: Path, screens: int, tiles: int, indicators: bool = False
) -> tuple[Path, Path]:
    """A wall of ``screens`` FHD screens and two presets of ``tiles`` one-cell tiles
    (``grid-a``, ``grid-b``: the same tiles shifted, so a switch changes every screen).
    Text tiles, or with ``indicators`` indicator tiles: tile i shows ``INDICATOR`` for the
    i-th province of the 34 (round robin), ``indicator_province(i)``."""
    rows, cols = grid_for(screens)
    per = 4
    while rows * cols * per * per < tiles:
        per += 1
    wall = folder / "bench-wall.yaml"
    wall.write_text(
        "id: bench\n"
        'name: {vi: "Tường đo hiệu năng", en: "Benchmark wall"}\n'
        f"grid: {{rows: {rows}, cols: {cols}}}\n"
        "screen: {width: 1920, height: 1080}\n"
        "bezel: {px: 8}\n",
        encoding="utf-8",
    )
    presets = folder / "presets"
    presets.mkdir()
    width = cols * per
    for name, shift in (("grid-a", 0), ("grid-b", 1)):
        lines = [
            f'name: {{vi: "Lưới {name}", en: "Grid {name}"}}',
            'description: {vi: "Đo hiệu năng", en: "Benchmark"}',
            f"cells: {{cols: {per}, rows: {per}}}",
            "tiles:",
        ]
        for i in range(tiles):
            cell = (i + shift) % (rows * cols * per * per)
            if indicators:
                kind = "indicator"
                params = (
                    f'{{indicator: {INDICATOR}, province: "{indicator_province(i)}", sparkline: 6}}'
                )
            else:
                kind = "text"
                params = f'{{style: banner, vi: "Ô {i}", en: "Tile {i}"}}'
            lines += [
                f"  - id: t{i}",
                f"    kind: {kind}",
                f"    cell: {{col: {cell % width + 1}, row: {cell // width + 1}}}",
                f"    params: {params}",
            ]
        (presets / f"{name}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return wall, presets


def indicator_province(i: int) -> str:
    """The province (GSO code, 34-unit list) of indicator tile ``i``."""
    provinces = codes(CodeList.NEW_34)
    return provinces[i % len(provinces)]


@contextlib.contextmanager
def wall_server(
    screens: int, tiles: int, redis_url: str, indicators: bool = False, **flags: Any
) -> Iterator[WallProcess]:
    with tempfile.TemporaryDirectory(prefix="wall-bench-") as tmp:
        folder = Path(tmp)
        wall_file, presets = write_wall(folder, screens, tiles, indicators)
        extra = ["--redis", redis_url, "--presets", str(presets), "--no-simulator"]
        for key, value in flags.items():
            extra += [f"--{key.replace('_', '-')}", str(value)]
        process = WallProcess(data_dir=folder / "data", wall_file=wall_file, extra=extra)
        process.start()
        try:
            yield process
        finally:
            process.stop()


@contextlib.contextmanager
def durable_redis() -> Iterator[tuple[str, int]]:
    """A private redis-server that fsyncs every write to its append-only file, in a throwaway
    folder: as a deployment where "accepted" survives a kill -9 runs it (the private_redis of
    the other benchmarks keeps nothing on disk). Yields its URL and pid; killed after."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="redis-bench-") as folder:
        cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", folder]
        cmd += ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while True:
                with (
                    contextlib.suppress(OSError),
                    socket.create_connection(("127.0.0.1", port), 0.2),
                ):
                    break
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0", proc.pid
        finally:
            if proc.poll() is None:
                proc.terminate()
            proc.wait(10)


def agency_credential(agency: str, data_dir: Path, redis_url: str | None = None) -> str:
    """``<agency id>:<token>`` for ``Authorization: Bearer``, as ``run_wall.py agency-tokens``
    prints it for the server on ``data_dir`` (and ``redis_url``)."""
    cmd = [sys.executable, str(ROOT / "run_wall.py"), "agency-tokens", "--agency", agency]
    cmd += ["--data-dir", str(data_dir)] + (["--redis", redis_url] if redis_url else [])
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    for line in done.stdout.splitlines():
        name, _, credential = line.partition("\t")
        if name == agency and credential:
            return credential
    raise RuntimeError(f"no credential for {agency}: {done.stdout}{done.stderr[-2000:]}")


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Headless Chromium with a throwaway profile (Playwright makes one per launch)."""
    exe = chromium_path()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


class ByteCounter:
    """Bytes the server sent one page over its screen link (WebSocket frames received)."""

    def __init__(self) -> None:
        self.total = 0

    def watch(self, page: Page) -> None:
        def on_socket(ws: Any) -> None:
            if "/ws/screen" in ws.url:
                ws.on("framereceived", self._count)

        page.on("websocket", on_socket)

    def _count(self, payload: str | bytes) -> None:
        self.total += len(payload.encode() if isinstance(payload, str) else payload)


async def open_screens(browser: Browser, wall: WallProcess) -> tuple[list[Page], list[ByteCounter]]:
    """One browser context per screen: like kiosks on separate machines, screens never share
    a renderer process (same-site tabs of one context may, and then wait on each other)."""
    pages, counters = [], []
    for url in wall.screens.values():
        context = await browser.new_context()
        page = await context.new_page()
        await page.set_viewport_size({"width": 480, "height": 270})
        counter = ByteCounter()
        counter.watch(page)
        await page.goto(url)
        pages.append(page)
        counters.append(counter)
    for page in pages:
        await page.wait_for_function(
            "() => window.wallScreen && window.wallScreen.connected && window.wallScreen.version",
            timeout=60_000,
        )
    return pages, counters


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def chromium_cpu_seconds() -> float:
    """CPU time of every Chromium process on the machine (the screens' share of it)."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (proc / "comm").read_text().strip() != "chromium":
                continue
            total += cpu_seconds(int(proc.name))
        except (OSError, ValueError):
            continue  # the process ended while we looked
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))
    return ordered[rank]


@dataclass(frozen=True)
class ScreenLatency:
    """The screens' update latency (``window.wallScreen``): every tile update applied on
    every screen in the measured window, pooled, and the worst screen's own p99."""

    p50_ms: float
    p99_ms: float
    worst_screen_p99_ms: float
    samples: int

    @classmethod
    def of(cls, per_screen: list[list[float]]) -> ScreenLatency:
        pooled = [x for screen in per_screen for x in screen]
        worst = max((percentile(s, 0.99) for s in per_screen if s), default=float("nan"))
        return cls(percentile(pooled, 0.5), percentile(pooled, 0.99), worst, len(pooled))


@dataclass(frozen=True)
class Usage:
    """What a measured window cost, over its length in ``seconds``."""

    seconds: float
    cpu_pct: float  # the server process, % of one core
    browsers_cpu_pct: float  # every Chromium process on the machine
    bytes_per_screen_s: float  # sent over the screen links, per screen (nan: not counted)


class Window:
    """A measured window on a wall's screens: ``await Window.open(...)`` clears the screens'
    latency samples and notes the CPU used so far and the bytes each screen received;
    ``close()`` gives the ``Usage`` since; ``latency()`` reads the screens' samples (once
    the last flush has landed)."""

    def __init__(self, pid: int, pages: list[Page], counters: Sequence[ByteCounter]) -> None:
        self._pid = pid
        self._pages = pages
        self._counters = counters
        self._bytes = [c.total for c in counters]
        self._cpu, self._started = cpu_seconds(pid), time.monotonic()
        self._browsers = chromium_cpu_seconds()

    @classmethod
    async def open(
        cls, pid: int, pages: list[Page], counters: Sequence[ByteCounter] = ()
    ) -> Window:
        for page in pages:
            await page.evaluate("() => window.wallScreen.clearLatency()")
        return cls(pid, pages, counters)

    def close(self) -> Usage:
        elapsed = time.monotonic() - self._started
        sent = [c.total - b for c, b in zip(self._counters, self._bytes, strict=True)]
        return Usage(
            seconds=elapsed,
            cpu_pct=(cpu_seconds(self._pid) - self._cpu) / elapsed * 100,
            browsers_cpu_pct=(chromium_cpu_seconds() - self._browsers) / elapsed * 100,
            bytes_per_screen_s=sum(sent) / len(sent) / elapsed if sent else float("nan"),
        )

    async def latency(self) -> ScreenLatency:
        script = "() => window.wallScreen.latencySamples()"
        return ScreenLatency.of([await page.evaluate(script) for page in self._pages])
