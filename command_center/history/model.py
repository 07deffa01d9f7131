"""What the history keeps, and how it is packed.

A **chunk** is one screen's messages over a short span (``t0``..``t1``, epoch ms), as a zlib
compressed JSON list of ``[t, message]`` pairs in order. A **snapshot** is one screen's whole
state (``rebuild.ScreenState``) at ``t``: it includes every message of that screen at or
before ``t``, and every chunk written after it starts later than ``t`` (the writer keeps each
screen's times strictly increasing), so an instant is rebuilt from the newest snapshot at or
before it plus the chunks after that snapshot. A **mark** is a labelled moment on the replay
timeline (a switch, an alert, a banner, a call, a recording).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from typing import Any

import orjson

# A chunk never spans more than this: a query for the messages after an instant looks this
# far back for chunks that started before it.
MAX_CHUNK_SPAN_MS = 60_000.0
ZLIB_LEVEL = 4  # half the time of 6 for 7 % more bytes (the writer's cost at 2,000 updates/s)

Event = tuple[float, dict[str, Any]]
MARK_KINDS = ("switch", "alert", "banner", "call", "recording")


@dataclass(frozen=True)
class Chunk:
    screen: str
    t0: float
    t1: float
    blob: bytes

    def events(self) -> list[Event]:
        return [_event(row) for row in self.rows()]

    def rows(self) -> list[list[Any]]:
        """The stored rows: ``[t, tile, data, ts]`` or ``[t, message]``."""
        found = unpack(self.blob)
        assert isinstance(found, list)
        return found


@dataclass(frozen=True)
class Snapshot:
    screen: str
    t: float
    blob: bytes

    def state(self) -> dict[str, Any]:
        found = unpack(self.blob)
        assert isinstance(found, dict)
        return found


@dataclass(frozen=True)
class Mark:
    t: float
    kind: str
    label_vi: str
    label_en: str
    screen: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "t": self.t,
            "kind": self.kind,
            "label_vi": self.label_vi,
            "label_en": self.label_en,
            "screen": self.screen,
        }

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Mark:
        return cls(
            float(body["t"]),
            str(body["kind"]),
            str(body["label_vi"]),
            str(body["label_en"]),
            body.get("screen"),
        )


def dumps(value: Any) -> str:
    return encode(value).decode()


def encode(value: Any) -> bytes:
    """Compact UTF-8 JSON. orjson: a fifteenth of the standard library's time on rows full
    of floats, which kept the writer's cost at 2,000 updates/s over 2 % of a core; the
    standard library for what orjson refuses (an integer past 64 bits)."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def pack(value: Any) -> bytes:
    return zlib.compress(encode(value), ZLIB_LEVEL)


def pack_text(text: bytes) -> bytes:
    """``pack`` of a value already serialised (on the loop) with ``encode``."""
    return zlib.compress(text, ZLIB_LEVEL)


def unpack(blob: bytes) -> Any:
    text = zlib.decompress(blob)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # the standard library's NaN, written before orjson
        return json.loads(text)


def chunk_of_rows(screen: str, rows: list[list[Any]]) -> Chunk:
    """One chunk of rows already in their stored form (``data_row``, ``message_row``)."""
    return Chunk(screen, rows[0][0], rows[-1][0], pack(rows))


def data_row(t: float, tile: str, data: dict[str, Any], ts: float | None) -> list[Any]:
    """The stored form of a one-tile data message sent at ``t``."""
    return [t, tile, data, ts]


def message_row(t: float, message: dict[str, Any]) -> list[Any]:
    return [t, message]


def chunk_of(screen: str, events: list[Event]) -> Chunk:
    """One chunk of ``events`` (in order, at least one). A data message of one tile sent at
    its own time (what the writer records) is kept as ``[t, tile, data, ts]``, any other
    message as ``[t, message]``: a third of the bytes to serialise and compress."""
    return Chunk(screen, events[0][0], events[-1][0], pack([_row(t, m) for t, m in events]))


def _row(t: float, m: dict[str, Any]) -> list[Any]:
    if m.get("type") == "data" and m.get("sent") == t and len(m["tiles"]) == 1:
        ((tile, data),) = m["tiles"].items()
        return [t, tile, data, m["ts"].get(tile)]
    return [t, m]


def _event(row: list[Any]) -> Event:
    if len(row) == 2:
        return float(row[0]), row[1]
    t, tile, data, ts = row
    message = {"type": "data", "tiles": {tile: data}, "ts": {} if ts is None else {tile: ts}}
    return float(t), {**message, "sent": t}
