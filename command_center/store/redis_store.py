"""The store shared by several server processes: plain Redis keys under one prefix.

    {prefix}state                hash: version, body (WallState JSON); CAS by a Lua script
    {prefix}screens              hash: id -> ScreenRecord JSON
    {prefix}screens:first_seen   hash: id -> first_seen, written with HSETNX
    {prefix}audit                stream of {"entry": AuditEntry JSON}, append-only (never
                                 trimmed: a trimmed start would read as deleted rows)
    {prefix}audit:head           the hash of the last entry; moved with the XADD by one script
    {prefix}users                hash: username -> UserRecord JSON
    {prefix}credential_uses      hash: "<kind>:<ident>" -> CredentialUse JSON
    {prefix}secret:<name>        keys of older versions, read once into the key file, deleted
    {prefix}session:<id>         hash: body (SessionRecord JSON), last_seen; expires with it
    {prefix}user-sessions:<user> set of that user's session ids, for ending them all at once

Redis must persist (AOF or RDB) for this to survive a Redis restart; that is the
deployment's job, not ours.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from command_center.redis_client import TICKET_TTL_MS, parse_redis_url, redis_client
from command_center.store.base import (
    AuditEntry,
    CredentialUse,
    ScreenRecord,
    SessionRecord,
    UserRecord,
    WallState,
    chained,
    check_new_version,
)

# Appends retry when another process appended between reading the head and writing.
AUDIT_APPEND_TRIES = 100
AUDIT_PAGE = 1000
# A filter looks this far back at most: a rare actor must not cost a scan of years.
AUDIT_FILTER_SCAN = 100_000

# Lua runs atomically in Redis: read, compare and write with nothing in between.
_CAS_STATE = """
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then
    return 0
end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'body', ARGV[3])
if ARGV[4] ~= '' then redis.call('SET', ARGV[4], '1', 'PX', ARGV[5]) end
return 1
"""


# The chain moves only if nobody appended since the caller read the head (Redis has no
# SHA-256 in Lua, so the hash is computed by the caller and the script compares and sets).
_APPEND_AUDIT = """
local head = redis.call('GET', KEYS[2]) or ''
if head ~= ARGV[1] then
    return {0, head}
end
redis.call('XADD', KEYS[1], '*', 'entry', ARGV[2])
redis.call('SET', KEYS[2], ARGV[3])
return {1, head}
"""

# Only an existing session is touched: a touch racing an end must not bring it back.
_TOUCH_SESSION = """
if redis.call('EXISTS', KEYS[1]) == 0 then
    return 0
end
local seen = tonumber(redis.call('HGET', KEYS[1], 'last_seen') or '0')
if tonumber(ARGV[1]) > seen then
    redis.call('HSET', KEYS[1], 'last_seen', ARGV[1])
end
return 1
"""

_DELETE_SESSION = """
local username = redis.call('HGET', KEYS[1], 'username')
redis.call('DEL', KEYS[1])
if username then
    redis.call('SREM', ARGV[1] .. username, ARGV[2])
