"""The smallest text a wall may show, from where its readers stand.

Rule of thumb of control-room and signage design: a character must be at least 1/250 of the
viewing distance tall to be read at a glance (20 mm at 5 m; ISO 11064-5 asks for more, 16–22
arc minutes, for text that is studied). Values and alarms, read first and from the door, get
twice that. A font's size in CSS pixels is its em box, which is what we bound: with the
panel's pixel pitch the rule becomes pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TEXT_PER_DISTANCE = 1 / 250
VALUE_FACTOR = 2.0


@dataclass(frozen=True)
class Legibility:
    distance_m: float
    pitch_mm: float

    @property
    def min_text_mm(self) -> float:
        return self.distance_m * 1000 * TEXT_PER_DISTANCE

    @property
    def min_text_px(self) -> int:
        """Anything a person must read: names, units, periods, ages, labels."""
        return math.ceil(self.min_text_mm / self.pitch_mm - 1e-9)

    @property
    def min_value_px(self) -> int:
        """Values, alarms and banners."""
        return math.ceil(self.min_text_mm * VALUE_FACTOR / self.pitch_mm - 1e-9)
