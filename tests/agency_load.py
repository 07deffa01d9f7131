"""An agency posting observation batches in a loop through the real API, recording every
answer: the load of the failover tests and benchmarks, and the rows to look for afterwards.

Batch ``i`` holds one row per area for its own day, so no two batches share a row and "was
batch i stored?" is a question about three keys of the observation store.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import date, timedelta

import httpx

INDICATOR = "covid19_community_cases"
AGENCY = "bo_y_te"
AREAS = ("01", "79", "46")  # gso-34 province codes
FIRST_PERIOD = date(2015, 1, 1)
PAUSE_S = 0.02  # between two posts: a busy agency, not a flood


@dataclass(frozen=True)
class Post:
    batch: int
    sent: float  # time.monotonic()
    answered: float
    status: int  # 0: no HTTP answer at all


def _period(i: int) -> str:
    return (FIRST_PERIOD + timedelta(days=i)).isoformat()


def batch_rows(i: int) -> list[dict[str, object]]:
    return [
        {
            "indicator": INDICATOR,
            "area_code": a,
            "code_list": "gso-34",
            "period": _period(i),
            "value": i,
        }
        for a in AREAS
    ]


def row_keys(i: int) -> set[str]:
    """Batch ``i``'s fields in the Redis observation store's ``latest`` hash."""
    return {f"{INDICATOR}|gso-34:{a}|{_period(i)}" for a in AREAS}


async def post_batches(client: httpx.AsyncClient, credential: str, posts: list[Post]) -> None:
    """Post batch after batch until cancelled, appending each answer to ``posts``; a batch
    refused (503) is not retried: the next one is new, so every 201 names one batch."""
    headers = {"Authorization": f"Bearer {AGENCY}:{credential}"}
    i = 0
    while True:
        sent = time.monotonic()
        try:
            r = await client.post(
                "/api/v1/observations", json={"observations": batch_rows(i)}, headers=headers
            )
            status = r.status_code
        except httpx.TransportError:
            status = 0
        posts.append(Post(i, sent, time.monotonic(), status))
        i += 1
        await asyncio.sleep(PAUSE_S)


def lost(posts: list[Post], stored: set[str]) -> list[int]:
    """The batches answered 201 whose rows are not all in ``stored``."""
    return [p.batch for p in posts if p.status == 201 and not row_keys(p.batch) <= stored]
