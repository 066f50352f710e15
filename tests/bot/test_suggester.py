"""Suggestions follow the acknowledgement: a customer's message is stored and answered
first, then matched, stored and pushed; a burst the matcher cannot keep up with costs
late messages their suggestions, never the messages themselves."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from bot.keys import LIBRARY, SUGGESTER
from storage.tables import EVENTS, SUGGESTIONS
from tests.support.events import assigned, customer_says
from tests.support.gateway import Gateway, Listener, StartGateway
from tests.support.settings import make_settings
from tests.support.store import engine_of
from tests.support.tokens import ALICE

MakeListener = Callable[[], Listener]


async def _suggestion_rows(gateway: Gateway) -> int:
    async with engine_of(gateway.app).connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(SUGGESTIONS))).scalar_one())


async def test_alice_sees_the_message_then_its_suggestions_which_are_stored(
    gateway: Gateway, listeners: MakeListener
) -> None:
    alice = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    await gateway.post_events(assigned("c1", "alice", "a1"))
    status, answer = await gateway.post_events(customer_says("m1", text="能开发票吗"))
    assert (status, answer["accepted"]) == (202, 1)
    message = await alice.next("message")
    pushed = await alice.next("suggestions")  # after the message: the queue keeps the order
    assert (message["id"], pushed["message_id"]) == ("m1", "m1")
    await gateway.suggested()
    transcript = await gateway.transcript("c1")
    assert transcript["suggestions"]["items"][0]["script_id"] == "zh-invoice"
    assert await gateway.metric('replywatch_suggestions_total{result="stored"}') == 1
    assert await gateway.metric("replywatch_suggestions_pending") == 0


async def test_a_burst_of_customers_each_gets_suggestions_matched_together(
    gateway: Gateway,
) -> None:
    events = [customer_says(f"m{i}", conv=f"c{i}", text="几天能发货") for i in range(40)]
    statuses = [await gateway.post_events(e) for e in events[:10]]
    await gateway.post_events({"events": events[10:]})
    assert {s for s, _ in statuses} == {202}
    await gateway.suggested()
    assert await _suggestion_rows(gateway) == 40
    assert gateway.app[SUGGESTER].pending == 0


async def test_messages_that_waited_too_long_get_no_suggestions_but_are_kept(
    start_gateway: StartGateway, sqlite_url: str, listeners: MakeListener
) -> None:
    gateway = await start_gateway(
        make_settings(sqlite_url, matcher={"suggest_within_seconds": 1e-9})
    )
    alice = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    await gateway.post_events(assigned("c1", "alice", "a1"))
    status, _ = await gateway.post_events(customer_says("m1", text="能开发票吗"))
    assert status == 202
    assert (await alice.next("message"))["id"] == "m1"
    await gateway.suggested()
    assert await alice.nothing("suggestions")
    assert await _suggestion_rows(gateway) == 0
    assert await gateway.metric('replywatch_suggestions_total{result="late"}') == 1
    assert (await gateway.transcript("c1"))["messages"][-1]["id"] == "m1"


async def test_a_gateway_stopping_right_after_the_ack_still_stores_the_suggestions(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url))
    events = [customer_says(f"m{i}", conv=f"c{i}", text="能开发票吗") for i in range(20)]
    status, _ = await gateway.post_events({"events": events})
    assert status == 202
    engine = engine_of(gateway.app)
    await gateway.server.close()  # the cleanup finishes the waiting suggestions first
    async with engine.connect() as conn:
        stored = select(func.count()).select_from(SUGGESTIONS.join(EVENTS))
        assert (await conn.execute(stored)).scalar_one() == 20


async def test_a_matcher_failure_costs_the_suggestions_only(gateway: Gateway) -> None:
    gateway.app[LIBRARY].close()  # its threads gone: every match now fails
    status, answer = await gateway.post_events(customer_says("m1", text="能开发票吗"))
    assert (status, answer["accepted"]) == (202, 1)
    await gateway.suggested()
    assert await gateway.metric('replywatch_suggestions_total{result="failed"}') == 1
    assert (await gateway.transcript("c1"))["messages"][0]["id"] == "m1"
