"""A real wall (``running_wall``) on its own event loop in a thread, for synchronous callers:
schemathesis and hypothesis drive their examples from plain functions, while the wall's
servers need a running loop. Bound to 127.0.0.1, stopped (and its loop closed) on exit."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import requests
from wallsupport import password_of, settings_for

from command_center.auth import Principal, Role
from command_center.server.runtime import WallRuntime, open_runtime
from video.config import VideoConfig

T = TypeVar("T")
LOOPBACK = ("127.0.0.1",)
# Generated inputs per operation and role (schemathesis) or per property (hypothesis):
# a few in the normal test run (CI), many in `make fuzz`.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
LONG = EXAMPLES > 20


class ThreadWall:
    """``with ThreadWall(data_dir) as wall:`` a wall serving at ``wall.url`` meanwhile."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._rt: WallRuntime | None = None
        self._thread = threading.Thread(target=self._main, name="fuzz-wall", daemon=True)

    @property
    def rt(self) -> WallRuntime:
        assert self._rt is not None, "the wall is not running"
        return self._rt

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rt.port}"

    def __enter__(self) -> ThreadWall:
        self._thread.start()
        if not self._ready.wait(60):
            raise AssertionError("the wall did not start within 60 s")
        if self._failed is not None:
            raise AssertionError(f"the wall did not start: {self._failed!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported to the test thread, not lost in this one
            self._failed = exc
            self._ready.set()

    async def _serve(self) -> None:
        config = VideoConfig(host_addresses=LOOPBACK)
        async with open_runtime(settings_for(self.data_dir), video_config=config) as rt:
            self._rt, self._loop, self._stop = rt, asyncio.get_running_loop(), asyncio.Event()
            self._ready.set()
            await self._stop.wait()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the wall's loop and wait for its result."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(30)

    def login(self, role: Role) -> dict[str, str]:
        """A fresh console session of ``role`` as a Bearer header."""
        name, password = password_of(self.rt, role)
        r = requests.post(
            f"{self.url}/api/v1/sessions", json={"username": name, "password": password}, timeout=30
        )
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def session(self, role: Role) -> dict[str, str]:
        """A new session of ``role`` issued on the server itself: after the sign-in route's
        fuzzing this address is locked out (as it should be) and cannot sign in again."""
        name, _ = password_of(self.rt, role)
        assert self.rt.sessions is not None
        token = self.run(self.rt.sessions.issue(Principal(name, role), "127.0.0.1"))
        return {"Authorization": f"Bearer {token}"}

    def device(self, kind: str, ident: str) -> str:
        return self.rt.keys.devices.issue(kind, ident)
