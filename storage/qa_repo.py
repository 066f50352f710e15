"""Reads and the review write behind the QA queue, alert listings and transcripts."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

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
    if after is not None:
        at, alert_id = after
        query = query.where(or_(ALERTS.c.at < at, and_(ALERTS.c.at == at, ALERTS.c.id < alert_id)))
    query = query.order_by(ALERTS.c.at.desc(), ALERTS.c.id.desc()).limit(limit)
    async with engine.connect() as conn:
        return [Alert.from_row(row) for row in await conn.execute(query)]


def _flag_query() -> Any:
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
    conversation_pk: int | None = None


async def flags(
    engine: AsyncEngine,
    filters: FlagFilter = FlagFilter(),
    *,
    after: int | None = None,
    limit: int = 1000,
) -> list[Any]:
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
    if after is not None:
        query = query.where(FLAGS.c.id < after)
    async with engine.connect() as conn:
        return list((await conn.execute(query.order_by(FLAGS.c.id.desc()).limit(limit))).all())


async def flag(engine: AsyncEngine, flag_id: int) -> Any | None:
    """One flag, or None."""
    async with engine.connect() as conn:
        return (await conn.execute(_flag_query().where(FLAGS.c.id == flag_id))).first()


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


async def transcript(engine: AsyncEngine, conversation_pk: int) -> tuple[list[Any], list[Any]]:
    """The conversation's messages (in event time) and its turns."""
    messages = (
        select(EVENTS)
        .where(EVENTS.c.conversation_pk == conversation_pk, EVENTS.c.type == "message")
        .order_by(EVENTS.c.ts, EVENTS.c.id)
    )
    turns = select(TURNS).where(TURNS.c.conversation_pk == conversation_pk)
    async with engine.connect() as conn:
        return list((await conn.execute(messages)).all()), list((await conn.execute(turns)).all())
