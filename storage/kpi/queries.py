"""KPI figures as SQL aggregates (SQLite and PostgreSQL alike): nothing per message
is loaded into Python, only rows per agent (and per response-time bin, per script).

A period is ``[start, end)`` in epoch seconds. Turns count by when they started
(so a reopened conversation counts from its reopening message); alerts and QA
flags by when the alert fired; suggestions and feedback by when they were made.
Percentiles are nearest-rank (the p-th is the value at rank ceil(p * n)), read
from a histogram of 1/10-second bins: exact to 0.1 s, rounded down.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from monitors.kpi_rollup import ALERT_FIELDS, RESOLUTION, Totals, credit
from monitors.kpis import Figures
from monitors.rules import AlertKind
from storage import satisfaction
from storage.kpi import rollup_reads
from storage.tables import ALERTS, FEEDBACK, FLAGS, SUGGESTIONS, TURNS

TEAM = None  # the key of the team-wide figures


@dataclass(frozen=True, slots=True)
class ScriptUse:
    """How often a script was the top suggestion, and what agents did with it."""

    script_id: str
    shown: int = 0
    used: int = 0
    edited: int = 0
    ignored: int = 0

    @property
    def acceptance_rate(self) -> float | None:
        """Used (as is or edited) / shown as the top suggestion."""
        return (self.used + self.edited) / self.shown if self.shown else None


class whole(FunctionElement[int]):
    """floor(x) as an integer, for x >= 0, on SQLite and PostgreSQL alike."""

    type = Integer()
    inherit_cache = True


@compiles(whole, "sqlite")
def _whole_sqlite(element: whole, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"


@compiles(whole, "postgresql")
def _whole_pg(element: whole, compiler: Any, **kw: Any) -> str:
    return f"CAST(FLOOR({compiler.process(element.clauses, **kw)}) AS INTEGER)"


def turn_agent() -> ColumnElement[Any]:
    """Whose turn it is: the assignee when it started, else who replied."""
    return func.coalesce(TURNS.c.agent_id, TURNS.c.replied_by)


@dataclass(frozen=True)
class Outcomes:
    """How a turn stands at a period's ``end``, as SQL conditions.

    ``replied``: ended by an agent reply before ``end``; ``within``: replied within its
    tier's deadline; ``breached``: replied late, or still unanswered (open, closed
    late or answered after ``end``) when its deadline passed before ``end``. Turns
    neither within nor breached (not yet due, or closed in time) are not decided.
    """

    replied: ColumnElement[bool]
    within: ColumnElement[bool]
    breached: ColumnElement[bool]


def outcomes(end: float) -> Outcomes:
    """The outcome conditions at ``end``."""
    replied = and_(TURNS.c.end_reason == "reply", TURNS.c.ended_at < end)
    not_replied = or_(TURNS.c.end_reason.is_distinct_from("reply"), TURNS.c.ended_at >= end)
    still_waiting_past_due = and_(
        not_replied,
        TURNS.c.due_at < end,
        or_(TURNS.c.ended_at.is_(None), TURNS.c.ended_at > TURNS.c.due_at),
    )
    return Outcomes(
        replied,
        and_(replied, TURNS.c.response_seconds <= TURNS.c.deadline_seconds),
        or_(
            and_(replied, TURNS.c.response_seconds > TURNS.c.deadline_seconds),
            still_waiting_past_due,
        ),
    )


def _in(column: Any, start: float, end: float) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def _bins(start: float, end: float, agent_id: str | None) -> Select[Any]:
    """One row per agent and response-time bin (``-1`` = not replied): counts and sums
    of every additive turn figure, so that a single sorted pass yields them all and the
    histogram the percentiles come from."""
    outcome = outcomes(end)
    opened = and_(outcome.replied, TURNS.c.opening)
    bin_ = case((outcome.replied, whole(TURNS.c.response_seconds * RESOLUTION)), else_=-1)
    query = (
        select(
            turn_agent().label("agent"),
            bin_.label("bin"),
            func.count().label("turns"),
            func.sum(case((outcome.replied, TURNS.c.response_seconds), else_=0)).label("total"),
            func.sum(case((opened, 1), else_=0)).label("openings"),
            func.sum(case((opened, TURNS.c.response_seconds), else_=0)).label("opening_total"),
            func.sum(case((outcome.within, 1), else_=0)).label("within"),
            func.sum(case((outcome.breached, 1), else_=0)).label("breached"),
        )
        .where(_in(TURNS.c.started_at, start, end))
        .group_by(turn_agent(), bin_)
    )
    return query if agent_id is None else query.where(turn_agent() == agent_id)


def _customers(start: float, end: float, agent_id: str | None, by_agent: bool) -> Select[Any]:
    replied = outcomes(end).replied
    key = turn_agent() if by_agent else literal(None)
    query = select(
        key.label("agent"),
        func.count(func.distinct(TURNS.c.conversation_pk)).label("received"),
        func.count(func.distinct(case((replied, TURNS.c.conversation_pk)))).label("replied"),
    ).where(_in(TURNS.c.started_at, start, end))
    if agent_id is not None:
        query = query.where(turn_agent() == agent_id)
    return query.group_by(turn_agent()) if by_agent else query


async def figures(
    conn: AsyncConnection,
    start: float,
    end: float,
    agent_id: str | None = None,
    timezone: str | None = None,
    now: float | None = None,
) -> dict[str | None, Figures]:
    """Figures per agent over ``[start, end)``, and the team's under key ``None``
    (the team counts a conversation two agents served once). With ``agent_id``, only
    that agent (the team figures are then that agent's). A period from a midnight in
    ``timezone`` to a later midnight, or to now (``now``: the clock) or later, is read
    from the rollups when they are kept in that zone; any other from the raw rows (the
    same figures: a property test compares them)."""
    span = None
    if timezone is not None:
        clock = time.time() if now is None else now
        span = await conn.run_sync(rollup_reads.usable, timezone, start, end, clock)
    if span is None:
        found = await _raw_turns(conn, start, end, agent_id)
        await _add_alerts(conn, found, start, end, agent_id)
    else:
        found = await conn.run_sync(rollup_reads.figures, span, agent_id)
    await add_people(conn, found, start, end, agent_id)
    return found


async def add_people(
    conn: AsyncConnection,
    found: dict[str | None, Figures],
    start: float,
    end: float,
    agent_id: str | None,
) -> None:
    """Add what people decided in the period: QA verdicts, suggestions agents used, the
    customers' satisfaction ratings."""
    await add_qa(conn, found, start, end, agent_id)
    await add_used(conn, found, start, end, agent_id)
    await satisfaction.add_csat(conn, found, start, end, agent_id)


async def _raw_turns(
    conn: AsyncConnection, start: float, end: float, agent_id: str | None
) -> dict[str | None, Figures]:
    sums: dict[str | None, Totals] = {}
    team = Totals()
    for row in await conn.execute(_bins(start, end, agent_id)):
        sums.setdefault(row.agent, Totals()).add(row)
        team.add(row)
    found: dict[str | None, Figures] = {}
    for row in await conn.execute(_customers(start, end, agent_id, by_agent=True)):
        if row.agent is not None:  # unassigned turns nobody answered: the team's only
            found[row.agent] = sums[row.agent].figures(int(row.received), int(row.replied))
    for row in await conn.execute(_customers(start, end, agent_id, by_agent=False)):
        if row.received:
            found[TEAM] = team.figures(int(row.received), int(row.replied))
    return found


async def _add_alerts(
    conn: AsyncConnection,
    found: dict[str | None, Figures],
    start: float,
    end: float,
    agent_id: str | None,
) -> None:
    query = (
        select(ALERTS.c.agent_id, ALERTS.c.kind, func.count().label("n"))
        .where(_in(ALERTS.c.at, start, end))
        .group_by(ALERTS.c.agent_id, ALERTS.c.kind)
    )
    if agent_id is not None:
        query = query.where(ALERTS.c.agent_id == agent_id)
    for row in await conn.execute(query):
        field = ALERT_FIELDS.get(AlertKind(row.kind))
        if field is None:
            continue  # not a KPI (delivery.failed)
        credit(found, row.agent_id, **{field: row.n})


async def add_qa(
    conn: AsyncConnection,
    found: dict[str | None, Figures],
    start: float,
    end: float,
    agent_id: str | None,
) -> None:
    # An overturned appeal takes the flag out of the count and its points to 0.
    query = (
        select(
            FLAGS.c.agent_id,
            func.count().label("n"),
            func.coalesce(func.sum(FLAGS.c.counted), 0).label("points"),
        )
        .where(
            FLAGS.c.verdict == "confirmed",
            or_(FLAGS.c.appeal_decision.is_(None), FLAGS.c.appeal_decision != "overturned"),
            _in(FLAGS.c.at, start, end),
        )
        .group_by(FLAGS.c.agent_id)
    )
    if agent_id is not None:
        query = query.where(FLAGS.c.agent_id == agent_id)
    for row in await conn.execute(query):
        credit(found, row.agent_id, qa_confirmed=row.n, qa_points=float(row.points))
    reviewed = (
        select(FLAGS.c.agent_id, func.count().label("n"))
        .where(
            FLAGS.c.reviewed_at.is_not(None),
            FLAGS.c.kind == AlertKind.UNANSWERED.value,
            _in(FLAGS.c.at, start, end),
        )
        .group_by(FLAGS.c.agent_id)
    )
    if agent_id is not None:
        reviewed = reviewed.where(FLAGS.c.agent_id == agent_id)
    for row in await conn.execute(reviewed):
        credit(found, row.agent_id, unanswered_reviewed=row.n)


async def add_used(
    conn: AsyncConnection,
    found: dict[str | None, Figures],
    start: float,
    end: float,
    agent_id: str | None,
) -> None:
    query = (
        select(FEEDBACK.c.agent_id, func.count().label("n"))
        .where(FEEDBACK.c.action.in_(("used", "edited")), _in(FEEDBACK.c.created_at, start, end))
        .group_by(FEEDBACK.c.agent_id)
    )
    if agent_id is not None:
        query = query.where(FEEDBACK.c.agent_id == agent_id)
    for row in await conn.execute(query):
        credit(found, row.agent_id, suggestions_used=row.n)


async def script_use(conn: AsyncConnection, start: float, end: float) -> list[ScriptUse]:
    """Per script: times shown as the top suggestion, and agents' feedback on it."""
    top = SUGGESTIONS.c["items"][0]["script_id"].as_string()
    shown = (
        select(top.label("script_id"), func.count().label("n"))
        .where(SUGGESTIONS.c.matched, _in(SUGGESTIONS.c.created_at, start, end))
        .group_by(top)
    )
    uses: dict[str, dict[str, int]] = {}
    for row in await conn.execute(shown):
        uses.setdefault(row.script_id, {})["shown"] = row.n
    feedback = (
        select(FEEDBACK.c.script_id, FEEDBACK.c.action, func.count().label("n"))
        .where(_in(FEEDBACK.c.created_at, start, end))
        .group_by(FEEDBACK.c.script_id, FEEDBACK.c.action)
    )
    for row in await conn.execute(feedback):
        uses.setdefault(row.script_id, {})[row.action] = row.n
    found = [ScriptUse(script_id, **counts) for script_id, counts in uses.items()]
    return sorted(found, key=lambda u: (-u.shown, u.script_id))
