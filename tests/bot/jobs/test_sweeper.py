"""Supervisors see a breach as it happens: the sweep alerts every turn whose
threshold passed, exactly once, also with several sweepers on one database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import make_engine, upgrade, writer
from storage.sweep import sweep
from storage.tables import ALERTS
from tests.support.events import agent_replies, assigned, closed, customer_says
from tests.support.gateway import Listener, StartGateway
from tests.support.rules import RULES
from tests.support.settings import make_settings, new_postgres_database
from tests.support.storage import T0, ingest
from tests.support.tokens import ALICE, SUPERVISOR


async def swept(engine: AsyncEngine, now: float) -> list[tuple[str, str, float | None]]:
    async with writer(engine).begin() as conn:
        records = (await conn.run_sync(sweep, now, RULES)).alerts
    return [(r.kind.value, r.message_id, r.waited_seconds) for r in records]


async def test_each_threshold_alerts_once_when_its_time_comes(engine: AsyncEngine) -> None:
    await ingest(engine, assigned("c1", "alice", "a", ts=T0 - 1), customer_says("m1", "c1", ts=T0))
    assert await swept(engine, T0 + 14.9) == []
    assert await swept(engine, T0 + 15.1) == [("reply.warning", "m1", pytest.approx(15.1))]
    assert await swept(engine, T0 + 15.2) == []
    assert await swept(engine, T0 + 301) == [
        ("reply.overdue", "m1", pytest.approx(301)),
        ("message.unanswered", "m1", pytest.approx(301)),
    ]
    assert await swept(engine, T0 + 999) == []
    [stored] = await ingest(engine, agent_replies("r1", "alice", "c1", ts=T0 + 1000))
    assert stored is not None
    assert [a.kind.value for a in stored.alerts] == ["reply.slow"]  # nothing fired twice


async def test_answered_and_closed_turns_are_not_swept(engine: AsyncEngine) -> None:
    await ingest(
        engine,
        customer_says("m1", "c1", ts=T0),
        agent_replies("r1", "alice", "c1", ts=T0 + 3),
        customer_says("m2", "c2", ts=T0),
        closed("c2", "cl", ts=T0 + 5),
    )
    assert await swept(engine, T0 + 400) == []


async def test_two_sweepers_on_one_postgresql_alert_each_turn_once(postgres_server: Any) -> None:
    url = new_postgres_database(postgres_server)
    engines = [make_engine(url) for _ in range(2)]
    try:
        await upgrade(engines[0])
        await ingest(
            engines[0], *(customer_says(f"m{i}", f"c{i}", ts=T0 + i * 0.001) for i in range(300))
        )
        results = await asyncio.gather(*(swept(e, T0 + 100) for e in engines for _ in range(3)))
        delivered = [alert for result in results for alert in result]
        assert len(delivered) == len(set(delivered)) == 600  # warning + overdue per turn
        async with engines[0].connect() as conn:
            assert (await conn.execute(select(func.count()).select_from(ALERTS))).scalar() == 600
    finally:
        for engine in engines:
            await engine.dispose()


TINY = {
    "reply_seconds": 0.3,
    "busy_reply_seconds": 0.9,
    "unanswered_seconds": 0.6,
    "sweep_seconds": 0.05,
}


async def test_agents_and_supervisors_get_live_alerts(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url, monitor=TINY))
    alice, supervisor = listeners(), listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    await supervisor.connect(gateway.url, "/supervisor", SUPERVISOR)
    await gateway.post_events(
        {
            "events": [
                assigned("c1", "alice", "a1"),
                customer_says("m1", text="在吗"),
            ]
        }
    )
    warning = await alice.next("alert")
    assert (warning["kind"], warning["message_id"], warning["agent_id"]) == (
        "reply.warning",
        "m1",
        "alice",
    )
    assert warning["deadline_seconds"] == 0.3
    assert 0.225 <= warning["waited_seconds"] < 1.0
    overdue = await alice.next("alert")
    assert overdue["kind"] == "reply.overdue"
    kinds = [(await supervisor.next("alert"))["kind"] for _ in range(2)]
    assert kinds == ["reply.overdue", "message.unanswered"]  # no warning for supervisors
    await gateway.post_events(agent_replies("r1", "alice", text="不好意思久等了"))
    resolved = await alice.next("alert.resolved")
    assert (resolved["message_id"], resolved["reply_id"]) == ("m1", "r1")
    assert resolved["kinds"] == ["reply.overdue", "reply.warning"]
    slow = await supervisor.next("alert")
    assert slow["kind"] == "reply.slow"
    assert slow["response_seconds"] >= 0.6
    assert await alice.nothing("alert", wait=0.3)  # slow goes to supervisors only


async def test_alerts_come_on_time_without_waiting_for_the_interval(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    slow_backstop = {**TINY, "sweep_seconds": 30.0}  # only the alarm can be on time
    gateway = await start_gateway(make_settings(sqlite_url, monitor=slow_backstop))
    supervisor = listeners()
    await supervisor.connect(gateway.url, "/supervisor", SUPERVISOR)
    await asyncio.sleep(0.1)  # the start-up sweep has run and found nothing
    await gateway.post_events(customer_says("m1", text="在吗"))
    overdue = await supervisor.next("alert", within=2.0)
    assert overdue["kind"] == "reply.overdue"
    assert overdue["waited_seconds"] < 0.3 + 0.25
