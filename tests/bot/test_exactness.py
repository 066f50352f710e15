"""The contract's timing cases end to end over HTTP: the busy boundary at 4 chats,
events that arrive after their deadlines passed, and clocks that run ahead."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from tests.support.events import assigned, customer_says
from tests.support.gateway import Listener, StartGateway
from tests.support.settings import make_settings
from tests.support.tokens import SUPERVISOR

FAST_SWEEP = {"sweep_seconds": 0.05}


async def test_the_fourth_concurrent_chat_gets_the_busy_deadline(
    start_gateway: StartGateway, database_url: str
) -> None:
    gateway = await start_gateway(make_settings(database_url))
    now = time.time()
    assignments = [assigned(f"c{i}", "alice", f"a{i}", ts=now - 30) for i in range(4)]
    messages = [customer_says(f"m{i}", conv=f"c{i}", ts=now - 10 + i) for i in range(4)]
    status, _ = await gateway.post_events({"events": assignments + messages})
    assert status == 202
    third = (await gateway.transcript("c2"))["turns"][0]
    fourth = (await gateway.transcript("c3"))["turns"][0]
    assert (third["concurrency"], third["deadline_seconds"]) == (3, 20)
    assert (fourth["concurrency"], fourth["deadline_seconds"]) == (4, 60)


async def test_an_event_arriving_after_its_deadlines_alerts_at_once(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url, monitor=FAST_SWEEP))
    supervisor = listeners()
    await supervisor.connect(gateway.url, "/supervisor", SUPERVISOR)
    sent = time.monotonic()
    await gateway.post_events(customer_says("late", ts=time.time() - 400))
    kinds = {(await supervisor.next("alert", within=3))["kind"] for _ in range(2)}
    assert kinds == {"reply.overdue", "message.unanswered"}
    assert time.monotonic() - sent < 3


async def test_a_timestamp_from_the_future_is_clamped_to_the_server_clock(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await start_gateway(
        make_settings(
            sqlite_url, monitor={**FAST_SWEEP, "reply_seconds": 0.3, "unanswered_seconds": 5}
        )
    )
    supervisor = listeners()
    await supervisor.connect(gateway.url, "/supervisor", SUPERVISOR)
    before = time.time()
    await gateway.post_events(customer_says("ahead", ts=before + 3600))
    overdue = await supervisor.next("alert", within=3)  # due 0.3 s after *now*, not in an hour
    assert overdue["kind"] == "reply.overdue"
    turn = (await gateway.transcript("c1"))["turns"][0]
    started = datetime.fromisoformat(turn["started_at"].replace("Z", "+00:00")).timestamp()
    assert before - 0.01 <= started <= time.time()
