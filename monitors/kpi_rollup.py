"""KPI rollups: per-day aggregates of turns that give exactly the figures of the raw
query (``storage.kpi.queries``) for any period made of whole local days.

A turn's outcome depends on the period's end ``E``: it is replied if its reply came
before ``E``, breached if its deadline passed before ``E`` unanswered, and so on. When
``E`` is a local midnight, "before ``E``" only needs the *day* of the reply and of the
deadline, so each turn is counted under its start day with the lag (in days) of its
reply and of its due time; a period ``[D1, D2)`` reads the rows of its days and decides
each row's outcome from ``day + lag < D2``.

Distinct customers are counted without DISTINCT: turns of one conversation follow one
another (a turn starts after the previous one ended), so a conversation is counted once
by its first turn in the period, the one whose previous turn (of the same agent, or of
anyone for the team) started before ``D1``: each turn carries the gap in days to that
previous turn. A replied customer is counted by its first *replied* turn in the period
in the same way: only the conversation's last turn in a period can be answered after
the period's end, so if the first replied turn was answered after it, none was before.

Pure functions; ``storage.kpi.rollups`` keeps the rows and reads them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from monitors.kpis import Figures
from monitors.periods import midnight
from monitors.rules import AlertKind

#: A gap (days) longer than any period a query may span: "no previous turn".
NO_GAP = 401
#: Response-time histogram bins per second (the raw query's resolution).
RESOLUTION = 10
TEAM_SCOPE = "team"
AGENT_SCOPE = "agent"
#: The figure each alert kind counts in (delivery.failed is not a KPI).
ALERT_FIELDS = {
    AlertKind.WARNING: "warnings",
    AlertKind.OVERDUE: "overdue",
    AlertKind.SLOW: "slow",
    AlertKind.UNANSWERED: "unanswered",
    AlertKind.FORBIDDEN: "forbidden_phrase",
}

#: ``(day, agent, reply_lag, due_lag, slow, overran, opening)``; reply_lag -1: no reply.
SumKey = tuple[int, str, int, int, bool, bool, bool]
#: ``(day, agent, reply_lag, bin)``
BinKey = tuple[int, str, int, int]
#: ``(day, scope, agent, kind, gap, reply_lag)``; kind "r" received, "p" replied.
CustomerKey = tuple[int, str, str, str, int, int]


@dataclass(frozen=True, slots=True)
class TurnFacts:
    """What the KPI figures read of one turn."""

    started_at: float
    agent_id: str | None
    replied_by: str | None
    ended_at: float | None
    end_reason: str | None
    due_at: float
    response_seconds: float | None
    deadline_seconds: float
    opening: bool

    @property
    def agent(self) -> str:
        """Whose turn it is: the assignee when it started, else who replied ('' none)."""
        return self.agent_id or self.replied_by or ""

    @property
    def replied(self) -> bool:
        """Ended by an agent's reply."""
        return self.end_reason == "reply"


@dataclass
class Rollup:
    """Aggregates of some turns (or the difference of two such sets)."""

    sums: dict[SumKey, list[float]] = field(default_factory=dict)  # [n, response sum]
    bins: dict[BinKey, int] = field(default_factory=dict)
    customers: dict[CustomerKey, int] = field(default_factory=dict)

    def add(self, other: Rollup, sign: int = 1) -> None:
        """Add (or with ``sign=-1`` subtract) ``other``."""
        for key, (n, total) in other.sums.items():
            row = self.sums.setdefault(key, [0, 0.0])
            row[0] += sign * n
            row[1] += sign * total
        for bins_key, count in other.bins.items():
            self.bins[bins_key] = self.bins.get(bins_key, 0) + sign * count
        for customer_key, count in other.customers.items():
            self.customers[customer_key] = self.customers.get(customer_key, 0) + sign * count

    def nonzero(self) -> Rollup:
        """Without the entries that cancelled out."""
        return Rollup(
            {k: v for k, v in self.sums.items() if v[0] != 0 or v[1] != 0},
            {k: v for k, v in self.bins.items() if v != 0},
            {k: v for k, v in self.customers.items() if v != 0},
        )


