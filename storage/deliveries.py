"""The delivery outbox: agent replies waiting to go out through their IM channel.

A row is written in the same transaction as the reply it sends (so a stored reply
is never lost), then claimed with a lease by whichever process sends it: the claim
is one ``UPDATE ... RETURNING`` that re-checks the row's state, so two processes
never send the same reply at once, and a process that dies mid-send leaves a lease
that runs out and lets another take over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from monitors.rules import AlertDraft, AlertKind
from storage import alerts
from storage.alerts import Alert, Located
from storage.leases import FAILED, PENDING, SENDING, SENT, candidates, due
from storage.tables import CONVERSATIONS, DELIVERIES, EVENTS


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery this process now holds the lease on, with what sending needs."""

    pk: int
    channel: str
    attempts: int
    conversation_pk: int
    conversation_id: str
    message_id: str
    agent_id: str | None
    text: str
    #: Why ReplyWatch sent it, for automatic messages (``csat.survey``: the survey).
    reason: str | None = None


def enqueue(conn: Connection, replies: Sequence[tuple[int, str]], now: float) -> None:
    """Queue ``(event row id, channel)`` replies for sending (inside the caller's
    transaction)."""
    conn.execute(
        DELIVERIES.insert(),
        [
            {
                "event_pk": event_pk,
                "channel": channel,
                "state": PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for event_pk, channel in replies
        ],
    )


def claim(
    conn: Connection, channels: Sequence[str], now: float, lease: float, limit: int = 50
) -> list[Claimed]:
    """Take up to ``limit`` due deliveries of ``channels`` (pending and due, or sending
    with a lapsed lease)."""
    ready = (
        select(DELIVERIES.c.id)
        .where(due(DELIVERIES, now), DELIVERIES.c.channel.in_(channels))
        .order_by(DELIVERIES.c.next_attempt_at)
        .limit(limit)
    )
    claimed = conn.execute(
        update(DELIVERIES)
        .where(DELIVERIES.c.id.in_(candidates(conn, ready)), due(DELIVERIES, now))
        .values(
            state=SENDING,
            lease_until=now + lease,
            attempts=DELIVERIES.c.attempts + 1,
            updated_at=now,
        )
        .returning(DELIVERIES.c.id, DELIVERIES.c.event_pk, DELIVERIES.c.attempts)
    ).all()
    if not claimed:
        return []
    attempts = {row.event_pk: (row.id, row.attempts) for row in claimed}
    rows = conn.execute(
        select(
            EVENTS.c.id,
            EVENTS.c.channel,
            EVENTS.c.external_id,
            EVENTS.c.sender_id,
            EVENTS.c.text,
            EVENTS.c.reason,
            EVENTS.c.conversation_pk,
            CONVERSATIONS.c.external_id.label("conversation_id"),
        )
        .join(CONVERSATIONS, CONVERSATIONS.c.id == EVENTS.c.conversation_pk)
        .where(EVENTS.c.id.in_(list(attempts)))
    ).all()
    return [
        Claimed(
            pk=attempts[r.id][0],
            channel=r.channel,
            attempts=attempts[r.id][1],
            conversation_pk=r.conversation_pk,
            conversation_id=r.conversation_id,
            message_id=r.external_id,
            agent_id=r.sender_id,
            text=r.text or "",
            reason=r.reason,
        )
        for r in rows
    ]


def _finish(conn: Connection, pk: int, now: float, **values: Any) -> None:
    conn.execute(
        update(DELIVERIES)
        .where(DELIVERIES.c.id == pk)
        .values(lease_until=None, updated_at=now, **values)
    )


def sent(conn: Connection, pk: int, remote_id: str | None, now: float) -> None:
    """The platform accepted the reply."""
    _finish(conn, pk, now, state=SENT, remote_id=remote_id, last_error=None)


def retry(conn: Connection, pk: int, reason: str, at: float, now: float) -> None:
    """The attempt failed in a way worth retrying at ``at``."""
    _finish(conn, pk, now, state=PENDING, last_error=reason, next_attempt_at=at)


def failed(conn: Connection, delivery: Claimed, reason: str, now: float) -> list[Alert]:
    """Give up: the reply stays stored, marked failed, and its author is alerted."""
    _finish(conn, delivery.pk, now, state=FAILED, last_error=reason)
    draft = AlertDraft(
        AlertKind.DELIVERY_FAILED, delivery.message_id, delivery.agent_id, None, None, now
    )
    located = Located(draft, delivery.conversation_pk, delivery.conversation_id, delivery.channel)
    return alerts.record(conn, [located], now)


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """How far sending an agent's reply out through its channel got."""

    state: str
    attempts: int
    error: str | None
    remote_id: str | None


async def of_events(engine: AsyncEngine, event_pks: Sequence[int]) -> dict[int, DeliveryStatus]:
    """Delivery state of these messages (those that were sent out), by event row id."""
    if not event_pks:
        return {}
    query = select(
        DELIVERIES.c.event_pk,
        DELIVERIES.c.state,
        DELIVERIES.c.attempts,
        DELIVERIES.c.last_error,
        DELIVERIES.c.remote_id,
    ).where(DELIVERIES.c.event_pk.in_(list(event_pks)))
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return {pk: DeliveryStatus(*status) for pk, *status in rows}
