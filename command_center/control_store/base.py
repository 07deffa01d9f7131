"""The interface both control stores implement: small JSON records by kind, and leases.

    ControlStore (Protocol)
    ├── EmbeddedControlStore   one SQLite file in the data directory (one server process)
    └── RedisControlStore      Redis keys under a prefix (several server processes)

A record is a JSON object under (kind, key): an alert under ("alert", "<rule>:<subject>"),
the lock under ("lock", "wall"). The callers own the records' shapes (typed models); this
store only keeps them durably. A write returns once it is durable (SQLite: on disk; Redis:
on the replicas the URL asks for), so what the console was told survives a restart.

A lease makes one process of several the one that does something (evaluate the alert rules):
``lease(name, holder, ttl_ms)`` takes it when free or renews it for its holder; a holder that
dies stops renewing and another takes over within ``ttl_ms``.
"""

from __future__ import annotations

from typing import Any, Protocol

Body = dict[str, Any]


class ControlStore(Protocol):
    async def put(self, kind: str, key: str, body: Body) -> None:
        """Create or replace the record (kind, key)."""
        ...

    async def get(self, kind: str, key: str) -> Body | None: ...

    async def items(self, kind: str) -> dict[str, Body]:
        """Every record of ``kind`` by key."""
        ...

    async def delete(self, kind: str, key: str) -> None: ...

    async def lease(self, name: str, holder: str, ttl_ms: int) -> bool:
        """Take lease ``name`` for ``holder`` (free, expired or already held by it) for
        ``ttl_ms`` from now; False while another holder has it."""
        ...

    async def release(self, name: str, holder: str) -> None:
        """Give the lease up now if ``holder`` holds it (a clean shutdown)."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
