"""Signed bus payloads: what travels on Redis, and the check that drops forgeries and replays.

Every payload is ``<sig>.<sent at, ms>.<nonce>.<json>``, sig the HMAC-SHA256 (base64) of
the rest, keyed with the bus key from the key file (Redis never holds it). Anyone who can
reach Redis may PUBLISH, so a payload with a missing or wrong signature, sent outside
``REPLAY_WINDOW_S`` or seen before (a replay) is dropped, counted and logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from collections import OrderedDict

log = logging.getLogger(__name__)

SIG_LEN = 43  # unpadded urlsafe base64 of an HMAC-SHA256
# A signed message older or newer than this (by its sender's clock) is refused as a replay;
# the servers' clocks must agree within it (NTP). Signatures are remembered twice as long.
REPLAY_WINDOW_S = 60.0


def seal(key: bytes, body: bytes) -> bytes:
    """``body`` as it travels on the bus: signature, send time, nonce, body."""
    # The nonce makes every payload unique, so a second arrival is always a replay.
    signed = b"%d.%s.%s" % (time.time_ns() // 1_000_000, secrets.token_hex(8).encode(), body)
    return _sig(key, signed) + b"." + signed


def unseal_unchecked(data: bytes) -> bytes:
    """The body of a bus payload without checking it (for a benchmark reading the bus)."""
    return data.split(b".", 3)[3]


def _sig(key: bytes, body: bytes) -> bytes:
    return base64.urlsafe_b64encode(hmac.digest(key, body, hashlib.sha256)).rstrip(b"=")


class PayloadCheck:
    """Checks payloads arriving on ``channel``; ``rejected`` counts what it dropped."""

    def __init__(self, key: bytes, channel: str) -> None:
        if len(key) < 16:
            raise ValueError(f"the bus key must have at least 16 bytes (got {len(key)})")
        self._key = key
        self._channel = channel
        self.rejected = 0
        self._seen: OrderedDict[bytes, float] = OrderedDict()  # signature -> received (monotonic)

    def verified(self, data: bytes) -> bytes | None:
        """The body of ``data`` if it is signed, fresh and new; else None (counted)."""
        sig, dot, signed = data[:SIG_LEN], data[SIG_LEN : SIG_LEN + 1], data[SIG_LEN + 1 :]
        if dot != b"." or not hmac.compare_digest(sig, _sig(self._key, signed)):
            self._reject("unsigned or forged", data)
            return None
        sent_ms, _, rest = signed.partition(b".")
        _, _, body = rest.partition(b".")
        if not sent_ms.isdigit() or abs(time.time() - int(sent_ms) / 1000) > REPLAY_WINDOW_S:
            self._reject("stale (replayed?)", data)
            return None
        if sig in self._seen:
            self._reject("replayed", data)
            return None
        self.remember(sig)
        return body

    def remember(self, sig: bytes) -> None:
        """A signature seen now: a second arrival within the window is a replay."""
        now = time.monotonic()
        self._seen[sig] = now
        while self._seen:
            oldest, at = next(iter(self._seen.items()))
            if now - at <= 2 * REPLAY_WINDOW_S:
                break
            del self._seen[oldest]

    def _reject(self, why: str, data: bytes) -> None:
        self.rejected += 1
        if self.rejected == 1 or self.rejected % 1000 == 0:
            log.warning(
                "dropped a %s message on bus channel %r (%d so far; latest: %r)",
                why,
                self._channel,
                self.rejected,
                data[:80],
            )
