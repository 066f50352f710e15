"""Live console connections (DESIGN.md section 11), kept in the database so that every
process sees them: each process renews its own, and one not renewed is gone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection as SyncConnection
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import writer
from storage.tables import CONNECTIONS


@dataclass(frozen=True, slots=True)
class Connection:
    """One Socket.IO connection: where, whose, on which sign-in."""

    sid: str
    namespace: str
    host: str
    agent_id: str | None = None
    user_id: str | None = None
    session_id: str | None = None


def insert(conn: SyncConnection, connection: Connection, now: float) -> None:
    """Record a new connection (inside the caller's transaction)."""
    conn.execute(
        CONNECTIONS.insert().values(
            sid=connection.sid,
            namespace=connection.namespace,
            host=connection.host,
            agent_id=connection.agent_id,
            user_id=connection.user_id,
            session_id=connection.session_id,
            seen_at=now,
        )
    )


async def closed(engine: AsyncEngine, sid: str, now: float) -> None:
    """A connection closed: it stays on record, not renewed, as the moment it went."""
    async with writer(engine).begin() as conn:
        await conn.execute(update(CONNECTIONS).where(CONNECTIONS.c.sid == sid).values(seen_at=now))


async def renew(engine: AsyncEngine, sids: Sequence[str], now: float) -> None:
    """A process's heartbeat: its open connections are still there."""
    if not sids:
        return
    async with writer(engine).begin() as conn:
        await conn.execute(
            update(CONNECTIONS).where(CONNECTIONS.c.sid.in_(list(sids))).values(seen_at=now)
        )


async def of_user(engine: AsyncEngine, user_id: str, since: float) -> list[Connection]:
    """The account's connections renewed or closed since ``since``."""
    query = select(CONNECTIONS).where(
        CONNECTIONS.c.user_id == user_id, CONNECTIONS.c.seen_at >= since
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [
        Connection(r.sid, r.namespace, r.host, r.agent_id, r.user_id, r.session_id) for r in rows
    ]


async def forget(engine: AsyncEngine, sids: Sequence[str]) -> None:
    """Drop connections from the record."""
    if sids:
        async with writer(engine).begin() as conn:
            await conn.execute(delete(CONNECTIONS).where(CONNECTIONS.c.sid.in_(list(sids))))
