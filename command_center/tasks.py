"""Ending background tasks: every long-lived loop of the wall (feeds, maps, retention, loop
lag) is cancelled and awaited the same way when its owner closes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any


async def cancel_all(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel every task, then wait for each to end (its own cancellation swallowed)."""
    tasks = list(tasks)
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


def stop_if_cancelled() -> None:
    """Inside ``except Exception`` of a loop that logs and goes on: stop if this task was
    cancelled meanwhile. A library may surface a cancellation as an ordinary error (redis-py
    turns one inside a command into ConnectionError), and a loop that logged it and went
    back to waiting on the bus would never end: a closing runtime waited on it for ever."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
