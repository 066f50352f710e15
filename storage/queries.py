"""Read queries used by the gateway."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from monitors.events import ChatEvent, EventType, SenderRole
from storage.state import ConversationState
from storage.tables import AGENTS, CONVERSATIONS, EVENTS


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def conversations_by_external_id(
    engine: AsyncEngine, external_id: str, channel: str | None = None
) -> list[ConversationState]:
    """Conversations with this id (one per channel that uses it)."""
    query = select(CONVERSATIONS).where(CONVERSATIONS.c.external_id == external_id)
    if channel is not None:
        query = query.where(CONVERSATIONS.c.channel == channel)
    async with engine.connect() as conn:
        rows = (await conn.execute(query.order_by(CONVERSATIONS.c.channel))).all()
    return [ConversationState.from_row(r) for r in rows]


async def agent_known(engine: AsyncEngine, agent_id: str) -> bool:
    """Whether ``agent_id`` has appeared in any event (assigned, wrote, reported status)."""
    async with engine.connect() as conn:
        found = await conn.execute(select(AGENTS.c.id).where(AGENTS.c.id == agent_id))
        return found.first() is not None


async def stored_message(engine: AsyncEngine, channel: str, external_id: str) -> ChatEvent | None:
    """The message stored under ``(channel, id)``, as a typed event (None if absent)."""
    query = (
        select(EVENTS, CONVERSATIONS.c.external_id.label("conversation_id"))
        .join(CONVERSATIONS, CONVERSATIONS.c.id == EVENTS.c.conversation_pk)
        .where(EVENTS.c.channel == channel, EVENTS.c.external_id == external_id)
    )
    async with engine.connect() as conn:
        row = (await conn.execute(query)).first()
    if row is None or row.type != EventType.MESSAGE.value:
        return None
    return ChatEvent(
        id=row.external_id,
        channel=row.channel,
        type=EventType.MESSAGE,
        ts=row.ts,
        received_at=row.received_at,
        conversation_id=row.conversation_id,
        sender_role=SenderRole(row.sender_role) if row.sender_role else None,
        sender_id=row.sender_id,
        sender_name=row.sender_name,
        text=row.text,
        script_id=row.script_id,
    )
