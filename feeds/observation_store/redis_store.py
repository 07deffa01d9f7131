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
kill -9 of Redis too; tests/integration/test_durability.py runs exactly that).
"""

from __future__ import annotations

import redis.asyncio as aioredis

from feeds.observation_store.base import (
    AppendResult,
    ObservationKey,
    Reported,
    conflict_message,
    raise_conflicts,
)
from feeds.observations import Observation

DEFAULT_PREFIX = "cc:obs:"
_PER_ROW = 6  # key, revision, value, json, "indicator|area", period

# Pass 1 classifies every row (remembering this batch's own rows), pass 2 writes only if
# nothing conflicts. Returns {1, "ad.."} (accepted/duplicate per row) or
# {0, row, latest revision, row, latest revision, ...} for the conflicts.
_APPEND = """
local p = ARGV[1]
local n = (#ARGV - 1) / 6
local latest_rev, known_val, status, conflicts = {}, {}, {}, {}
for i = 0, n - 1 do
    local b = 1 + i * 6
    local key, rev_s = ARGV[b + 1], ARGV[b + 2]
    local rev, value = tonumber(rev_s), tonumber(ARGV[b + 3])
    local hkey = key .. '|' .. rev_s
    local known = known_val[hkey]
    if known == nil then
        local body = redis.call('HGET', p .. 'rev:' .. key, rev_s)
        if body then known = cjson.decode(body).value end
    end
    local latest = latest_rev[key]
    if latest == nil then
        local body = redis.call('HGET', p .. 'latest', key)
        if body then latest = cjson.decode(body).revision else latest = -1 end
        latest_rev[key] = latest
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
for i = 0, n - 1 do
    if status[i + 1] == 'a' then
        local b = 1 + i * 6
        local key, rev_s, body = ARGV[b + 1], ARGV[b + 2], ARGV[b + 4]
        local series, period = ARGV[b + 5], ARGV[b + 6]
        redis.call('HSET', p .. 'rev:' .. key, rev_s, body)
        redis.call('HSET', p .. 'latest', key, body)
        redis.call('XADD', p .. 'log', '*', 'o', body)
        local current = redis.call('HGET', p .. 'current', series)
        if (not current) or period > current then
            redis.call('HSET', p .. 'current', series, period)
        end
        redis.call('ZADD', p .. 'series:' .. series, 0, period)
        redis.call('HSETNX', p .. 'period:' .. period, series, body)
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
        self._redis: aioredis.Redis = aioredis.Redis.from_url(url)
        self._prefix = prefix
        self._append = self._redis.register_script(_APPEND)

    async def ping(self) -> None:
        await self._redis.ping()

    async def append(self, batch: list[Observation]) -> AppendResult:
        if not batch:
            return AppendResult([], 0)
        args: list[str | int] = [self._prefix]
        for o in batch:
            # repr() is the shortest text that reads back as the same float, in Lua too.
            series = f"{o.indicator}|{o.area.key}"
            args += [_key(o), o.revision, repr(o.value), o.model_dump_json(), series, o.period]
        reply = await self._append(keys=[], args=args)
        if reply[0] == 0:
            pairs = zip(reply[1::2], reply[2::2], strict=True)
            raise_conflicts([conflict_message(batch[int(i)], int(rev)) for i, rev in pairs])
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
