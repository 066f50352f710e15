"""The monthly assessment (DESIGN.md section 12): the month's facts from storage scored
by the pure rules, for the API, the assessment page and the monthly report."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.errors import BadRequest
from bot.payloads import iso
from bot.settings import QaSettings, Settings
from monitors import periods
from monitors.quality import Assessment, AssessmentRules, Entry, assess, month_score
from storage import assessment as store

#: How far back ``below_streak`` looks (a year of months).
STREAK_MONTHS = 12
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> date:
    """``YYYY-MM`` as the month's first day (400 otherwise)."""
    found = MONTH.fullmatch(text)
    if found is None or int(found.group(1)) < 1970:
        raise BadRequest("month: YYYY-MM (1970 or later)", {"month": text})
    return date(int(found.group(1)), int(found.group(2)), 1)


def month_name(first: date) -> str:
    """The month's ``YYYY-MM``."""
    return f"{first.year:04d}-{first.month:02d}"


def this_month(now: float, tz: ZoneInfo) -> date:
    """The first day of the month holding ``now`` in the team's time zone."""
    return periods.first_day(periods.Period.MONTH, periods.today(now, tz))


def _previous(first: date) -> date:
    return date(first.year - 1, 12, 1) if first.month == 1 else date(first.year, first.month - 1, 1)


async def _earlier_scores(
    engine: AsyncEngine, first: date, tz: ZoneInfo, agents: set[str], rules: AssessmentRules
) -> dict[str, list[float]]:
    """Scores of the months before ``first``, most recent first, for ``agents``, as long
    as each stays below ``fail_below`` (the streak stops at the first month that is not)."""
    scores: dict[str, list[float]] = {agent: [] for agent in agents}
    still = set(agents)
    month = first
    for _ in range(STREAK_MONTHS):
        if not still:
            break
        month = _previous(month)
        start, end = periods.bounds(periods.Period.MONTH, month, tz)
        totals = await store.points(
            engine, start, end, month_name(month), still, rules.satisfaction
        )
        for agent in sorted(still):
            moved, adjustment = totals.get(agent, (0.0, 0.0))
            _, score = month_score(moved, 0.0, adjustment, rules)
            scores[agent].append(score)
            if score >= rules.fail_below:
                still.discard(agent)
    return scores


async def month_assessments(
    engine: AsyncEngine, settings: Settings, first: date, agent_ids: set[str] | None = None
) -> list[Assessment]:
    """Every agent's assessment of the month starting ``first`` (or these agents')."""
    tz = ZoneInfo(settings.kpi.timezone)
    rules = settings.assessment.rules()
    name = month_name(first)
    start, end = periods.bounds(periods.Period.MONTH, first, tz)
    facts = await store.facts(engine, start, end, name, agent_ids, rules.satisfaction)
    drafts = {
        agent: assess(
            agent, name, facts.entries.get(agent, []), facts.adjustments.get(agent), [], rules
        )
        for agent in facts.agents
    }
    failing = {agent for agent, draft in drafts.items() if draft.score < rules.fail_below}
    if failing:
        earlier = await _earlier_scores(engine, first, tz, failing, rules)
        for agent in failing:
            entries = facts.entries.get(agent, [])
            drafts[agent] = assess(
                agent, name, entries, facts.adjustments.get(agent), earlier[agent], rules
            )
    return [drafts[agent] for agent in sorted(drafts)]


def _category(qa: QaSettings, key: str | None) -> tuple[str | None, str | None]:
    """``(id, name)`` of the category an entry names by id or by alert kind."""
    if key is None:
        return None, None
    found = qa.by_id(key) or qa.for_kind(key)
    return (found.id, found.name) if found else (key, None)


def _entry_json(entry: Entry, qa: QaSettings) -> dict[str, Any]:
    category, name = _category(qa, entry.category)
    return {
        "source": entry.source,
        "id": entry.id,
        "at": iso(entry.at),
        "points": entry.points,
        "reason": entry.reason,
        "category": category,
        "category_name": name,
    }


def assessment_json(item: Assessment, qa: QaSettings) -> dict[str, Any]:
    """An assessment as the contract's item, each entry explaining its points."""
    return {
        "agent_id": item.agent_id,
        "month": item.month,
        "base": item.base,
        "deductions": item.deductions,
        "additions": item.additions,
        "delta": item.delta,
        "adjustment": item.adjustment,
        "adjustment_reason": item.adjustment_reason,
        "score": item.score,
        "grade": item.grade,
        "below_streak": item.below_streak,
        "entries": [_entry_json(e, qa) for e in item.entries],
    }
