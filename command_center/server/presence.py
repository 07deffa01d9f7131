"""Who is online: this process's screens (what the console shows of each) and the screens
other server processes announce on the bus.

A screen held by another process counts as online while its presence messages keep coming
(screens report health every 5 s, each report renews it); a process that hangs (SIGSTOP)
or dies stops saying so, and its screens drop out after ``REMOTE_PRESENCE_TTL_MS``.

What the store and the bus hear about screens is best-effort (``best_effort.py``): a Redis
outage or a full disk must never close a link (the error used to propagate into the socket).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from command_center.bus import Bus
from command_center.messages import ScreenPresence
from command_center.protocol import Health
from command_center.server.best_effort import Bookkeeping
from command_center.store import ScreenRecord, Store

# Keep a screen's record in the store fresh without writing on every heartbeat.
SCREEN_RECORD_EVERY_MS = 30_000
# A screen on another process counts as online this long after its last presence message
# (screens report health every 5 s, and each report renews it).
REMOTE_PRESENCE_TTL_MS = 15_000


@dataclass
class ScreenStatus:
    """What the console shows about one physical screen."""

    id: str
    online: int = 0
    connected_at: float | None = None
    last_seen: float | None = None
    health: Health | None = None
    last_swap_late_ms: float | None = None
    recorded_at: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        h = self.health
        return {
            "id": self.id,
            "online": self.online > 0,
            "connections": self.online,
            "connected_at": self.connected_at,
            "last_seen": self.last_seen,
            "offset_ms": h.offset_ms if h else None,
            "rtt_ms": h.rtt_ms if h else None,
            "latency_p50_ms": h.latency_p50_ms if h else None,
            "latency_p99_ms": h.latency_p99_ms if h else None,
            "memory_mb": h.memory_mb if h else None,
            "resolution": f"{h.width}×{h.height}" if h else None,
            "applied": h.applied if h else 0,
            "last_swap_late_ms": self.last_swap_late_ms,
        }


class Presence:
    """The screens' status here, what other processes hold, and telling the others."""

    def __init__(
        self,
        screen_ids: Iterable[str],
        process: str,
        store: Store,
        bus: Bus,
        bookkeeping: Bookkeeping,
        clock: Callable[[], float],
    ) -> None:
        self.process = process
        self.status = {s: ScreenStatus(s) for s in screen_ids}
        self._store = store
        self._bus = bus
        self._bookkeeping = bookkeeping
        self._clock = clock
        # Screens other processes hold: (screen, process) -> (online, seen at).
        self._remote: dict[tuple[str, str], tuple[bool, float]] = {}
        # Screens that linked here while another process still held them (/metrics).
        self.takeovers = 0

    def load(self, records: Iterable[ScreenRecord]) -> None:
        """When each screen was last seen, from the store (start-up)."""
        for record in records:
            if record.id in self.status:
                self.status[record.id].last_seen = record.last_seen

    def connected(self, screen: str, now: float) -> None:
        status = self.status[screen]
        if status.online == 0 and screen in self.held_elsewhere():
            self.takeovers += 1
        status.online += 1
        status.connected_at = status.last_seen = now
        self.note_screen(status, force=True)
        self.note_presence(screen, online=True)

    def disconnected(self, screen: str) -> None:
        status = self.status[screen]
        status.online = max(0, status.online - 1)
        status.last_seen = self._clock()
        if status.online == 0:
            self.note_presence(screen, online=False)

    def reported(self, screen: str, health: Health) -> None:
        status = self.status[screen]
        status.health = health
        self.note_screen(status)
        self.note_presence(screen, online=True)

    def heard(self, message: ScreenPresence) -> None:
        """Another process's presence message (our own come back from Redis: ignored)."""
        if message.process != self.process and message.screen in self.status:
            self._remote[(message.screen, message.process)] = (message.online, message.at)

    def screens_elsewhere(self) -> list[str]:
        """Screens held by another process that said so within the presence TTL."""
        return sorted(self.screens_online() - {s for s, st in self.status.items() if st.online})

    def held_elsewhere(self) -> set[str]:
        now = self._clock()
        return {
            screen
            for (screen, _), (online, at) in self._remote.items()
            if online and now - at <= REMOTE_PRESENCE_TTL_MS
        }

    def screens_online(self) -> frozenset[str]:
        """Screens connected to this process, or to another one that said so lately."""
        now = self._clock()
        # Forget what has fallen silent (a restarted process has a new id), so this map
        # stays as small as the screens actually held elsewhere.
        for key in [k for k, (_, at) in self._remote.items() if now - at > REMOTE_PRESENCE_TTL_MS]:
            del self._remote[key]
        remote = {screen for (screen, _), (online, _) in self._remote.items() if online}
        return frozenset(s for s, st in self.status.items() if st.online) | remote

    def note_screen(self, status: ScreenStatus, force: bool = False) -> None:
        self._bookkeeping.run(
            f"record:{status.id}",
            "screen record",
            lambda: self._record_screen(status, force=force),
        )

    def note_presence(self, screen: str, *, online: bool) -> None:
        presence = ScreenPresence(
            screen=screen, process=self.process, online=online, at=self._clock()
        )
        self._bookkeeping.run(
            f"presence:{screen}", "presence renewal", lambda: self._bus.publish(presence)
        )

    async def _record_screen(self, status: ScreenStatus, force: bool = False) -> None:
        now = self._clock()
        if not force and now - status.recorded_at < SCREEN_RECORD_EVERY_MS:
            return
        health = status.health.model_dump(exclude={"type"}) if status.health else {}
        await self._store.upsert_screen(
            ScreenRecord(id=status.id, first_seen=now, last_seen=now, health=health)
        )
        status.recorded_at = now  # after: a failed write is tried again at the next report
