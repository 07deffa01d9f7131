"""Bounds on the WebSocket links of one server process (issue 10, point 5): how much a link
may owe its peer, how many previews one person may hold, and the counts ``/health`` shows.

A client that never reads (or reads slower than the wall writes) must not make the server
hold its messages without end. Each link counts the bytes it handed to Tornado and not yet
flushed to the socket: ``write_message`` returns a future that Tornado resolves once that
frame has gone into the kernel (or fails when the stream closes), so "handed minus resolved"
is exactly the backlog, from public API only, whatever Tornado buffers internally. Past
``MAX_UNFLUSHED`` the link is dropped; a kiosk page reconnects and resynchronises (a fresh
``welcome`` and ``layout``).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MAX_UNFLUSHED = 1024 * 1024
# Bokeh's sockets (console, wall pages) carry only what the browser sends: widget changes.
# Measured (tests/browser/test_bokeh_frames.py: a console switching layouts and language,
# a trend-chart screen switching with it): 51 frames, largest 171 bytes, from the console;
# 27 frames, largest 136 bytes, from the trend screen. 64 KB leaves ~380x headroom for
# pasted text in a field, where Bokeh's default accepted 20 MB from anyone with a page.
BOKEH_MAX_MESSAGE = 64 * 1024
# A console of a 2x2 wall shows 4 previews at once; twice that leaves room for a reconnect
# overlapping the old links, and for a second console tab.
MAX_PREVIEWS = 8


class WriteBudget:
    """The bytes one link handed to Tornado that have not reached the socket yet."""

    def __init__(self, limit: int = MAX_UNFLUSHED) -> None:
        self.limit = limit
        self.unflushed = 0

    def track(self, future: asyncio.Future[Any], nbytes: int) -> bool:
        """Count a write until its future resolves; true when the backlog is over the limit."""
        self.unflushed += nbytes
        future.add_done_callback(lambda _: self._flushed(nbytes))
        return self.unflushed > self.limit

    def _flushed(self, nbytes: int) -> None:
        self.unflushed -= nbytes


@dataclass
class LinkLimits:
    """Shared by the screen and video links of one process (owned by the hub)."""

    max_previews: int = MAX_PREVIEWS
    # Links dropped because their peer did not read (write backlog over the limit).
    slow_closed: int = 0
    # Open video control channels (``/ws/video``).
    video_links: int = 0
    _previews: Counter[str] = field(default_factory=Counter)

    def take_preview(self, who: str) -> bool:
        """One more preview link for ``who``, unless they hold ``max_previews`` already."""
        if self._previews[who] >= self.max_previews:
            return False
        self._previews[who] += 1
        return True

    def release_preview(self, who: str) -> None:
        self._previews[who] -= 1
        if self._previews[who] <= 0:
            del self._previews[who]

    def previews(self, who: str) -> int:
        return self._previews[who]

    def snapshot(self) -> dict[str, int]:
        return {
            "previews": sum(self._previews.values()),
            "video_links": self.video_links,
            "slow_closed": self.slow_closed,
        }
