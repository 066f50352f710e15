"""Per-day figures of a period from the KPI rollups in one pass: each rollup table is
read once for all the period's days (a month report's day rows), the response-time
percentiles ranked in the database per day and agent instead of fetching every
day's histogram."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, case, func, select

from monitors.kpi_rollup import (
    RESOLUTION,
    CustomerKey,
    SumKey,
    Totals,
    customers,
    merged,
    totals,
)
from monitors.kpis import Figures
from monitors.rules import AlertKind
from storage.kpi.rollup_reads import (
    Span,
    alert_row,
    assemble,
    customer_row,
    not_late_yet,
    sum_row,
    within,
)
from storage.tables import KPI_ALERT_DAYS, KPI_CUSTOMERS, KPI_RESPONSE_BINS, KPI_TURN_SUMS

#: ``(day, agent or None for the team) -> (median, p90)`` in seconds.
Percentiles = dict[tuple[int, str | None], tuple[float | None, float | None]]


def _in(table: Any, span: Span, agent_id: str | None) -> list[Any]:
    return within(table, span.first, span.end, agent_id)


def percentiles(conn: Connection, span: Span, agent_id: str | None, team: bool) -> Percentiles:
    """Nearest-rank median and p90 of each day's replied turns (replied that day: a
    one-day period ends at the next midnight), per agent or (``team``) for all."""
    bins = KPI_RESPONSE_BINS
    keys = [bins.c.day] if team else [bins.c.day, bins.c.agent]
    per_bin = (
        select(*keys, bins.c.bin, func.sum(bins.c.n).label("n"))
        .where(*_in(bins, span, agent_id), bins.c.reply_lag == 0)
        .group_by(*keys, bins.c.bin)
        .subquery()
    )
    part = [per_bin.c[k.name] for k in keys]
    ranked = select(
        *part,
        per_bin.c.bin,
        func.sum(per_bin.c.n).over(partition_by=part, order_by=per_bin.c.bin).label("cum"),
        func.sum(per_bin.c.n).over(partition_by=part).label("total"),
    ).subquery()
    groups = [ranked.c[k.name] for k in keys]
    query = select(  # the first bin whose running count reaches ceil(p * n)
        *groups,
        func.min(case((2 * ranked.c.cum >= ranked.c.total, ranked.c.bin))),
        func.min(case((10 * ranked.c.cum >= 9 * ranked.c.total, ranked.c.bin))),
    ).group_by(*groups)
    found: Percentiles = {}
    for row in conn.execute(query):
        agent = None if team else row[1]
        found[(row[0], agent)] = (row[-2] / RESOLUTION, row[-1] / RESOLUTION)
    return found


def by_day(
    conn: Connection, span: Span, agent_id: str | None
) -> dict[int, dict[str | None, Figures]]:
    """Each day's figures (a day of its own, ``[day, day + 1)``; the last one up to
    ``span.until`` when the span ends now), QA and suggestion figures left out."""
    sums: dict[int, list[tuple[SumKey, int, float]]] = defaultdict(list)
    for r in conn.execute(select(KPI_TURN_SUMS).where(*_in(KPI_TURN_SUMS, span, agent_id))):
        sums[r.day].append(sum_row(r))
    found_rows: dict[int, list[tuple[CustomerKey, int]]] = defaultdict(list)
    for r in conn.execute(select(KPI_CUSTOMERS).where(*_in(KPI_CUSTOMERS, span, agent_id))):
        found_rows[r.day].append(customer_row(r))
    alerts: dict[int, list[tuple[str | None, AlertKind, int]]] = defaultdict(list)
    for r in conn.execute(select(KPI_ALERT_DAYS).where(*_in(KPI_ALERT_DAYS, span, agent_id))):
        if r.n:
            alerts[r.day].append(alert_row(r.agent, r.kind, r.n))
    ranks = percentiles(conn, span, agent_id, team=False)
    if agent_id is None:
        ranks |= percentiles(conn, span, None, team=True)
    out = {}
    for day in range(span.first, span.end):
        per_agent = totals(sums[day], [], day + 1)
        if span.until is not None and day == span.end - 1:
            last = Span(day, day + 1, span.zone, span.until)
            for agent, n in not_late_yet(conn, last, agent_id).items():
                per_agent.setdefault(agent, Totals()).breached -= n
        for agent, one in per_agent.items():
            one.percentiles = ranks.get((day, agent), (None, None))
        team = merged(per_agent.values())
        team.percentiles = ranks.get((day, None), (None, None))
        counted = customers(found_rows[day], day, day + 1)
        out[day] = assemble(per_agent, counted, alerts[day], agent_id, team)
    return out
