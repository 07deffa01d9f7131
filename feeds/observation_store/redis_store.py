"""Observations in Redis, shared by every server process, under one prefix (``cc:obs:``):

    {prefix}log                 stream: every accepted observation, {"o": JSON}, never trimmed
    {prefix}latest              hash: "indicator|area|period" -> Observation JSON shown
    {prefix}rev:<key>           hash per key: revision -> Observation JSON (the history)
    {prefix}current             hash: "indicator|area" -> its newest period key
    {prefix}series:<ind|area>   sorted set of period keys (one score: lexical order = time)
    {prefix}period:<period>     hash: "indicator|area" -> the first report's Observation JSON

One Lua script checks and writes a whole batch: Redis runs it atomically, so a batch is
all-or-nothing and two processes cannot interleave their checks and writes. The script
builds key names from the prefix (fine on a single Redis, not on Redis Cluster). Durability
is the deployment's ``appendonly``/``appendfsync`` (``always`` makes "accepted" survive a
kill -9 of Redis too; tests/integration/test_durability.py runs exactly that), and with
replicas (``redis+sentinel://``) a batch is acknowledged only once ``WAIT`` says a replica
has it (tests/faults/test_sentinel_failover.py).
"""

from __future__ import annotations

import asyncio
import json

import redis.asyncio as aioredis

from command_center.redis_client import TICKET_TTL_MS, parse_redis_url, redis_client
from feeds.observation_store.base import (
    AppendResult,
    ObservationKey,
    Reported,
    conflict_message,
    raise_conflicts,
)
from feeds.observations import Observation

DEFAULT_PREFIX = "cc:obs:"
ARGS_SLICE = 1000  # rows serialised between two turns of the event loop

# Pass 1 classifies every row (remembering this batch's own rows), pass 2 writes only if
# nothing conflicts. Returns {1, "ad.."} (accepted/duplicate per row) or
# {0, row, latest revision, row, latest revision, ...} for the conflicts.
#
# Each call from Lua into Redis costs more than the work it does, so calls are per batch
# where the data allow: one HMGET per 1,000 keys finds the latest revisions (a key never
# shown has no history either, so its rev: hash is not read), one HSET per 500 rows sets
# the values shown, and the series and period indexes are written once per series and per
# period. Per row remain the history (a hash per key) and the log entry.
_APPEND = """
local p = ARGV[1]
local meta = cjson.decode(ARGV[2])
local bodies = {}
for body in string.gmatch(ARGV[3], '[^\\n]+') do bodies[#bodies + 1] = body end
local n = #meta
if #bodies ~= n then return redis.error_reply('rows and bodies differ in number') end
local CHUNK = 500
local keys = {}
for i = 1, n do keys[i] = meta[i][1] end
local shown = {}
for c = 1, n, 2 * CHUNK do
    local got = redis.call('HMGET', p .. 'latest', unpack(keys, c, math.min(c + 2 * CHUNK - 1, n)))
    for j = 1, #got do shown[c + j - 1] = got[j] end
end
local latest_rev, has_history, known_val, status, conflicts = {}, {}, {}, {}, {}
for i = 0, n - 1 do
    local row = meta[i + 1]
    local key, rev_s = row[1], row[2]
    local rev, value = tonumber(rev_s), tonumber(row[3])
    local hkey = key .. '|' .. rev_s
    local latest = latest_rev[key]
    if latest == nil then
        local body = shown[i + 1]
        if body then latest = cjson.decode(body).revision else latest = -1 end
        latest_rev[key] = latest
        has_history[key] = latest >= 0
    end
    local known = known_val[hkey]
    if known == nil and has_history[key] then
        local body = redis.call('HGET', p .. 'rev:' .. key, rev_s)
        if body then known = cjson.decode(body).value end
    end
    if known ~= nil then
        if known == value then
            status[i + 1] = 'd'
        else
            conflicts[#conflicts + 1] = i
            conflicts[#conflicts + 1] = latest
        end
    elseif rev <= latest then
        conflicts[#conflicts + 1] = i
        conflicts[#conflicts + 1] = latest
    else
        status[i + 1] = 'a'
        latest_rev[key] = rev
        known_val[hkey] = value
    end
end
if #conflicts > 0 then
    local reply = {0}
    for _, v in ipairs(conflicts) do reply[#reply + 1] = v end
    return reply
end
-- The ticket (Replication.confirm) goes with the batch: no server has one without the other.
if ARGV[4] ~= '' then redis.call('SET', ARGV[4], '1', 'PX', ARGV[5]) end
local shown_args, newest, members, series_order = {}, {}, {}, {}
local firsts, first_seen, period_order = {}, {}, {}
local function flush_shown()
    if #shown_args > 0 then
        redis.call('HSET', p .. 'latest', unpack(shown_args))
        shown_args = {}
    end
end
for i = 0, n - 1 do
    if status[i + 1] == 'a' then
        local row = meta[i + 1]
        local key, rev_s, body = row[1], row[2], bodies[i + 1]
        local series, period = row[4], row[5]
        redis.call('HSET', p .. 'rev:' .. key, rev_s, body)
        redis.call('XADD', p .. 'log', '*', 'o', body)
        -- In batch order, so the last revision of a key is the one shown.
        shown_args[#shown_args + 1] = key
        shown_args[#shown_args + 1] = body
        if #shown_args >= 2 * CHUNK then flush_shown() end
        if members[series] == nil then
            members[series] = {}
            series_order[#series_order + 1] = series
        end
        local m = members[series]
        m[#m + 1] = 0
        m[#m + 1] = period
        if newest[series] == nil or period > newest[series] then newest[series] = period end
        -- The first report of each (series, period) wins, in the store as in this batch.
        if firsts[period] == nil then
            firsts[period] = {}
            first_seen[period] = {}
            period_order[#period_order + 1] = period
        end
        if not first_seen[period][series] then
            first_seen[period][series] = true
            local f = firsts[period]
            f[#f + 1] = series
            f[#f + 1] = body
        end
    end
end
flush_shown()
for _, series in ipairs(series_order) do
    local current = redis.call('HGET', p .. 'current', series)
    if (not current) or newest[series] > current then
        redis.call('HSET', p .. 'current', series, newest[series])
    end
    local m = members[series]
    for c = 1, #m, 2 * CHUNK do
        redis.call('ZADD', p .. 'series:' .. series, unpack(m, c, math.min(c + 2 * CHUNK - 1, #m)))
    end
end
for _, period in ipairs(period_order) do
    local f, hash = firsts[period], p .. 'period:' .. period
    for c = 1, #f, 2 * CHUNK do
        local last = math.min(c + 2 * CHUNK - 1, #f)
        local names = {}
        for j = c, last, 2 do names[#names + 1] = f[j] end
        local held = redis.call('HMGET', hash, unpack(names))
        local missing = {}
        for j = 1, #names do
            if not held[j] then
                missing[#missing + 1] = f[c + 2 * (j - 1)]
                missing[#missing + 1] = f[c + 2 * (j - 1) + 1]
            end
        end
        if #missing > 0 then redis.call('HSET', hash, unpack(missing)) end
    end
end
return {1, table.concat(status)}
"""


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


