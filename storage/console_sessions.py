"""Console sessions and generated secrets, in the database so that every gateway
process (and a restarted one) knows them, and signing out ends a session everywhere."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import writer
from storage.tables import APP_SECRETS, CONSOLE_SESSIONS


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    """A live session: whose token opened it, and its CSRF token."""

    id: str
    token_fingerprint: str
    csrf: str
    expires_at: float


async def secret(engine: AsyncEngine, name: str, now: float) -> str:
    """The secret called ``name``, generated on first use; every process gets the same."""
    module = postgresql if engine.dialect.name == "postgresql" else sqlite
    insert = (
        module.insert(APP_SECRETS)
        .values(name=name, value=secrets.token_urlsafe(48), created_at=now)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    async with writer(engine).begin() as conn:
        await conn.execute(insert)
        found = await conn.execute(select(APP_SECRETS.c.value).where(APP_SECRETS.c.name == name))
        return str(found.scalar_one())


async def open_session(
    engine: AsyncEngine, session_id: str, token_fingerprint: str, now: float, lifetime: float
) -> ConsoleSession:
    """Record a new session (and forget sessions that expired a day ago or more)."""
    session = ConsoleSession(
        session_id, token_fingerprint, secrets.token_urlsafe(32), now + lifetime
    )
    async with writer(engine).begin() as conn:
        await conn.execute(
            delete(CONSOLE_SESSIONS).where(CONSOLE_SESSIONS.c.expires_at < now - 86_400)
        )
        await conn.execute(
            CONSOLE_SESSIONS.insert().values(
                id=session.id,
                token_fingerprint=token_fingerprint,
                csrf=session.csrf,
                created_at=now,
                expires_at=session.expires_at,
            )
        )
    return session


async def find(engine: AsyncEngine, session_id: str, now: float) -> ConsoleSession | None:
    """The session, unless it ended, expired or never existed."""
    query = select(CONSOLE_SESSIONS).where(
        CONSOLE_SESSIONS.c.id == session_id,
        CONSOLE_SESSIONS.c.ended_at.is_(None),
        CONSOLE_SESSIONS.c.expires_at > now,
    )
    async with engine.connect() as conn:
        row = (await conn.execute(query)).first()
    if row is None:
        return None
    return ConsoleSession(row.id, row.token_fingerprint, row.csrf, row.expires_at)


async def end(engine: AsyncEngine, session_id: str, now: float) -> None:
    """Sign out: the session is over for every process."""
    async with writer(engine).begin() as conn:
        await conn.execute(
            update(CONSOLE_SESSIONS)
            .where(CONSOLE_SESSIONS.c.id == session_id, CONSOLE_SESSIONS.c.ended_at.is_(None))
            .values(ended_at=now)
        )
