"""Fan-out: getting tile data to the screens that show it, without stalls.

Each connected screen has a link and a coalescer. Data is routed only to the screens that
show the tile and merged latest-wins. A screen gets at most one message per flush period:
the first change after a quiet period goes out at once (no waiting for a tick), later ones
wait for the period to end. A screen whose previous frame is still being written is
skipped (its coalescer keeps the newest values), so the slowest screen never sets the pace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from command_center.protocol import DataMessage, Message
from command_center.server.coalesce import Coalescer
from command_center.server.timers import Timer, Timers


class ScreenLink(Protocol):
    """The transport to one screen page (a WebSocket); sending never blocks."""

    screen: str
    preview: bool

    def send(self, message: Message) -> None: ...

    @property
    def busy(self) -> bool: ...

    def close(self, code: int | None = None, reason: str | None = None) -> None: ...


@dataclass(eq=False)
class Attached:
    """One link and what is pending for it."""

    link: ScreenLink
    coalescer: Coalescer = field(default_factory=Coalescer)
    skipped_flushes: int = 0
    # Monotonic time (``Timers.time``) before which this link gets no further data message.
    next_send: float = 0.0
    timer: Timer | None = None


class FanOut:
    """The links of this process, the routes from tiles to them, and the newest tile data."""

    def __init__(
        self, screen_ids: Iterable[str], flush_s: float, clock: Callable[[], float]
    ) -> None:
        self._flush_s = flush_s
        self._clock = clock
        self.attached: dict[str, list[Attached]] = {s: [] for s in screen_ids}
        self._routes: dict[str, list[Attached]] = {}
        # The newest data of every tile, kept for layouts sent later.
        self.tile_data: dict[str, dict[str, Any]] = {}
        self.tile_ts: dict[str, float] = {}
        # None until the hub starts: before that, data is kept but not sent.
        self.timers: Timers | None = None

    def entries(self) -> Iterator[Attached]:
        for entries in self.attached.values():
            yield from entries

    def add(self, link: ScreenLink, tile_ids: Iterable[str]) -> None:
        entry = Attached(link)
        self.attached[link.screen].append(entry)
        self._route(entry, tile_ids)

    def remove(self, link: ScreenLink, tile_ids_of: Callable[[str], list[str]]) -> None:
        entries = self.attached.get(link.screen, [])
        for entry in [e for e in entries if e.link is link]:
            entries.remove(entry)
            if entry.timer is not None:
                entry.timer.cancel()
        self.reroute(tile_ids_of)

    def _route(self, entry: Attached, tile_ids: Iterable[str]) -> None:
        for tile_id in tile_ids:
            self._routes.setdefault(tile_id, []).append(entry)

    def reroute(self, tile_ids_of: Callable[[str], list[str]]) -> None:
        """Routes again from scratch (a new layout, a link gone)."""
        self._routes = {}
        for entry in self.entries():
            self._route(entry, tile_ids_of(entry.link.screen))

    def cancel_timers(self) -> None:
        for entry in self.entries():
            if entry.timer is not None:
                entry.timer.cancel()

    def skipped_flushes(self, screen: str) -> int:
        """Data messages held back because the screen had not read the last one: a screen
        that keeps growing this number cannot keep up."""
        return sum(e.skipped_flushes for e in self.attached[screen] if not e.link.preview)

    def push(self, tile: str, data: dict[str, Any], ts: float) -> None:
        """New data for a tile: keep it for later layouts, queue it for screens showing it."""
        self.tile_data.setdefault(tile, {}).update(data)
        self.tile_ts[tile] = ts
        timers = self.timers
        for entry in self._routes.get(tile, ()):
            entry.coalescer.add(tile, data, ts)
            if entry.timer is None and timers is not None:
                if entry.next_send <= timers.time():
                    entry.timer = timers.call_soon(partial(self._send_due, entry))
                else:
                    entry.timer = timers.call_at(entry.next_send, partial(self._send_due, entry))

    def _send_due(self, entry: Attached) -> None:
        entry.timer = None
        timers = self.timers
        assert timers is not None
        now = timers.time()
        if entry.link.busy:
            # Still writing the last frame: try again a period later, with fresher data.
            entry.skipped_flushes += 1
            entry.timer = timers.call_at(now + self._flush_s, partial(self._send_due, entry))
            return
        if self._send(entry):
            entry.next_send = now + self._flush_s

    def _send(self, entry: Attached) -> bool:
        drained = entry.coalescer.drain()
        if drained is None:
            return False
        tiles, ts = drained
        entry.link.send(DataMessage(tiles=tiles, ts=ts, sent=self._clock()))
        return True

    def flush(self) -> int:
        """Send every screen what is pending now, ignoring the period (busy links still
        wait); returns the messages sent. For shutdown and tests."""
        sent = 0
        for entry in self.entries():
            if entry.coalescer and not entry.link.busy:
                sent += self._send(entry)
        return sent
