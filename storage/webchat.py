"""What the web chat reads (DESIGN.md section 13): a visitor's own conversation and how
much they wrote lately. The visitor sees their conversation's messages only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from monitors.events import EventType, SenderRole
from monitors.satisfaction import SURVEY
from storage.tables import AGENTS, CONVERSATIONS, EVENTS


@dataclass(frozen=True, slots=True)
class Line:
    """One message of the conversation as the customer sees it."""

    id: str
    role: str
    name: str | None
    text: str
    ts: float
    #: The satisfaction question (its answer may be a button).
    survey: bool = False


@dataclass(frozen=True, slots=True)
class Thread:
    """The visitor's conversation: its latest messages, oldest first, and its agent."""

    lines: list[Line]
    agent_id: str | None
    is_open: bool


async def thread(engine: AsyncEngine, channel: str, conversation_id: str, limit: int) -> Thread:
    """The last ``limit`` messages of the conversation (none yet: an empty thread)."""
    conv = select(CONVERSATIONS.c.id, CONVERSATIONS.c.assignee_id, CONVERSATIONS.c.status).where(
        CONVERSATIONS.c.channel == channel, CONVERSATIONS.c.external_id == conversation_id
    )
    async with engine.connect() as conn:
        found = (await conn.execute(conv)).first()
        if found is None:
            return Thread([], None, False)
        query = (
            select(
                EVENTS.c.external_id,
                EVENTS.c.sender_role,
                EVENTS.c.sender_name,
                EVENTS.c.text,
                EVENTS.c.ts,
                EVENTS.c.reason,
            )
            .where(EVENTS.c.conversation_pk == found.id, EVENTS.c.type == EventType.MESSAGE.value)
            .order_by(EVENTS.c.id.desc())
            .limit(limit)
        )
        rows = list(await conn.execute(query))
    lines = [
        Line(r.external_id, r.sender_role, r.sender_name, r.text or "", r.ts, r.reason == SURVEY)
        for r in rows
    ]
    return Thread(lines[::-1], found.assignee_id, found.status == "open")


async def written_since(
    engine: AsyncEngine, channel: str, conversation_id: str, since: float
) -> int:
    """How many messages the customer wrote in the conversation since ``since``."""
    query = (
        select(func.count())
        .select_from(EVENTS.join(CONVERSATIONS, CONVERSATIONS.c.id == EVENTS.c.conversation_pk))
        .where(
            CONVERSATIONS.c.channel == channel,
            CONVERSATIONS.c.external_id == conversation_id,
            EVENTS.c.sender_role == SenderRole.CUSTOMER.value,
            EVENTS.c.received_at >= since,
        )
    )
    async with engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


async def agents_online(engine: AsyncEngine) -> int:
    """How many agents are online (taking chats) now."""
    query = select(func.count()).select_from(AGENTS).where(AGENTS.c.status == "online")
    async with engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())
