"""The live sweep's timing: sweep when the earliest known threshold passes, and every
``monitor.sweep_seconds`` as a backstop; what a sweep records goes out through the
one alert path (:class:`bot.delivery.alerts.AlertDispatch`)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.delivery.alerts import AlertDispatch
from bot.logs import Incident
from bot.metrics import Metrics
from monitors.escalation import Roster
from monitors.rules import Thresholds
from storage.ingest import Stored
from storage.sweep import BATCH, sweep_and_peek
from storage.writer import GroupWriter

log = logging.getLogger(__name__)


class Sweeper:
    """Sweeps on time and delivers what it recorded.

    The scheduler runs :meth:`tick` every ``monitor.sweep_seconds`` as a backstop
    (turns started by other processes); besides, the sweeper sets itself an alarm
    for the earliest threshold it knows of, from its last sweep and from the turns
    this process starts (:meth:`wake_at`), so an alert goes out as its threshold
    passes rather than up to a whole interval later.
    """

    def __init__(
        self,
        writer: GroupWriter,
        alerts: AlertDispatch,
        metrics: Metrics,
        rules: Thresholds,
        roster: Roster | None = None,
    ) -> None:
        self._rules = rules
        self._roster = roster or Roster()
        self._announce: Callable[[list[Stored]], Awaitable[None]] | None = None
        self._writer = writer
        self._alerts = alerts
        self._metrics = metrics
        self._lock = asyncio.Lock()
        self._alarm: asyncio.TimerHandle | None = None
        self._alarm_at = float("inf")
        self._tasks: set[asyncio.Task[int]] = set()
        self._stopped = False
        self._incident = Incident(log, "the sweep")

    def on_assigned(self, announce: Callable[[list[Stored]], Awaitable[None]]) -> None:
        """Where escalations' assignment events go to be pushed (the pipeline's notices)."""
        self._announce = announce

    def wake_at(self, due_at: float | None) -> None:
        """Make sure a sweep runs at ``due_at`` (epoch seconds)."""
        if due_at is None or self._stopped or due_at >= self._alarm_at:
            return
        if self._alarm is not None:
            self._alarm.cancel()
        self._alarm_at = due_at
        delay = max(0.0, due_at - time.time())
        self._alarm = asyncio.get_running_loop().call_later(delay, self._ring)

    def _ring(self) -> None:
        self._alarm, self._alarm_at = None, float("inf")
        if not self._stopped:
            task = asyncio.get_running_loop().create_task(self.tick())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def tick(self) -> int:
        """One sweep; the number of alerts delivered."""
        async with self._lock:
            started = time.perf_counter()
            try:
                swept = await self._writer.call(
                    sweep_and_peek, time.time(), self._rules, self._roster
                )
            except Exception as exc:
                self._incident.failed(exc)  # due alerts stay due for the next sweep
                return 0
            self._incident.ok()
            alerts, upcoming = swept.alerts, swept.upcoming
            if swept.assigned and self._announce is not None:
                await self._announce(swept.assigned)
            await self._alerts.deliver(alerts)
            self._metrics.sweep_seconds.observe(time.perf_counter() - started)
        self.wake_at(time.time() if len(alerts) >= BATCH else upcoming)
        return len(alerts)

    async def stop(self) -> None:
        """No more alarms; let a running sweep finish."""
        self._stopped = True
        if self._alarm is not None:
            self._alarm.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=10)


#: The monitor's sweep (the scheduler runs it; escalations are announced through it).
SWEEPER = web.AppKey("sweeper", Sweeper)