end
return 1
"""

# Keys are built inside the script from the set's members: one atomic step, so a user's
# sessions end together even while another process signs them in or out.
_DELETE_USER_SESSIONS = """
local ended = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    ended = ended + redis.call('DEL', ARGV[1] .. id)
end
redis.call('DEL', KEYS[1])
return ended
"""


class RedisStore:
    def __init__(self, url: str, prefix: str = "cc:") -> None:
        self._redis: aioredis.Redis = redis_client(url)
        self._replication = parse_redis_url(url).replication
        self._prefix = prefix
        self._cas_state = self._redis.register_script(_CAS_STATE)
        self._append_audit = self._redis.register_script(_APPEND_AUDIT)
        self._touch_session = self._redis.register_script(_TOUCH_SESSION)
        self._delete_session = self._redis.register_script(_DELETE_SESSION)
        self._delete_user_sessions = self._redis.register_script(_DELETE_USER_SESSIONS)

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

    async def probe(self) -> None:
        """``/health``'s check: one cheap read, then whether enough replicas are connected
        to confirm a write (``NotReplicated`` if not)."""
        await self.get_state()
        await self._replication.check_connected(self._redis)

    async def get_state(self) -> WallState:
        body = await self._redis.hget(self._key("state"), "body")
        return WallState() if body is None else WallState.model_validate_json(body)

    async def compare_and_set_state(self, expected_version: int, state: WallState) -> bool:
        check_new_version(expected_version, state)
        ticket = self._replication.ticket(self._prefix)
        won = await self._cas_state(
            keys=[self._key("state")],
            args=[
                expected_version,
                state.version,
                state.model_dump_json(),
                ticket or "",
                TICKET_TTL_MS,
            ],
        )
        if won:  # a switch is reported done only once the replicas hold it
            await self._replication.confirm(self._redis, ticket)
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

    async def append_audit(self, entry: AuditEntry) -> AuditEntry:
        prev = _text(await self._redis.get(self._key("audit:head")))
        for _ in range(AUDIT_APPEND_TRIES):
            stored = chained(entry, prev)
            won, found = await self._append_audit(
                keys=[self._key("audit"), self._key("audit:head")],
                args=[prev, stored.model_dump_json(), stored.hash],
            )
            if won:
                return stored
            prev = _text(found)
        raise RuntimeError(f"audit append lost {AUDIT_APPEND_TRIES} races in a row")

    async def audit(self, limit: int = 100) -> list[AuditEntry]:
        return await self.audit_entries(limit)

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

    # --- part "sessions": server-side sessions and the audit chain ---------------------

    async def put_session(self, record: SessionRecord) -> None:
        key = self._key(f"session:{record.id}")
        user_key = self._key(f"user-sessions:{record.username}")
        expire_ms = int(record.expires_at * 1000)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                key,
                mapping={
                    "body": record.model_dump_json(),
                    "username": record.username,
                    "last_seen": repr(record.last_seen),
                },
            )
            pipe.pexpireat(key, expire_ms)
            pipe.sadd(user_key, record.id)
            # Every session lives as long (same ttl), so the newest one sets the set's end.
            pipe.pexpireat(user_key, expire_ms)
            await pipe.execute()

    async def get_session(self, session_id: str) -> SessionRecord | None:
        fields = await self._redis.hmget(self._key(f"session:{session_id}"), ["body", "last_seen"])
        body, last_seen = fields
        if body is None:
            return None
        record = SessionRecord.model_validate_json(body)
        if last_seen is not None:
            record = record.model_copy(update={"last_seen": float(last_seen)})
        return record

    async def touch_session(self, session_id: str, last_seen: float) -> bool:
        done = await self._touch_session(
            keys=[self._key(f"session:{session_id}")], args=[repr(last_seen)]
        )
        return bool(done)

    async def delete_session(self, session_id: str) -> None:
        await self._delete_session(
            keys=[self._key(f"session:{session_id}")],
            args=[self._key("user-sessions:"), session_id],
        )

    async def delete_user_sessions(self, username: str) -> int:
        ended = await self._delete_user_sessions(
            keys=[self._key(f"user-sessions:{username}")], args=[self._key("session:")]
        )
        return int(ended)

    async def audit_entries(
        self, limit: int = 100, actor: str | None = None, action: str | None = None
    ) -> list[AuditEntry]:
        if limit <= 0:
            return []
        found: list[AuditEntry] = []
        end = "+"
        page = AUDIT_PAGE if actor is not None or action is not None else limit
        # Newest first, a page at a time, until enough rows match, the stream ends or the
        # scan reaches AUDIT_FILTER_SCAN rows.
        for _ in range(AUDIT_FILTER_SCAN // AUDIT_PAGE):
            if len(found) >= limit:
                break
            rows = await self._redis.xrevrange(self._key("audit"), max=end, count=page)
            for _, fields in rows or []:
                if not fields:
                    continue
                entry = AuditEntry.model_validate_json(fields[b"entry"])
                if (actor is None or entry.actor == actor) and (
                    action is None or entry.action == action
                ):
                    found.append(entry)
            if not rows or len(rows) < page:
                break
            end = f"({_text(rows[-1][0])}"
        return found[:limit]

    async def audit_chain(self) -> tuple[list[AuditEntry], str]:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xrange(self._key("audit"))
            pipe.get(self._key("audit:head"))
            rows, head = await pipe.execute()
        entries = [AuditEntry.model_validate_json(f[b"entry"]) for _, f in rows or [] if f]
        return entries, _text(head)


def _text(value: object) -> str:
    """A Redis reply as text ("" for none): the client hands out bytes."""
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)
