"""Thang màu phân lớp cho bản đồ tỉnh: ngưỡng lớp từ số liệu, màu theo chiều tốt/xấu.
/ The classed colour scale of a province map: class breaks from the values, colours by
which way is good.

Hàm thuần, không đọc gì ngoài tham số. / Pure functions of their arguments.

* Ngưỡng theo phân vị (mỗi lớp gần bằng số tỉnh), làm tròn theo số chữ số thập phân của chỉ
  tiêu, bỏ ngưỡng trùng: 34 giá trị ít khi cần hơn 5 lớp.
  / Quantile breaks (about as many provinces per class), rounded to the indicator's decimals,
  duplicates dropped: 34 values rarely need more than 5 classes.
* Màu của ColorBrewer đã kiểm cho người mù màu (RdYlBu phân kỳ, YlGnBu tuần tự). "Tốt" luôn là
  xanh lam đậm, "xấu" là đỏ cam, bất kể chỉ tiêu cao hay thấp là tốt; chỉ tiêu trung tính hay
  theo khoảng dùng thang tuần tự không mang nghĩa tốt/xấu.
  / ColorBrewer schemes marked colour-blind safe (diverging RdYlBu, sequential YlGnBu). "Good"
  is always dark blue and "bad" orange-red, whichever way the indicator runs; neutral and
  band indicators get a sequential scale that says nothing of good or bad.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

MIN_CLASSES = 2
MAX_CLASSES = 7

# ColorBrewer 2.0 (Cynthia Brewer, Apache-2.0 licensed schemes), colour-blind safe.
# Index = number of classes. Diverging RdYlBu runs bad (red) → good (blue).
_DIVERGING: Mapping[int, tuple[str, ...]] = {
    2: ("#fc8d59", "#4575b4"),
    3: ("#fc8d59", "#ffffbf", "#91bfdb"),
    4: ("#d7191c", "#fdae61", "#abd9e9", "#2c7bb6"),
    5: ("#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6"),
    6: ("#d73027", "#fc8d59", "#fee090", "#e0f3f8", "#91bfdb", "#4575b4"),
    7: ("#d73027", "#fc8d59", "#fee090", "#ffffbf", "#e0f3f8", "#91bfdb", "#4575b4"),
}
# Sequential YlGnBu runs low (light) → high (dark).
_SEQUENTIAL: Mapping[int, tuple[str, ...]] = {
    2: ("#a1dab4", "#225ea8"),
    3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
    7: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
}
NO_DATA = "#5b6270"  # drawn with a hatch: never mistaken for a class


class Reading(StrEnum):
    """Chiều đọc của thang. / Which way the scale reads (the catalogue's direction)."""

    HIGHER_BETTER = "higher_better"
    LOWER_BETTER = "lower_better"
    BAND = "band"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class Scale:
    """Ngưỡng và màu: lớp i là [breaks[i-1], breaks[i]) với hai đầu mở.
    / Breaks and colours: class i covers [breaks[i-1], breaks[i]), both ends open."""

    breaks: tuple[float, ...]  # len(colours) - 1, ascending
    colours: tuple[str, ...]
    reading: Reading

    @property
    def classes(self) -> int:
        return len(self.colours)

    def class_of(self, value: float) -> int:
        """Lớp của một giá trị (0 = thấp nhất). / The class of a value (0 = lowest)."""
        return class_of(value, self.breaks)

    def colour_of(self, value: float) -> str:
        return self.colours[self.class_of(value)]

    def as_json(self) -> dict[str, object]:
        return {"breaks": list(self.breaks), "colours": list(self.colours), "reading": self.reading}


def class_of(value: float, breaks: tuple[float, ...]) -> int:
    """Số ngưỡng ≤ value. / How many breaks are at or below ``value``."""
    return sum(1 for b in breaks if value >= b)


def palette(reading: Reading | str, classes: int) -> tuple[str, ...]:
    """Màu thấp → cao cho ``classes`` lớp. / Colours from the lowest class to the highest."""
    if not MIN_CLASSES <= classes <= MAX_CLASSES:
        raise ValueError(f"classes must be {MIN_CLASSES}..{MAX_CLASSES} (got {classes})")
    reading = Reading(reading)
    if reading is Reading.HIGHER_BETTER:
        return _DIVERGING[classes]
    if reading is Reading.LOWER_BETTER:
        return tuple(reversed(_DIVERGING[classes]))
    return _SEQUENTIAL[classes]


def quantile_breaks(values: list[float], classes: int, decimals: int) -> tuple[float, ...]:
    """Ngưỡng phân vị, làm tròn, tăng dần, không trùng, nằm giữa min và max (bỏ đầu mút).
    / Quantile breaks: rounded, strictly ascending, strictly inside (min, max]."""
    finite = sorted(v for v in values if math.isfinite(v))
    if len(finite) < 2 or finite[0] == finite[-1]:
        return ()
    breaks: list[float] = []
    for i in range(1, classes):
        q = _quantile(finite, i / classes)
        b = round(q, decimals)
        # A break at or below the minimum would leave class 0 empty.
        if b <= finite[0]:
            b = _next_up(finite[0], decimals)
        if b > finite[-1] or (breaks and b <= breaks[-1]):
            continue
        breaks.append(b)
    # A break whose class holds no value only spends a colour: merge it downwards.
    kept: list[float] = []
    for i, b in enumerate(breaks):
        upper = breaks[i + 1] if i + 1 < len(breaks) else math.inf
        if any(b <= v < upper for v in finite):
            kept.append(b)
    return tuple(kept)


def _quantile(ordered: list[float], q: float) -> float:
    pos = q * (len(ordered) - 1)
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _next_up(value: float, decimals: int) -> float:
    step = 10.0**-decimals
    return round(math.floor(value / step + 1e-9) * step + step, decimals)


def scale_for(
    values: Mapping[str, float], reading: Reading | str, classes: int = 5, decimals: int = 1
) -> Scale:
    """Thang cho các giá trị theo mã tỉnh: ít giá trị khác nhau thì ít lớp hơn.
    / The scale for values by province code; fewer distinct values give fewer classes."""
    palette(reading, classes)  # checks ``classes``
    breaks = quantile_breaks(list(values.values()), classes, decimals)
    count = max(MIN_CLASSES, len(breaks) + 1)
    colours = palette(reading, count)
    if not breaks:
        # One value (or none): a single class, drawn in the scale's middle colour.
        colours = (colours[len(colours) // 2],)
    return Scale(breaks=breaks, colours=colours, reading=Reading(reading))
