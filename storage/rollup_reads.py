"""Reading the KPI rollups (kept by :mod:`storage.rollups`): the figures of whole local
days, and of a period that starts at a midnight and ends now."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from monitors.kpi_rollup import (
    AGENT_SCOPE,
    ALERT_FIELDS,
    TEAM_SCOPE,
    Totals,
    credit,
    customers,
    merged,
    totals,
)
from monitors.kpis import Figures
from monitors.rules import AlertKind
from storage.rollups import days_in, timezone
from storage.tables import KPI_ALERT_DAYS, KPI_CUSTOMERS, KPI_RESPONSE_BINS, KPI_TURN_SUMS, TURNS


@dataclass(frozen=True, slots=True)
class Span:
    """The rollups' days ``[first, end)`` that answer a period; ``until`` is the period's
    end when it is not a midnight but now (or later): open turns due between it and the
    next midnight are not late yet."""

    first: int
    end: int
    until: float | None = None
    #: Epoch seconds of the first day's and of the end day's midnight.
    bounds: tuple[float, float] = (0.0, 0.0)


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
        return Span(first, last) if first < last else None
    if end < now:  # a past period ending mid-day: only the raw rows know
        return None
    last = days.of(end) + 1
    return Span(first, last, end, (days.start(first), days.start(last)))


def turn_totals(
    conn: Connection, first: int, end: int, agent_id: str | None
) -> tuple[dict[str, Totals], dict[tuple[str, str, str], int]]:
    """Per-agent turn totals and distinct-customer counts of the days ``[first, end)``."""
    sums = select(KPI_TURN_SUMS).where(KPI_TURN_SUMS.c.day >= first, KPI_TURN_SUMS.c.day < end)
    bins = select(
        KPI_RESPONSE_BINS.c.agent, KPI_RESPONSE_BINS.c.bin, func.sum(KPI_RESPONSE_BINS.c.n)
    ).where(
        KPI_RESPONSE_BINS.c.day >= first,
        KPI_RESPONSE_BINS.c.day < end,
        KPI_RESPONSE_BINS.c.day + KPI_RESPONSE_BINS.c.reply_lag < end,
    )
    found = select(KPI_CUSTOMERS).where(KPI_CUSTOMERS.c.day >= first, KPI_CUSTOMERS.c.day < end)
    if agent_id is not None:
        sums = sums.where(KPI_TURN_SUMS.c.agent == agent_id)
        bins = bins.where(KPI_RESPONSE_BINS.c.agent == agent_id)
        found = found.where(KPI_CUSTOMERS.c.agent == agent_id)
    bins = bins.group_by(KPI_RESPONSE_BINS.c.agent, KPI_RESPONSE_BINS.c.bin)
    per_agent = totals(
        ((tuple(r[:7]), int(r.n), float(r.response)) for r in conn.execute(sums)),
        ((r[0], int(r[1]), int(r[2])) for r in conn.execute(bins)),
        end,
    )
    counted = customers(((tuple(r[:6]), int(r.n)) for r in conn.execute(found)), first, end)
    return per_agent, counted


def alert_counts(
    conn: Connection, first: int, end: int, agent_id: str | None
) -> list[tuple[str | None, AlertKind, int]]:
    """``(agent, kind, count)`` of the alerts that fired in the days ``[first, end)``."""
    query = (
        select(KPI_ALERT_DAYS.c.agent, KPI_ALERT_DAYS.c.kind, func.sum(KPI_ALERT_DAYS.c.n))
        .where(KPI_ALERT_DAYS.c.day >= first, KPI_ALERT_DAYS.c.day < end)
        .group_by(KPI_ALERT_DAYS.c.agent, KPI_ALERT_DAYS.c.kind)
    )
    if agent_id is not None:
        query = query.where(KPI_ALERT_DAYS.c.agent == agent_id)
    return [(r[0] or None, AlertKind(r[1]), int(r[2])) for r in conn.execute(query) if r[2]]


def not_late_yet(conn: Connection, span: Span, agent_id: str | None) -> dict[str, int]:
    """Open turns due between ``span.until`` and the next midnight, per agent."""
    agent = func.coalesce(TURNS.c.agent_id, "")
    query = (
        select(agent, func.count())
        .where(
            TURNS.c.ended_at.is_(None),
            TURNS.c.started_at >= span.bounds[0],
            TURNS.c.due_at >= span.until,
            TURNS.c.due_at < span.bounds[1],
        )
        .group_by(agent)
    )
    if agent_id is not None:
        query = query.where(TURNS.c.agent_id == agent_id)
    return {row[0]: int(row[1]) for row in conn.execute(query)}


def figures(conn: Connection, span: Span, agent_id: str | None) -> dict[str | None, Figures]:
    """Figures per agent and the team's (key None) over the span, as
    :func:`storage.kpi_queries.figures` gives them from raw rows (QA and suggestion
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
