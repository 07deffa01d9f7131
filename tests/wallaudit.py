"""The wall as the room sees it: every preset on every screen in real Chromium at the wall's
resolution, each screen's text audited (``tests/wall_audit.js``: clipped, too small for the
viewing distance, cut by a screen edge, drawn over other text) and photographed, the
photographs stitched into one picture of the wall per preset, bezels drawn to scale.

Each picture is compared with its reviewed reference in ``docs/wall`` (``wallpictures.py``).

As a test: ``tests/browser/test_wall_audit.py``. As a tool, for the person fixing what it
finds (a report per preset, pictures and diff pictures in ``--out``)::

    .venv/bin/python tests/wallaudit.py [--preset ID ...] [--out test-artifacts/wall-audit]
    .venv/bin/python tests/wallaudit.py --update-references   # after looking at the pictures
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from playwright.async_api import BrowserContext, Page

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chromiumsupport import fresh_chromium
from wallpictures import SCALE, Difference, check_against_reference, save_reference
from wallprocess import ROOT, WallProcess

from layouts import WALLS_DIR
from layouts.loader import load_wall
from layouts.model import WallSpec

AUDIT_JS = (Path(__file__).parent / "wall_audit.js").read_text(encoding="utf-8")
# Kinds of finding, in the order a report lists them.
KINDS = ("clipped", "small", "edge", "overlap")
# The simulator's seed: the same reports for the same dates, so pictures compare run to run.
SIM_SEED = 2020
# The simulated calendar the pictures show, whatever the day they are taken: a Thursday of
# November 2026 past the 14th's cut-off, so every tile has periods due and some reports late.
SIM_START = "2026-11-19T09:30:00+07:00"
# How much text the page holds, into shadow roots: it stops changing once the tiles drew.
COUNT_TEXT_JS = """() => {
  const size = (root) => [...root.querySelectorAll('*')].reduce(
    (n, el) => n + (el.shadowRoot ? size(el.shadowRoot) : 0), root.textContent?.length ?? 0);
  return size(document);
}"""


@dataclass(frozen=True)
class Finding:
    kind: str
    screen: str
    tile: str | None
    element: str
    text: str
    detail: str

    def __str__(self) -> str:
        return (
            f"{self.kind:8} {self.screen:5} {self.tile or '-':24} "
            f"“{self.text}” ({self.element}: {self.detail})"
        )


@dataclass
class PresetAudit:
    preset: str
    texts: int = 0
    canvases: int = 0
    findings: list[Finding] = field(default_factory=list)
    picture: Path | None = None

    def counts(self) -> Counter[str]:
        return Counter(f.kind for f in self.findings)

    def summary(self) -> str:
        c = self.counts()
        kinds = ", ".join(f"{c[k]} {k}" for k in KINDS)
        return f"{self.preset}: {self.texts} texts, {kinds} ({self.canvases} canvases unaudited)"


async def audit_page(page: Page, screen: str, min_px: int) -> tuple[int, int, list[Finding]]:
    result: dict[str, Any] = await page.evaluate(AUDIT_JS, min_px)
    findings = [Finding(screen=screen, **f) for f in result["findings"]]
    return result["texts"], result["canvases"], findings


def stitch(shots: dict[str, Path], wall: WallSpec, scale: float) -> Image.Image:
    """One picture of the wall: each screen's shot where it hangs, the bezels black."""
    width, height = round(wall.width * scale), round(wall.height * scale)
    picture = Image.new("RGB", (width, height), "black")
    for screen, path in shots.items():
        box = wall.viewport(screen)
        with Image.open(path) as shot:
            size = (round(box.w * scale), round(box.h * scale))
            picture.paste(
                shot.convert("RGB").resize(size), (round(box.x * scale), round(box.y * scale))
            )
    return picture


async def _until(check: Callable[[], Awaitable[bool]], within: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.25)


async def _settled(page: Page, preset: str) -> None:
    """The screen shows ``preset`` and its tiles have drawn (the count of texts holds)."""
    await _until(
        lambda: page.evaluate("(p) => document.body.dataset.preset === p", preset),
        within=30,
        what=f"the screen to show {preset}",
    )
    # Fonts first: text measured in a fallback font is placed for the wrong width.
    await page.evaluate("() => document.fonts.ready.then(() => true)")
    last = -1

    async def steady() -> bool:
        nonlocal last
        count: int = await page.evaluate(COUNT_TEXT_JS)
        same, last = count == last, count
        await asyncio.sleep(0.75)
        return same

    await _until(steady, within=30, what=f"{preset}'s tiles to draw")


