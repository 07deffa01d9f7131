"""map: a live recolour of the province map, and the time to the first drawn map.

1. Server, in process (the real hub, map feed and screen messages, recording links): every
   province's value changes (a new revision for all 34, or all 63 on a map of a period before
   01/07/2025), and the map feed pushes its patch to every screen the tile spans. Figures per
   screen per recolour: the bytes of the data message as the screen link writes it, and the
   server's CPU time (map data, diff, hub push, serialising each screen's message) divided by
   the screens; elapsed time beside it, which on a shared machine also counts other work.
   Targets (issue 4): at most 2 KB and 1 ms per screen per recolour.
2. Browser (a real wall server and Chromium): a kiosk page's first load to the map drawn
   (geometry fetched and projected, colours painted), from the page's own clock; and the
   bytes that page received for one recolour posted through the ingestion API.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.rig import RecordingLink, WallProcess, agency_credential, chromium, percentile
from command_center.auth import Principal, Role
from command_center.bus import MemoryBus
from command_center.protocol import DataMessage, Message
from command_center.server.composition import build_registry
from command_center.server.hub import ScreenHub
from command_center.server.map_feed import MapFeed
from command_center.store import open_store
from feeds.loader import load_feeds
from feeds.observations import Area, Observation
from feeds.periods import TIME_ZONE, last_due_period
from geo import CodeList, codes
from layouts.loader import load_presets, load_wall

BYTES_TARGET = 2048
MS_TARGET = 1.0
LOAD_TARGET_MS = 3000.0  # ours: a kiosk shows its map within 3 s of loading (none in the issue)
INDICATOR = "public_investment_disbursement"
ROOT = Path(__file__).resolve().parents[1]
WALL_2X2 = ROOT / "layouts" / "walls" / "wall-2x2.yaml"


def _map_preset(units: int, params: str) -> str:
    """One map across the whole 2 × 2 wall (every screen draws a part of it) of ``units``."""
    return f"""name: {{vi: "Bản đồ {units}", en: "Map of the {units}"}}
description: {{vi: "Đo hiệu năng", en: "Benchmark"}}
cells: {{cols: 4, rows: 4}}
tiles:
  - id: map{units}
    kind: map
    cell: {{col: 1, row: 1, cols: 8, rows: 8}}
    params: {{{params}}}
"""


PRESETS = {
    "map-34": _map_preset(34, f"indicator: {INDICATOR}"),
    "map-63": _map_preset(63, f'indicator: {INDICATOR}, period: "2025-05"'),
}


@dataclass
class SizingLink(RecordingLink):
    """A screen link that writes what the hub sends as the real one does (inside the timed
    flush), keeping the data messages' sizes rather than the messages."""

    sizes: list[int] = field(default_factory=list)

    def send(self, message: Message) -> None:
        body = message.model_dump_json()
        if isinstance(message, DataMessage):
            self.sizes.append(len(body.encode()))


class DataBytes:
    """Bytes of the data messages the server sent one page (pings and pongs left out)."""

    def __init__(self) -> None:
        self.total = 0

    def watch(self, page: Any) -> None:
        def on_socket(ws: Any) -> None:
            if "/ws/screen" in ws.url:
                ws.on("framereceived", self._count)

        page.on("websocket", on_socket)

    def _count(self, payload: str | bytes) -> None:
        raw = payload.encode() if isinstance(payload, str) else payload
        if raw.startswith(b'{"type":"data"'):
            self.total += len(raw)


