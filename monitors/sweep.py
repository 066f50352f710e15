"""The live sweep: every ``monitor.sweep_seconds``, alert the open turns whose next
threshold has passed.

Due turns are found through the ``next_due_at`` index, so a sweep's cost follows
the number of due turns, not of open ones. Exactly once: on PostgreSQL due rows
are locked with ``FOR UPDATE SKIP LOCKED`` so concurrent sweepers take different
turns, and in any case the alert insert itself is the claim
(``storage.alerts.record``): only the transaction that inserts an alert delivers it.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import Connection, bindparam, select, update

from bot.publisher import Publisher
from bot.settings import MonitorSettings
from monitors import rules
from storage import alerts as alert_store
from storage.alerts import AlertRecord, Located
from storage.turns import CONVERSATIONS, TURNS, tracked_from_row
from storage.writer import GroupWriter

log = logging.getLogger(__name__)
BATCH = 1000


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
    """The scheduler's job: sweep, then deliver what the sweep recorded."""

    def __init__(
        self, writer: GroupWriter, publisher: Publisher, settings: MonitorSettings
    ) -> None:
        self._writer = writer
        self._publisher = publisher
        self._settings = settings

    async def tick(self) -> int:
        """One sweep; the number of alerts delivered."""
        try:
            records = await self._writer.call(sweep, self._settings, time.time())
        except Exception:
            log.exception("sweep failed; due alerts stay due for the next one")
            return 0
        for record in records:
            try:
                await self._publisher.alert(record)
            except Exception:
                log.exception("could not deliver alert %s", record.id)
        return len(records)