def _key(o: Observation) -> str:
    return "|".join(o.key)


class RedisObservationStore:
    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX) -> None:
        self._redis: aioredis.Redis = redis_client(url)
        self._replication = parse_redis_url(url).replication
        self._prefix = prefix
        self._append = self._redis.register_script(_APPEND)

    async def ping(self) -> None:
        await self._redis.ping()

    async def append(self, batch: list[Observation]) -> AppendResult:
        if not batch:
            return AppendResult([], 0)
        # Three arguments, not six per row: redis-py packs each argument in Python, which
        # cost more than the script's work. The rows' keys as one JSON array, the bodies
        # one a line (JSON text never holds a raw newline).
        meta = []
        bodies = []
        for i, o in enumerate(batch):
            if i and not i % ARGS_SLICE:
                await asyncio.sleep(0)  # 10,000 rows take ~15 ms: let the screens flush
            indicator, area, period = o.key
            series = f"{indicator}|{area}"
            # repr() is the shortest text that reads back as the same float, in Lua too;
            # the revision as text, so that Lua's hash fields read "1", never "1.0".
            meta.append((f"{series}|{period}", str(o.revision), repr(o.value), series, period))
            bodies.append(o.model_dump_json())
        ticket = self._replication.ticket(self._prefix)
        args = [self._prefix, json.dumps(meta), "\n".join(bodies), ticket or "", str(TICKET_TTL_MS)]
        reply = await self._append(keys=[], args=args)
        if reply[0] == 0:
            pairs = zip(reply[1::2], reply[2::2], strict=True)
            raise_conflicts([conflict_message(batch[int(i)], int(rev)) for i, rev in pairs])
        # Acknowledged only once the replicas hold it (WAIT); a retry after NotReplicated
        # finds the rows as duplicates (keyed by indicator, area, period and revision).
        await self._replication.confirm(self._redis, ticket)
        marks = reply[1].decode()
        accepted = [o for o, mark in zip(batch, marks, strict=True) if mark == "a"]
        return AppendResult(accepted, marks.count("d"))

    async def latest(
        self, indicator: str | None = None, area: str | None = None
    ) -> list[Observation]:
        current = await self._redis.hgetall(f"{self._prefix}current")
        keys = []
        for raw_series, period in current.items():
            series = _text(raw_series)
            ind, _, area_key = series.partition("|")
            if (indicator is None or ind == indicator) and (area is None or area_key == area):
                keys.append(f"{series}|{_text(period)}")
        observations = await self._by_keys(keys)
        return sorted(observations, key=lambda o: (o.indicator, o.area.key))

    async def series(
        self,
        indicator: str,
        area: str,
        from_period: str | None = None,
        to_period: str | None = None,
    ) -> list[Observation]:
        low = f"[{from_period}" if from_period else "-"
        high = f"[{to_period}" if to_period else "+"
        series = f"{indicator}|{area}"
        periods = await self._redis.zrangebylex(f"{self._prefix}series:{series}", low, high)
        return await self._by_keys([f"{series}|{_text(p)}" for p in periods])

    async def history(self, key: ObservationKey) -> list[Observation]:
        bodies = await self._redis.hvals(f"{self._prefix}rev:{'|'.join(key)}")
        revisions = [Observation.model_validate_json(b) for b in bodies]
        return sorted(revisions, key=lambda o: o.revision)

    async def reported(self, *periods: str) -> list[Reported]:
        if not periods:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for period in periods:
                pipe.hvals(f"{self._prefix}period:{period}")
            found = await pipe.execute()
        firsts = [Observation.model_validate_json(b) for bodies in found for b in bodies]
        shown = await self._by_keys([_key(o) for o in firsts])
        reports = [
            Reported(o.indicator, o.area.key, o.period, o.agency, o.received_at, now.revision)
            for o, now in zip(firsts, shown, strict=True)
        ]
        return sorted(reports, key=lambda r: (r.indicator, r.area, r.period))

    async def _by_keys(self, keys: list[str]) -> list[Observation]:
        if not keys:
            return []
        bodies = await self._redis.hmget(f"{self._prefix}latest", keys)
        return [Observation.model_validate_json(b) for b in bodies if b is not None]

    async def close(self) -> None:
        await self._redis.aclose()
