"""Ending background tasks (command_center/tasks.py)."""

from __future__ import annotations

import asyncio
import contextlib

from command_center.tasks import cancel_all, end


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


async def test_end_waits_out_a_forgetful_task_without_raising_its_outcome() -> None:
    """What the Redis bus does to its pump: the pump's error is its own business."""

    async def forgets_then_fails() -> None:
        with contextlib.suppress(asyncio.CancelledError):  # lost, as redis-py's retry loses it
            await asyncio.sleep(60)
        await asyncio.sleep(60)
        raise AssertionError("not reached: cancelled again")

    task = asyncio.create_task(forgets_then_fails())
    await asyncio.sleep(0)
    await end(task)
    assert task.cancelled()


async def test_end_does_not_swallow_the_callers_cancellation() -> None:
    stop = asyncio.Event()

    async def forgetful() -> None:
        while not stop.is_set():
            with contextlib.suppress(asyncio.CancelledError):  # ends when the test says so
                await asyncio.sleep(0.01)

    task = asyncio.create_task(forgetful())
    ender = asyncio.create_task(end(task))
    await asyncio.sleep(0.05)
    ender.cancel()
    try:
        await ender
    except asyncio.CancelledError:
        pass
    else:
        raise AssertionError("the caller's cancellation was swallowed")
    finally:
        stop.set()
        await task
