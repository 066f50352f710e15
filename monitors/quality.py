"""The quality loop's rules (DESIGN.md section 12): sampling, appeals and the monthly
assessment. Pure functions; storage gathers the facts and the bot layer the settings."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from monitors.satisfaction import MeritRule


class FlagKind(StrEnum):
    """Flag kinds that come from people rather than alerts."""

    MANUAL = "qa.manual"
    SAMPLE = "qa.sample"


def sampled(channel: str, conversation_id: str, rate: float) -> bool:
    """Whether a closed conversation is drawn for random review at ``rate`` (0-1).

    Decided from the conversation's id alone, so every process draws the same answer
    and a conversation closed twice is drawn (or not) both times."""
    if rate <= 0:
        return False
    digest = hashlib.sha256(f"{channel}\x1f{conversation_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def counted_points(verdict: str, points: float | None) -> float:
    """What a fresh review counts in scores: a confirmed flag's points, else nothing."""
    return float(points or 0.0) if verdict == "confirmed" else 0.0


def appeal_open(reviewed_at: float | None, now: float, window_seconds: float) -> bool:
    """Whether an appeal of a review made at ``reviewed_at`` is still in time."""
    return reviewed_at is not None and now - reviewed_at <= window_seconds


@dataclass(frozen=True, slots=True)
class Grade:
    """A named grade reached from ``min`` points up (高级客服 from 90)."""

    name: str
    min: float


@dataclass(frozen=True, slots=True)
class AssessmentRules:
    """``[assessment]``: the month's base, how far points move it, cap and grades."""

    base: float
    min_delta: float
    max_delta: float
    cap: float
    adjustment_limit: float
    fail_below: float
    grades: tuple[Grade, ...]
    satisfaction: MeritRule = field(default_factory=MeritRule)


@dataclass(frozen=True, slots=True)
class Entry:
    """One counted fact of an agent's month: a flag (points <= 0), a merit (> 0) or the
    satisfaction merit (``csat``, id 0, at the month's last rating)."""

    source: str  # "flag", "merit" or "csat"
    id: int
    at: float
    points: float
    reason: str | None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    """One agent's month, as section 12 computes it."""

    agent_id: str
    month: str
    base: float
    deductions: float
    additions: float
    delta: float
    adjustment: float
    adjustment_reason: str | None
    score: float
    grade: str | None
    below_streak: int
    entries: tuple[Entry, ...]


def grade_for(score: float, rules: AssessmentRules) -> str | None:
    """The highest grade whose ``min`` the score reaches; None below ``fail_below``."""
    if score < rules.fail_below:
        return None
    reached = [g for g in rules.grades if score >= g.min]
    return max(reached, key=lambda g: g.min).name if reached else None


def month_score(
    deductions: float, additions: float, adjustment: float, rules: AssessmentRules
) -> tuple[float, float]:
    """``(delta, score)``: the points clamped to the delta range, then capped."""
    delta = min(rules.max_delta, max(rules.min_delta, deductions + additions))
    return delta, min(rules.cap, rules.base + delta + adjustment)


def assess(
    agent_id: str,
    month: str,
    entries: Sequence[Entry],
    adjustment: tuple[float, str] | None,
    earlier_scores: Sequence[float],
    rules: AssessmentRules,
) -> Assessment:
    """The agent's month from its entries and adjustment; ``earlier_scores`` are the
    scores of the months right before it, most recent first (for the streak)."""
    deductions = sum(e.points for e in entries if e.source == "flag")
    additions = sum(e.points for e in entries if e.source != "flag")
    amount, reason = adjustment if adjustment is not None else (0.0, None)
    delta, score = month_score(deductions, additions, amount, rules)
    streak = 0
    if score < rules.fail_below:
        streak = 1
        for earlier in earlier_scores:
            if earlier >= rules.fail_below:
                break
            streak += 1
    return Assessment(
        agent_id,
        month,
        rules.base,
        deductions,
        additions,
        delta,
        amount,
        reason,
        score,
        grade_for(score, rules),
        streak,
        tuple(sorted(entries, key=lambda e: (e.at, e.source, e.id))),
    )
