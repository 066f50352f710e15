"""Durable alert deliveries to the sinks (group-chat robots and webhooks).

:func:`storage.alerts.record` writes an ``alert_outbox`` row with every new alert,
in the alert's own transaction. :func:`fan_out` turns outbox rows into one
``sink_deliveries`` row per sink that wants the alert's kind (unique per sink and
alert, so two processes fanning out at once make each row once) and deletes them.
:func:`claim` leases a sink's due rows as one ``UPDATE ... RETURNING``; the relay
sends them and records :func:`sent`, :func:`retry` or :func:`failed`. A process that
dies mid-send leaves a lease that runs out, and another process sends again: a sink
gets every alert at least once (webhooks carry a stable delivery id to drop repeats).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.alerts import Alert
from storage.leases import FAILED, PENDING, SENDING, SENT, candidates, due
from storage.tables import ALERT_OUTBOX, ALERTS, CONVERSATIONS, SINK_DELIVERIES

FAN_OUT_BATCH = 500


@dataclass(frozen=True, slots=True)
class Route:
    """A sink's name and the alert kinds it takes."""

    sink: str
    kinds: frozenset[str]


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery this process holds the lease on, with its alert."""

    pk: int
    attempts: int
    alert: Alert


def fan_out(conn: Connection, routes: Sequence[Route], now: float) -> int:
    """Hand up to a batch of outbox alerts to the sinks that want them; how many were
    taken off the outbox."""
    rows = conn.execute(
        select(ALERT_OUTBOX.c.alert_id, ALERTS.c.kind)
        .join(ALERTS, ALERTS.c.id == ALERT_OUTBOX.c.alert_id)
        .order_by(ALERT_OUTBOX.c.alert_id)
        .limit(FAN_OUT_BATCH)
    ).all()
    if not rows:
        return 0
    made = [
        {
            "sink": route.sink,
            "alert_id": row.alert_id,
            "state": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for row in rows
        for route in routes
        if row.kind in route.kinds
    ]
    if made:
        module = postgresql if conn.dialect.name == "postgresql" else sqlite
        insert = module.insert(SINK_DELIVERIES).on_conflict_do_nothing(
            index_elements=["sink", "alert_id"]
        )
        conn.execute(insert, made)
    taken = [r.alert_id for r in rows]
    conn.execute(delete(ALERT_OUTBOX).where(ALERT_OUTBOX.c.alert_id.in_(taken)))
    return len(rows)


def claim(
    conn: Connection, sink: str, now: float, lease: float, merge_seconds: float, limit: int
) -> list[Claimed]:
    """Lease up to ``limit`` due deliveries of ``sink``, oldest first. With
    ``merge_seconds``, nothing is taken until the oldest due one has waited that long,
    so a burst goes out as one message."""
    mine = and_(SINK_DELIVERIES.c.sink == sink, due(SINK_DELIVERIES, now))
    if merge_seconds > 0:
        oldest = conn.execute(select(func.min(SINK_DELIVERIES.c.created_at)).where(mine)).scalar()
        if oldest is None or oldest > now - merge_seconds:
            return []
    ready = select(SINK_DELIVERIES.c.id).where(mine).order_by(SINK_DELIVERIES.c.id).limit(limit)
    claimed = conn.execute(
        update(SINK_DELIVERIES)
        .where(SINK_DELIVERIES.c.id.in_(candidates(conn, ready)), due(SINK_DELIVERIES, now))
        .values(state=SENDING, lease_until=now + lease, attempts=SINK_DELIVERIES.c.attempts + 1)
        .returning(SINK_DELIVERIES.c.id, SINK_DELIVERIES.c.alert_id, SINK_DELIVERIES.c.attempts)
    ).all()
    if not claimed:
        return []
    by_alert = {row.alert_id: (row.id, row.attempts) for row in claimed}
    alerts = conn.execute(
        select(ALERTS, CONVERSATIONS.c.external_id.label("conversation_id"))
        .join(CONVERSATIONS, CONVERSATIONS.c.id == ALERTS.c.conversation_pk)
        .where(ALERTS.c.id.in_(list(by_alert)))
        .order_by(ALERTS.c.id)
    ).all()
    return [Claimed(*by_alert[row.id], Alert.from_row(row)) for row in alerts]


def _finish(conn: Connection, pks: Sequence[int], **values: Any) -> None:
    conn.execute(
        update(SINK_DELIVERIES)
        .where(SINK_DELIVERIES.c.id.in_(list(pks)))
        .values(lease_until=None, **values)
    )


def sent(conn: Connection, pks: Sequence[int], now: float) -> None:
    """The sink accepted these deliveries."""
    _finish(conn, pks, state=SENT, sent_at=now, last_error=None)


def retry(conn: Connection, pks: Sequence[int], reason: str, at: float) -> None:
    """Try these again at ``at``."""
    _finish(conn, pks, state=PENDING, next_attempt_at=at, last_error=reason[:500])


def failed(conn: Connection, pks: Sequence[int], reason: str) -> None:
    """Give up on these deliveries (the alerts stay listed in the API)."""
    _finish(conn, pks, state=FAILED, last_error=reason[:500])
