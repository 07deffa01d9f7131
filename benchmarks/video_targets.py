"""The video benchmark's targets, one row each: what is measured, the bound, its unit and
how ``benchmarks.video`` measures it. The report lines name the bound from here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    name: str
    limit: float
    unit: str
    at_most: bool  # the figure must be ≤ limit (else ≥ limit)
    how: str

    def met(self, value: float) -> bool:
        return value <= self.limit if self.at_most else value >= self.limit

    @property
    def bound(self) -> str:
        """``≤ 5`` or ``≥ 29``: the bound as the report prints it (the unit follows)."""
        return f"{'≤' if self.at_most else '≥'} {self.limit:g}"


PER_STREAM_CPU = Target(
    "server CPU per relayed stream", 5, "% of a core", True,
    "server process CPU time over a phase with 1 publisher → 1 subscriber (or per point, "
    "25 points at once)",
)  # fmt: skip
PER_EXTRA_CPU = Target(
    "server CPU per extra subscriber", 1, "% of a core", True,
    "(CPU with the most subscribers - CPU with one) / the extra subscribers",
)  # fmt: skip
FPS = Target(
    "frames per second per subscriber", 29, "fps", False,
    "frames each subscriber reassembled inside a phase's window, the slowest phase",
)  # fmt: skip
LATENCY_P50 = Target(
    "latency p50", 60, "ms", True,
    "subscriber receive time minus the publisher's send time of the same frame (by bytes)",
)  # fmt: skip
LATENCY_P95 = Target("latency p95", 100, "ms", True, "as latency p50, 95th percentile")
FIRST_FRAME = Target(
    "time to first frame p95", 500, "ms", True,
    "from a subscriber's WHEP POST to its first reassembled video frame",
)  # fmt: skip
WHIP_ANSWER = Target(
    "WHIP answer p95", 100, "ms", True,
    "POST → 201 of a publisher's offer (its own gathering excluded)",
)  # fmt: skip

TARGETS = (
    PER_STREAM_CPU, PER_EXTRA_CPU, FPS, LATENCY_P50, LATENCY_P95, FIRST_FRAME, WHIP_ANSWER
)  # fmt: skip
