"""Ending background tasks (command_center/tasks.py)."""

from __future__ import annotations

import asyncio

from command_center.tasks import cancel_all


async def test_a_task_that_lost_its_cancellation_is_cancelled_again() -> None:
    lost = asyncio.Event()

    async def loop_around_a_forgetful_client() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            lost.set()  # what redis-py's retry does to a cancelled command: it goes on
        for _ in range(6000):  # a loop of ticks that would go on for a minute
            await asyncio.sleep(0.01)

    task = asyncio.create_task(loop_around_a_forgetful_client())
    await asyncio.sleep(0)
    await cancel_all([task])
    assert lost.is_set() and task.cancelled()


async def test_an_error_a_task_ended_with_is_raised() -> None:
    async def fails() -> None:
        raise ValueError("bad")

    task = asyncio.create_task(fails())
    await asyncio.sleep(0)
    try:
        await cancel_all([task])
    except ValueError as exc:
        assert str(exc) == "bad"
    else:
        raise AssertionError("the task's error was lost")
