"""The replay tests' helpers: instants as the history API and the replay page write them."""

from __future__ import annotations

import datetime as dt
import time

from feeds.periods import TIME_ZONE


def iso(ms: float) -> str:
    """Epoch ms as ISO 8601 in Vietnam time, to the millisecond."""
    return dt.datetime.fromtimestamp(ms / 1000, TIME_ZONE).isoformat(timespec="milliseconds")


def parse(text: str) -> float:
    """ISO 8601 (any offset, or Z) as epoch ms."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000


def now_ms() -> float:
    return time.time() * 1000
