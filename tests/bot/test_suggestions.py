"""An agent's console receives suggested replies for each customer message in the
agent's own conversations, and says which suggestion it used."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from storage.tables import FEEDBACK
from tests.support.events import agent_replies, assigned, customer_says
from tests.support.gateway import Gateway, Listener
from tests.support.store import engine_of
from tests.support.tokens import ALICE, BOB

MakeListener = Callable[[], Listener]


async def console(make: MakeListener, gateway: Gateway, token: str) -> Listener:
    listener = make()
    await listener.connect(gateway.url, "/agent", token)
    return listener


async def test_the_assigned_agent_gets_suggestions_for_each_customer_message(
    gateway: Gateway, listeners: MakeListener
) -> None:
    alice = await console(listeners, gateway, ALICE)
    bob = await console(listeners, gateway, BOB)
    await gateway.post_events(
        {
            "events": [
                assigned("c1", "alice", "a1"),
                customer_says("m1", conv="c1", text="請問幾天能發貨？", name="小王"),
            ]
        }
    )
    pushed = await alice.next("suggestions")
    assert (pushed["conversation_id"], pushed["message_id"]) == ("c1", "m1")
    best = pushed["items"][0]
    assert best["script_id"] == "zh-ship-time"
    assert best["score"] >= 65
    assert await bob.nothing("suggestions")


async def test_out_of_scope_messages_push_an_empty_list(
    gateway: Gateway, listeners: MakeListener
) -> None:
    alice = await console(listeners, gateway, ALICE)
    await gateway.post_events(
        {
            "events": [
                assigned("c1", "alice", "a1"),
                customer_says("m1", text="给我讲个笑话"),
            ]
        }
    )
    assert (await alice.next("suggestions"))["items"] == []


async def test_suggestions_wait_for_the_agent_who_gets_the_conversation(
    gateway: Gateway, listeners: MakeListener
) -> None:
    alice = await console(listeners, gateway, ALICE)
    await gateway.post_events(customer_says("m1", text="能开发票吗"))
    assert await alice.nothing("suggestions")
    await gateway.post_events(assigned("c1", "alice", "a1"))
    pushed = await alice.next("suggestions")
    assert (pushed["message_id"], pushed["items"][0]["script_id"]) == ("m1", "zh-invoice")


async def test_no_stale_suggestions_once_the_customer_was_answered(
    gateway: Gateway, listeners: MakeListener
) -> None:
    bob = await console(listeners, gateway, BOB)
    await gateway.post_events(
        {
            "events": [
                customer_says("m1", text="能开发票吗"),
                agent_replies("m2", "alice", text="可以的"),
            ]
        }
    )
    await gateway.post_events(assigned("c1", "bob", "a1"))
    await bob.next("conversation.assigned")
    assert await bob.nothing("suggestions")


async def test_feedback_is_stored_and_bad_feedback_refused(
    gateway: Gateway, listeners: MakeListener
) -> None:
    alice = await console(listeners, gateway, ALICE)
    await gateway.post_events(customer_says("m1", text="能开发票吗"))
    ack = await alice.client.call(
        "suggestion.feedback",
        {"message_id": "m1", "script_id": "zh-invoice", "action": "used"},
        namespace="/agent",
        timeout=5,
    )
    assert ack == {"ok": True, "proposed": False}
    for bad, error in [
        ({"message_id": "m1", "script_id": "zh-invoice", "action": "loved"}, "invalid feedback"),
        ({"message_id": "nope", "script_id": "x", "action": "used"}, "unknown message"),
    ]:
        answer = await alice.client.call("suggestion.feedback", bad, namespace="/agent", timeout=5)
        assert answer["error"] == error
    async with engine_of(gateway.app).connect() as conn:
        rows = (
            await conn.execute(select(FEEDBACK.c.script_id, FEEDBACK.c.action, FEEDBACK.c.agent_id))
        ).all()
        assert [tuple(r) for r in rows] == [("zh-invoice", "used", "alice")]
        assert (await conn.execute(select(func.count()).select_from(FEEDBACK))).scalar() == 1
