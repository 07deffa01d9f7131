"""The wall's own tile kinds: ``clock``, ``text`` and ``calibration``.

Indicator, map and video tiles are registered by their own packages.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from command_center.tiles import TileKind, TileParams


class ClockParams(TileParams):
    """Vietnam time (Asia/Ho_Chi_Minh), from the server's clock corrected for the screen's offset."""

    label_vi: str = "Giờ Việt Nam"
    label_en: str = "Vietnam time"
    seconds: bool = True
    date: bool = True


class TextParams(TileParams):
    """A title, a banner or a scrolling ticker. Live data may replace the text (keys ``vi``/``en``)."""

    style: Literal["title", "banner", "ticker"] = "title"
    vi: str = Field(min_length=1)
    en: str = ""
    # Ticker speed in wall pixels per second; ignored by the other styles.
    speed: float = Field(default=120.0, gt=0, le=2000)


class CalibrationParams(TileParams):
    """Shows the screen's id, resolution, measured latency and clock offset, readable across the room."""

    show_grid: bool = True


BUILTIN_TILE_KINDS = [
    TileKind("clock", ClockParams, "Đồng hồ", "Clock"),
    TileKind("text", TextParams, "Văn bản", "Text"),
    TileKind("calibration", CalibrationParams, "Hiệu chỉnh màn hình", "Screen calibration"),
]
