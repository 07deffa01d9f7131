"""Accepting observations: stored durably first, then announced on the bus.

The push API, the simulator, the pollers and the folder watchers all accept through here,
so "accepted" means the same everywhere: on disk (or in Redis) before anyone is told.

The message carries the observations as plain dicts (the contract). Within one process
(the in-memory bus hands every subscriber the very object published) it also carries the
typed observations, so a subscriber here need not validate what this process has just
validated; a message that crossed Redis arrives as a plain ``ObservationsAccepted`` and
``accepted_observations`` validates it.

A large batch is announced in messages of at most ``ANNOUNCE_SLICE`` observations, with the
loop let go between them: serialising, signing, decoding and validating 10,000 rows at once
holds the event loop (every screen's) for tens of milliseconds, and a thread does not help,
since pydantic keeps the interpreter lock for the whole call.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from pydantic import (
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    model_serializer,
)

from command_center.bus import Bus
from command_center.messages import ObservationsAccepted
from feeds.observation_store import AppendResult, ObservationStore
from feeds.observations import Observation

log = logging.getLogger(__name__)

# One call for a whole batch, in pydantic's core: dumping or validating row by row in
# Python costs several times more.
OBSERVATIONS: TypeAdapter[list[Observation]] = TypeAdapter(list[Observation])
# About a millisecond of work per message, whichever process handles it.
ANNOUNCE_SLICE = 500


class LocalObservationsAccepted(ObservationsAccepted):
    """``ObservationsAccepted`` as published by this process, with its typed observations
    (a private attribute: what crosses Redis is the contract alone)."""

    _typed: list[Observation] = PrivateAttr(default_factory=list)

    @model_serializer(mode="wrap")
    def _as_json(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        """To JSON from the typed observations: the same text as from the dicts, in a
        third of the time (``dict[str, Any]`` makes pydantic guess each value's type).
        The bus serialises with ``serialize_as_any`` so that this is used."""
        if not info.mode_is_json() or info.include or info.exclude:
            return handler(self)
        return {
            "type": self.type,
            "agency": self.agency,
            "observations": self._typed,
            "ts": self.ts,
        }


def announcement(agency: str, accepted: list[Observation], ts: float) -> ObservationsAccepted:
    """The bus message for ``accepted``: built, not validated (the dicts are the dump of
    validated observations, which is what the field's type asks for)."""
    message = LocalObservationsAccepted.model_construct(
        agency=agency,
        observations=OBSERVATIONS.dump_python(accepted, mode="json"),
        ts=ts,
    )
    message._typed = accepted
    return message


def accepted_observations(message: ObservationsAccepted) -> list[Observation]:
    """The typed observations of ``message``: as published when it comes from this process,
    else validated (it crossed Redis: another process, or another version, sent it)."""
    if isinstance(message, LocalObservationsAccepted):
        return message._typed
    return OBSERVATIONS.validate_python(message.observations)


async def store_and_announce(
    store: ObservationStore, bus: Bus, agency: str, batch: list[Observation]
) -> AppendResult:
    """Append ``batch`` (all or nothing), then publish what was new to the store, in slices
    of ``ANNOUNCE_SLICE`` that share one acceptance time."""
    result = await store.append(batch)  # durable when it returns
    accepted, ts = result.accepted, time.time() * 1000.0
    for start in range(0, len(accepted), ANNOUNCE_SLICE):
        if start:
            await asyncio.sleep(0)  # the screens' flushes run between slices
        message = announcement(agency, accepted[start : start + ANNOUNCE_SLICE], ts)
        try:
            await bus.publish(message)
        except Exception:  # stored already: a fan-out failure must not unsay "accepted"
            log.exception("could not publish %d accepted observations", len(accepted) - start)
            break
    return result
