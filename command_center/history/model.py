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

# A chunk never spans more than this: a query for the messages after an instant looks this
# far back for chunks that started before it.
MAX_CHUNK_SPAN_MS = 60_000.0
ZLIB_LEVEL = 6

Event = tuple[float, dict[str, Any]]
MARK_KINDS = ("switch", "alert", "banner", "call", "recording")


@dataclass(frozen=True)
class Chunk:
    screen: str
    t0: float
    t1: float
    blob: bytes

    def events(self) -> list[Event]:
        return [(float(t), m) for t, m in unpack(self.blob)]


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
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def pack(value: Any) -> bytes:
    return zlib.compress(dumps(value).encode(), ZLIB_LEVEL)


def pack_text(text: str) -> bytes:
    """``pack`` of a value already serialised (on the loop) with ``dumps``."""
    return zlib.compress(text.encode(), ZLIB_LEVEL)


def unpack(blob: bytes) -> Any:
    return json.loads(zlib.decompress(blob))


def chunk_of(screen: str, events: list[Event]) -> Chunk:
    """One chunk of ``events`` (in order, at least one)."""
    return Chunk(screen, events[0][0], events[-1][0], pack([[t, m] for t, m in events]))
