"""KPI figures and the manuals' scoring, as pure data and functions.

The figures come from SQL aggregates (``storage.kpi.queries``); here they are
scored: the reply rate and the average response time each fall into a band
(``[kpi]`` in the config; the reference manuals' bands by default), the band
points are weighted, and faults (``message.unanswered``, −10 each by default, until
QA reviews the flag: then the review's points count instead)
and the points QA reviewers gave on confirmed flags are added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any


@dataclass(frozen=True, slots=True)
class Figures:
    """One agent's (or the team's) figures over a period.

    Turn figures follow docs/kpis.md: turns started in the period, counted for the
    conversation's assignee when the turn started (else the agent who replied);
    replied means ended by an agent reply before the period's end.
    """

    customers_received: int = 0
    customers_replied: int = 0
    turns: int = 0
    turns_replied: int = 0
    first_response_seconds: float | None = None
    response_seconds_avg: float | None = None
    response_seconds_median: float | None = None
    response_seconds_p90: float | None = None
    sla_within: int = 0
    sla_breached: int = 0
    warnings: int = 0
    overdue: int = 0
    slow: int = 0
    unanswered: int = 0
    forbidden_phrase: int = 0
    qa_confirmed: int = 0
    qa_points: float = 0.0
    #: ``message.unanswered`` alerts QA has reviewed: their points replace the automatic fault.
    unanswered_reviewed: int = 0
    suggestions_used: int = 0
    #: Survey answers rated in the period (DESIGN.md section 12), their sum, and how
    #: many were satisfied (4 or 5), for the conversation's agent when it closed.
    csat_responses: int = 0
    csat_sum: int = 0
    csat_satisfied: int = 0

    @property
    def csat_average(self) -> float | None:
        """The average rating, 1-5 (None without ratings)."""
        return self.csat_sum / self.csat_responses if self.csat_responses else None

    @property
    def csat_satisfied_rate(self) -> float | None:
        """Share of ratings that were 4 or 5 (None without ratings)."""
        return self.csat_satisfied / self.csat_responses if self.csat_responses else None

    @property
    def reply_rate(self) -> Fraction | None:
        """Customers replied / customers received, exactly (None with no customers)."""
        if not self.customers_received:
            return None
        return Fraction(self.customers_replied, self.customers_received)

    @property
    def sla_compliance(self) -> float | None:
        """Share of decided turns answered within their tier's deadline."""
        decided = self.sla_within + self.sla_breached
        return self.sla_within / decided if decided else None


@dataclass(frozen=True, slots=True)
class Scoring:
    """How figures are scored, as ``[kpi]`` sets it (the manuals' bands are its defaults,
    written there once); the settings build one (``KpiSettings.scoring()``)."""

    #: (at least this reply rate, points), best first; below every band scores 0.
    reply_rate_bands: tuple[tuple[float, float], ...]
    #: (at most this average response in seconds, points), best first; above scores 0.
    response_bands: tuple[tuple[float, float], ...]
    reply_rate_weight: float
    response_weight: float
    unanswered_points: float


@dataclass(frozen=True, slots=True)
class Scores:
    """Band points, faults, QA points and the weighted total."""

    reply_rate: float | None
    response: float | None
    faults: float
    qa: float
    total: float | None


def at_least(value: Fraction | None, bands: Sequence[tuple[float, float]]) -> float | None:
    """Points of the first band whose lower limit ``value`` reaches (exact at the edge)."""
    if value is None:
        return None
    for limit, points in bands:
        if value >= Fraction(str(limit)):
            return points
    return 0.0


def at_most(value: float | None, bands: Sequence[tuple[float, float]]) -> float | None:
    """Points of the first band whose upper limit ``value`` does not exceed."""
    if value is None:
        return None
    for limit, points in bands:
        if value <= limit:
            return points
    return 0.0


def score(figures: Figures, settings: Scoring) -> Scores:
    """Score one agent's figures per ``[kpi]``. With no customers there is nothing to
    score (None); customers but no replies earn no response points."""
    rate = at_least(figures.reply_rate, settings.reply_rate_bands)
    response = at_most(figures.response_seconds_avg, settings.response_bands)
    if response is None and figures.customers_received:
        response = 0.0
    faults = settings.unanswered_points * max(0, figures.unanswered - figures.unanswered_reviewed)
    total = None
    if rate is not None and response is not None:
        weighted = settings.reply_rate_weight * rate + settings.response_weight * response
        total = weighted + faults + figures.qa_points
    return Scores(rate, response, faults, figures.qa_points, total)


def as_json(figures: Figures, settings: Scoring) -> dict[str, Any]:
    """Figures, derived rates and scores as the API and reports show them."""
    data = asdict(figures)
    rate = figures.reply_rate
    data["reply_rate"] = None if rate is None else float(rate)
    data["sla_compliance"] = figures.sla_compliance
    data["csat_average"] = figures.csat_average
    data["csat_satisfied_rate"] = figures.csat_satisfied_rate
    data["scores"] = asdict(score(figures, settings))
    return data
