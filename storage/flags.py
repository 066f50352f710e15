"""The QA queue's flags: reads, and every transition of their life (DESIGN.md section 12).

Each transition is one conditional UPDATE plus its history row in one transaction, so
two people racing for the same step cannot both succeed:
``open -> reviewed -> appealed -> reviewed``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from monitors.quality import FlagKind, counted_points
from storage.engine import writer
from storage.tables import ALERTS, CONVERSATIONS, EVENTS, FLAG_HISTORY, FLAGS


@dataclass(frozen=True, slots=True)
class Review:
    """A QA reviewer's verdict on a flag."""

    verdict: str
    note: str | None
    points: float | None
    reviewer: str
    reviewed_at: float


@dataclass(frozen=True, slots=True)
class Appeal:
    """The agent's request for a re-check (复核申请), and its decision once decided."""

    reason: str
    at: float
    decision: str | None
    note: str | None
    points: float | None
    decided_by: str | None
    decided_at: float | None


@dataclass(frozen=True, slots=True)
class Timing:
    """The flagged alert's response-time figures (automatic flags only)."""

    alert_id: int
    deadline_seconds: float | None
    waited_seconds: float | None
    response_seconds: float | None


@dataclass(frozen=True, slots=True)
class Flag:
    """A QA review item: what it is about, its review and appeal once there."""

    id: int
    kind: str
    category: str | None
    conversation_pk: int
    conversation_id: str
    channel: str
    message_id: str | None
    agent_id: str | None
    at: float
    description: str | None
    created_by: str | None
    status: str
    created_at: float
    counted: float | None
    timing: Timing | None
    review: Review | None
    appeal: Appeal | None

    @classmethod
    def from_row(cls, row: Any) -> Flag:
        """From a row of :func:`_query`."""
        timing = None
        if row.alert_id is not None:
            timing = Timing(
                row.alert_id, row.deadline_seconds, row.waited_seconds, row.response_seconds
            )
        review = None
        if row.reviewed_at is not None:
            review = Review(row.verdict, row.note, row.points, row.reviewer, row.reviewed_at)
        appeal = None
        if row.appealed_at is not None:
            appeal = Appeal(
                row.appeal_reason,
                row.appealed_at,
                row.appeal_decision,
                row.appeal_note,
                row.appeal_points,
                row.appeal_decider,
                row.appeal_decided_at,
            )
        return cls(
            row.id,
            row.kind,
            row.category,
            row.conversation_pk,
            row.conversation_id,
            row.channel,
            row.message_id,
            row.agent_id,
            row.at,
            row.description,
            row.created_by,
            row.status,
            row.created_at,
            row.counted,
            timing,
            review,
            appeal,
        )


@dataclass(frozen=True, slots=True)
class Step:
    """One line of a flag's history."""

    at: float
    actor: str
    action: str
    verdict: str | None
    points: float | None
    note: str | None


def _query() -> Select[Any]:
    return (
        select(
            FLAGS,
            ALERTS.c.waited_seconds,
            ALERTS.c.response_seconds,
            ALERTS.c.deadline_seconds,
            CONVERSATIONS.c.external_id.label("conversation_id"),
        )
        .join(CONVERSATIONS, CONVERSATIONS.c.id == FLAGS.c.conversation_pk)
        .outerjoin(ALERTS, ALERTS.c.id == FLAGS.c.alert_id)
    )


@dataclass(frozen=True, slots=True)
class FlagFilter:
    """``GET /api/v1/flags`` filters; times bound the flagged moment (``at``)."""

    status: str | None = None
    kind: str | None = None
    agent_id: str | None = None
    since: float | None = None
    until: float | None = None
    #: Only these agents' flags (a group leader's), when set.
    agent_ids: frozenset[str] | None = None
    conversation_pk: int | None = None
    category: str | None = None


def _filtered(query: Select[Any], filters: FlagFilter) -> Select[Any]:
    equal = {
        "conversation_pk": filters.conversation_pk,
        "status": filters.status,
        "kind": filters.kind,
        "agent_id": filters.agent_id,
        "category": filters.category,
    }
    for name, value in equal.items():
        if value is not None:
            query = query.where(FLAGS.c[name] == value)
    if filters.since is not None:
        query = query.where(FLAGS.c.at >= filters.since)
    if filters.until is not None:
        query = query.where(FLAGS.c.at < filters.until)
    if filters.agent_ids is not None:
        query = query.where(FLAGS.c.agent_id.in_(sorted(filters.agent_ids)))
    return query


async def flags(
    engine: AsyncEngine,
    filters: FlagFilter = FlagFilter(),
    *,
    after: int | None = None,
    limit: int = 1000,
) -> list[Flag]:
    """QA flags, newest first, after the flag id ``after``."""
    query = _filtered(_query(), filters)
    if after is not None:
        query = query.where(FLAGS.c.id < after)
    async with engine.connect() as conn:
        rows = await conn.execute(query.order_by(FLAGS.c.id.desc()).limit(limit))
        return [Flag.from_row(row) for row in rows]


async def flag(engine: AsyncEngine, flag_id: int) -> Flag | None:
    """One flag, or None."""
    async with engine.connect() as conn:
        row = (await conn.execute(_query().where(FLAGS.c.id == flag_id))).first()
    return None if row is None else Flag.from_row(row)


async def history(engine: AsyncEngine, flag_id: int) -> list[Step]:
    """The flag's steps, oldest first."""
    query = (
        select(
            FLAG_HISTORY.c.at,
            FLAG_HISTORY.c.actor,
            FLAG_HISTORY.c.action,
            FLAG_HISTORY.c.verdict,
            FLAG_HISTORY.c.points,
            FLAG_HISTORY.c.note,
        )
        .where(FLAG_HISTORY.c.flag_id == flag_id)
        .order_by(FLAG_HISTORY.c.at, FLAG_HISTORY.c.id)
    )
    async with engine.connect() as conn:
        return [Step(*row) for row in await conn.execute(query)]


