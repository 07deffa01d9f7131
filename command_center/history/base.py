"""The interface both history stores implement.

    HistoryStore (Protocol)
    ├── EmbeddedHistoryStore   one SQLite file in the data directory (one server process)
    └── RedisHistoryStore      Redis keys under ``cc:history:`` (several server processes)

One writer (the process holding the "history" lease) appends; any process reads. Times are
epoch ms. Reads return chunks and snapshots still packed: the caller unpacks them (off the
loop when there are many).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from command_center.history.model import Chunk, Mark, Snapshot


class HistoryStore(Protocol):
    async def append(
        self, chunks: Sequence[Chunk], snapshots: Sequence[Snapshot], marks: Sequence[Mark]
    ) -> int:
        """Keep one flush's chunks, snapshots and marks; the bytes written."""
        ...

    async def state_parts(
        self, screens: Sequence[str], at: float
    ) -> dict[str, tuple[Snapshot | None, list[Chunk]]]:
        """For each screen: its newest snapshot at or before ``at`` and the chunks after
        that snapshot that start at or before ``at``, oldest first."""
        ...

    async def chunks(self, screens: Sequence[str], start: float, end: float) -> list[Chunk]:
        """The chunks of ``screens`` holding messages in (start, end], by (t0, screen)."""
        ...

    async def marks(self, start: float, end: float, limit: int) -> list[Mark]:
        """At most ``limit`` marks in [start, end], oldest first."""
        ...

    async def oldest(self) -> float | None:
        """The oldest instant that can be rebuilt (the oldest snapshot), None: none yet."""
        ...

    async def delete_before(self, cutoff: float) -> int:
        """Delete chunks, snapshots and marks wholly before ``cutoff``; how many."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
