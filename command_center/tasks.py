"""Ending background tasks: every long-lived loop of the wall (feeds, maps, retention, loop
lag) is cancelled and awaited the same way when its owner closes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any

CANCEL_AGAIN_S = 0.5


async def cancel_all(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel every task, then wait for each to end (its own cancellation swallowed). A task
    still running after ``CANCEL_AGAIN_S`` is cancelled again: a library can lose a
    cancellation outright (redis-py turns one inside a command into ConnectionError, and its
    retry then runs the command again and returns), and the loop around it goes back to
    sleep; a closing runtime waited on such a task for ever."""
    tasks = list(tasks)
    for task in tasks:
        task.cancel()
    for task in tasks:
        await end(task)
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def end(task: asyncio.Task[Any]) -> None:
    """Cancel ``task`` and wait until it has ended, cancelling it again every
    ``CANCEL_AGAIN_S`` (see ``cancel_all``); its outcome is neither raised nor retrieved
    here, and a cancellation of the caller is not swallowed."""
    task.cancel()
    while not task.done():
        await asyncio.wait({task}, timeout=CANCEL_AGAIN_S)
        if not task.done():
            task.cancel()


def stop_if_cancelled() -> None:
    """Inside ``except Exception`` of a loop that logs and goes on: stop if this task was
    cancelled meanwhile. A library may surface a cancellation as an ordinary error (redis-py
    turns one inside a command into ConnectionError), and a loop that logged it and went
    back to waiting on the bus would never end: a closing runtime waited on it for ever."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def wait_for_event(event: asyncio.Event, seconds: float) -> bool:
    """Wait until ``event`` is set or ``seconds`` pass; whether it was set. Not
    ``asyncio.wait_for``: on Python 3.11 a cancellation arriving as the event fires is lost
    there (the loop around it then waits for ever, and a stopping server with it);
    ``asyncio.timeout`` tells its own timeout from a cancellation."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True
