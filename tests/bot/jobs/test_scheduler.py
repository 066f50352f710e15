"""Periodic jobs stop cleanly: a job still running at shutdown finishes its work
instead of being cancelled half-way through a database call."""

from __future__ import annotations

import asyncio

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.jobs.scheduler import Jobs


async def test_a_running_job_finishes_before_the_scheduler_stops() -> None:
    started, outcomes = asyncio.Event(), []

    async def slow_job() -> None:
        started.set()
        try:
            await asyncio.sleep(0.2)
            outcomes.append("finished")
        except asyncio.CancelledError:
            outcomes.append("cancelled")
            raise

    jobs = Jobs(AsyncIOScheduler(timezone="UTC"))
    jobs.every(0.01, slow_job, "slow")
    jobs.scheduler.start()
    async with asyncio.timeout(5):
        await started.wait()
    await jobs.stop()
    assert outcomes == ["finished"]
    assert not jobs.scheduler.running
    await asyncio.sleep(0.05)
    assert outcomes == ["finished"]  # no run started after stop


async def test_a_job_that_fails_does_not_stop_the_others() -> None:
    runs = []

    async def failing() -> None:
        raise RuntimeError("boom")

    async def fine() -> None:
        runs.append(1)

    jobs = Jobs(AsyncIOScheduler(timezone="UTC"))
    jobs.every(0.01, failing, "failing")
    jobs.every(0.01, fine, "fine")
    jobs.scheduler.start()
    async with asyncio.timeout(5):
        while len(runs) < 3:  # noqa: ASYNC110 - waits for the scheduler's own runs
            await asyncio.sleep(0.01)
    await jobs.stop()
