"""What a synchronised switch really did: when each screen swapped, and the skew."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class SwitchReport:
    """Filled as screens report ``swapped``; ``expected`` are the screens online at the switch
    (of ``zone`` only, for a zone switch)."""

    switch_id: str
    preset: str
    actor: str
    requested_at: float
    swap_at: float
    expected: frozenset[str]
    swapped: dict[str, float] = field(default_factory=dict)
    # The zone switched (the rest of the wall kept its layout); None: the whole wall.
    zone: str | None = None
    # How long the server's loop spent sending every screen its layout (no rebuild: views
    # are pre-built per preset), in ms.
    dispatch_ms: float | None = None
    # Set once every expected screen has reported.
    done: asyncio.Event = field(default_factory=asyncio.Event, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.complete:
            self.done.set()

    def record(self, screen: str, at: float) -> None:
        self.swapped.setdefault(screen, at)
        if self.complete:
            self.done.set()

    @property
    def complete(self) -> bool:
        return self.expected <= self.swapped.keys()

    @property
    def missing(self) -> list[str]:
        return sorted(self.expected - self.swapped.keys())

    @property
    def skew_ms(self) -> float | None:
        """First to last screen to swap; None until two screens have reported."""
        if len(self.swapped) < 2:
            return None
        return max(self.swapped.values()) - min(self.swapped.values())

    @property
    def duration_ms(self) -> float | None:
        """From the request to the last screen's swap."""
        if not self.swapped:
            return None
        return max(self.swapped.values()) - self.requested_at

    def as_dict(self) -> dict[str, object]:
        return {
            "switch_id": self.switch_id,
            "preset": self.preset,
            "zone": self.zone,
            "actor": self.actor,
            "requested_at": self.requested_at,
            "swap_at": self.swap_at,
            "expected": sorted(self.expected),
            "swapped": dict(sorted(self.swapped.items())),
            "missing": self.missing,
            "complete": self.complete,
            "skew_ms": self.skew_ms,
            "duration_ms": self.duration_ms,
            "dispatch_ms": self.dispatch_ms,
        }
