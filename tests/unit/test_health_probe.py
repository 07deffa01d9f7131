"""/health's store probe (issue 11): one bounded call however often /health is asked, a
full disk or an unreachable store reported as ``down`` with the reason, a slow one as
``degraded``."""

from __future__ import annotations

import asyncio
from pathlib import Path

from command_center.server.health import HealthMonitor, StoreProbe


async def test_many_health_requests_cost_one_probe_per_period() -> None:
    now = [0.0]
    calls = 0

    async def read() -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)

    probe = StoreProbe(read, ttl_s=1.0, clock=lambda: now[0])
    results = await asyncio.gather(*(probe.check() for _ in range(100)))
    assert calls == 1 and {r.status for r in results} == {"ok"}
    for _ in range(100):
        await probe.check()
    assert calls == 1
    now[0] = 1.5  # past the cache: one more
    await asyncio.gather(*(probe.check() for _ in range(10)))
    assert calls == 2 and probe.probes == 2


async def test_an_unreachable_store_is_down_with_the_reason() -> None:
    async def read() -> None:
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6390")

    result = await StoreProbe(read).check()
    assert result.status == "down" and "Error 111" in str(result.detail)


async def test_a_store_slower_than_the_bound_is_degraded() -> None:
    async def read() -> None:
        await asyncio.sleep(10)

    result = await StoreProbe(read, timeout_s=0.05).check()
    assert result.status == "degraded" and "0.05 s" in str(result.detail)


async def test_the_monitor_reports_each_dependency_and_the_worst(tmp_path: Path) -> None:
    async def read() -> None:
        return None

    bus = {"state": "reconnecting", "down_since": 1.5e12, "reconnects": 2}
    monitor = HealthMonitor(StoreProbe(read, tmp_path), lambda: bus, ice_down=lambda: [])
    status, deps = await monitor.report()
    assert status == "degraded"
    assert deps["store"] == {"status": "ok"} and deps["video"] == {"status": "ok"}
    assert deps["bus"]["status"] == "down" and deps["bus"]["since"] == 1.5e12
    bus.update(state="ok", down_since=None)
    assert (await monitor.report())[0] == "ok"
    monitor.stopping = True
    assert (await monitor.report())[0] == "down"
