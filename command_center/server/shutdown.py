"""A quick, clean exit (SIGTERM): stop accepting, tell the screens, end the console's Bokeh
sessions, let the requests already inside finish, then close the stores.

Before, the stores closed under requests still running: an agency's post got 500
"observation store is closed", and rows stored just before were never published ("bus is
closed"), so no screen ever showed them. Here every JSON request counts itself in
``InFlight`` while it runs; once closing, new ones get 503 ``shutting_down`` (Retry-After
1, ``Connection: close``) and the runtime waits, bounded, for the count to reach zero
before anything is closed. ``run_wall.py serve`` adds a hard deadline (``os._exit``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

log = logging.getLogger(__name__)

# Tornado application setting: the process's InFlight (every JsonHandler reads it).
IN_FLIGHT_SETTING = "cc_in_flight"
DRAIN_S = 3.0  # what requests get to finish; the process exits within 5 s in all


class InFlight:
    """How many JSON requests are being answered; ``close`` refuses new ones."""

    def __init__(self) -> None:
        self.count = 0
        self.closing = False
        self._idle = asyncio.Event()
        self._idle.set()

    def enter(self) -> None:
        self.count += 1
        self._idle.clear()

    def leave(self) -> None:
        self.count -= 1
        if self.count <= 0:
            self.count = 0
            self._idle.set()

    async def drain(self, timeout_s: float = DRAIN_S) -> bool:
        """Refuse new requests and wait until those inside are answered; False if some
        were still running after ``timeout_s``."""
        self.closing = True
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        except TimeoutError:
            log.warning("%d request(s) still running after %.0f s; closing", self.count, timeout_s)
            return False
        return True


async def end_bokeh_sessions(server: Any) -> int:
    """Destroy every Bokeh session of ``server`` (what ``pn.serve`` returned): their
    periodic callbacks (the console's refresh) stop before the stores close."""
    ended = 0
    for session in server.get_sessions():
        if session.destroyed:
            continue
        with contextlib.suppress(Exception):  # a session mid-teardown: it ends anyway
            await session.with_document_locked(session.destroy)
            ended += 1
    return ended
