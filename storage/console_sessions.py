"""Console sessions and generated secrets, in the database so that every gateway
process (and a restarted one) knows them, and signing out ends a session everywhere."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import writer
from storage.tables import APP_SECRETS, CONSOLE_SESSIONS, USERS
from storage.users import User


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    """A live session: whose token or account opened it, and its CSRF token."""

    id: str
    token_fingerprint: str | None
    csrf: str
    expires_at: float
    #: The account signed in (None: a configured token's session).
    user_id: str | None = None
    #: That account as it is now.
    user: User | None = None


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
    engine: AsyncEngine,
    session_id: str,
    token_fingerprint: str | None,
    now: float,
    lifetime: float,
    user_id: str | None = None,
) -> ConsoleSession:
    """Record a new session, for a configured token or an account (and forget sessions
    that expired a day ago or more)."""
    session = ConsoleSession(
        session_id, token_fingerprint, secrets.token_urlsafe(32), now + lifetime, user_id
    )
    async with writer(engine).begin() as conn:
        await conn.execute(
            delete(CONSOLE_SESSIONS).where(CONSOLE_SESSIONS.c.expires_at < now - 86_400)
        )
        await conn.execute(
            CONSOLE_SESSIONS.insert().values(
                id=session.id,
                token_fingerprint=token_fingerprint,
                user_id=user_id,
                csrf=session.csrf,
                created_at=now,
                expires_at=session.expires_at,
            )
        )
    return session


async def find(engine: AsyncEngine, session_id: str, now: float) -> ConsoleSession | None:
    """The session, unless it ended, expired, never existed or its account is inactive."""
    query = (
        select(CONSOLE_SESSIONS, USERS)
        .outerjoin(USERS, USERS.c.id == CONSOLE_SESSIONS.c.user_id)
        .where(
            CONSOLE_SESSIONS.c.id == session_id,
            CONSOLE_SESSIONS.c.ended_at.is_(None),
            CONSOLE_SESSIONS.c.expires_at > now,
        )
    )
    async with engine.connect() as conn:
        row = (await conn.execute(query)).first()
    if row is None:
        return None
    mapping = row._mapping
    session_row = {c.name: mapping[c] for c in CONSOLE_SESSIONS.c}
    user = None
    if session_row["user_id"] is not None:
        if mapping[USERS.c.id] is None or not mapping[USERS.c.active]:
            return None
        user = User.from_mapping({c.name: mapping[c] for c in USERS.c})
    return ConsoleSession(
        session_row["id"],
        session_row["token_fingerprint"],
        session_row["csrf"],
        session_row["expires_at"],
        session_row["user_id"],
        user,
    )


async def end(engine: AsyncEngine, session_id: str, now: float) -> None:
    """Sign out: the session is over for every process."""
    async with writer(engine).begin() as conn:
        await conn.execute(
            update(CONSOLE_SESSIONS)
            .where(CONSOLE_SESSIONS.c.id == session_id, CONSOLE_SESSIONS.c.ended_at.is_(None))
            .values(ended_at=now)
        )
