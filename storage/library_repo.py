"""The script library in the database, its version counter, suggestion feedback, gaps and
what customers asked most.

Every change bumps ``library_meta.version`` in the same transaction, so each
gateway process can tell cheaply that its in-memory index is stale.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from scripts_library.gaps import Answered
from scripts_library.model import Script
from storage.engine import writer
from storage.tables import EVENTS, FEEDBACK, LIBRARY_META, SCRIPTS, SUGGESTIONS


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import changed."""

    created: int
    updated: int
    deleted: int


def _row(script: Script, now: float) -> dict[str, Any]:
    return {
        "id": script.id,
        "category": script.category,
        "title": script.title,
        "questions": list(script.questions),
        "keywords": list(script.keywords),
        "reply": script.reply,
        "updated_at": now,
    }


def script_from_row(row: Any) -> Script:
    """A stored row as a :class:`Script`."""
    return Script(
        id=row.id,
        category=row.category,
        title=row.title,
        questions=tuple(row.questions),
        keywords=tuple(row.keywords),
        reply=row.reply,
    )


async def bump(conn: AsyncConnection, now: float) -> None:
    """Move the library's version on (in the caller's transaction)."""
    await conn.execute(
        update(LIBRARY_META)
        .where(LIBRARY_META.c.id == 1)
        .values(version=LIBRARY_META.c.version + 1, updated_at=now)
    )


async def version(engine: AsyncEngine) -> int:
    """The library's current version."""
    async with engine.connect() as conn:
        return int(
            (
                await conn.execute(select(LIBRARY_META.c.version).where(LIBRARY_META.c.id == 1))
            ).scalar_one()
        )


async def load(engine: AsyncEngine) -> tuple[int, list[Script]]:
    """The version and every script, read in one transaction."""
    async with engine.connect() as conn:
        found = (
            await conn.execute(select(LIBRARY_META.c.version).where(LIBRARY_META.c.id == 1))
        ).scalar_one()
        rows = (await conn.execute(select(SCRIPTS).order_by(SCRIPTS.c.id))).all()
    return int(found), [script_from_row(r) for r in rows]


async def page(
    engine: AsyncEngine, *, after: str | None, limit: int, category: str | None
) -> list[Script]:
    """Scripts ordered by id, after ``after``."""
    query = select(SCRIPTS).order_by(SCRIPTS.c.id).limit(limit)
    if after is not None:
        query = query.where(SCRIPTS.c.id > after)
    if category:
        query = query.where(SCRIPTS.c.category == category)
    async with engine.connect() as conn:
        return [script_from_row(r) for r in (await conn.execute(query)).all()]


async def get(engine: AsyncEngine, script_id: str) -> Script | None:
    """One script, or None."""
    async with engine.connect() as conn:
        row = (await conn.execute(select(SCRIPTS).where(SCRIPTS.c.id == script_id))).first()
    return script_from_row(row) if row else None


async def put(engine: AsyncEngine, script: Script) -> bool:
    """Create or replace ``script``; True when it was created."""
    now = time.time()
    async with writer(engine).begin() as conn:
        exists = (await conn.execute(select(SCRIPTS.c.id).where(SCRIPTS.c.id == script.id))).first()
        if exists:
            await conn.execute(
                update(SCRIPTS).where(SCRIPTS.c.id == script.id).values(_row(script, now))
            )
        else:
            await conn.execute(SCRIPTS.insert().values(_row(script, now)))
        await bump(conn, now)
    return exists is None


async def create(engine: AsyncEngine, script: Script) -> bool:
    """Insert ``script``; False (and nothing changed) when its id exists."""
    now = time.time()
    async with writer(engine).begin() as conn:
        exists = (await conn.execute(select(SCRIPTS.c.id).where(SCRIPTS.c.id == script.id))).first()
        if exists:
            return False
        await conn.execute(SCRIPTS.insert().values(_row(script, now)))
        await bump(conn, now)
    return True


async def remove(engine: AsyncEngine, script_id: str) -> bool:
    """Delete one script; False when there was none."""
    now = time.time()
    async with writer(engine).begin() as conn:
        result = await conn.execute(delete(SCRIPTS).where(SCRIPTS.c.id == script_id))
        if not result.rowcount:
            return False
        await bump(conn, now)
    return True


async def import_scripts(
    engine: AsyncEngine, scripts: Sequence[Script], *, replace: bool
) -> ImportResult:
    """Merge ``scripts`` in by id (or, with ``replace``, make the library exactly them),
    in one transaction."""
    now = time.time()
    async with writer(engine).begin() as conn:
        existing = set((await conn.execute(select(SCRIPTS.c.id))).scalars())
        incoming = {s.id for s in scripts}
        stale = existing - incoming if replace else set()
        if stale:
            await conn.execute(delete(SCRIPTS).where(SCRIPTS.c.id.in_(stale)))
        for script in scripts:
            if script.id in existing:
                await conn.execute(
                    update(SCRIPTS).where(SCRIPTS.c.id == script.id).values(_row(script, now))
                )
        new_rows = [_row(s, now) for s in scripts if s.id not in existing]
        if new_rows:
            await conn.execute(SCRIPTS.insert(), new_rows)
        await bump(conn, now)
    created = len(incoming - existing)
    return ImportResult(created, len(incoming) - created, len(stale))