@asynccontextmanager
async def wall_pages(
    wall: WallProcess, spec: WallSpec
) -> AsyncIterator[tuple[BrowserContext, dict[str, Page]]]:
    """One kiosk page per screen, each at the screen's resolution."""
    async with fresh_chromium(prefix="wall-audit-") as context:
        pages: dict[str, Page] = {}
        for screen in spec.screen_ids():
            page = await context.new_page()
            await page.set_viewport_size({"width": spec.screen_width, "height": spec.screen_height})
            await page.goto(wall.screens[screen])
            pages[screen] = page
        yield context, pages


def audited_wall(data_dir: Path, wall_file: Path, sim_seed: int = SIM_SEED) -> WallProcess:
    """The wall server the audit looks at, started: the simulator on a fixed seed and a fixed
    calendar (the pictures compare whatever the day), no alert rules (their banners are not
    the presets' composition; tests/browser/test_alerts_wall.py looks at them)."""
    return WallProcess(
        data_dir=data_dir,
        wall_file=wall_file,
        extra=["--sim-seed", str(sim_seed), "--sim-start", SIM_START, "--no-alerts"],
    ).start()


async def audit_wall(
    wall: WallProcess,
    spec: WallSpec,
    out: Path,
    presets: list[str] | None = None,
    scale: float = SCALE,
) -> list[PresetAudit]:
    """Switch ``wall`` through its presets (all by default) and audit every screen of each."""
    rule = spec.legibility
    min_px = rule.min_text_px if rule is not None else 16
    async with httpx.AsyncClient(base_url=wall.url, timeout=30) as client:
        name, password = wall.users["duty_officer"]
        r = await client.post("/api/v1/sessions", json={"username": name, "password": password})
        r.raise_for_status()
        officer = {"Authorization": f"Bearer {r.json()['token']}"}
        r = await client.get("/api/v1/presets", headers=officer)
        r.raise_for_status()
        wanted = presets or [p["id"] for p in r.json()["presets"]]
        audits: list[PresetAudit] = []
        async with wall_pages(wall, spec) as (_, pages):
            for preset in wanted:
                r = await client.post("/api/v1/switch", json={"preset": preset}, headers=officer)
                r.raise_for_status()
                audit = PresetAudit(preset)
                folder = out / preset
                folder.mkdir(parents=True, exist_ok=True)
                shots: dict[str, Path] = {}
                await asyncio.gather(*(_settled(page, preset) for page in pages.values()))
                for screen, page in pages.items():
                    texts, canvases, findings = await audit_page(page, screen, min_px)
                    audit.texts += texts
                    audit.canvases += canvases
                    audit.findings += findings
                    shots[screen] = folder / f"{screen}.png"
                    await page.screenshot(path=shots[screen], animations="disabled")
                audit.picture = out / f"{preset}.png"
                stitch(shots, spec, scale).save(audit.picture)
                audits.append(audit)
    return audits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", action="append", help="only this preset (repeatable)")
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "wall-audit")
    parser.add_argument("--wall", type=Path, default=WALLS_DIR / "default.yaml")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every finding")
    parser.add_argument("--sim-seed", type=int, default=SIM_SEED, help="the simulator's seed")
    parser.add_argument(
        "--update-references",
        action="store_true",
        help="write this run's pictures to docs/wall as the reviewed references",
    )
    args = parser.parse_args(argv)
    # The references are pictures of the default wall; another wall's are only looked at.
    compared = args.wall.resolve() == (WALLS_DIR / "default.yaml").resolve()
    if args.update_references and not compared:
        parser.error("--update-references: docs/wall holds pictures of the default wall only")
    spec = load_wall(args.wall)
    with tempfile.TemporaryDirectory(prefix="wall-audit-data-") as data:
        wall = audited_wall(Path(data), args.wall, args.sim_seed)
        try:
            audits = asyncio.run(audit_wall(wall, spec, args.out, args.preset))
        finally:
            wall.stop()
    differ: list[Difference] = []
    for audit in audits:
        print(audit.summary())
        if args.verbose:
            for finding in audit.findings:
                print("   ", finding)
        assert audit.picture is not None
        if args.update_references:
            print("    reference written:", save_reference(audit.picture, audit.preset))
        elif compared:
            difference = check_against_reference(audit.preset, audit.picture, args.out)
            print("   ", difference)
            differ += [] if difference.within else [difference]
    print(f"pictures in {args.out}")
    return 1 if differ or any(a.findings for a in audits) else 0


if __name__ == "__main__":
    sys.exit(main())
