"""The contract both incident stores keep (tests/integration/test_incident_store_contract.py).

``upsert`` is durable when it returns and tells which rows were news: a row equal to the
stored state of its incident but for ``received_at`` is a repeat and changes nothing.

Everything a client can grow is bounded: reads come a page at a time (``limit``, then
``before_ms`` from the last row), an agency holds at most ``quota`` incidents
(``QuotaExceeded``, nothing of the batch stored), and resolved incidents older than the
retention are purged. The map starts from ``active``: what it shows, not every row.
"""

from __future__ import annotations

from typing import Protocol

from command_center.errors import TooManyRequests
from feeds.incidents import Incident, IncidentStatus

PAGE = 100
MAX_PAGE = 1000


class QuotaExceeded(TooManyRequests):
    code = "incident_quota"


class IncidentStore(Protocol):
    async def upsert(self, batch: list[Incident], quota: int | None = None) -> list[Incident]:
        """Store every row as its incident's latest state; returns the rows that were new
        or changed something (repeats left out). With ``quota``, ``QuotaExceeded`` when an
        agency would hold more incidents than that (nothing stored)."""
        ...

    async def incidents(
        self, since_ms: float | None = None, limit: int = PAGE, before_ms: float | None = None
    ) -> list[Incident]:
        """At most ``limit`` incidents (received at or after ``since_ms``; occurred before
        ``before_ms``), newest occurrence first."""
        ...

    async def active(self, resolved_since_ms: float) -> list[Incident]:
        """Incidents not resolved, and those resolved (received) since ``resolved_since_ms``."""
        ...

    async def purge(self, resolved_before_ms: float) -> int:
        """Delete resolved incidents received before ``resolved_before_ms``; how many."""
        ...

    async def close(self) -> None: ...


def news(batch: list[Incident], stored: dict[str, Incident]) -> list[Incident]:
    """The rows of ``batch`` that are not repeats of ``stored`` (by key)."""
    out = []
    for incident in batch:
        held = stored.get(incident.key)
        if held is None or not incident.same_report(held):
            out.append(incident)
    return out


def check_quota(new_keys: dict[str, int], held: dict[str, int], quota: int | None) -> None:
    """``new_keys``: per agency, how many of the batch's incidents it does not hold yet;
    ``held``: how many it holds."""
    if quota is None:
        return
    for agency, count in sorted(new_keys.items()):
        if count and held.get(agency, 0) + count > quota:
            raise QuotaExceeded(
                f"agency '{agency}' holds {held.get(agency, 0)} incidents and this batch adds "
                f"{count}: over its quota of {quota}. Update existing incidents (same id) or "
                "mark them resolved; resolved ones are removed after the retention period",
                retry_after_s=3600,
                details=[{"agency": agency, "held": held.get(agency, 0), "quota": quota}],
            )


def is_open(incident: Incident) -> bool:
    return incident.status is not IncidentStatus.RESOLVED


def order_key(incident: Incident) -> tuple[float, str]:
    return (-incident.occurred_at, incident.key)