async def seed_if_empty(engine: AsyncEngine, scripts: Sequence[Script]) -> bool:
    """Fill an empty library with ``scripts``; True when it did."""
    now = time.time()
    async with writer(engine).begin() as conn:
        count = (await conn.execute(select(func.count()).select_from(SCRIPTS))).scalar_one()
        if count:
            return False
        if scripts:
            await conn.execute(SCRIPTS.insert(), [_row(s, now) for s in scripts])
        await bump(conn, now)
    return True


async def find_message(
    engine: AsyncEngine, message_id: str, channel: str | None
) -> list[tuple[int, str]]:
    """``(event row id, channel)`` of the messages with this external id."""
    query = select(EVENTS.c.id, EVENTS.c.channel).where(
        EVENTS.c.external_id == message_id, EVENTS.c.type == "message"
    )
    if channel is not None:
        query = query.where(EVENTS.c.channel == channel)
    async with engine.connect() as conn:
        return [(int(r.id), str(r.channel)) for r in (await conn.execute(query)).all()]


async def record_feedback(
    engine: AsyncEngine, event_pk: int, script_id: str, action: str, agent_id: str
) -> None:
    """Store one piece of suggestion feedback."""
    async with writer(engine).begin() as conn:
        await conn.execute(
            FEEDBACK.insert().values(
                event_pk=event_pk,
                script_id=script_id,
                action=action,
                agent_id=agent_id,
                created_at=time.time(),
            )
        )


async def unmatched(
    engine: AsyncEngine, since: float, limit: int, until: float | None = None
) -> list[tuple[str, float]]:
    """Texts and times of customer messages that got no suggestion, newest first."""
    query = (
        select(EVENTS.c.text, EVENTS.c.ts)
        .join(SUGGESTIONS, SUGGESTIONS.c.event_pk == EVENTS.c.id)
        .where(SUGGESTIONS.c.matched.is_(False), SUGGESTIONS.c.created_at >= since)
        .order_by(SUGGESTIONS.c.created_at.desc(), SUGGESTIONS.c.id.desc())
        .limit(limit)
    )
    if until is not None:
        query = query.where(SUGGESTIONS.c.created_at < until)
    async with engine.connect() as conn:
        return [(str(r.text or ""), float(r.ts)) for r in (await conn.execute(query)).all()]


#: Feedback that means an agent answered the message with the script.
ACCEPTED = ("used", "edited")


async def answered(engine: AsyncEngine, since: float, until: float) -> list[Answered]:
    """Customer messages that got a suggestion in ``[since, until)``, counted by their
    best script, with how many an agent answered with a script (counted in the database:
    a week of messages is not read into memory)."""
    best = SUGGESTIONS.c["items"][(0, "script_id")].as_string()
    accepted = (
        select(FEEDBACK.c.event_pk)
        .where(FEEDBACK.c.action.in_(ACCEPTED))
        .group_by(FEEDBACK.c.event_pk)
        .subquery()
    )
    query = (
        select(best.label("script_id"), func.count(), func.count(accepted.c.event_pk))
        .select_from(SUGGESTIONS.outerjoin(accepted, accepted.c.event_pk == SUGGESTIONS.c.event_pk))
        .where(
            SUGGESTIONS.c.matched.is_(True),
            SUGGESTIONS.c.created_at >= since,
            SUGGESTIONS.c.created_at < until,
        )
        .group_by(best)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [Answered(str(script), int(n), int(used)) for script, n, used in rows if script]


@dataclass(frozen=True, slots=True)
class LatestSuggestion:
    """The suggestions stored for a conversation's latest customer message (JSON items)."""

    message_id: str
    items: list[dict[str, Any]]


async def latest_suggestion(engine: AsyncEngine, conversation_pk: int) -> LatestSuggestion | None:
    """The external id and suggestions of a conversation's latest customer message."""
    query = (
        select(EVENTS.c.external_id, SUGGESTIONS.c["items"])
        .join(SUGGESTIONS, SUGGESTIONS.c.event_pk == EVENTS.c.id)
        .where(EVENTS.c.conversation_pk == conversation_pk)
        .order_by(EVENTS.c.ts.desc(), EVENTS.c.id.desc())
        .limit(1)
    )
    async with engine.connect() as conn:
        row = (await conn.execute(query)).first()
    return LatestSuggestion(str(row.external_id), list(row._mapping["items"])) if row else None
