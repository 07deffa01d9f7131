"""Persistence: what must survive a restart. See ``base`` for the contract."""

from command_center.store.base import (
    AuditEntry,
    ScreenRecord,
    SessionRecord,
    Store,
    UserRecord,
    WallState,
)
from command_center.store.embedded import EmbeddedStore
from command_center.store.factory import open_store
from command_center.store.redis_store import RedisStore

__all__ = [
    "AuditEntry",
    "EmbeddedStore",
    "RedisStore",
    "ScreenRecord",
    "SessionRecord",
    "Store",
    "UserRecord",
    "WallState",
    "open_store",
]
