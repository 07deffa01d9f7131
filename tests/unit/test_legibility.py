"""The smallest text a wall may show follows from its viewing distance and pixel pitch."""

from __future__ import annotations

from layouts import WALLS_DIR
from layouts.legibility import Legibility
from layouts.loader import load_wall


def test_the_rule_in_millimetres_and_pixels() -> None:
    # 5 m: 20 mm; on a 55" FHD panel (0.63 mm a pixel) 31.7 px, so 32; values twice.
    rule = Legibility(distance_m=5, pitch_mm=0.63)
    assert round(rule.min_text_mm, 6) == 20
    assert (rule.min_text_px, rule.min_value_px) == (32, 64)
    # Twice as far, twice as tall; a finer pitch, more pixels for the same millimetres.
    assert Legibility(distance_m=10, pitch_mm=0.63).min_text_px == 64
    assert Legibility(distance_m=5, pitch_mm=0.315).min_text_px == 64
    # A whole number of pixels is not rounded up once more.
    assert Legibility(distance_m=5, pitch_mm=0.625).min_text_px == 32


def test_the_shipped_walls() -> None:
    room = load_wall(WALLS_DIR / "default.yaml").legibility
    assert room is not None and (room.min_text_px, room.min_value_px) == (32, 64)
    # The small meeting room's wall gives no panel size: no rule, the renderer's defaults.
    assert load_wall(WALLS_DIR / "wall-2x2.yaml").legibility is None
