"""Small read-backs from the real database, for asserting what was stored, and a
polling wait for what the running service does on its own."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.keys import ENGINE
from storage.tables import AGENTS, CONVERSATIONS, EVENTS


def engine_of(app: Any) -> AsyncEngine:
    """The app's engine."""
    engine: AsyncEngine = app[ENGINE]
    return engine


async def count_events(engine: AsyncEngine) -> int:
    """How many events are stored, ReplyWatch's own presence changes (an agent's console
    connecting, going) aside."""
    query = (
        select(func.count())
        .select_from(EVENTS)
        .where(EVENTS.c.external_id.not_like("rwbot-status-%"))
    )
    async with engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


async def stored_ids(engine: AsyncEngine) -> set[str]:
    """The external ids of every stored event."""
    async with engine.connect() as conn:
        return set((await conn.execute(select(EVENTS.c.external_id))).scalars())


async def conversation(engine: AsyncEngine, external_id: str, channel: str = "api") -> Any:
    """One conversation row."""
    query = select(CONVERSATIONS).where(
        CONVERSATIONS.c.external_id == external_id, CONVERSATIONS.c.channel == channel
    )
    async with engine.connect() as conn:
        return (await conn.execute(query)).one()


async def agent(engine: AsyncEngine, agent_id: str) -> Any:
    """One agent row."""
    async with engine.connect() as conn:
        return (await conn.execute(select(AGENTS).where(AGENTS.c.id == agent_id))).one()


async def eventually(
    check: Callable[[], Awaitable[bool]] | Callable[[], bool], within: float = 5.0
) -> None:
    """Wait until ``check()`` (plain or async) is true (polling: the running service has no
    event to await)."""
    async with asyncio.timeout(within):
        while True:
            result = check()
            if await result if inspect.isawaitable(result) else result:
                return
            await asyncio.sleep(0.02)
