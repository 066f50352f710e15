"""Reading the KPI rollups (kept by :mod:`storage.kpi.rollups`): the figures of whole local
days, and of a period that starts at a midnight and ends now."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from monitors.kpi_rollup import (
    AGENT_SCOPE,
    ALERT_FIELDS,
    TEAM_SCOPE,
    CustomerKey,
    SumKey,
    Totals,
    credit,
    customers,
    merged,
    totals,
)
from monitors.kpis import Figures
from monitors.rules import AlertKind
from storage.kpi.rollups import days_in, timezone
from storage.tables import KPI_ALERT_DAYS, KPI_CUSTOMERS, KPI_RESPONSE_BINS, KPI_TURN_SUMS, TURNS


@dataclass(frozen=True, slots=True)
class Span:
    """The rollups' days ``[first, end)`` (kept in ``zone``) that answer a period;
    ``until`` is the period's end when it is not a midnight but now (or later): open
    turns due between it and the next midnight are not late yet."""

    first: int
    end: int
    zone: str
    until: float | None = None


def usable(conn: Connection, zone: str, start: float, end: float, now: float) -> Span | None:
    """The days that answer ``[start, end)`` exactly, if the rollups can: they are kept
    in ``zone``, ``start`` is a midnight, and ``end`` is a later midnight or not past."""
    if timezone(conn) != zone:
        return None
    days = days_in(zone)
    first, last = days.aligned(start), days.aligned(end)
    if first is None:
        return None
    if last is not None:
        return Span(first, last, zone) if first < last else None
    if end < now:  # a past period ending mid-day: only the raw rows know
        return None
    return Span(first, days.of(end) + 1, zone, end)


def within(table: Any, first: int, end: int, agent_id: str | None) -> list[Any]:
    """Conditions for a rollup table's rows of the days ``[first, end)`` (of one agent)."""
    where = [table.c.day >= first, table.c.day < end]
    return where + ([table.c.agent == agent_id] if agent_id is not None else [])


def sum_row(row: Any) -> tuple[SumKey, int, float]:
    """A ``kpi_turn_sums`` row as :func:`monitors.kpi_rollup.totals` reads it."""
    return tuple(row[:7]), int(row.n), float(row.response)


def customer_row(row: Any) -> tuple[CustomerKey, int]:
    """A ``kpi_customers`` row as :func:`monitors.kpi_rollup.customers` reads it."""
    return tuple(row[:6]), int(row.n)


def alert_row(agent: str, kind: str, n: int) -> tuple[str | None, AlertKind, int]:
    """An alert count as :func:`assemble` reads it ('' is nobody's)."""
    return agent or None, AlertKind(kind), int(n)


def turn_totals(
    conn: Connection, first: int, end: int, agent_id: str | None
) -> tuple[dict[str, Totals], dict[tuple[str, str, str], int]]:
    """Per-agent turn totals and distinct-customer counts of the days ``[first, end)``."""
    bins = KPI_RESPONSE_BINS
    histogram = (
        select(bins.c.agent, bins.c.bin, func.sum(bins.c.n))
        .where(*within(bins, first, end, agent_id), bins.c.day + bins.c.reply_lag < end)
        .group_by(bins.c.agent, bins.c.bin)
    )
    sums = select(KPI_TURN_SUMS).where(*within(KPI_TURN_SUMS, first, end, agent_id))
    found = select(KPI_CUSTOMERS).where(*within(KPI_CUSTOMERS, first, end, agent_id))
    per_agent = totals(
        (sum_row(r) for r in conn.execute(sums)),
        ((r[0], int(r[1]), int(r[2])) for r in conn.execute(histogram)),
        end,
    )
    return per_agent, customers((customer_row(r) for r in conn.execute(found)), first, end)


def alert_counts(
    conn: Connection, first: int, end: int, agent_id: str | None
) -> list[tuple[str | None, AlertKind, int]]:
    """``(agent, kind, count)`` of the alerts that fired in the days ``[first, end)``."""
    alerts = KPI_ALERT_DAYS
    query = (
        select(alerts.c.agent, alerts.c.kind, func.sum(alerts.c.n))
        .where(*within(alerts, first, end, agent_id))
        .group_by(alerts.c.agent, alerts.c.kind)
    )
    return [alert_row(*r) for r in conn.execute(query) if r[2]]


def not_late_yet(conn: Connection, span: Span, agent_id: str | None) -> dict[str, int]:
    """Open turns due between ``span.until`` and the next midnight, per agent."""
    agent = func.coalesce(TURNS.c.agent_id, "")
    days = days_in(span.zone)
    query = (
        select(agent, func.count())
        .where(
            TURNS.c.ended_at.is_(None),
            TURNS.c.started_at >= days.start(span.first),
            TURNS.c.due_at >= span.until,
            TURNS.c.due_at < days.start(span.end),
        )
        .group_by(agent)
    )
    if agent_id is not None:
        query = query.where(TURNS.c.agent_id == agent_id)
    return {row[0]: int(row[1]) for row in conn.execute(query)}


def figures(conn: Connection, span: Span, agent_id: str | None) -> dict[str | None, Figures]:
    """Figures per agent and the team's (key None) over the span, as
    :func:`storage.kpi.queries.figures` gives them from raw rows (QA and suggestion
    figures are added there)."""
    first, end = span.first, span.end
    per_agent, counted = turn_totals(conn, first, end, agent_id)
    if span.until is not None:
        for agent, n in not_late_yet(conn, span, agent_id).items():
            per_agent.setdefault(agent, Totals()).breached -= n
    return assemble(per_agent, counted, alert_counts(conn, first, end, agent_id), agent_id)


def assemble(
    per_agent: dict[str, Totals],
    counted: dict[tuple[str, str, str], int],
    alerts: list[tuple[str | None, AlertKind, int]],
    agent_id: str | None,
    team: Totals | None = None,
) -> dict[str | None, Figures]:
    """Figures per agent and the team's (key None) from the turn totals, distinct
    customers and alert counts of one period (``team``: its totals, if not the sum)."""
    found: dict[str | None, Figures] = {}
    for agent, sums in per_agent.items():
        if agent and sums.turns:
            received = counted.get((AGENT_SCOPE, agent, "r"), 0)
            found[agent] = sums.figures(received, counted.get((AGENT_SCOPE, agent, "p"), 0))
    if agent_id is not None:
        if agent_id in found:
            found[None] = found[agent_id]  # the team figures are the agent's
    elif any(sums.turns for sums in per_agent.values()):
        team = team or merged(per_agent.values())
        received, replied = (counted.get((TEAM_SCOPE, "", kind), 0) for kind in "rp")
        found[None] = team.figures(received, replied)
    for owner, kind, count in alerts:
        field = ALERT_FIELDS.get(kind)
        if field is not None:
            credit(found, owner, **{field: count})
    return found
