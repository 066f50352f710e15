"""Satisfaction ratings (DESIGN.md section 12): the customer's answer to the survey is
recorded inside the ingest's transaction; KPIs and the assessment read them back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, case, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from monitors.events import ChatEvent, SenderRole
from monitors.kpi_rollup import credit
from monitors.kpis import Figures
from monitors.satisfaction import SATISFIED, SURVEY, parse_rating
from storage.engine import writer
from storage.state import ConversationState
from storage.tables import CONVERSATIONS, EVENTS, RATINGS


@dataclass(frozen=True, slots=True)
class Tally:
    """An agent's ratings over a period: how many, how many satisfied, the last one's time."""

    responses: int
    satisfied: int
    last_at: float


def _survey(conn: Connection, conversation_pk: int) -> Any:
    """The conversation's latest survey question (id, ts), if any."""
    query = (
        select(EVENTS.c.id, EVENTS.c.ts)
        .where(EVENTS.c.conversation_pk == conversation_pk, EVENTS.c.reason == SURVEY)
        .order_by(EVENTS.c.id.desc())
        .limit(1)
    )
    return conn.execute(query).first()


def _answered_before(conn: Connection, conversation_pk: int, survey_pk: int, event_pk: int) -> bool:
    """Whether the customer wrote between the survey and this message (then this one is
    not the survey's answer: only the next message is)."""
    query = select(EVENTS.c.id).where(
        EVENTS.c.conversation_pk == conversation_pk,
        EVENTS.c.sender_role == SenderRole.CUSTOMER.value,
        EVENTS.c.id > survey_pk,
        EVENTS.c.id < event_pk,
    )
    return conn.execute(query.limit(1)).first() is not None


def record_answer(
    conn: Connection,
    event: ChatEvent,
    event_pk: int,
    conv: ConversationState,
    window_seconds: float,
) -> int | None:
    """Store ``event`` as the survey's rating when it is one: a customer message to the
    closed conversation, the first since the survey and within ``window_seconds`` of it,
    reading as 1-5. Returns the rating, or None (then it is an ordinary message)."""
    if window_seconds <= 0 or conv.is_open or event.sender_role is not SenderRole.CUSTOMER:
        return None
    rating = parse_rating(event.text)
    if rating is None:
        return None
    survey = _survey(conn, conv.pk)
    # Stored after the survey is what counts as after it: platforms stamp messages in
    # whole seconds (Telegram), so a quick answer may carry a time just before it.
    if survey is None or survey.id > event_pk or event.ts - survey.ts > window_seconds:
        return None
    if _answered_before(conn, conv.pk, survey.id, event_pk):
        return None
    row = {
        "conversation_pk": conv.pk,
        "channel": conv.channel,
        "agent_id": conv.assignee_id,
        "rating": rating,
        "event_pk": event_pk,
        "survey_event_pk": survey.id,
        "closed_at": conv.closed_at or event.ts,
        "at": event.ts,
    }
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    # An integration may have rated this close already: then this is a message.
    stored = conn.execute(module.insert(RATINGS).values(**row).on_conflict_do_nothing())
    return rating if stored.rowcount == 1 else None


async def post(
    engine: AsyncEngine, conversation_pk: int, rating: int, at: float
) -> tuple[ConversationState | None, bool]:
    """An integration's rating of the conversation's latest close (its platform's own
    survey): ``(the conversation, stored)``; not stored when it is open (None when it
    does not exist) or that close is rated already. The conversation row is locked
    (PostgreSQL) so two at once store one."""
    async with writer(engine).begin() as conn:
        query = select(CONVERSATIONS).where(CONVERSATIONS.c.id == conversation_pk)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = (await conn.execute(query)).first()
        conv = ConversationState.from_row(row) if row is not None else None
        if conv is None or conv.is_open or conv.closed_at is None:
            return conv, False
        taken = select(RATINGS.c.id).where(
            RATINGS.c.conversation_pk == conv.pk, RATINGS.c.closed_at == conv.closed_at
        )
        if (await conn.execute(taken)).first() is not None:
            return conv, False
        values = {
            "conversation_pk": conv.pk,
            "channel": conv.channel,
            "agent_id": conv.assignee_id,
            "rating": rating,
            "closed_at": conv.closed_at,
            "at": at,
        }
        await conn.execute(insert(RATINGS).values(**values))
        return conv, True


def _in(start: float, end: float) -> Any:
    return and_(RATINGS.c.at >= start, RATINGS.c.at < end)


async def add_csat(
    conn: AsyncConnection,
    found: dict[str | None, Figures],
    start: float,
    end: float,
    agent_id: str | None,
) -> None:
    """Add the period's ratings to the KPI figures (each agent's and the team's)."""
    query = (
        select(
            RATINGS.c.agent_id,
            func.count().label("n"),
            func.sum(RATINGS.c.rating).label("total"),
            func.sum(case((RATINGS.c.rating >= SATISFIED, 1), else_=0)).label("satisfied"),
        )
        .where(_in(start, end))
        .group_by(RATINGS.c.agent_id)
    )
    if agent_id is not None:
        query = query.where(RATINGS.c.agent_id == agent_id)
    for row in await conn.execute(query):
        credit(
            found,
            row.agent_id,
            csat_responses=int(row.n),
            csat_sum=int(row.total),
            csat_satisfied=int(row.satisfied),
        )


async def tallies(
    conn: AsyncConnection, start: float, end: float, agent_ids: Iterable[str] | None
) -> dict[str, Tally]:
    """Each agent's ratings over ``[start, end)`` (these agents', or all)."""
    query = (
        select(
            RATINGS.c.agent_id,
            func.count().label("n"),
            func.sum(case((RATINGS.c.rating >= SATISFIED, 1), else_=0)).label("satisfied"),
            func.max(RATINGS.c.at).label("last_at"),
        )
        .where(_in(start, end), RATINGS.c.agent_id.is_not(None))
        .group_by(RATINGS.c.agent_id)
    )
    if agent_ids is not None:
        query = query.where(RATINGS.c.agent_id.in_(sorted(agent_ids)))
    return {
        row.agent_id: Tally(int(row.n), int(row.satisfied), float(row.last_at))
        for row in await conn.execute(query)
    }


async def of_conversation(engine: AsyncEngine, conversation_pk: int) -> list[Any]:
    """The conversation's ratings, oldest first (``rating``, ``agent_id``, ``at``, and
    ``external_id``: the answer's event id, None for an integration's rating)."""
    query = (
        select(RATINGS.c.rating, RATINGS.c.agent_id, RATINGS.c.at, EVENTS.c.external_id)
        .outerjoin(EVENTS, EVENTS.c.id == RATINGS.c.event_pk)
        .where(RATINGS.c.conversation_pk == conversation_pk)
        .order_by(RATINGS.c.id)
    )
    async with engine.connect() as conn:
        return list(await conn.execute(query))
