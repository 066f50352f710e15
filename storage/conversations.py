"""Open conversations as a console lists them: each with its open turn (the customer
waiting, and since when) and its latest message, in two queries whatever their number."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from monitors.rules import Turn
from storage.state import turn_from_row
from storage.tables import CONVERSATIONS, EVENTS, TURNS


@dataclass(frozen=True, slots=True)
class LastMessage:
    """A conversation's latest message."""

    id: str
    role: str | None
    sender_name: str | None
    text: str | None
    ts: float


@dataclass(frozen=True, slots=True)
class OpenConversation:
    """One open conversation for a console's list."""

    pk: int
    channel: str
    conversation_id: str
    agent_id: str | None
    customer_id: str | None
    customer_name: str | None
    opened_at: float
    updated_at: float
    turn: Turn | None  # the turn its customer is waiting in
    last: LastMessage | None


async def open_conversations(
    conn: AsyncConnection, agent_id: str | None, *, unassigned: bool = False, limit: int = 1000
) -> list[OpenConversation]:
    """Open conversations of ``agent_id`` (every agent's when None; only unassigned ones
    with ``unassigned``), customers waiting longest first, then the most recently active."""
    query = (
        select(CONVERSATIONS, TURNS)
        .outerjoin(
            TURNS, and_(TURNS.c.id == CONVERSATIONS.c.open_turn_pk, TURNS.c.ended_at.is_(None))
        )
        .where(CONVERSATIONS.c.status == "open")
        .order_by(
            TURNS.c.started_at.is_(None),
            TURNS.c.started_at,
            CONVERSATIONS.c.updated_at.desc(),
            CONVERSATIONS.c.id,
        )
        .limit(limit)
    )
    if unassigned:
        query = query.where(CONVERSATIONS.c.assignee_id.is_(None))
    elif agent_id is not None:
        query = query.where(CONVERSATIONS.c.assignee_id == agent_id)
    rows = (await conn.execute(query)).all()
    latest = await _latest_messages(conn, [r[0] for r in rows])
    return [_open_conversation(row, latest.get(row[0], (None, None))) for row in rows]


def _open_conversation(
    row: object, latest: tuple[LastMessage | None, str | None]
) -> OpenConversation:
    r = row._mapping  # type: ignore[attr-defined]
    turn = turn_from_row(row) if r[TURNS.c.id] is not None else None
    last, name = latest
    return OpenConversation(
        pk=r[CONVERSATIONS.c.id],
        channel=r[CONVERSATIONS.c.channel],
        conversation_id=r[CONVERSATIONS.c.external_id],
        agent_id=r[CONVERSATIONS.c.assignee_id],
        customer_id=r[CONVERSATIONS.c.customer_id],
        customer_name=name,
        opened_at=r[CONVERSATIONS.c.opened_at],
        updated_at=r[CONVERSATIONS.c.updated_at],
        turn=turn,
        last=last,
    )


async def _latest_messages(
    conn: AsyncConnection, pks: list[int]
) -> dict[int, tuple[LastMessage | None, str | None]]:
    """Per conversation: its latest message, and its customer's latest given name."""
    if not pks:
        return {}
    order = (EVENTS.c.ts.desc(), EVENTS.c.id.desc())
    ranked = (
        select(
            EVENTS.c.conversation_pk,
            EVENTS.c.external_id,
            EVENTS.c.sender_role,
            EVENTS.c.sender_name,
            EVENTS.c.text,
            EVENTS.c.ts,
            func.row_number()
            .over(partition_by=EVENTS.c.conversation_pk, order_by=order)
            .label("newest"),
            func.row_number()
            .over(
                partition_by=(EVENTS.c.conversation_pk, EVENTS.c.sender_role),
                order_by=order,
            )
            .label("newest_of_role"),
        )
        .where(EVENTS.c.conversation_pk.in_(pks), EVENTS.c.type == "message")
        .subquery()
    )
    query = select(ranked).where(
        or_(
            ranked.c.newest == 1,
            and_(ranked.c.newest_of_role == 1, ranked.c.sender_role == "customer"),
        )
    )
    found: dict[int, tuple[LastMessage | None, str | None]] = {}
    for r in await conn.execute(query):
        last, name = found.get(r.conversation_pk, (None, None))
        if r.newest == 1:
            last = LastMessage(r.external_id, r.sender_role, r.sender_name, r.text, r.ts)
        if r.sender_role == "customer" and r.newest_of_role == 1:
            name = r.sender_name
        found[r.conversation_pk] = (last, name)
    return found
