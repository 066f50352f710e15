"""Leased outbox rows, shared by the reply outbox (:mod:`storage.deliveries`) and the
alert sinks (:mod:`storage.sinks`): a row is due when it is pending and its next
attempt has come, or when it is being sent under a lease that lapsed (its sender died).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, Table, and_, or_, select

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


def due(table: Table, now: float) -> Any:
    """Rows of ``table`` that may be claimed at ``now``."""
    return or_(
        and_(table.c.state == PENDING, table.c.next_attempt_at <= now),
        and_(table.c.state == SENDING, table.c.lease_until < now),
    )


def candidates(conn: Connection, ids: Select[Any]) -> Any:
    """The ids of ``ids`` (a limited query of due rows) as a subquery to claim them by.

    On PostgreSQL concurrent claimers take different rows instead of queueing for the
    same ones; materialized, so that the LIMIT holds (a rescanned SKIP LOCKED subquery
    would return other rows each time). The claiming UPDATE checks the row is still due,
    so a concurrent claimer loses."""
    if conn.dialect.name == "postgresql":
        picked = ids.with_for_update(skip_locked=True).cte("picked").prefix_with("MATERIALIZED")
        return select(picked.c.id).scalar_subquery()
    return ids.scalar_subquery()
