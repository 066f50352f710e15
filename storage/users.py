"""Accounts (DESIGN.md section 11): people who sign in, their failed sign-ins, and the
sessions an account opened. Password hashing is the caller's; this module stores hashes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import writer
from storage.tables import CONSOLE_SESSIONS, LOGIN_FAILURES, USERS

#: The roles an account may have.
ROLES = ("agent", "group_leader", "supervisor", "qa", "admin")
#: An account id (the sign-in name).
ACCOUNT_ID = r"^[a-z0-9._-]{1,64}$"
#: A group name: no spaces or control characters (1-64 of them).
GROUP_NAME = r"^[^\s\x00-\x1f]{1,64}$"


class UserExists(Exception):
    """An account with this id is already stored."""


@dataclass(frozen=True, slots=True)
class User:
    """An account as the service sees it (never its password hash)."""

    id: str
    name: str
    role: str
    groups: tuple[str, ...]
    max_concurrency: int | None
    active: bool
    has_password: bool
    created_at: float
    updated_at: float

    @classmethod
    def from_row(cls, row: Any) -> User:
        """Build from a ``users`` row."""
        return cls.from_mapping(row._mapping)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> User:
        """Build from a ``users`` row's column values by name."""
        return cls(
            values["id"],
            values["name"],
            values["role"],
            tuple(values["groups"] or ()),
            values["max_concurrency"],
            bool(values["active"]),
            values["password_hash"] is not None,
            values["created_at"],
            values["updated_at"],
        )

    def as_dict(self) -> dict[str, Any]:
        """The API's user object."""
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "groups": list(self.groups),
            "max_concurrency": self.max_concurrency,
            "active": self.active,
            "has_password": self.has_password,
        }


@dataclass(frozen=True, slots=True)
class NewUser:
    """An account to create."""

    id: str
    name: str
    role: str
    groups: tuple[str, ...] = ()
    max_concurrency: int | None = None
    password_hash: str | None = None


async def add(engine: AsyncEngine, user: NewUser, now: float) -> User:
    """Store a new account; :class:`UserExists` when the id is taken."""
    values = {
        "id": user.id,
        "name": user.name,
        "role": user.role,
        "groups": list(user.groups),
        "max_concurrency": user.max_concurrency,
        "active": True,
        "password_hash": user.password_hash,
        "created_at": now,
        "updated_at": now,
    }
    try:
        async with writer(engine).begin() as conn:
            await conn.execute(USERS.insert().values(values))
    except IntegrityError as exc:
        raise UserExists(user.id) from exc
    has_password = user.password_hash is not None
    return User(
        user.id,
        user.name,
        user.role,
        user.groups,
        user.max_concurrency,
        True,
        has_password,
        now,
        now,
    )


async def ensure_roster(engine: AsyncEngine, roster: Iterable[NewUser], now: float) -> None:
    """Create, password-less, each roster agent that has no account yet (existing
    accounts keep what an admin changed)."""
    rows = [
        {
            "id": u.id,
            "name": u.name,
            "role": u.role,
            "groups": list(u.groups),
            "max_concurrency": u.max_concurrency,
            "active": True,
            "password_hash": None,
            "created_at": now,
            "updated_at": now,
        }
        for u in roster
    ]
    if not rows:
        return
    module = postgresql if engine.dialect.name == "postgresql" else sqlite
    async with writer(engine).begin() as conn:
        await conn.execute(module.insert(USERS).on_conflict_do_nothing(index_elements=["id"]), rows)


async def get(engine: AsyncEngine, user_id: str) -> User | None:
    """One account."""
    async with engine.connect() as conn:
        row = (await conn.execute(select(USERS).where(USERS.c.id == user_id))).first()
    return None if row is None else User.from_row(row)


async def all_users(engine: AsyncEngine) -> list[User]:
    """Every account, by id."""
    async with engine.connect() as conn:
        rows = (await conn.execute(select(USERS).order_by(USERS.c.id))).all()
    return [User.from_row(row) for row in rows]


async def password_hash(engine: AsyncEngine, user_id: str) -> tuple[User, str | None] | None:
    """An account and its stored hash (for checking a password), None if unknown."""
    async with engine.connect() as conn:
        row = (await conn.execute(select(USERS).where(USERS.c.id == user_id))).first()
    return None if row is None else (User.from_row(row), row.password_hash)


async def change(
    engine: AsyncEngine, user_id: str, fields: Mapping[str, Any], now: float
) -> User | None:
    """Update an account's columns (``password_hash`` included); the account after it.
    Deactivating it ends its sessions in the same transaction."""
    values = dict(fields)
    if "groups" in values:
        values["groups"] = list(values["groups"])
    async with writer(engine).begin() as conn:
        found = await conn.execute(
            update(USERS).where(USERS.c.id == user_id).values(updated_at=now, **values)
        )
        if found.rowcount == 0:
            return None
        if values.get("active") is False:
            await _end_sessions(conn, user_id, now, keep=None)
        row = (await conn.execute(select(USERS).where(USERS.c.id == user_id))).one()
    return User.from_row(row)


async def end_sessions(
    engine: AsyncEngine, user_id: str, now: float, keep: str | None = None
) -> None:
    """End every session of the account (but ``keep``, a session id)."""
    async with writer(engine).begin() as conn:
        await _end_sessions(conn, user_id, now, keep)


async def _end_sessions(conn: Any, user_id: str, now: float, keep: str | None) -> None:
    query = update(CONSOLE_SESSIONS).where(
        CONSOLE_SESSIONS.c.user_id == user_id, CONSOLE_SESSIONS.c.ended_at.is_(None)
    )
    if keep is not None:
        query = query.where(CONSOLE_SESSIONS.c.id != keep)
    await conn.execute(query.values(ended_at=now))


async def failures_since(engine: AsyncEngine, username: str, since: float) -> list[float]:
    """When the username's failed sign-ins since ``since`` happened, oldest first."""
    query = (
        select(LOGIN_FAILURES.c.at)
        .where(LOGIN_FAILURES.c.username == username, LOGIN_FAILURES.c.at >= since)
        .order_by(LOGIN_FAILURES.c.at)
    )
    async with engine.connect() as conn:
        return [float(at) for at in (await conn.execute(query)).scalars()]


async def record_failure(engine: AsyncEngine, username: str, now: float, forget: float) -> None:
    """Count a failed sign-in (and forget failures older than ``forget``)."""
    async with writer(engine).begin() as conn:
        await conn.execute(delete(LOGIN_FAILURES).where(LOGIN_FAILURES.c.at < forget))
        await conn.execute(LOGIN_FAILURES.insert().values(username=username, at=now))


async def clear_failures(engine: AsyncEngine, username: str) -> None:
    """A successful sign-in starts the count again."""
    async with writer(engine).begin() as conn:
        await conn.execute(delete(LOGIN_FAILURES).where(LOGIN_FAILURES.c.username == username))


async def count(engine: AsyncEngine) -> int:
    """How many accounts there are."""
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(USERS))).scalar_one())
