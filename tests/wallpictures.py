"""Reviewed reference pictures of the wall (``docs/wall/<preset>.png``) and the perceptual
comparison that holds every new stitched picture to its reference (issue 13 point 9).

The comparison looks at the wall as a person across the room does, not pixel by pixel:
both pictures shrunk by ``SHRINK`` (a 1/4-scale wall picture becomes about 480 × 135, one
cell per 16 × 16 wall pixels) and blurred, so a glyph is a smudge and only tiles, blocks of
colour and big type keep their shape. A cell has *changed* when one of its colours moved by
more than ``LEVEL``; the picture differs by the share of changed cells. That share tolerates
what moves from run to run on the same data (the clock's digits, an age such as "cập nhật
21 giờ trước", a value's last digit: a few cells each) and catches a tile moved,
recoloured, emptied or cut (hundreds of cells).

Same data each run: the audit's wall runs the simulator with a fixed seed (``SIM_SEED`` in
``wallaudit.py``), which gives the same reports for the same dates, and the ticker is shot
at its start (animations stopped for the screenshot). The dates themselves are today's: the
server and the kiosks keep the real clock (a kiosk's time is the server's, so faking one
clock would not do). When the calendar moves on (a new month's reports, a deadline passed)
values and charts change too, and the diff picture shows them: look, and if nothing but data
moved, take the new pictures as references.

References are updated deliberately, after looking at the new pictures:
``make audit ARGS=--update-references`` writes them again from the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = ROOT / "docs" / "wall"
# The stitched picture and its reference: a quarter of the wall's pixels each way.
SCALE = 0.25
# Each cell of the comparison is SHRINK × SHRINK pixels of the 1/4-scale picture.
SHRINK = 4
BLUR_RADIUS = 1.0
# Grey levels (of 255) a cell may move before it counts as changed.
LEVEL = 16
# Percent of the wall's cells that may change: the clock and the ages, not a tile. Measured
# (12/2026): two runs on the same data differ by 0.3 % at most; a quarter-screen tile moved
# by 20 px of the picture, recoloured or gone, by 1.1 to 4.6 %.
TOLERANCE_PCT = 1.0
# The calibration pattern shows live measurements (clock offset, round trip, latency
# percentiles) whose boxes grow with their text from run to run: up to 3.5 % measured.
PRESET_TOLERANCE_PCT = {"calibration": 5.0}


@dataclass(frozen=True)
class Difference:
    """How far a picture of the wall is from its reference."""

    preset: str
    changed_pct: float
    tolerance_pct: float
    diff: Image.Image  # the new picture, changed cells in red

    @property
    def within(self) -> bool:
        return self.changed_pct <= self.tolerance_pct

    def __str__(self) -> str:
        verdict = "within" if self.within else "over"
        return (
            f"{self.preset}: {self.changed_pct:.2f} % of the wall changed from its reference "
            f"({verdict} the tolerance of {self.tolerance_pct:.2f} %)"
        )


def reference_path(preset: str, folder: Path = REFERENCES) -> Path:
    return folder / f"{preset}.png"


def _cells(picture: Image.Image, size: tuple[int, int]) -> np.ndarray:
    """The picture as the room sees it: shrunk to cells, blurred."""
    small = picture.convert("RGB").resize(size, Image.Resampling.BOX)
    return np.asarray(small.filter(ImageFilter.GaussianBlur(BLUR_RADIUS)), dtype=np.int16)


def compare(
    preset: str,
    picture: Image.Image,
    reference: Image.Image,
    tolerance_pct: float | None = None,
) -> Difference:
    """``picture`` against ``reference`` (both of the whole wall at the same scale)."""
    if tolerance_pct is None:
        tolerance_pct = PRESET_TOLERANCE_PCT.get(preset, TOLERANCE_PCT)
    if picture.size != reference.size:
        raise ValueError(
            f"{preset}: the picture is {picture.size[0]} × {picture.size[1]} but its reference "
            f"is {reference.size[0]} × {reference.size[1]} (another wall or scale: update the "
            "references)"
        )
    size = (max(1, picture.width // SHRINK), max(1, picture.height // SHRINK))
    changed = np.abs(_cells(picture, size) - _cells(reference, size)).max(axis=2) > LEVEL
    pct = 100.0 * float(changed.mean())
    return Difference(preset, pct, tolerance_pct, _diff_picture(picture, changed))


def _diff_picture(picture: Image.Image, changed: np.ndarray) -> Image.Image:
    """The new picture dimmed, with every changed cell painted red over it."""
    mask = Image.fromarray(np.where(changed, 255, 0).astype(np.uint8), "L")
    mask = mask.resize(picture.size, Image.Resampling.NEAREST)
    dimmed = Image.blend(picture.convert("RGB"), Image.new("RGB", picture.size, "black"), 0.5)
    return Image.composite(Image.new("RGB", picture.size, (255, 0, 0)), dimmed, mask)


def check_against_reference(
    preset: str, picture_path: Path, artifacts: Path, folder: Path = REFERENCES
) -> Difference:
    """Compare a run's stitched picture with the reviewed one; the diff picture goes to
    ``artifacts/<preset>.diff.png`` either way, for the person who reads the failure."""
    reference = reference_path(preset, folder)
    if not reference.is_file():
        raise FileNotFoundError(
            f"{preset}: no reference picture {reference}; look at "
            f"{picture_path} and add it with `make audit ARGS=--update-references`"
        )
    with Image.open(picture_path) as new, Image.open(reference) as old:
        difference = compare(preset, new.convert("RGB"), old.convert("RGB"))
    difference.diff.save(artifacts / f"{preset}.diff.png")
    return difference


def save_reference(picture_path: Path, preset: str, folder: Path = REFERENCES) -> Path:
    """The run's picture as the new reference, in 256 colours (small enough to commit; the
    comparison works in grey on a shrunk picture, where the palette changes nothing)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = reference_path(preset, folder)
    with Image.open(picture_path) as picture:
        small = picture.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
        small.save(target, optimize=True)
    return target
