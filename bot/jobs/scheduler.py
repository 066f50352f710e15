"""Periodic jobs that stop cleanly.

APScheduler's asyncio executor cancels running job tasks at shutdown. A job
cancelled in the middle of a database call can leave the driver's connection
half closed (seen with aiosqlite: the loop then never finishes closing), so the
app stops jobs the other way round: no new runs, then wait for the running ones
to finish on their own, then shut the scheduler down.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger


class Jobs:
    """Periodic coroutine jobs on an APScheduler scheduler, tracked while they run."""

    def __init__(self, scheduler: AsyncIOScheduler) -> None:
        self.scheduler = scheduler
        self._running: set[asyncio.Task[Any]] = set()

    def every(
        self, seconds: float, job: Callable[[], Awaitable[Any]], name: str, **options: Any
    ) -> None:
        """Run ``job`` every ``seconds`` (never two runs of it at once)."""
        self.scheduler.add_job(
            self._tracked(job),
            "interval",
            seconds=seconds,
            id=name,
            name=name,
            max_instances=1,
            coalesce=True,
            **options,
        )

    def cron(self, trigger: CronTrigger, job: Callable[[], Awaitable[Any]], name: str) -> None:
        """Run ``job`` on a cron schedule; a run missed while the service was down is made
        up at start if within an hour, and missed runs are coalesced into one."""
        self.scheduler.add_job(
            self._tracked(job),
            trigger,
            id=name,
            name=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,
        )

    def _tracked(self, job: Callable[[], Awaitable[Any]]) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            task = asyncio.current_task()
            assert task is not None
            self._running.add(task)
            try:
                await job()
            finally:
                self._running.discard(task)

        return run

    async def stop(self, grace: float = 10.0) -> None:
        """Stop starting jobs, let running ones finish (up to ``grace`` seconds), shut down."""
        if not self.scheduler.running:
            return
        self.scheduler.pause()
        if self._running:
            await asyncio.wait(set(self._running), timeout=grace)
        self.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # APScheduler runs the shutdown itself on the loop's next turn
