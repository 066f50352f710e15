"""The live sweep: every ``monitor.sweep_seconds``, alert the open turns whose next
threshold has passed.

Due turns are found through the ``next_due_at`` index, so a sweep's cost follows
the number of due turns, not of open ones. Exactly once: on PostgreSQL due rows
are locked with ``FOR UPDATE SKIP LOCKED`` so concurrent sweepers take different
turns, and in any case the alert insert itself is the claim
(``storage.alerts.record``): only the transaction that inserts an alert delivers it.
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import Connection, bindparam, func, select, update

from bot.metrics import Metrics
from bot.publisher import Publisher
from bot.settings import MonitorSettings
from monitors import rules
from storage import alerts as alert_store
from storage.alerts import AlertRecord, Located
from storage.turns import CONVERSATIONS, TURNS, tracked_from_row
from storage.writer import GroupWriter

log = logging.getLogger(__name__)
BATCH = 1000


def next_due(conn: Connection) -> float | None:
    """When the earliest open turn's next threshold comes (through the index)."""
    value = conn.execute(select(func.min(TURNS.c.next_due_at))).scalar()
    return None if value is None else float(value)


def sweep_and_peek(
    conn: Connection, settings: MonitorSettings, now: float
) -> tuple[list[AlertRecord], float | None]:
    """:func:`sweep`, then when the next threshold comes."""
    return sweep(conn, settings, now), next_due(conn)


def sweep(conn: Connection, settings: MonitorSettings, now: float) -> list[AlertRecord]:
    """Record the alerts due at ``now``; the newly recorded ones come back."""
    query = (
        select(TURNS, CONVERSATIONS.c.assignee_id, CONVERSATIONS.c.external_id)
        .join(CONVERSATIONS, CONVERSATIONS.c.id == TURNS.c.conversation_pk)
        .where(TURNS.c.next_due_at <= now, TURNS.c.ended_at.is_(None))
        .order_by(TURNS.c.next_due_at)
        .limit(BATCH)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=TURNS, skip_locked=True)
    located: list[Located] = []
    changes = []
    for row in conn.execute(query).all():
        tracked = tracked_from_row(row)
        drafts = rules.due_alerts(tracked.turn, now, tracked.fired, row.assignee_id)
        tracked.fired |= {d.kind for d in drafts}
        fields = tracked.row()
        changes.append(
            {
                "turn_pk": tracked.pk,
                "new_next_due_at": fields["next_due_at"],
                "new_warned": fields["warned"],
                "new_overdue": fields["overdue"],
                "new_unanswered": fields["unanswered"],
            }
        )
        located += [Located(d, row.conversation_pk, row.external_id, row.channel) for d in drafts]
    if changes:
        conn.execute(
            update(TURNS)
            .where(TURNS.c.id == bindparam("turn_pk"))
            .values(
                next_due_at=bindparam("new_next_due_at"),
                warned=bindparam("new_warned"),
                overdue=bindparam("new_overdue"),
                unanswered=bindparam("new_unanswered"),
            ),
            changes,
        )
    return alert_store.record(conn, located, now)


class Sweeper:
    """Sweeps on time and delivers what it recorded.

    The scheduler runs :meth:`tick` every ``monitor.sweep_seconds`` as a backstop
    (turns started by other processes); besides, the sweeper sets itself an alarm
    for the earliest threshold it knows of, from its last sweep and from the turns
    this process starts (:meth:`expect`), so an alert goes out as its threshold
    passes rather than up to a whole interval later.
    """

    def __init__(
        self,
        writer: GroupWriter,
        publisher: Publisher,
        settings: MonitorSettings,
        metrics: Metrics,
    ) -> None:
        self._writer = writer
        self._publisher = publisher
        self._settings = settings
        self._metrics = metrics
        self._lock = asyncio.Lock()
        self._alarm: asyncio.TimerHandle | None = None
        self._alarm_at = float("inf")
        self._tasks: set[asyncio.Task[int]] = set()
        self._stopped = False

    def expect(self, due: float | None) -> None:
        """Make sure a sweep runs at ``due`` (epoch seconds)."""
        if due is None or self._stopped or due >= self._alarm_at:
            return
        if self._alarm is not None:
            self._alarm.cancel()
        self._alarm_at = due
        delay = max(0.0, due - time.time())
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
                records, upcoming = await self._writer.call(
                    sweep_and_peek, self._settings, time.time()
                )
            except Exception:
                log.exception("sweep failed; due alerts stay due for the next one")
                return 0
            for record in records:
                self._metrics.alerts.labels(record.kind.value).inc()
            await self._publisher.alerts(records)
            self._metrics.sweep_seconds.observe(time.perf_counter() - started)
        self.expect(time.time() if len(records) >= BATCH else upcoming)
        return len(records)

    async def stop(self) -> None:
        """No more alarms; let a running sweep finish."""
        self._stopped = True
        if self._alarm is not None:
            self._alarm.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=10)
