"""The supervisors' live view: each agent's status, concurrency and waiting customers.

All three come through indexes that stay small whatever the history: the agents
table, the active-conversations index and the partial index on open turns.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from monitors.rules import Turn
from storage.state import turn_from_row
from storage.tables import AGENTS, CONVERSATIONS, TURNS

#: What a waiting customer's open turn is read from.
TURN_COLUMNS = (
    "channel",
    "message_id",
    "started_at",
    "agent_id",
    "concurrency",
    "deadline_seconds",
    "warn_at",
    "due_at",
    "unanswered_at",
    "escalate_at",
)


@dataclass(frozen=True, slots=True)
class AgentStatus:
    """An agent's last reported status."""

    agent_id: str
    name: str | None
    status: str
    status_at: float | None


@dataclass(frozen=True, slots=True)
class Waiting:
    """A customer waiting for a reply: an open turn of a conversation the agent has."""

    #: The conversation's assignee (None: unassigned).
    agent_id: str | None
    channel: str
    conversation_id: str
    turn: Turn


async def statuses(conn: AsyncConnection) -> dict[str, AgentStatus]:
    """Every known agent's status."""
    rows = await conn.execute(select(AGENTS).order_by(AGENTS.c.id))
    return {r.id: AgentStatus(r.id, r.name, r.status, r.status_at) for r in rows}


async def concurrency(conn: AsyncConnection, now: float, window: float) -> dict[str, int]:
    """Per agent: open conversations with a customer message in the last ``window`` s."""
    query = (
        select(CONVERSATIONS.c.assignee_id, func.count().label("n"))
        .where(
            CONVERSATIONS.c.assignee_id.is_not(None),
            CONVERSATIONS.c.status == "open",
            CONVERSATIONS.c.last_customer_at >= now - window,
        )
        .group_by(CONVERSATIONS.c.assignee_id)
    )
    return {r.assignee_id: int(r.n) for r in await conn.execute(query)}


async def waiting(
    conn: AsyncConnection, now: float, shown: int
) -> tuple[list[Waiting], dict[str | None, tuple[int, int]]]:
    """The ``shown`` longest-waiting open turns of each assignee (None: unassigned),
    longest first, and per assignee how many wait and how many are past due at ``now``.
    Ranked and counted in the database, so a poll brings at most ``shown`` rows per
    assignee into Python however many customers wait (it used to build every open turn)."""
    open_turns = (
        select(
            CONVERSATIONS.c.assignee_id.label("assignee_id"),
            CONVERSATIONS.c.external_id,
            *(TURNS.c[name] for name in TURN_COLUMNS),
            func.row_number()
            .over(
                partition_by=CONVERSATIONS.c.assignee_id,
                order_by=(TURNS.c.started_at, TURNS.c.id),
            )
            .label("rank"),
        )
        .join(CONVERSATIONS, CONVERSATIONS.c.id == TURNS.c.conversation_pk)
        .where(TURNS.c.ended_at.is_(None))
        .subquery()
    )
    columns = [c for c in open_turns.c if c.name != "rank"]
    top = select(*columns).where(open_turns.c.rank <= shown).order_by(open_turns.c.started_at)
    found = [
        Waiting(row.assignee_id, row.channel, row.external_id, turn_from_row(row))
        for row in await conn.execute(top)
    ]
    counts = select(
        CONVERSATIONS.c.assignee_id,
        func.count(),
        func.sum(case((TURNS.c.due_at <= now, 1), else_=0)),
    ).join(CONVERSATIONS, CONVERSATIONS.c.id == TURNS.c.conversation_pk)
    counts = counts.where(TURNS.c.ended_at.is_(None)).group_by(CONVERSATIONS.c.assignee_id)
    return found, {r[0]: (int(r[1]), int(r[2] or 0)) for r in await conn.execute(counts)}
