"""Reads behind the alert listings and transcripts, and alert acknowledgement."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.alerts import Alert
from storage.engine import writer
from storage.tables import ALERTS, CONVERSATIONS, EVENTS, TURNS

_ALERT_COLUMNS = (ALERTS, CONVERSATIONS.c.external_id.label("conversation_id"))


@dataclass(frozen=True, slots=True)
class AlertFilter:
    """``GET /api/v1/alerts`` filters."""

    kind: str | None = None
    agent_id: str | None = None
    since: float | None = None
    conversation_pk: int | None = None
    #: Only these agents' alerts (a group leader's), when set.
    agent_ids: frozenset[str] | None = None


async def alerts(
    engine: AsyncEngine, filters: AlertFilter, *, after: tuple[float, int] | None, limit: int
) -> list[Alert]:
    """Alerts newest first (by ``at``, then id), after the cursor ``(at, id)``."""
    query = select(*_ALERT_COLUMNS).join(
        CONVERSATIONS, CONVERSATIONS.c.id == ALERTS.c.conversation_pk
    )
    if filters.kind:
        query = query.where(ALERTS.c.kind == filters.kind)
    if filters.agent_id:
        query = query.where(ALERTS.c.agent_id == filters.agent_id)
    if filters.since is not None:
        query = query.where(ALERTS.c.at >= filters.since)
    if filters.conversation_pk is not None:
        query = query.where(ALERTS.c.conversation_pk == filters.conversation_pk)
    if filters.agent_ids is not None:
        query = query.where(ALERTS.c.agent_id.in_(sorted(filters.agent_ids)))
    if after is not None:
        at, alert_id = after
        query = query.where(or_(ALERTS.c.at < at, and_(ALERTS.c.at == at, ALERTS.c.id < alert_id)))
    query = query.order_by(ALERTS.c.at.desc(), ALERTS.c.id.desc()).limit(limit)
    async with engine.connect() as conn:
        return [Alert.from_row(row) for row in await conn.execute(query)]


@dataclass(frozen=True, slots=True)
class Message:
    """A stored chat message (``pk`` is its event row's id)."""

    pk: int
    external_id: str
    sender_role: str | None
    sender_id: str | None
    sender_name: str | None
    text: str | None
    ts: float


@dataclass(frozen=True, slots=True)
class TurnRecord:
    """A customer turn as stored, open or ended, with its deadlines and outcome."""

    message_id: str
    started_at: float
    agent_id: str | None
    concurrency: int
    deadline_seconds: float
    warn_at: float
    due_at: float
    unanswered_at: float
    ended_at: float | None
    end_reason: str | None
    reply_message_id: str | None
    replied_by: str | None
    response_seconds: float | None


_MESSAGE_COLUMNS = [EVENTS.c[name] for name in Message.__dataclass_fields__ if name != "pk"]
_TURN_COLUMNS = [TURNS.c[name] for name in TurnRecord.__dataclass_fields__]


async def transcript(
    engine: AsyncEngine, conversation_pk: int
) -> tuple[list[Message], list[TurnRecord]]:
    """The conversation's messages (in event time) and its turns (in start time)."""
    messages = (
        select(EVENTS.c.id, *_MESSAGE_COLUMNS)
        .where(EVENTS.c.conversation_pk == conversation_pk, EVENTS.c.type == "message")
        .order_by(EVENTS.c.ts, EVENTS.c.id)
    )
    turns = (
        select(*_TURN_COLUMNS)
        .where(TURNS.c.conversation_pk == conversation_pk)
        .order_by(TURNS.c.started_at, TURNS.c.id)
    )
    async with engine.connect() as conn:
        found = [Message(*row) for row in await conn.execute(messages)]
        return found, [TurnRecord(*row) for row in await conn.execute(turns)]


async def alert(engine: AsyncEngine, alert_id: int) -> Alert | None:
    """One alert, or None."""
    query = (
        select(*_ALERT_COLUMNS)
        .join(CONVERSATIONS, CONVERSATIONS.c.id == ALERTS.c.conversation_pk)
        .where(ALERTS.c.id == alert_id)
    )
    async with engine.connect() as conn:
        row = (await conn.execute(query)).first()
    return None if row is None else Alert.from_row(row)


async def acknowledge(
    engine: AsyncEngine, alert_id: int, by: str, now: float
) -> tuple[Alert, bool] | None:
    """A supervisor acknowledges an alert: the alert, and whether this was the first
    acknowledgement (a second one keeps the first's name and time). None: no such alert."""
    async with writer(engine).begin() as conn:
        first = await conn.execute(
            update(ALERTS)
            .where(ALERTS.c.id == alert_id, ALERTS.c.acknowledged_at.is_(None))
            .values(acknowledged_by=by, acknowledged_at=now)
        )
        row = (
            await conn.execute(
                select(*_ALERT_COLUMNS)
                .join(CONVERSATIONS, CONVERSATIONS.c.id == ALERTS.c.conversation_pk)
                .where(ALERTS.c.id == alert_id)
            )
        ).first()
    return None if row is None else (Alert.from_row(row), first.rowcount == 1)
