"""The store shared by several server processes: plain Redis keys under one prefix.

    {prefix}state                hash: version, body (WallState JSON); CAS by a Lua script
    {prefix}screens              hash: id -> ScreenRecord JSON
    {prefix}screens:first_seen   hash: id -> first_seen, written with HSETNX
    {prefix}audit                stream of {"entry": AuditEntry JSON}, capped near 100 000
    {prefix}users                hash: username -> UserRecord JSON
    {prefix}credential_uses      hash: "<kind>:<ident>" -> CredentialUse JSON
    {prefix}secret:<name>        keys of older versions, read once into the key file, deleted

Redis must persist (AOF or RDB) for this to survive a Redis restart; that is the
deployment's job, not ours.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from command_center.store.base import (
    AuditEntry,
    CredentialUse,
    ScreenRecord,
    UserRecord,
    WallState,
    check_new_version,
)

AUDIT_MAXLEN = 100_000

# Lua runs atomically in Redis: read, compare and write with nothing in between.
_CAS_STATE = """
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then
    return 0
end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'body', ARGV[3])
return 1
"""


class RedisStore:
    def __init__(self, url: str, prefix: str = "cc:") -> None:
        self._redis: aioredis.Redis = aioredis.Redis.from_url(url)
        self._prefix = prefix
        self._cas_state = self._redis.register_script(_CAS_STATE)

    def _key(self, name: str) -> str:
        return f"{self._prefix}{name}"

    @property
    def client(self) -> aioredis.Redis:
        """The connection, for state that lives beside the store's keys (the sign-in
        limiter's failure counts); this store still owns and closes it."""
        return self._redis

    @property
    def prefix(self) -> str:
        return self._prefix

    async def ping(self) -> None:
        """Fail at startup, with Redis's own error, rather than at the first switch."""
        await self._redis.ping()

    async def get_state(self) -> WallState:
        body = await self._redis.hget(self._key("state"), "body")
        return WallState() if body is None else WallState.model_validate_json(body)

    async def compare_and_set_state(self, expected_version: int, state: WallState) -> bool:
        check_new_version(expected_version, state)
        won = await self._cas_state(
            keys=[self._key("state")],
            args=[expected_version, state.version, state.model_dump_json()],
        )
        return bool(won)

    async def upsert_screen(self, record: ScreenRecord) -> None:
        # first_seen sits in its own hash behind HSETNX, so an upsert is two blind writes in
        # one MULTI: no read-modify-write, no WATCH retries under heartbeat traffic.
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(self._key("screens:first_seen"), record.id, repr(record.first_seen))
            pipe.hset(self._key("screens"), record.id, record.model_dump_json())
            await pipe.execute()

    async def screens(self) -> list[ScreenRecord]:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(self._key("screens"))
            pipe.hgetall(self._key("screens:first_seen"))
            bodies, first_seen = await pipe.execute()
        records = []
        for screen_id, body in bodies.items():
            record = ScreenRecord.model_validate_json(body)
            if screen_id in first_seen:
                record = record.model_copy(update={"first_seen": float(first_seen[screen_id])})
            records.append(record)
        return sorted(records, key=lambda record: record.id)

    async def append_audit(self, entry: AuditEntry) -> None:
        await self._redis.xadd(
            self._key("audit"),
            {"entry": entry.model_dump_json()},
            maxlen=AUDIT_MAXLEN,
            approximate=True,
        )

    async def audit(self, limit: int = 100) -> list[AuditEntry]:
        if limit <= 0:
            return []
        rows = await self._redis.xrevrange(self._key("audit"), count=limit)
        return [
            AuditEntry.model_validate_json(fields[b"entry"]) for _, fields in rows or [] if fields
        ]

    async def get_user(self, username: str) -> UserRecord | None:
        body = await self._redis.hget(self._key("users"), username)
        return None if body is None else UserRecord.model_validate_json(body)

    async def put_user(self, user: UserRecord) -> None:
        await self._redis.hset(self._key("users"), user.username, user.model_dump_json())

    async def users(self) -> list[UserRecord]:
        bodies = await self._redis.hvals(self._key("users"))
        records = [UserRecord.model_validate_json(body) for body in bodies]
        return sorted(records, key=lambda user: user.username)

    async def close(self) -> None:
        await self._redis.aclose()

    # --- credentials part -----------------------------------------------------------------

    async def record_credential_use(self, use: CredentialUse) -> None:
        await self._redis.hset(
            self._key("credential_uses"), f"{use.kind}:{use.ident}", use.model_dump_json()
        )

    async def credential_uses(self) -> list[CredentialUse]:
        bodies = await self._redis.hvals(self._key("credential_uses"))
        uses = [CredentialUse.model_validate_json(body) for body in bodies]
        return sorted(uses, key=lambda use: (use.kind, use.ident))

    async def legacy_secret(self, name: str) -> bytes | None:
        value = await self._redis.get(self._key(f"secret:{name}"))
        if value is None:
            return None
        return value if isinstance(value, bytes) else value.encode()

    async def delete_legacy_secret(self, name: str) -> None:
        await self._redis.delete(self._key(f"secret:{name}"))
