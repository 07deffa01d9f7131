"""The observation log and its views, and the one interface both stores implement.

    ObservationStore (Protocol)
    ├── EmbeddedObservationStore   SQLite (WAL, synchronous=FULL) in the data directory
    └── RedisObservationStore      a stream log + hashes under a prefix (several processes)

Rules both keep (tests/integration/test_observation_store_contract.py):

* ``append`` is atomic: the whole batch is stored or none of it; once it returns, the batch
  is durable (as durable as the Redis deployment's ``appendfsync`` for Redis).
* Idempotent: a row whose (key, revision) is stored with the same value is a duplicate,
  counted and stored once. A higher revision becomes the value shown; every revision stays
  in the history. A revision at or below the latest one with a value never stored for it
  is an ``ObservationConflict`` naming the key, and the batch is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from command_center.errors import ConflictError
from feeds.observations import NATIONAL, Area, Observation, area_of
from feeds.problems import Rejection

ObservationKey = tuple[str, str, str]  # (indicator, area key, period)


@dataclass(frozen=True)
class AppendResult:
    accepted: list[Observation]  # new to the store, in batch order
    duplicates: int  # rows already stored with the same key, revision and value


@dataclass(frozen=True)
class Reported:
    """The first report of one (indicator, area, period): who sent it and when."""

    indicator: str
    area: str  # Area.key
    period: str
    agency: str
    first_received_at: float  # ms since the epoch
    revision: int  # the latest revision stored


class ObservationConflict(ConflictError):
    code: str = Rejection.REVISION_CONFLICT.value


class ObservationStore(Protocol):
    async def append(self, batch: list[Observation]) -> AppendResult:
        """Store the batch atomically; ``ObservationConflict`` refuses all of it."""
        ...

    async def latest(
        self, indicator: str | None = None, area: str | None = None
    ) -> list[Observation]:
        """For each (indicator, area) matching, its newest period at its latest revision,
        sorted by indicator then area key."""
        ...

    async def series(
        self,
        indicator: str,
        area: str,
        from_period: str | None = None,
        to_period: str | None = None,
    ) -> list[Observation]:
        """Latest revision of each period within the inclusive bounds, oldest first."""
        ...

    async def history(self, key: ObservationKey) -> list[Observation]:
        """Every stored revision of ``key``, lowest first."""
        ...

    async def reported(self, *periods: str) -> list[Reported]:
        """What has been reported for these period keys, sorted by (indicator, area, period)."""
        ...

    async def close(self) -> None: ...


def area_from_key(key: str) -> Area:
    if key == "VN":
        return NATIONAL
    code_list, _, code = key.partition(":")
    return area_of(code, code_list)  # validated once, then shared


def conflict_message(observation: Observation, latest_revision: int) -> dict[str, object]:
    indicator, area, period = observation.key
    return {
        "indicator": indicator,
        "area": area,
        "period": period,
        "revision": observation.revision,
        "expected": f"revision above {latest_revision}, or the value stored for this revision",
        "got": observation.value,
    }


def raise_conflicts(conflicts: list[dict[str, object]]) -> None:
    if not conflicts:
        return
    names = "; ".join(
        f"({c['indicator']}, {c['area']}, {c['period']}) revision {c['revision']}"
        for c in conflicts[:5]
    )
    raise ObservationConflict(
        f"{len(conflicts)} row(s) conflict with stored revisions, nothing stored: {names}",
        conflicts,
    )


def classify(
    batch: list[Observation],
    latest_revisions: dict[ObservationKey, int],
    stored_values: dict[tuple[ObservationKey, int], float],
) -> tuple[list[Observation], int, list[dict[str, object]]]:
    """(new, duplicates, conflicts) of ``batch`` against what is stored, row by row, so
    that a batch holding two revisions of one key behaves as two batches would."""
    latest = dict(latest_revisions)
    stored = dict(stored_values)
    accepted: list[Observation] = []
    duplicates = 0
    conflicts: list[dict[str, object]] = []
    for observation in batch:
        key, revision = observation.key, observation.revision
        known = stored.get((key, revision))
        if known is not None:
            if known == observation.value:
                duplicates += 1
            else:
                conflicts.append(conflict_message(observation, latest[key]))
            continue
        if key in latest and revision <= latest[key]:
            conflicts.append(conflict_message(observation, latest[key]))
            continue
        accepted.append(observation)
        latest[key] = revision
        stored[(key, revision)] = observation.value
    return accepted, duplicates, conflicts
