"""KPI figures as SQL aggregates (SQLite and PostgreSQL alike): nothing per message
is loaded into Python, only one row per agent (and per script, per day).

A period is ``[start, end)`` in epoch seconds. Turns count by when they started
(so a reopened conversation counts from its reopening message); alerts and QA
flags by when the alert fired; suggestions and feedback by when they were made.
Percentiles are nearest-rank: the p-th is the value at rank ceil(p * n).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from monitors.kpis import Figures
from monitors.rules import AlertKind
from storage.alerts import ALERTS, FLAGS
from storage.library_repo import FEEDBACK
from storage.models import Suggestion
from storage.turns import TURNS

SUGGESTIONS: Table = Suggestion.__table__  # type: ignore[assignment]
TEAM = None  # the key of the team-wide figures
_ALERT_FIELDS = {
    AlertKind.WARNING: "warnings",
    AlertKind.OVERDUE: "overdue",
    AlertKind.SLOW: "slow",
    AlertKind.UNANSWERED: "unanswered",
    AlertKind.FORBIDDEN: "forbidden_phrase",
}


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


def _agent() -> ColumnElement[Any]:
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


def _turn_columns(end: float) -> list[Any]:
    outcome = outcomes(end)
    replied, within, breached = outcome.replied, outcome.within, outcome.breached
    response = case((replied, TURNS.c.response_seconds))
    return [
        func.count(func.distinct(TURNS.c.conversation_pk)).label("customers_received"),
        func.count(func.distinct(case((replied, TURNS.c.conversation_pk)))).label(
            "customers_replied"
        ),
        func.count().label("turns"),
        func.count(response).label("turns_replied"),
        func.avg(case((and_(replied, TURNS.c.opening), TURNS.c.response_seconds))).label(
            "first_response_seconds"
        ),
        func.avg(response).label("response_seconds_avg"),
        func.sum(case((within, 1), else_=0)).label("sla_within"),
        func.sum(case((breached, 1), else_=0)).label("sla_breached"),
    ]


def _in(column: Any, start: float, end: float) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def _turns(start: float, end: float, agent_id: str | None, by_agent: bool) -> Select[Any]:
    key = _agent() if by_agent else literal(None)
    query = select(key.label("agent"), *_turn_columns(end)).where(
        _in(TURNS.c.started_at, start, end)
    )
    if agent_id is not None:
        query = query.where(_agent() == agent_id)
    return query.group_by(_agent()) if by_agent else query


def _percentiles(start: float, end: float, agent_id: str | None, by_agent: bool) -> Select[Any]:
    key = _agent() if by_agent else literal("")
    replied = outcomes(end).replied
    ranked = (
        select(
            key.label("agent"),
            TURNS.c.response_seconds.label("v"),
            func.row_number().over(partition_by=key, order_by=TURNS.c.response_seconds).label("rn"),
            func.count().over(partition_by=key).label("n"),
        )
        .where(_in(TURNS.c.started_at, start, end), replied)
        .where(true() if agent_id is None else _agent() == agent_id)
        .subquery()
    )
    # ceil(p * n) in integers: (n + 1) // 2 and (9n + 9) // 10.
    return select(
        ranked.c.agent,
        func.max(case((ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.v))).label("median"),
        func.max(case((ranked.c.rn == (9 * ranked.c.n + 9) // 10, ranked.c.v))).label("p90"),
    ).group_by(ranked.c.agent)


async def figures(
    conn: AsyncConnection, start: float, end: float, agent_id: str | None = None
) -> dict[str | None, Figures]:
    """Figures per agent over ``[start, end)``, and the team's under key ``None``
    (the team counts a conversation two agents served once). With ``agent_id``, only
    that agent (the team figures are then that agent's)."""
    found: dict[str | None, Figures] = {}
    for by_agent in (True, False):
        for row in await conn.execute(_turns(start, end, agent_id, by_agent)):
            data = row._asdict()
            key = data.pop("agent") if by_agent else TEAM
            if key is None and by_agent:
                continue  # turns of unassigned conversations nobody answered: team only
            found[key] = _turn_figures(data)
        for row in await conn.execute(_percentiles(start, end, agent_id, by_agent)):
            key = row.agent if by_agent else TEAM
            if key in found:
                found[key] = replace(
                    found[key], response_seconds_median=row.median, response_seconds_p90=row.p90
                )
    await _add_alerts(conn, found, start, end, agent_id)
    await _add_qa(conn, found, start, end, agent_id)
    await _add_used(conn, found, start, end, agent_id)
    return found


_COUNTS = ("customers_received", "customers_replied", "turns", "turns_replied")


def _turn_figures(data: dict[str, Any]) -> Figures:
    # An aggregate over no rows gives NULL sums.
    counts = {name: int(data[name] or 0) for name in (*_COUNTS, "sla_within", "sla_breached")}
    return Figures(
        **counts,
        first_response_seconds=data["first_response_seconds"],
        response_seconds_avg=data["response_seconds_avg"],
    )


def _bump(found: dict[str | None, Figures], key: str | None, **values: Any) -> None:
    current = found.get(key, Figures())
    found[key] = replace(
        current, **{name: getattr(current, name) + value for name, value in values.items()}
    )


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
        field = _ALERT_FIELDS.get(AlertKind(row.kind))
        if field is None:
            continue  # not a KPI (delivery.failed)
        if row.agent_id is not None:
            _bump(found, row.agent_id, **{field: row.n})
        _bump(found, TEAM, **{field: row.n})


async def _add_qa(
    conn: AsyncConnection,
    found: dict[str | None, Figures],
    start: float,
    end: float,
    agent_id: str | None,
) -> None:
    query = (
        select(
            ALERTS.c.agent_id,
            func.count().label("n"),
            func.coalesce(func.sum(FLAGS.c.points), 0).label("points"),
        )
        .select_from(FLAGS.join(ALERTS, ALERTS.c.id == FLAGS.c.alert_id))
        .where(FLAGS.c.verdict == "confirmed", _in(ALERTS.c.at, start, end))
        .group_by(ALERTS.c.agent_id)
    )
    if agent_id is not None:
        query = query.where(ALERTS.c.agent_id == agent_id)
    for row in await conn.execute(query):
        values = {"qa_confirmed": row.n, "qa_points": float(row.points)}
        if row.agent_id is not None:
            _bump(found, row.agent_id, **values)
        _bump(found, TEAM, **values)


async def _add_used(
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
        _bump(found, row.agent_id, suggestions_used=row.n)
        _bump(found, TEAM, suggestions_used=row.n)


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
