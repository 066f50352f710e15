"""A supervisor's hour, computed by hand and by the database: bursts, a bot message,
a close and a reopen, an unassigned chat, an unanswered one, a QA confirmation."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from monitors.kpis import Figures
from storage import flags
from storage.kpi import queries as kpi_queries
from tests.support.storage import END, START, T0


async def test_each_agents_figures_match_the_hand_count(hour: AsyncEngine) -> None:
    async with hour.connect() as conn:
        found = await kpi_queries.figures(conn, START, END)
    assert set(found) == {"alice", "bob", None}
    alice = found["alice"]
    assert (alice.first_response_seconds, alice.response_seconds_avg) == (
        pytest.approx((10 + 14 + 25) / 3),
        pytest.approx((10 + 30 + 14 + 25) / 4),
    )
    assert replace(alice, first_response_seconds=None, response_seconds_avg=None) == Figures(
        customers_received=3,
        customers_replied=3,
        turns=5,
        turns_replied=4,
        first_response_seconds=None,
        response_seconds_avg=None,
        response_seconds_median=14,
        response_seconds_p90=30,
        sla_within=2,
        sla_breached=2,
        warnings=2,
        overdue=2,
        slow=2,
        forbidden_phrase=1,
        qa_confirmed=1,
        qa_points=-5,
        suggestions_used=2,
    )
    assert found["bob"] == Figures(
        customers_received=3,
        customers_replied=1,
        turns=3,
        turns_replied=1,
        first_response_seconds=5,
        response_seconds_avg=5,
        response_seconds_median=5,
        response_seconds_p90=5,
        sla_within=1,
        sla_breached=1,
        warnings=1,
        overdue=1,
        unanswered=1,
    )
    assert found["alice"].sla_compliance == 0.5
    assert float(found["bob"].reply_rate or 0) == pytest.approx(1 / 3)


async def test_the_team_counts_every_customer_once(hour: AsyncEngine) -> None:
    async with hour.connect() as conn:
        team = (await kpi_queries.figures(conn, START, END))[None]
    assert (team.customers_received, team.customers_replied) == (7, 4)
    assert (team.turns, team.turns_replied) == (9, 5)
    assert team.response_seconds_avg == pytest.approx(84 / 5)
    assert (team.response_seconds_median, team.response_seconds_p90) == (14, 30)
    assert team.first_response_seconds == pytest.approx(54 / 4)
    assert (team.sla_within, team.sla_breached) == (3, 4)
    assert (team.warnings, team.overdue, team.unanswered, team.slow) == (4, 4, 2, 2)


async def test_one_agent_only(hour: AsyncEngine) -> None:
    async with hour.connect() as conn:
        found = await kpi_queries.figures(conn, START, END, agent_id="bob")
    assert found["bob"] == found[None]
    assert found["bob"].customers_received == 3


async def test_a_turn_open_at_the_end_counts_as_received_not_replied(hour: AsyncEngine) -> None:
    # At 125 s, c1's second turn (due at 120) still waits: its reply comes at 130.
    async with hour.connect() as conn:
        alice = (await kpi_queries.figures(conn, START, T0 + 125))["alice"]
    assert (alice.turns, alice.turns_replied, alice.customers_replied) == (2, 1, 1)
    assert (alice.sla_within, alice.sla_breached) == (1, 1)


async def test_scripts_shown_and_used(hour: AsyncEngine) -> None:
    async with hour.connect() as conn:
        uses = await kpi_queries.script_use(conn, START, END)
    assert [(u.script_id, u.used, u.edited, u.ignored) for u in uses] == [("s1", 1, 1, 1)]


async def test_a_reviewed_unanswered_flag_is_counted_for_the_score(hour: AsyncEngine) -> None:
    async with hour.connect() as conn:
        before = await kpi_queries.figures(conn, START, END)
    [flag] = [
        f
        for f in await flags.flags(hour, flags.FlagFilter(kind="message.unanswered"))
        if f.agent_id == "bob"
    ]
    assert await flags.review(
        hour, flag.id, flags.Review("dismissed", "customer left", None, "qa", END)
    )
    async with hour.connect() as conn:
        after = await kpi_queries.figures(conn, START, END)
    assert (before["bob"].unanswered_reviewed, after["bob"].unanswered_reviewed) == (0, 1)
    assert after["bob"].unanswered == before["bob"].unanswered == 1
    assert after[None].unanswered_reviewed == 1