class Days:
    """Local day numbers (proleptic ordinals) of epoch seconds in one time zone,
    consistent with :func:`monitors.periods.midnight` (the periods' bounds)."""

    def __init__(self, timezone: str) -> None:
        self.tz = ZoneInfo(timezone)
        self._of = lru_cache(maxsize=65_536)(self._bucket_day)

    def of(self, ts: float) -> int:
        """The day holding ``ts``. Zones' offsets are whole quarter hours, so every
        second of a quarter hour falls on the same local day."""
        return self._of(math.floor(ts / 900))

    def _bucket_day(self, bucket: int) -> int:
        ts = bucket * 900.0
        day = datetime.fromtimestamp(ts, self.tz).date()
        if ts < midnight(day, self.tz):
            day -= timedelta(days=1)
        elif ts >= midnight(day + timedelta(days=1), self.tz):
            day += timedelta(days=1)
        return day.toordinal()

    def start(self, day: int) -> float:
        """Epoch seconds of the midnight beginning ``day``."""
        return midnight(date.fromordinal(day), self.tz)

    def aligned(self, ts: float) -> int | None:
        """The day ``ts`` begins, if it is a local midnight (else None)."""
        day = self.of(ts)
        return day if self.start(day) == ts else None


@dataclass
class Totals:
    """Turn sums of one agent (or the team): from the raw query's bins or from rollups."""

    turns: int = 0
    replied: int = 0
    total: float = 0.0
    openings: int = 0
    opening_total: float = 0.0
    within: int = 0
    breached: int = 0
    histogram: dict[int, int] = field(default_factory=dict)
    #: Median and p90 given directly (else ranked in ``histogram``).
    percentiles: tuple[float | None, float | None] | None = None

    def add(self, row: Any) -> None:
        """Add one row of the raw query (one agent's response-time bin)."""
        n = int(row.turns)
        self.turns += n
        self.total += float(row.total or 0)
        self.openings += int(row.openings or 0)
        self.opening_total += float(row.opening_total or 0)
        self.within += int(row.within or 0)
        self.breached += int(row.breached or 0)
        if row.bin >= 0:
            self.replied += n
            self.histogram[int(row.bin)] = self.histogram.get(int(row.bin), 0) + n

    def rank(self, numerator: int, denominator: int) -> float | None:
        """The nearest-rank percentile numerator/denominator (to the bin's resolution)."""
        if not self.replied:
            return None
        if self.percentiles is not None:  # read where the histogram is (rollups by day)
            return self.percentiles[(numerator, denominator) != (1, 2)]
        wanted = -(-numerator * self.replied // denominator)  # ceil(p * n)
        seen = 0
        for bin_, count in sorted(self.histogram.items()):
            seen += count
            if seen >= wanted:
                return bin_ / RESOLUTION
        raise AssertionError("the histogram holds every replied turn")

    def figures(self, received: int, replied_customers: int) -> Figures:
        """The figures, given the distinct customers received and replied."""
        return Figures(
            customers_received=received,
            customers_replied=replied_customers,
            turns=self.turns,
            turns_replied=self.replied,
            first_response_seconds=self.opening_total / self.openings if self.openings else None,
            response_seconds_avg=self.total / self.replied if self.replied else None,
            response_seconds_median=self.rank(1, 2),
            response_seconds_p90=self.rank(9, 10),
            sla_within=self.within,
            sla_breached=self.breached,
        )


def _gap(day: int, previous: int | None) -> int:
    return NO_GAP if previous is None else min(NO_GAP, day - previous)


def _turn_sums(turn: TurnFacts, days: Days, into: Rollup) -> tuple[int, int]:
    day = days.of(turn.started_at)
    reply_lag = -1
    if turn.replied and turn.ended_at is not None and turn.response_seconds is not None:
        reply_lag = days.of(turn.ended_at) - day
        key = (day, turn.agent, reply_lag, math.floor(turn.response_seconds * RESOLUTION))
        into.bins[key] = into.bins.get(key, 0) + 1
    slow = turn.replied and (turn.response_seconds or 0) > turn.deadline_seconds
    overran = turn.ended_at is None or turn.ended_at > turn.due_at
    sums_key = (day, turn.agent, reply_lag, days.of(turn.due_at) - day, slow, overran, turn.opening)
    row = into.sums.setdefault(sums_key, [0, 0.0])
    row[0] += 1
    row[1] += turn.response_seconds if reply_lag >= 0 and turn.response_seconds else 0.0
    return day, reply_lag


def scopes(agent: str) -> list[tuple[str, str]]:
    """The scopes a turn of ``agent`` ('' for nobody) counts in: the team, and its agent."""
    return [(TEAM_SCOPE, "")] + ([(AGENT_SCOPE, agent)] if agent else [])


@dataclass(frozen=True, slots=True)
class Earlier:
    """What a conversation's later turns need of its earlier ones: per scope
    (:func:`scopes`), the start day of the latest earlier turn and of the latest earlier
    replied one."""

    last: dict[tuple[str, str], int] = field(default_factory=dict)
    last_replied: dict[tuple[str, str], int] = field(default_factory=dict)


def conversation_rollup(
    turns: Iterable[TurnFacts], days: Days, earlier: Earlier | None = None
) -> Rollup:
    """The rollup of one conversation's turns (any order), or of its turns from some time
    on when ``earlier`` describes the turns before them."""
    out = Rollup()
    last = dict(earlier.last) if earlier else {}  # scope -> start day of the previous turn
    last_replied = dict(earlier.last_replied) if earlier else {}
    for turn in sorted(turns, key=lambda t: t.started_at):
        day, reply_lag = _turn_sums(turn, days, out)
        for scope in scopes(turn.agent):
            _customer(out, day, scope, "r", _gap(day, last.get(scope)), -1)
            last[scope] = day
            if reply_lag >= 0:
                _customer(out, day, scope, "p", _gap(day, last_replied.get(scope)), reply_lag)
                last_replied[scope] = day
    return out


def _customer(out: Rollup, day: int, scope: tuple[str, str], kind: str, gap: int, lag: int) -> None:
    if gap > 0:  # a previous turn the same day: never a period's first
        key = (day, scope[0], scope[1], kind, gap, lag)
        out.customers[key] = out.customers.get(key, 0) + 1


def totals(
    sums: Iterable[tuple[SumKey, int, float]],
    histogram: Iterable[tuple[str, int, int]],
    end: int,
) -> dict[str, Totals]:
    """Per agent ('' for turns of nobody), the turn figures at the midnight beginning day
    ``end``, from the sums rows of the period's days and the ``(agent, bin, count)`` of
    its turns replied before that midnight (``day + reply_lag < end``)."""
    out: dict[str, Totals] = {}
    for (day, agent, reply_lag, due_lag, slow, overran, opening), n, response in sums:
        into = out.setdefault(agent, Totals())
        into.turns += n
        if reply_lag >= 0 and day + reply_lag < end:
            into.replied += n
            into.total += response
            if opening:
                into.openings += n
                into.opening_total += response
            if slow:
                into.breached += n
            else:
                into.within += n
        elif overran and day + due_lag < end:
            into.breached += n
    for agent, bin_, n in histogram:
        bins = out.setdefault(agent, Totals()).histogram
        bins[bin_] = bins.get(bin_, 0) + n
    return out


def customers(
    rows: Iterable[tuple[CustomerKey, int]], start: int, end: int
) -> dict[tuple[str, str, str], int]:
    """``(scope, agent, kind) -> count`` of distinct customers in the days ``[start, end)``
    (kind "r" received, "p" replied before the period's end)."""
    out: dict[tuple[str, str, str], int] = {}
    for (day, scope, agent, kind, gap, reply_lag), n in rows:
        if gap > day - start and (kind == "r" or day + reply_lag < end):
            key = (scope, agent, kind)
            out[key] = out.get(key, 0) + n
    return out


def merged(parts: Iterable[Totals]) -> Totals:
    """The sum of several agents' totals (the team's)."""
    out = Totals()
    for part in parts:
        out.turns += part.turns
        out.replied += part.replied
        out.total += part.total
        out.openings += part.openings
        out.opening_total += part.opening_total
        out.within += part.within
        out.breached += part.breached
        for bin_, n in part.histogram.items():
            out.histogram[bin_] = out.histogram.get(bin_, 0) + n
    return out


def credit(found: dict[str | None, Figures], agent_id: str | None, **values: Any) -> None:
    """Add ``values`` to the agent's figures (when there is one) and to the team's."""
    for key in (agent_id, None) if agent_id is not None else (None,):
        current = found.get(key, Figures())
        found[key] = replace(
            current, **{name: getattr(current, name) + value for name, value in values.items()}
        )
