"""``/api/v1/history``: the wall at an instant, the messages of a span, the timeline's marks.

Viewers and up (``Permission.VIEW_WALL``, checked in each handler). Times in ISO 8601 with any
offset or Z (without one: Vietnam time); answers in Asia/Ho_Chi_Minh (+07:00). See
``contract``: ``messages`` are protocol messages exactly as a kiosk (assets/wall) takes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from command_center.auth import Permission
from command_center.errors import NotFoundError, RequestError
from command_center.history import HistoryStore
from command_center.server.history_query import (
    MAX_SPAN_MS,
    RECORDING_ACTIONS,
    events_between,
    marks_between,
    state_at,
)
from command_center.server.http_base import JsonHandler
from command_center.store import Store

WALL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
AUDIT_READ = 1000
EARLIEST_MS, LATEST_MS = (
    0.0,
    4_102_444_800_000.0,
)  # 1970 to 2100: answers stay printable  # recording rows looked at per action for the marks


def parse_time(name: str, raw: str | None) -> float:
    """``raw`` (ISO 8601) as epoch ms; a ``RequestError`` naming ``name`` otherwise."""
    if raw is None or not raw.strip():
        raise RequestError(
            f"'{name}' is required: an ISO 8601 time such as 2026-12-04T14:05:00+07:00",
            [{"field": name, "expected": "ISO 8601 time", "got": None}],
        )
    try:
        when = datetime.fromisoformat(raw.strip().replace(" ", "+", 1) if "T" in raw else raw)
    except ValueError:
        raise RequestError(
            f"'{name}' must be an ISO 8601 time such as 2026-12-04T14:05:00+07:00 "
            f"(got '{raw[:64]}')",
            [{"field": name, "expected": "ISO 8601 time", "got": raw[:64]}],
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=WALL_ZONE)
    ms = when.timestamp() * 1000.0
    if not EARLIEST_MS <= ms <= LATEST_MS:
        raise RequestError(
            f"'{name}' must be between 1970 and 2100 (got '{raw[:64]}')",
            [{"field": name, "expected": "a time from 1970 to 2100", "got": raw[:64]}],
        )
    return ms


def iso(ms: float | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000.0, WALL_ZONE).isoformat(timespec="milliseconds")


class _History(JsonHandler):
    def initialize(self, history: HistoryStore, screens: Sequence[str], store: Store) -> None:
        self.history = history
        self.screens = tuple(screens)
        self.store = store

    def chosen_screens(self) -> tuple[str, ...]:
        screen = self.get_query_argument("screen", None)
        if screen is None:
            return self.screens
        if screen not in self.screens:
            raise NotFoundError(
                f"no screen '{screen[:64]}' on this wall (screens: {', '.join(self.screens)})"
            )
        return (screen,)

    def span(self) -> tuple[float, float]:
        start = parse_time("from", self.get_query_argument("from", None))
        end = parse_time("to", self.get_query_argument("to", None))
        if end <= start:
            raise RequestError(
                "'to' must be after 'from'", [{"field": "to", "expected": "a time after 'from'"}]
            )
        return start, end


class HistoryHandler(_History):
    async def get(self) -> None:
        await self.require(Permission.VIEW_WALL)
        at = parse_time("at", self.get_query_argument("at", None))
        screens = self.chosen_screens()
        oldest = await self.history.oldest()
        shown = {} if oldest is None or at < oldest else await state_at(self.history, screens, at)
        body: dict[str, Any] = {
            "at": iso(at),
            "oldest": iso(oldest),
            "screens": {
                screen: {
                    "preset": s.preset,
                    "changed_at": iso(s.changed_at),
                    "messages": s.messages,
                }
                for screen, s in shown.items()
            },
        }
        self.write_json(body)


class HistoryEventsHandler(_History):
    async def get(self) -> None:
        await self.require(Permission.VIEW_WALL)
        start, end = self.span()
        if end - start > MAX_SPAN_MS:
            raise RequestError(
                f"the span from 'from' to 'to' must be at most {MAX_SPAN_MS / 3_600_000:g} h "
                f"(got {(end - start) / 3_600_000:.2f} h)",
                [{"field": "to", "expected": "at most 6 h after 'from'"}],
            )
        events, truncated = await events_between(self.history, self.chosen_screens(), start, end)
        self.write_json(
            {
                "from": iso(start),
                "to": iso(end),
                "events": [{"t": t, "screen": s, "message": m} for t, s, m in events],
                "truncated": truncated,
            }
        )


class HistoryMarksHandler(_History):
    async def get(self) -> None:
        await self.require(Permission.VIEW_WALL)
        start, end = self.span()
        audit = [
            entry
            for action in RECORDING_ACTIONS
            for entry in await self.store.audit_entries(AUDIT_READ, action=action)
        ]
        marks, truncated = await marks_between(self.history, audit, start, end)
        body: dict[str, Any] = {
            "marks": [{**m.as_json(), "t": iso(m.t)} for m in marks],
            "truncated": truncated,
        }
        self.write_json(body)


HISTORY_ROUTES: list[tuple[str, type[_History]]] = [
    (r"/api/v1/history", HistoryHandler),
    (r"/api/v1/history/events", HistoryEventsHandler),
    (r"/api/v1/history/marks", HistoryMarksHandler),
]
