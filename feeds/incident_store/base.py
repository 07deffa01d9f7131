"""The contract both incident stores keep (tests/integration/test_incident_store_contract.py).

``upsert`` is durable when it returns and tells which rows were news: a row equal to the
stored state of its incident but for ``received_at`` is a repeat and changes nothing.
"""

from __future__ import annotations

from typing import Protocol

from feeds.incidents import Incident


class IncidentStore(Protocol):
    async def upsert(self, batch: list[Incident]) -> list[Incident]:
        """Store every row as its incident's latest state; returns the rows that were new
        or changed something (repeats left out)."""
        ...

    async def incidents(self, since_ms: float | None = None) -> list[Incident]:
        """Every incident (received at or after ``since_ms``), newest occurrence first."""
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


def newest_first(found: list[Incident], since_ms: float | None) -> list[Incident]:
    kept = [i for i in found if since_ms is None or i.received_at >= since_ms]
    return sorted(kept, key=lambda i: (-i.occurred_at, i.key))
