"""The KPI rollups in the database (see :mod:`monitors.kpi_rollup`): kept up to date in
the transactions that write turns and record alerts, rebuilt from the raw rows when
they are missing or were built for another time zone, and read for periods of whole
local days.

Maintenance is by difference: the rollup of each touched conversation's turns after
the change minus the one before, added to the stored rows in key order (so two
processes' transactions lock rows in the same order and cannot deadlock).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, Table, and_, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from monitors.kpi_rollup import (
    Days,
    Earlier,
    Rollup,
    TurnFacts,
    conversation_rollup,
    scopes,
)
from storage.tables import (
    ALERTS,
    KPI_ALERT_DAYS,
    KPI_CUSTOMERS,
    KPI_RESPONSE_BINS,
    KPI_STATE,
    KPI_TURN_SUMS,
    TURNS,
)

log = logging.getLogger(__name__)
STATE_ID = 1
FACT_COLUMNS = (
    "started_at",
    "agent_id",
    "replied_by",
    "ended_at",
    "end_reason",
    "due_at",
    "response_seconds",
    "deadline_seconds",
    "opening",
)
SUM_KEY = ("day", "agent", "reply_lag", "due_lag", "slow", "overran", "opening")
BIN_KEY = ("day", "agent", "reply_lag", "bin")
CUSTOMER_KEY = ("day", "scope", "agent", "kind", "gap", "reply_lag")
#: Turns of one conversation by (channel, message id).
Chain = dict[tuple[str, str], TurnFacts]


@functools.lru_cache(maxsize=8)
def days_in(timezone: str) -> Days:
    """The day numbering of ``timezone`` (cached: it memoises conversions)."""
    return Days(timezone)


def timezone(conn: Connection) -> str | None:
    """The time zone the rollups are kept in (None: not built)."""
    return conn.execute(select(KPI_STATE.c.timezone).where(KPI_STATE.c.id == STATE_ID)).scalar()


def facts(row: Mapping[Any, Any]) -> TurnFacts:
    """A turn's KPI facts from its row (or column values)."""
    values = {name: row[name] for name in FACT_COLUMNS}
    return TurnFacts(**values | {"opening": bool(values["opening"])})


def chains(conn: Connection, since: Mapping[int, float]) -> dict[int, Chain]:
    """The turns of these conversations (by pk) started at or after their time in
    ``since``, as stored now."""
    wanted = sorted(since)
    found: dict[int, Chain] = {pk: {} for pk in wanted}
    columns = [TURNS.c.conversation_pk, TURNS.c.channel, TURNS.c.message_id]
    columns += [TURNS.c[name] for name in FACT_COLUMNS]
    query = select(*columns).where(
        TURNS.c.conversation_pk.in_(wanted), TURNS.c.started_at >= _cut(since)
    )
    for row in conn.execute(query):
        found[row.conversation_pk][(row.channel, row.message_id)] = facts(row._mapping)
    return found


def earlier(conn: Connection, since: Mapping[int, float], zone: str) -> dict[int, Earlier]:
    """What the turns of these conversations started before their time in ``since`` leave
    to the later ones (summed by the database: a long conversation's history is not
    read into Python on each write)."""
    days = days_in(zone)
    # TurnFacts.agent in SQL ('' counts as nobody, as Python's ``or`` has it).
    agent = func.coalesce(
        func.nullif(TURNS.c.agent_id, ""), func.nullif(TURNS.c.replied_by, ""), ""
    ).label("agent")
    replied = and_(
        TURNS.c.end_reason == "reply",
        TURNS.c.ended_at.is_not(None),
        TURNS.c.response_seconds.is_not(None),
    )
    query = (
        select(
            TURNS.c.conversation_pk,
            agent,
            func.max(TURNS.c.started_at).label("last"),
            func.max(case((replied, TURNS.c.started_at))).label("last_replied"),
        )
        .where(TURNS.c.conversation_pk.in_(sorted(since)), TURNS.c.started_at < _cut(since))
        .group_by(TURNS.c.conversation_pk, agent)
    )
    found: dict[int, Earlier] = {}
    for row in conn.execute(query):
        into = found.setdefault(row.conversation_pk, Earlier())
        for scope in scopes(row.agent):
            _latest(into.last, scope, days.of(row.last))
            if row.last_replied is not None:
                _latest(into.last_replied, scope, days.of(row.last_replied))
    return found


def _latest(days: dict[tuple[str, str], int], scope: tuple[str, str], day: int) -> None:
    days[scope] = max(day, days.get(scope, day))


def _cut(since: Mapping[int, float]) -> Any:
    """Each conversation's own time, as a column expression."""
    return case({pk: float(at) for pk, at in since.items()}, value=TURNS.c.conversation_pk)