@dataclass
class Recolour:
    units: int
    screens: int
    bytes_per_screen: list[int]
    ms_per_screen: list[float]  # CPU time of the server process
    wall_ms_per_screen: list[float]  # elapsed, descheduled time included
    one_province_bytes: list[int]

    def lines(self) -> list[str]:
        b50, b95 = percentile(self.bytes_per_screen, 0.5), percentile(self.bytes_per_screen, 0.95)
        t50, t95 = percentile(self.ms_per_screen, 0.5), percentile(self.ms_per_screen, 0.95)
        w50, w95 = (percentile(self.wall_ms_per_screen, q) for q in (0.5, 0.95))
        one = percentile(self.one_province_bytes, 0.5)
        return [
            f"  recolour of all {self.units} ({self.screens} screens, "
            f"{len(self.ms_per_screen)} recolours):",
            f"    bytes per screen: p50 {b50:.0f} B, p95 {b95:.0f} B, max "
            f"{max(self.bytes_per_screen):.0f} B"
            f" (target ≤ {BYTES_TARGET} B: {'met' if b95 <= BYTES_TARGET else 'NOT met'})",
            f"    server CPU time per screen: p50 {t50:.3f} ms, p95 {t95:.3f} ms"
            f" (target ≤ {MS_TARGET:.0f} ms: {'met' if t95 <= MS_TARGET else 'NOT met'})",
            f"    elapsed per screen (includes time the machine gave other work):"
            f" p50 {w50:.3f} ms, p95 {w95:.3f} ms",
            f"    one province's new value: p50 {one:.0f} B per screen",
        ]


def _batch(
    code_list: CodeList, period: str, rng: random.Random, revision: int
) -> list[Observation]:
    return [
        Observation(
            indicator=INDICATOR,
            area=Area(code=code, code_list=code_list.value),
            period=period,
            value=round(rng.uniform(20, 100), 1),
            revision=revision,
            agency="bo_tai_chinh",
            received_at=time.time() * 1000.0,
        )
        for code in codes(code_list)
    ]


async def _recolours(
    folder: Path, preset: str, code_list: CodeList, period: str, rounds: int
) -> Recolour:
    feeds = load_feeds()
    wall = load_wall(WALL_2X2)
    presets = load_presets(folder, wall, build_registry())
    now = datetime.now(TIME_ZONE)
    rng = random.Random(4)
    async with open_store(folder / "data", None) as store:
        bus = MemoryBus()
        hub = ScreenHub(wall, presets, store, bus, flush_hz=0.01)
        await hub.start()
        try:
            await hub.switch(preset, Principal("bench", Role.ADMIN))
            links = [SizingLink(s.id) for s in wall.screens]
            for link in links:
                await hub.attach(link, None)
            maps = MapFeed(feeds, hub, clock=lambda: now)
            maps.accept(_batch(code_list, period, rng, 0))
            maps.flush()
            hub.flush()
            sizes: list[int] = []
            times: list[float] = []
            elapsed: list[float] = []
            one: list[int] = []
            for i in range(1, rounds + 1):
                maps.accept(_batch(code_list, period, rng, i))  # ingestion's share, not timed
                for link in links:
                    link.sizes.clear()
                started, cpu = time.perf_counter(), time.process_time()
                maps.flush()
                hub.flush()
                cpu_ms = (time.process_time() - cpu) * 1000.0
                spent = (time.perf_counter() - started) * 1000.0
                times.append(cpu_ms / len(links))
                elapsed.append(spent / len(links))
                sizes += [s for link in links for s in link.sizes]
                # And a single province's new value.
                single = _batch(code_list, period, rng, rounds + i)[:1]
                maps.accept(single)
                for link in links:
                    link.sizes.clear()
                maps.flush()
                hub.flush()
                one += [s for link in links for s in link.sizes]
            return Recolour(len(codes(code_list)), len(links), sizes, times, elapsed, one)
        finally:
            await hub.stop()
            await bus.close()


@dataclass
class FirstDraw:
    loads_ms: list[float]
    recolour_bytes: int

    def lines(self) -> list[str]:
        p50, p95 = percentile(self.loads_ms, 0.5), percentile(self.loads_ms, 0.95)
        return [
            f"  first load → map drawn (Chromium, cold cache, {len(self.loads_ms)} loads):"
            f" p50 {p50:.0f} ms, p95 {p95:.0f} ms"
            f" (our target ≤ {LOAD_TARGET_MS:.0f} ms: {'met' if p95 <= LOAD_TARGET_MS else 'NOT met'})",
            f"  one recolour of the 34 through the API, bytes received by one screen page:"
            f" {self.recolour_bytes} B"
            f" (target ≤ {BYTES_TARGET} B: {'met' if self.recolour_bytes <= BYTES_TARGET else 'NOT met'})",
        ]


