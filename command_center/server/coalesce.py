"""Per-screen coalescing: many tile updates in, at most one message per flush out.

Latest wins per (tile, key), so the buffer is bounded by the tiles a screen shows, however
fast data arrives; a screen that cannot keep up gets fresher data, not a backlog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Coalescer:
    """Pending tile data for one screen since its last flush."""

    tiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    ts: dict[str, float] = field(default_factory=dict)

    def add(self, tile: str, data: dict[str, Any], ts: float) -> None:
        pending = self.tiles.get(tile)
        if pending is None:
            self.tiles[tile] = dict(data)
        else:
            pending.update(data)
        # The screen shows the newest value, so its age is the newest change's age.
        self.ts[tile] = ts

    def drain(self) -> tuple[dict[str, dict[str, Any]], dict[str, float]] | None:
        if not self.tiles:
            return None
        tiles, ts = self.tiles, self.ts
        self.tiles, self.ts = {}, {}
        return tiles, ts

    def clear(self) -> None:
        self.tiles.clear()
        self.ts.clear()

    def __len__(self) -> int:
        return len(self.tiles)
