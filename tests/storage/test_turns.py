"""Every customer turn is tracked in the same transaction as its messages: when it
started, its fixed deadline, how it ended, and the alerts a late reply implies."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import writer
from storage.sweep import sweep
from storage.tables import ALERTS, FLAGS, TURNS
from tests.support.events import agent_replies, assigned, bot_says, closed, customer_says
from tests.support.rules import RULES
from tests.support.storage import T0, ingest


async def turns(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(TURNS).order_by(TURNS.c.id))).all())


async def alert_kinds(engine: AsyncEngine) -> list[tuple[str, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(ALERTS.c.kind, ALERTS.c.message_id).order_by(ALERTS.c.id))
        return [(r.kind, r.message_id) for r in rows]


async def test_a_burst_is_one_turn_timed_from_its_first_message(engine: AsyncEngine) -> None:
    await ingest(
        engine,
        assigned("c1", "alice", "a", ts=T0 - 1),
        customer_says("m1", "c1", ts=T0),
        customer_says("m2", "c1", ts=T0 + 3),
    )
    await ingest(
        engine, customer_says("m3", "c1", ts=T0 + 6), agent_replies("r1", "alice", "c1", ts=T0 + 12)
    )
    [turn] = await turns(engine)
    assert (turn.message_id, turn.deadline_seconds, turn.agent_id) == ("m1", 20, "alice")
    assert (turn.end_reason, turn.reply_message_id, turn.response_seconds) == ("reply", "r1", 12)
    assert turn.next_due_at is None
    assert await alert_kinds(engine) == []


async def test_an_open_turn_waits_for_the_sweep_at_its_next_threshold(
    engine: AsyncEngine,
) -> None:
    await ingest(engine, customer_says("m1", "c1", ts=T0))
    [turn] = await turns(engine)
    assert (turn.next_due_at, turn.ended_at, turn.agent_id) == (T0 + 15, None, None)


async def test_a_late_reply_fires_the_missed_alerts_and_a_slow_flag(engine: AsyncEngine) -> None:
    await ingest(engine, assigned("c1", "alice", "a", ts=T0 - 1), customer_says("m1", "c1", ts=T0))
    [stored] = await ingest(engine, agent_replies("r1", "alice", "c1", ts=T0 + 20.05))
    assert stored is not None
    assert [(a.kind, a.message_id, a.agent_id) for a in stored.alerts] == [
        ("reply.warning", "m1", "alice"),
        ("reply.overdue", "m1", "alice"),
        ("reply.slow", "m1", "alice"),
    ]
    assert stored.resolved is None  # the agent was shown nothing before this reply
    slow = stored.alerts[2]
    assert slow.response_seconds == pytest.approx(20.05)
    assert stored.alerts[1].waited_seconds == 20  # stamped at the deadline (event time)
    async with engine.connect() as conn:
        flagged = (
            (await conn.execute(select(ALERTS.c.kind).join(FLAGS, FLAGS.c.alert_id == ALERTS.c.id)))
            .scalars()
            .all()
        )
    assert flagged == ["reply.slow"]


async def test_a_reply_just_in_time_raises_nothing(engine: AsyncEngine) -> None:
    _, reply = await ingest(
        engine, customer_says("m1", "c1", ts=T0), agent_replies("r1", "alice", "c1", ts=T0 + 14.95)
    )
    assert await alert_kinds(engine) == []
    assert reply is not None
    assert reply.resolved is None


async def test_the_tier_is_fixed_by_the_agents_concurrency_at_the_turn_start(
    engine: AsyncEngine,
) -> None:
    setup = [assigned(f"c{i}", "alice", f"a{i}", ts=T0 - 10) for i in range(5)]
    await ingest(
        engine, *setup, *(customer_says(f"m{i}", f"c{i}", ts=T0 - 5 + i) for i in range(3))
    )
    await ingest(engine, customer_says("m3", "c3", ts=T0))  # alice's 4th active chat: busy
    await ingest(engine, customer_says("m4", "c4", ts=T0 + 1))
    deadlines = {t.message_id: (t.concurrency, t.deadline_seconds) for t in await turns(engine)}
    assert deadlines == {"m0": (1, 20), "m1": (2, 20), "m2": (3, 20), "m3": (4, 60), "m4": (5, 60)}


async def test_idle_and_closed_chats_do_not_count_toward_concurrency(engine: AsyncEngine) -> None:
    window = RULES.active_window_seconds
    setup = [assigned(f"c{i}", "alice", f"a{i}", ts=T0 - window - 100) for i in range(5)]
    await ingest(
        engine,
        *setup,
        customer_says("old", "c0", ts=T0 - window - 1),
        customer_says("x1", "c1", ts=T0 - 10),
        customer_says("x2", "c2", ts=T0 - 9),
        closed("c2", "cl", ts=T0 - 8),
        customer_says("x3", "c3", ts=T0 - 7),
    )
    await ingest(engine, customer_says("now", "c4", ts=T0))
    latest = {t.message_id: t.concurrency for t in await turns(engine)}
    assert latest["now"] == 3  # c1, c3 and c4 itself; c0 idle, c2 closed


async def test_closing_ends_the_turn_quietly_and_the_customer_reopens_a_new_one(
    engine: AsyncEngine,
) -> None:
    await ingest(engine, customer_says("m1", "c1", ts=T0), closed("c1", "cl", ts=T0 + 400))
    await ingest(engine, customer_says("m2", "c1", ts=T0 + 500))
    first, second = await turns(engine)
    assert (first.end_reason, first.next_due_at) == ("closed", None)
    assert (second.message_id, second.ended_at) == ("m2", None)
    assert await alert_kinds(engine) == []


async def test_bots_neither_start_nor_end_turns(engine: AsyncEngine) -> None:
    await ingest(engine, bot_says("b1", "c1", ts=T0))
    assert await turns(engine) == []
    await ingest(engine, customer_says("m1", "c1", ts=T0 + 1), bot_says("b2", "c1", ts=T0 + 2))
    [turn] = await turns(engine)
    assert turn.ended_at is None
    assert await alert_kinds(engine) == []  # bots are not checked for phrases


async def test_forbidden_phrases_in_agent_messages(engine: AsyncEngine) -> None:
    await ingest(
        engine,
        customer_says("m1", "c1", ts=T0),
        agent_replies("r1", "alice", "c1", "這個不可以哦", ts=T0 + 5),
    )
    assert await alert_kinds(engine) == [("reply.forbidden_phrase", "r1")]


async def test_no_then_yes_across_a_comma_is_no_flat_refusal(engine: AsyncEngine) -> None:
    await ingest(
        engine,
        customer_says("m1", "c1", ts=T0),
        agent_replies("r1", "alice", "c1", "不，可以的！马上给您改地址", ts=T0 + 5),
    )
    assert await alert_kinds(engine) == []  # the QA queue gets no noise


async def test_an_agent_message_stamped_before_the_turn_does_not_answer_it(
    engine: AsyncEngine,
) -> None:
    await ingest(engine, customer_says("m1", "c1", ts=T0))
    await ingest(
        engine, agent_replies("early", "alice", "c1", ts=T0 - 5)
    )  # arrives late, written earlier
    [turn] = await turns(engine)
    assert turn.ended_at is None


async def test_a_resent_reply_alerts_once(engine: AsyncEngine) -> None:
    await ingest(engine, customer_says("m1", "c1", ts=T0))
    await ingest(engine, agent_replies("r1", "alice", "c1", ts=T0 + 30))
    await ingest(engine, agent_replies("r1", "alice", "c1", ts=T0 + 30))
    assert [k for k, _ in await alert_kinds(engine)] == [
        "reply.warning",
        "reply.overdue",
        "reply.slow",
    ]


async def test_the_first_turn_after_opening_or_reopening_is_marked_for_first_response(
    engine: AsyncEngine,
) -> None:
    await ingest(
        engine,
        assigned("c1", "alice", "a", ts=T0 - 1),
        customer_says("m1", "c1", ts=T0),
        agent_replies("r1", "alice", "c1", ts=T0 + 5),
    )
    await ingest(
        engine,
        customer_says("m2", "c1", ts=T0 + 10),
        agent_replies("r2", "alice", "c1", ts=T0 + 12),
    )
    await ingest(engine, closed("c1", "x", ts=T0 + 20), customer_says("m3", "c1", ts=T0 + 30))
    await ingest(engine, customer_says("n1", "c2", ts=T0 + 40))
    assert [(t.message_id, t.opening) for t in await turns(engine)] == [
        ("m1", True),
        ("m2", False),
        ("m3", True),
        ("n1", True),
    ]


async def test_the_sweep_repairs_an_ended_turn_left_with_a_due_time(engine: AsyncEngine) -> None:
    """The sweep finds due turns by ``next_due_at`` alone (one index, whatever the
    planner's statistics); an ended turn still carrying one gets no alert and is cleared."""
    await ingest(
        engine,
        customer_says("m1", "c1", ts=T0),
        agent_replies("r1", "alice", "c1", ts=T0 + 5),
    )
    async with writer(engine).begin() as conn:
        await conn.execute(update(TURNS).values(next_due_at=T0 + 15))  # a damaged row
        swept = await conn.run_sync(sweep, T0 + 400, RULES)
    assert swept.alerts == []
    async with engine.connect() as conn:
        assert (await conn.execute(select(TURNS.c.next_due_at))).scalar() is None