def maintain(
    conn: Connection,
    zone: str,
    before: dict[int, Chain],
    after: dict[int, Chain],
    starts: Mapping[int, Earlier] | None = None,
) -> None:
    """Bring the rollups (kept in ``zone``) from ``before`` to ``after``, the turns of
    the touched conversations before and after the change (from some time on, when
    ``starts`` describes the unchanged turns before it)."""
    days = days_in(zone)
    delta = Rollup()
    for pk, chain in after.items():
        start = (starts or {}).get(pk)
        delta.add(conversation_rollup(chain.values(), days, start))
        delta.add(conversation_rollup(before.get(pk, {}).values(), days, start), -1)
    add(conn, delta.nonzero())


def _upsert(
    conn: Connection, table: Table, rows: list[dict[str, Any]], sums: tuple[str, ...]
) -> None:
    if not rows:
        return
    module: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    insert = module.insert(table)
    keys = [c.name for c in table.primary_key.columns]
    statement = insert.on_conflict_do_update(
        index_elements=keys, set_={name: table.c[name] + insert.excluded[name] for name in sums}
    )
    conn.execute(statement, sorted(rows, key=lambda r: tuple(r[k] for k in keys)))


def add(conn: Connection, delta: Rollup) -> None:
    """Add ``delta`` to the stored rows."""
    sums = [
        dict(
            zip(
                ("day", "agent", "reply_lag", "due_lag", "slow", "overran", "opening"),
                key,
                strict=True,
            )
        )
        | {"n": int(n), "response": float(total)}
        for key, (n, total) in delta.sums.items()
    ]
    _upsert(conn, KPI_TURN_SUMS, sums, ("n", "response"))
    bins = [dict(zip(BIN_KEY, key, strict=True)) | {"n": n} for key, n in delta.bins.items()]
    _upsert(conn, KPI_RESPONSE_BINS, bins, ("n",))
    found = [
        dict(zip(CUSTOMER_KEY, key, strict=True)) | {"n": n} for key, n in delta.customers.items()
    ]
    _upsert(conn, KPI_CUSTOMERS, found, ("n",))


def record_alerts(conn: Connection, alerts: Sequence[tuple[str, str | None, float]]) -> None:
    """Count new alerts, each ``(kind, agent_id, at)``."""
    if not alerts:
        return
    zone = timezone(conn)
    if zone is None:
        return
    _upsert(conn, KPI_ALERT_DAYS, _alert_rows(alerts, days_in(zone)), ("n",))


def _alert_rows(
    alerts: Iterable[tuple[str, str | None, float]], days: Days
) -> list[dict[str, Any]]:
    counts: dict[tuple[int, str, str], int] = {}
    for kind, agent_id, at in alerts:
        key = (days.of(at), agent_id or "", kind)
        counts[key] = counts.get(key, 0) + 1
    return [
        {"day": day, "agent": agent, "kind": kind, "n": n}
        for (day, agent, kind), n in counts.items()
    ]


def rebuild(conn: Connection, zone: str, batch: int = 20_000) -> int:
    """Recompute every rollup from the stored turns and alerts, in ``zone``'s days,
    inside the caller's transaction; the number of turns read."""
    _lock(conn)
    for table in (KPI_TURN_SUMS, KPI_RESPONSE_BINS, KPI_CUSTOMERS, KPI_ALERT_DAYS, KPI_STATE):
        conn.execute(delete(table))
    days = days_in(zone)
    total, count = Rollup(), 0
    columns = [TURNS.c.conversation_pk] + [TURNS.c[name] for name in FACT_COLUMNS]
    query = select(*columns).order_by(TURNS.c.conversation_pk, TURNS.c.started_at)
    rows = conn.execute(query.execution_options(yield_per=batch))
    for _, turns in groupby(rows, key=lambda r: r.conversation_pk):
        chain = [facts(r._mapping) for r in turns]
        count += len(chain)
        total.add(conversation_rollup(chain, days))
    add(conn, total.nonzero())
    alerts = conn.execute(
        select(ALERTS.c.kind, ALERTS.c.agent_id, ALERTS.c.at).execution_options(yield_per=batch)
    )
    _upsert(conn, KPI_ALERT_DAYS, _alert_rows(alerts, days), ("n",))
    conn.execute(KPI_STATE.insert().values(id=STATE_ID, timezone=zone, built_at=time.time()))
    return count


def _lock(conn: Connection) -> None:
    """Writers (and another process's rebuild) wait until this transaction ends. SQLite
    has one writer at a time anyway."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "LOCK TABLE kpi_rollup_state, kpi_turn_sums, kpi_response_bins, kpi_customers, "
            "kpi_alert_days IN EXCLUSIVE MODE"
        )


def ensure(conn: Connection, zone: str) -> bool:
    """Build the rollups if they are missing or in another time zone; True if it did
    (several processes starting at once build them once)."""
    if timezone(conn) == zone:
        return False
    _lock(conn)
    if timezone(conn) == zone:
        return False
    started = time.perf_counter()
    count = rebuild(conn, zone)
    took = time.perf_counter() - started
    # A new database is no news; rebuilding an existing history is worth a WARNING.
    level = logging.WARNING if count else logging.INFO
    log.log(level, "KPI rollups built for %s: %d turns in %.1f s", zone, count, took)
    return True
