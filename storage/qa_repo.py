"""Reads and the review write behind the QA queue, alert listings and transcripts."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from monitors.rules import AlertKind
from storage.alerts import Alert
from storage.engine import writer
from storage.tables import ALERTS, CONVERSATIONS, EVENTS, FLAGS, TURNS

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
class Review:
    """A QA reviewer's verdict on a flag."""

    verdict: str
    note: str | None
    points: float | None
    reviewer: str
    reviewed_at: float


@dataclass(frozen=True, slots=True)
class Flag:
    """A QA review item: the flagged alert, and its review once reviewed."""

    id: int
    status: str
    created_at: float
    alert: Alert
    review: Review | None

    @classmethod
    def from_row(cls, row: Any) -> Flag:
        """From a ``flags`` row joined by :func:`_flag_query`."""
        alert = Alert(
            id=row.alert_id,
            kind=AlertKind(row.kind),
            channel=row.channel,
            conversation_id=row.conversation_id,
            message_id=row.message_id,
            agent_id=row.agent_id,
            deadline_seconds=row.deadline_seconds,
            waited_seconds=row.waited_seconds,
            response_seconds=row.response_seconds,
            at=row.alert_at,
        )
        review = None
        if row.status == "reviewed":
            review = Review(row.verdict, row.note, row.points, row.reviewer, row.reviewed_at)
        return cls(row.id, row.status, row.created_at, alert, review)


def _flag_query() -> Select[Any]:
    return (
        select(
            FLAGS,
            ALERTS.c.kind,
            ALERTS.c.message_id,
            ALERTS.c.agent_id,
            ALERTS.c.channel,
            ALERTS.c.at.label("alert_at"),
            ALERTS.c.waited_seconds,
            ALERTS.c.response_seconds,
            ALERTS.c.deadline_seconds,
            CONVERSATIONS.c.external_id.label("conversation_id"),
        )
        .join(ALERTS, ALERTS.c.id == FLAGS.c.alert_id)
        .join(CONVERSATIONS, CONVERSATIONS.c.id == ALERTS.c.conversation_pk)
    )


@dataclass(frozen=True, slots=True)
class FlagFilter:
    """``GET /api/v1/flags`` filters; times bound the flagged alert's ``at``."""

    status: str | None = None
    kind: str | None = None
    agent_id: str | None = None
    since: float | None = None
    until: float | None = None
    #: Only these agents' flags (a group leader's), when set.
    agent_ids: frozenset[str] | None = None
    conversation_pk: int | None = None


async def flags(
    engine: AsyncEngine,
    filters: FlagFilter = FlagFilter(),
    *,
    after: int | None = None,
    limit: int = 1000,
) -> list[Flag]:
    """QA flags, newest first, after the flag id ``after``."""
    query = _flag_query()
    if filters.conversation_pk is not None:
        query = query.where(ALERTS.c.conversation_pk == filters.conversation_pk)
    if filters.status:
        query = query.where(FLAGS.c.status == filters.status)
    if filters.kind:
        query = query.where(ALERTS.c.kind == filters.kind)
    if filters.agent_id:
        query = query.where(ALERTS.c.agent_id == filters.agent_id)
    if filters.since is not None:
        query = query.where(ALERTS.c.at >= filters.since)
    if filters.until is not None:
        query = query.where(ALERTS.c.at < filters.until)
    if filters.agent_ids is not None:
        query = query.where(ALERTS.c.agent_id.in_(sorted(filters.agent_ids)))
    if after is not None:
        query = query.where(FLAGS.c.id < after)
    async with engine.connect() as conn:
        rows = await conn.execute(query.order_by(FLAGS.c.id.desc()).limit(limit))
        return [Flag.from_row(row) for row in rows]


async def flag(engine: AsyncEngine, flag_id: int) -> Flag | None:
    """One flag, or None."""
    async with engine.connect() as conn:
        row = (await conn.execute(_flag_query().where(FLAGS.c.id == flag_id))).first()
    return None if row is None else Flag.from_row(row)


async def review(
    engine: AsyncEngine,
    flag_id: int,
    *,
    verdict: str,
    note: str | None,
    points: float | None,
    reviewer: str,
) -> bool:
    """Review an open flag; False when it was already reviewed (or does not exist).

    One conditional UPDATE, so two reviewers racing cannot both succeed."""
    async with writer(engine).begin() as conn:
        result = await conn.execute(
            update(FLAGS)
            .where(FLAGS.c.id == flag_id, FLAGS.c.status == "open")
            .values(
                status="reviewed",
                verdict=verdict,
                note=note,
                points=points,
                reviewer=reviewer,
                reviewed_at=time.time(),
            )
        )
    return bool(result.rowcount)


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
