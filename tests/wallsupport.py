"""Helpers shared by the integration and browser tests: a real wall server, polling waits."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import websockets

from command_center.auth import Role
from command_center.protocol import DataMessage, Message
from command_center.server.runtime import WallRuntime, open_runtime
from command_center.settings import Settings
from feeds.ingest import validate_batch
from feeds.loader import FeedsSpec
from feeds.observation_store import ObservationStore
from layouts import LAYOUTS_DIR

WALL_2X2 = LAYOUTS_DIR / "walls" / "wall-2x2.yaml"


async def wait_until(
    predicate: Callable[[], Any] | Callable[[], Awaitable[Any]],
    within: float = 10.0,
    interval: float = 0.02,
    what: str = "condition",
) -> Any:
    """Poll until ``predicate`` is truthy; fail with ``what`` after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(interval)


def settings_for(data_dir: Path, **overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": 0,
        "data_dir": data_dir,
        "wall_file": WALL_2X2,
        "open_browser": False,
    }
    base.update(overrides)
    return Settings(**base)


@contextlib.asynccontextmanager
async def running_wall(data_dir: Path, **overrides: Any) -> AsyncIterator[WallRuntime]:
    async with open_runtime(settings_for(data_dir, **overrides)) as rt:
        yield rt


def password_of(rt: WallRuntime, role: Role) -> tuple[str, str]:
    for name, password, r in rt.new_users:
        if r == role:
            return name, password
    raise AssertionError(f"no bootstrap user with role {role}")


async def login(client: httpx.AsyncClient, rt: WallRuntime, role: Role) -> dict[str, str]:
    name, password = password_of(rt, role)
    r = await client.post("/api/v1/sessions", json={"username": name, "password": password})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def device_token(rt: WallRuntime, kind: str, ident: str) -> str:
    """The current token of a screen, bridge point or agency of a server in this process."""
    return rt.keys.devices.issue(kind, ident)


def agency_auth(rt: WallRuntime, agency: str) -> dict[str, str]:
    """The Authorization header of an agency of a server in this process."""
    return {"Authorization": f"Bearer {agency}:{device_token(rt, 'agency', agency)}"}


def screen_token(rt: WallRuntime, screen: str) -> str:
    return device_token(rt, "screen", screen)


class ScreenClient:
    """A test screen speaking the real protocol over a real WebSocket."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    async def send(self, **message: Any) -> None:
        await self.ws.send(json.dumps(message))

    async def recv(self, type_: str | None = None, within: float = 5.0) -> dict[str, Any]:
        """The next message (of ``type_``, skipping others)."""
        deadline = time.monotonic() + within
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no '{type_}' message within {within} s")
            raw = await asyncio.wait_for(self.ws.recv(), left)
            message: dict[str, Any] = json.loads(raw)
            if type_ is None or message["type"] == type_:
                return message


@contextlib.asynccontextmanager
async def screen_client(
    rt: WallRuntime, screen: str, token: str | None = None, hello: bool = True
) -> AsyncIterator[ScreenClient]:
    url = f"ws://127.0.0.1:{rt.port}/ws/screen"
    async with websockets.connect(url, origin=f"http://127.0.0.1:{rt.port}") as ws:  # type: ignore[arg-type]
        client = ScreenClient(ws)
        if hello:
            await client.send(type="hello", screen=screen, token=token or screen_token(rt, screen))
        yield client


@dataclass
class RecordingLink:
    """A stand-in for a screen's WebSocket in hub tests: records what the hub sends."""

    screen: str
    preview: bool = False
    busy: bool = False
    sent: list[Message] = field(default_factory=list)

    def send(self, message: Message) -> None:
        self.sent.append(message)

    def close(self, code: int | None = None, reason: str | None = None) -> None:
        pass

    def data(self) -> list[DataMessage]:
        return [m for m in self.sent if isinstance(m, DataMessage)]


class StoringSink:
    """What the runtime gives an adapter, without the bus: validate as the push API does,
    then store. Records each call (agency, rows, source)."""

    def __init__(
        self, clock: Callable[[], datetime], store: ObservationStore, feeds: FeedsSpec
    ) -> None:
        self.clock = clock
        self.store = store
        self.feeds = feeds
        self.calls: list[tuple[str, int, str]] = []

    async def __call__(self, agency: str, rows: list[Any], source: str) -> None:
        self.calls.append((agency, len(rows), source))
        reporter = self.feeds.reporter(agency)
        await self.store.append(validate_batch(rows, self.feeds.catalogue, reporter, self.clock()))


async def metric(url: str, name: str, **labels: str) -> float:
    """One sample of a /metrics page (``--metrics-bind``), read with Prometheus' own parser."""
    from prometheus_client.parser import text_string_to_metric_families

    async with httpx.AsyncClient(timeout=30) as client:
        text = (await client.get(url)).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    raise AssertionError(f"{name}{labels} not in {url}")
