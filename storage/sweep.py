"""The live sweep's transaction: record the alerts of open turns whose next threshold
has passed.

Due turns are found through the ``next_due_at`` index, so a sweep's cost follows
the number of due turns, not of open ones. Exactly once: on PostgreSQL due rows
are locked with ``FOR UPDATE SKIP LOCKED`` so concurrent sweepers take different
turns, and in any case the alert insert itself is the claim
(:func:`storage.alerts.record`): only the transaction that inserts an alert delivers it.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, func, select, update

from monitors import rules
from monitors.hours import BusinessHours
from storage import alerts
from storage.alerts import Alert, Located
from storage.tables import CONVERSATIONS, TURNS
from storage.turns import tracked_from_row

#: Due turns taken per transaction; a full batch means more may be due.
BATCH = 1000


def earliest_due_at(conn: Connection) -> float | None:
    """When the earliest open turn's next threshold comes (through the index)."""
    value = conn.execute(select(func.min(TURNS.c.next_due_at))).scalar()
    return None if value is None else float(value)


def sweep_and_peek(
    conn: Connection, now: float, hours: BusinessHours | None = None
) -> tuple[list[Alert], float | None]:
    """:func:`sweep`, then when the next threshold comes."""
    return sweep(conn, now, hours), earliest_due_at(conn)


def sweep(conn: Connection, now: float, hours: BusinessHours | None = None) -> list[Alert]:
    """Record the alerts due at ``now`` (``waited_seconds`` in business time with
    ``hours``); the newly recorded ones come back."""
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
        drafts = rules.due_alerts(tracked.turn, now, tracked.fired, row.assignee_id, hours)
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
    return alerts.record(conn, located, now)
