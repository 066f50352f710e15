"""Read queries used by the gateway."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.state import ConversationState
from storage.tables import AGENTS, CONVERSATIONS


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
