"""Acknowledged means replicated (issue 11 point 4): with ``?replicas=1`` (the default of a
``redis+sentinel://`` URL) an observation batch, an incident and a switch are answered only
once ``WAIT`` says a replica holds them; with none, 503 + Retry-After, and the retry once a
replica is back is answered as a duplicate, never counted twice."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from incidentsupport import MARITIME
from wallprocess import RedisServer, free_port
from wallsupport import device_token, login, running_wall, wait_until

from command_center.auth import Role
from command_center.redis_client import TICKET_TTL_MS, NotReplicated, Replication, redis_client

pytestmark = pytest.mark.redis
ROW = {
    "indicator": "covid19_community_cases",
    "area_code": "01",
    "code_list": "gso-34",
    "period": "2025-03-01",
    "value": 7,
}
INCIDENT = MARITIME


@contextlib.contextmanager
def replica_of(primary: RedisServer, folder: Path) -> Iterator[None]:
    """A replica of ``primary`` until the block ends, in sync when the block starts; what
    it receives is written in ``folder`` (never in the working folder)."""
    proc = subprocess.Popen(
        [
            *("redis-server", "--port", str(free_port()), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no", "--dir", str(folder)),
            *("--replicaof", "127.0.0.1", str(primary.port)),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        with redis.Redis(port=primary.port) as client:

            def in_sync() -> bool:
                info = client.info("replication")
                return bool(
                    info["connected_slaves"] == 1
                    and info["slave0"]["state"] == "online"
                    and info["slave0"]["offset"] == info["master_repl_offset"]
                )

            deadline = time.monotonic() + 20
            while not in_sync():
                assert time.monotonic() < deadline, "the replica did not sync"
                time.sleep(0.05)
        yield
    finally:
        proc.terminate()
        proc.wait(10)


async def test_nothing_is_acknowledged_until_a_replica_holds_it(tmp_path: Path) -> None:
    primary = RedisServer().start()
    try:
        # Long enough that a loaded machine's replica still answers in time: without one,
        # each write waits this long before its 503.
        url = f"{primary.url}?replicas=1&wait_ms=2000"
        async with (
            running_wall(tmp_path, redis_url=url) as rt,
            httpx.AsyncClient(base_url=rt.url, timeout=30) as client,
        ):
            agency = {"Authorization": f"Bearer bo_y_te:{device_token(rt, 'agency', 'bo_y_te')}"}
            centre = {
                "Authorization": "Bearer trung_tam_tkcn:"
                + device_token(rt, "agency", "trung_tam_tkcn")
            }
            officer = await login(client, rt, Role.DUTY_OFFICER)

            async def post_row() -> httpx.Response:
                return await client.post(
                    "/api/v1/observations", json={"observations": [ROW]}, headers=agency
                )

            r = await post_row()
            assert r.status_code == 503, r.text
            assert r.headers["Retry-After"] == "5"
            assert r.json()["error"]["code"] == "store_unavailable"
            assert "0 of 1 replica(s)" in r.json()["error"]["message"]
            r = await client.post(
                "/api/v1/incidents", json={"incidents": [INCIDENT]}, headers=centre
            )
            assert r.status_code == 503, r.text
            r = await client.post("/api/v1/switch", json={"preset": "calibration"}, headers=officer)
            assert r.status_code == 503, r.text

            # /health tells the duty officer why (the store answers, but refuses writes).
            store = (await client.get("/health")).json()["dependencies"]["store"]
            assert store["status"] == "degraded", store
            assert "0 of 1 replica(s) connected" in store["detail"]

            with replica_of(primary, tmp_path):
                # The batch reached the primary before: the retry finds it, once.
                r = await post_row()
                assert r.status_code == 200, r.text
                assert r.json()["accepted"] == 0 and r.json()["duplicates"] == 1
                r = await client.post(
                    "/api/v1/incidents", json={"incidents": [INCIDENT]}, headers=centre
                )
                assert r.status_code in (200, 201), r.text
                r = await client.post(
                    "/api/v1/switch", json={"preset": "calibration"}, headers=officer
                )
                assert r.status_code == 202, r.text
                fresh = {**ROW, "period": "2025-03-02"}
                r = await client.post(
                    "/api/v1/observations", json={"observations": [fresh]}, headers=agency
                )
                assert r.status_code == 201 and r.json()["accepted"] == 1, r.text
                history = await rt.observations.history(
                    ("covid19_community_cases", "gso-34:01", "2025-03-01")
                )
                assert len(history) == 1
                await wait_until(lambda: rt.hub.state.preset == "calibration")

                async def store_ok() -> bool:
                    health = (await client.get("/health")).json()
                    return bool(health["dependencies"]["store"]["status"] == "ok")

                await wait_until(store_ok, within=10, what="the store ok on /health")
    finally:
        primary.stop()


async def test_a_confirmation_is_about_the_server_that_holds_the_write(tmp_path: Path) -> None:
    """The WAIT counts for the server holding the write's ticket only: a server without it
    (the new primary of a switchover that never got the write, say) is no confirmation,
    however many replicas it has."""
    primary = RedisServer().start()
    try:
        with replica_of(primary, tmp_path):
            client = redis_client(primary.url)
            try:
                replication = Replication(replicas=1, wait_ms=500)
                ticket = replication.ticket("test:")
                assert ticket is not None and ticket.startswith("test:ack:")
                await client.set(ticket, 1, px=TICKET_TTL_MS)
                await replication.confirm(client, ticket)  # held, and on the replica
                with pytest.raises(NotReplicated, match="not on the server that is primary"):
                    await replication.confirm(client, ticket)  # taken back already
                with pytest.raises(NotReplicated, match="not on the server that is primary"):
                    await replication.confirm(client, replication.ticket("test:"))
                assert Replication(replicas=0).ticket("test:") is None
                await Replication(replicas=0).confirm(client, None)  # nothing to wait for
            finally:
                await client.aclose()
    finally:
        primary.stop()
