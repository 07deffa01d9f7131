"""The audit trail: one way to write a row, and the check that no row was altered.

Rows are chained by the store (``AuditEntry.prev`` / ``hash``, see ``store.base.chained``):
each row's hash covers its content and the hash of the row before. ``verify_chain`` finds
a row edited in place (its hash no longer matches), deleted, inserted or moved (the next
row's ``prev`` no longer matches) and rows cut from the end (the store's head no longer
matches the last row). The chain has no secret: someone who can rewrite the whole store
can rewrite the whole chain; it catches an edited or deleted row, not a forged history.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

from command_center.auth import Principal
from command_center.store.base import AuditEntry, audit_hash

MAX_ACTOR = 128  # a refused sign-in's username is whatever a stranger typed


class AuditStore(Protocol):
    async def append_audit(self, entry: AuditEntry) -> AuditEntry: ...


async def audit(
    store: AuditStore,
    who: Principal | str,
    action: str,
    target: str,
    detail: dict[str, Any] | None = None,
    *,
    role: str = "",
    at_ms: float | None = None,
) -> AuditEntry:
    """Append one row: ``who`` is the principal who acted, or a plain actor name
    ("cli:<os user>", a refused sign-in's username) with ``role``; ``at`` in epoch ms."""
    if isinstance(who, Principal):
        actor, role = who.name, str(who.role)
    else:
        actor = who[:MAX_ACTOR]
    return await store.append_audit(
        AuditEntry(
            at=time.time() * 1000.0 if at_ms is None else at_ms,
            actor=actor,
            role=role,
            action=action,
            target=target,
            detail=detail or {},
        )
    )


@dataclass(frozen=True)
class ChainProblem:
    """Row ``row`` (1 = the oldest) breaks the chain, for ``reason``."""

    row: int
    reason: str
    entry: AuditEntry | None = None

    def __str__(self) -> str:
        if self.entry is None:
            return f"after row {self.row - 1}: {self.reason}"
        e = self.entry
        return f"row {self.row} ({e.action} by {e.actor} at {e.at:.0f} ms): {self.reason}"


def verify_chain(entries: list[AuditEntry], head: str | None = None) -> list[ChainProblem]:
    """Every break in ``entries`` (oldest first); ``head`` is the hash the store last
    appended, if known. Rows written before the chain existed (no hash) are accepted only
    at the start."""
    problems: list[ChainProblem] = []
    prev = ""
    chained = False
    for row, entry in enumerate(entries, 1):
        if not entry.hash and not entry.prev and not chained:
            continue  # an old row from before the chain
        chained = True
        if entry.prev != prev:
            problems.append(
                ChainProblem(
                    row,
                    "does not follow the row before it (a row was deleted, inserted or moved here)",
                    entry,
                )
            )
        if audit_hash(entry, entry.prev) != entry.hash:
            problems.append(
                ChainProblem(row, "was edited: its content no longer matches its hash", entry)
            )
        prev = entry.hash
    if head is not None and head != prev:
        problems.append(
            ChainProblem(
                len(entries) + 1,
                f"the last row(s) were deleted: the store last appended {head[:12]}…, "
                f"the last row left is {prev[:12] or 'none'}…",
            )
        )
    return problems
