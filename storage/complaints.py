"""Complaints (投诉登记): registration, the three steps, listing, counts by category,
and the sweep's overdue alerts (DESIGN.md section 12).

Each step is one conditional UPDATE, so two people racing for it cannot both succeed;
``due_at`` is recomputed with it, and the sweep records ``complaint.overdue`` once per
late step (the alert's ``(kind, channel, message_id)`` is unique)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from monitors.complaints import Stage, overdue
from monitors.rules import AlertDraft, AlertKind
from storage import alerts
from storage.alerts import Alert, Located
from storage.engine import writer
from storage.tables import COMPLAINTS, CONVERSATIONS

#: Late complaints taken per sweep.
BATCH = 500
#: Each stage: its deadline, when it was done, and whether its alert went out.
STAGES = {
    Stage.ACKNOWLEDGE: ("acknowledge_by", "acknowledged_at", "acknowledge_alerted"),
    Stage.RESOLVE: ("resolve_by", "resolved_at", "resolve_alerted"),
    Stage.FOLLOW_UP: ("follow_up_by", "followed_up_at", "follow_up_alerted"),
}


@dataclass(frozen=True, slots=True)
class Complaint:
    """A stored complaint (the row, with its conversation's external id)."""

    row: Any

    @property
    def id(self) -> int:
        """Its id."""
        return int(self.row.id)

    @property
    def agent_id(self) -> str | None:
        """The agent of the conversation when it was registered."""
        return self.row.agent_id  # type: ignore[no-any-return]


def next_due(values: Any) -> float | None:
    """The earliest deadline of a step neither done nor alerted (None: nothing pending)."""
    pending = [
        values[deadline]
        for deadline, done, alerted in STAGES.values()
        if values[deadline] is not None and values[done] is None and not values[alerted]
    ]
    return min(pending) if pending else None


def _query() -> Any:
    return select(COMPLAINTS, CONVERSATIONS.c.external_id.label("conversation_id")).join(
        CONVERSATIONS, CONVERSATIONS.c.id == COMPLAINTS.c.conversation_pk
    )


async def create(engine: AsyncEngine, values: dict[str, Any]) -> int:
    """Register a complaint (``values`` are its columns); its id."""
    row = {**values, "status": "open"}
    row["due_at"] = next_due({**{c: None for s in STAGES.values() for c in s}, **row})
    async with writer(engine).begin() as conn:
        result = await conn.execute(insert(COMPLAINTS).values(**row).returning(COMPLAINTS.c.id))
        return int(result.scalar_one())


async def get(engine: AsyncEngine, complaint_id: int) -> Complaint | None:
    """One complaint, or None."""
    async with engine.connect() as conn:
        row = (await conn.execute(_query().where(COMPLAINTS.c.id == complaint_id))).first()
    return None if row is None else Complaint(row)


@dataclass(frozen=True, slots=True)
class ComplaintFilter:
    """``GET /api/v1/complaints`` filters."""

    status: str | None = None
    category: str | None = None
    agent_id: str | None = None
    agent_ids: frozenset[str] | None = None


async def listing(
    engine: AsyncEngine, filters: ComplaintFilter, *, after: int | None, limit: int
) -> list[Complaint]:
    """Complaints, newest first, after the id ``after``."""
    query = _query()
    for name in ("status", "category", "agent_id"):
        value = getattr(filters, name)
        if value is not None:
            query = query.where(COMPLAINTS.c[name] == value)
    if filters.agent_ids is not None:
        query = query.where(COMPLAINTS.c.agent_id.in_(sorted(filters.agent_ids)))
    if after is not None:
        query = query.where(COMPLAINTS.c.id < after)
    async with engine.connect() as conn:
        rows = await conn.execute(query.order_by(COMPLAINTS.c.id.desc()).limit(limit))
        return [Complaint(row) for row in rows]


async def step(
    engine: AsyncEngine, complaint_id: int, allowed: tuple[str, ...], values: dict[str, Any]
) -> bool:
    """Move a complaint whose status is one of ``allowed`` on with ``values`` (one
    conditional UPDATE, ``due_at`` recomputed in the same transaction); False when its
    status was another (or it does not exist)."""
    async with writer(engine).begin() as conn:
        done = await conn.execute(
            update(COMPLAINTS)
            .where(COMPLAINTS.c.id == complaint_id, COMPLAINTS.c.status.in_(allowed))
            .values(**values)
        )
        if not done.rowcount:
            return False
        row = (await conn.execute(select(COMPLAINTS).where(COMPLAINTS.c.id == complaint_id))).one()
        await conn.execute(
            update(COMPLAINTS)
            .where(COMPLAINTS.c.id == complaint_id)
            .values(due_at=next_due(row._mapping))
        )
    return True


async def counts_by_category(
    engine: AsyncEngine, start: float, end: float
) -> list[tuple[str, int]]:
    """Complaints registered in ``[start, end)`` per category, most first (顾客投诉分类统计表)."""
    n = func.count().label("n")
    query = (
        select(COMPLAINTS.c.category, n)
        .where(COMPLAINTS.c.created_at >= start, COMPLAINTS.c.created_at < end)
        .group_by(COMPLAINTS.c.category)
        .order_by(n.desc(), COMPLAINTS.c.category)
    )
    async with engine.connect() as conn:
        return [(row.category, int(row.n)) for row in await conn.execute(query)]


def earliest_due_at(conn: Connection) -> float | None:
    """When the next complaint alert comes due (inside the sweep's transaction)."""
    value = conn.execute(select(func.min(COMPLAINTS.c.due_at))).scalar()
    return None if value is None else float(value)


def sweep(conn: Connection, now: float) -> list[Alert]:
    """Record a ``complaint.overdue`` alert for each step late at ``now`` (once each)."""
    query = _query().where(COMPLAINTS.c.due_at <= now).order_by(COMPLAINTS.c.due_at).limit(BATCH)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=COMPLAINTS, skip_locked=True)
    located: list[Located] = []
    for row in conn.execute(query).all():
        values = dict(row._mapping)
        for stage, (deadline, done, alerted) in STAGES.items():
            if values[alerted] or not overdue(values[deadline], values[done], now):
                continue
            values[alerted] = True
            located.append(_located(row, stage, values[deadline]))
        changed = {name: values[name] for _, _, name in STAGES.values()}
        conn.execute(
            update(COMPLAINTS)
            .where(COMPLAINTS.c.id == row.id)
            .values(**changed, due_at=next_due(values))
        )
    return alerts.record(conn, located, now)


def _located(row: Any, stage: Stage, deadline: float) -> Located:
    draft = AlertDraft(
        AlertKind.COMPLAINT_OVERDUE,
        f"complaint-{row.id}-{stage.value}",
        row.agent_id,
        round(deadline - row.created_at, 3),
        None,
        deadline,
        note=f"{stage.value}: {row.category} · {row.summary[:200]}",
    )
    return Located(draft, row.conversation_pk, row.conversation_id, row.channel)
