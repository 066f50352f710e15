"""Learning from use: when an agent sends a script for a customer message that the
script matched only weakly (below ``matcher.propose_below``, or not suggested at
all, e.g. picked from the library search), the message's wording is proposed as a
new question of that script, for a supervisor to accept (``/api/v1/scripts/proposals``)."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import MatcherSettings
from storage import learning

log = logging.getLogger(__name__)


async def learn_from_feedback(
    engine: AsyncEngine,
    settings: MatcherSettings,
    event_pk: int,
    script_id: str,
    action: str,
    agent_id: str,
) -> bool:
    """Propose a paraphrase when the feedback shows a weak match; True when one was made."""
    if action not in ("used", "edited") or settings.propose_below <= 0:
        return False
    score = await learning.suggested_score(engine, event_pk, script_id)
    if score is None or score >= settings.propose_below:
        return False
    made = await learning.propose(engine, event_pk, script_id, score, agent_id)
    if made:
        log.info("paraphrase proposed for script %s (matched %.1f)", script_id, score)
    return made