async def _transition(
    engine: AsyncEngine, flag_id: int, where: list[Any], values: dict[str, Any], step: Step
) -> bool:
    async with writer(engine).begin() as conn:
        result = await conn.execute(
            update(FLAGS).where(FLAGS.c.id == flag_id, *where).values(**values)
        )
        if not result.rowcount:
            return False
        await conn.execute(insert(FLAG_HISTORY).values(flag_id=flag_id, **_step_row(step)))
    return True


def _step_row(step: Step) -> dict[str, Any]:
    return {
        "at": step.at,
        "actor": step.actor,
        "action": step.action,
        "verdict": step.verdict,
        "points": step.points,
        "note": step.note,
    }


async def review(
    engine: AsyncEngine,
    flag_id: int,
    review: Review,
    category: str | None = None,
) -> bool:
    """Review an open flag; False when it is not open (or does not exist)."""
    values: dict[str, Any] = {
        "status": "reviewed",
        "verdict": review.verdict,
        "note": review.note,
        "points": review.points,
        "reviewer": review.reviewer,
        "reviewed_at": review.reviewed_at,
        "counted": counted_points(review.verdict, review.points),
    }
    if category is not None:
        values["category"] = category
    step = Step(
        review.reviewed_at, review.reviewer, "reviewed", review.verdict, review.points, review.note
    )
    return await _transition(engine, flag_id, [FLAGS.c.status == "open"], values, step)


async def appeal(
    engine: AsyncEngine, flag_id: int, agent_id: str, reason: str, now: float, since: float
) -> bool:
    """The flag's agent appeals a confirmed review made at or after ``since``; False when
    the flag is not in that state (already appealed, dismissed, out of time)."""
    where = [
        FLAGS.c.status == "reviewed",
        FLAGS.c.verdict == "confirmed",
        FLAGS.c.appealed_at.is_(None),
        FLAGS.c.agent_id == agent_id,
        FLAGS.c.reviewed_at >= since,
    ]
    values = {"status": "appealed", "appeal_reason": reason, "appealed_at": now}
    step = Step(now, agent_id, "appealed", None, None, reason)
    return await _transition(engine, flag_id, where, values, step)


async def decide(
    engine: AsyncEngine,
    flag_id: int,
    decision: str,
    note: str,
    points: float | None,
    by: str,
    now: float,
) -> bool:
    """Decide an appealed flag (not by its first reviewer); False when it is not
    appealed or ``by`` reviewed it. Overturned counts 0; upheld keeps the review's
    points unless ``points`` replaces them."""
    values: dict[str, Any] = {
        "status": "reviewed",
        "appeal_decision": decision,
        "appeal_note": note,
        "appeal_points": points,
        "appeal_decider": by,
        "appeal_decided_at": now,
    }
    if decision == "overturned":
        values["counted"] = 0.0
    elif points is not None:
        values["counted"] = points
    where = [FLAGS.c.status == "appealed", FLAGS.c.reviewer != by]
    step = Step(now, by, decision, None, points, note)
    return await _transition(engine, flag_id, where, values, step)


@dataclass(frozen=True, slots=True)
class NewFlag:
    """A flag raised by a person (``qa.manual``) or by sampling (``qa.sample``)."""

    kind: FlagKind
    conversation_pk: int
    channel: str
    message_id: str | None
    agent_id: str | None
    category: str | None
    description: str | None
    created_by: str
    at: float


async def create(engine: AsyncEngine, new: NewFlag) -> int:
    """Store a manual flag and its first history line; its id."""
    async with writer(engine).begin() as conn:
        return await conn.run_sync(lambda sync: _create(sync, new))


def _create(conn: Connection, new: NewFlag) -> int:
    row = {
        "kind": new.kind.value,
        "conversation_pk": new.conversation_pk,
        "channel": new.channel,
        "message_id": new.message_id,
        "agent_id": new.agent_id,
        "category": new.category,
        "description": new.description,
        "created_by": new.created_by,
        "at": new.at,
        "status": "open",
        "created_at": new.at,
    }
    flag_id = int(conn.execute(insert(FLAGS).values(**row).returning(FLAGS.c.id)).scalar_one())
    step = Step(new.at, new.created_by, "flagged", None, None, new.description)
    conn.execute(insert(FLAG_HISTORY).values(flag_id=flag_id, **_step_row(step)))
    return flag_id


def sample(conn: Connection, new: NewFlag) -> bool:
    """Queue a closed conversation for review unless it already has a flag (inside the
    ingest transaction); False when it had one. The partial unique index keeps a
    conversation sampled once even when two processes close it at the same time."""
    flagged = conn.execute(
        select(exists().where(FLAGS.c.conversation_pk == new.conversation_pk))
    ).scalar()
    if flagged:
        return False
    try:
        with conn.begin_nested():
            _create(conn, new)
    except IntegrityError:
        return False
    return True


async def message_sender(
    engine: AsyncEngine, conversation_pk: int, message_id: str
) -> tuple[str | None, str | None] | None:
    """``(role, sender id)`` of a message of the conversation, or None when it has none
    with that id."""
    query = select(EVENTS.c.sender_role, EVENTS.c.sender_id).where(
        EVENTS.c.conversation_pk == conversation_pk,
        EVENTS.c.external_id == message_id,
        EVENTS.c.type == "message",
    )
    async with engine.connect() as conn:
        row = (await conn.execute(query)).first()
    return None if row is None else (row.sender_role, row.sender_id)