async def _first_draw(folder: Path, loads: int) -> FirstDraw:
    wall = WallProcess(
        data_dir=folder / "wall-data",
        wall_file=WALL_2X2,
        extra=["--presets", str(folder), "--no-simulator"],
    )
    wall.start()
    try:
        name, password = wall.users["admin"]
        feeds = load_feeds()
        indicator = feeds.catalogue.get(INDICATOR)
        period = last_due_period(indicator.frequency, indicator.deadline, datetime.now(TIME_ZONE))
        credential = agency_credential(indicator.owner, wall.data_dir)
        async with httpx.AsyncClient(base_url=wall.url, timeout=30) as client:
            token = (
                await client.post("/api/v1/sessions", json={"username": name, "password": password})
            ).json()["token"]
            auth = {"Authorization": f"Bearer {token}"}
            (
                await client.post("/api/v1/switch", json={"preset": "map-34"}, headers=auth)
            ).raise_for_status()
            rng = random.Random(9)

            async def report(revision: int) -> None:
                rows = [
                    {
                        "indicator": INDICATOR,
                        "area_code": c,
                        "code_list": "gso-34",
                        "period": period.key,
                        "value": round(rng.uniform(20, 100), 1),
                        "revision": revision,
                    }
                    for c in codes(CodeList.NEW_34)
                ]
                r = await client.post(
                    "/api/v1/observations",
                    json={"observations": rows},
                    headers={"Authorization": f"Bearer {credential}"},
                )
                r.raise_for_status()

            await report(0)
            loads_ms: list[float] = []
            received = 0
            async with chromium() as browser:
                url = wall.screens["left-top"]
                for _ in range(loads):
                    context = await browser.new_context(viewport={"width": 960, "height": 540})
                    page = await context.new_page()
                    await page.goto(url)
                    tile = page.locator(".tile[data-map-drawn-at]")
                    await page.locator(
                        ".map[data-map-drawn] path.m-prov[data-class='0']"
                    ).first.wait_for(timeout=60_000)
                    loads_ms.append(float(await tile.get_attribute("data-map-drawn-at") or "nan"))
                    await context.close()
                context = await browser.new_context(viewport={"width": 960, "height": 540})
                page = await context.new_page()
                counter = DataBytes()
                counter.watch(page)
                await page.goto(url)
                await page.locator(
                    ".map[data-map-drawn] path.m-prov[data-class='0']"
                ).first.wait_for(timeout=60_000)
                await asyncio.sleep(1.0)  # the link's start-up traffic (clock pings) settles
                before = counter.total
                await report(1)
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    values = await page.locator("path.m-prov").evaluate_all(
                        "(ps) => ps.map((p) => p.dataset.value)"
                    )
                    if values and all(values) and counter.total > before:
                        await asyncio.sleep(0.3)
                        break
                    await asyncio.sleep(0.05)
                received = counter.total - before
                await context.close()
        return FirstDraw(loads_ms, received)
    finally:
        wall.stop()


def run(rounds: int, loads: int, browser: bool = True) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="map-bench-") as tmp:
        folder = Path(tmp)
        for name, text in PRESETS.items():
            (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
        lines = ["map: live recolour of the province map"]
        r34 = asyncio.run(_recolours(folder, "map-34", CodeList.NEW_34, "2026-10", rounds))
        lines += r34.lines()
        r63 = asyncio.run(_recolours(folder, "map-63", CodeList.OLD_63, "2025-05", rounds))
        lines += r63.lines()
        if browser:
            lines += asyncio.run(_first_draw(folder, loads)).lines()
        return lines
