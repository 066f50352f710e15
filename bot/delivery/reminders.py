"""Merged overdue reminders: at most one popup per agent per window, not one per message.

When several of an agent's customers pass their deadline close together, the agent
gets the first overdue alert at once and the ones that follow within
``alerts.merge_overdue_seconds`` together, when that window ends, as one ``alert``
(the longest-waiting one) carrying all of them in ``merged``. Only the agent's
popup is merged: every alert keeps its own row, and supervisors and webhooks get
each one. A held reminder whose turn the agent answers in the meantime is dropped.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from storage.alerts import Alert

log = logging.getLogger(__name__)
Show = Callable[[str, list[Alert]], Awaitable[None]]
TurnKey = tuple[str, str, str]


def turn_key(record: Alert) -> TurnKey:
    """The turn an alert belongs to: (channel, conversation id, first message id)."""
    return (record.channel, record.conversation_id, record.message_id)


class OverdueMerger:
    """Shows an agent's overdue alerts at once when the agent's window is free, else
    holds them until it ends and shows them together."""

    def __init__(
        self, window: float, show: Show, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._window = window
        self._show = show
        self._clock = clock
        self._last_shown: dict[str, float] = {}
        self._held: dict[str, list[Alert]] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def offer(self, agent_id: str, records: Sequence[Alert]) -> None:
        """One sweep's (or one commit's) overdue alerts for ``agent_id``."""
        if not records:
            return
        if self._window <= 0:
            for record in records:
                await self._show(agent_id, [record])
            return
        held = self._held.get(agent_id)
        if held is not None:
            held.extend(records)
            return
        now = self._clock()
        last = self._last_shown.get(agent_id)
        if last is None or now - last >= self._window:
            self._last_shown[agent_id] = now
            await self._show(agent_id, list(records))
            return
        self._held[agent_id] = list(records)
        loop = asyncio.get_running_loop()
        self._timers[agent_id] = loop.call_later(last + self._window - now, self._due, agent_id)

    def held(self, agent_id: str) -> list[Alert]:
        """The reminders waiting for ``agent_id``'s window to end."""
        return list(self._held.get(agent_id, ()))

    def discard(self, key: TurnKey) -> None:
        """Drop held reminders of a turn that has been answered."""
        for agent_id, held in list(self._held.items()):
            held[:] = [record for record in held if turn_key(record) != key]
            if not held:
                del self._held[agent_id]
                timer = self._timers.pop(agent_id, None)
                if timer is not None:
                    timer.cancel()

    def _due(self, agent_id: str) -> None:
        self._timers.pop(agent_id, None)
        records = self._held.pop(agent_id, None)
        if not records:
            return
        self._last_shown[agent_id] = self._clock()
        task = asyncio.get_running_loop().create_task(self._show_logged(agent_id, records))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _show_logged(self, agent_id: str, records: list[Alert]) -> None:
        try:
            await self._show(agent_id, records)
        except Exception:
            log.exception("could not show %d merged reminder(s) to %s", len(records), agent_id)

    async def close(self) -> None:
        """Stop the timers (held reminders stay listed as alert rows) and finish shows."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._held.clear()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=5)
