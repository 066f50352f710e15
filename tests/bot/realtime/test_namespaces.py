"""Agents and supervisors connect with python-socketio: tokens are checked at
connect, agents hear about their own conversations only, and a reply sent from the
console is stored through the same pipeline as HTTP events."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
import socketio

from tests.support.events import agent_replies, assigned, customer_says
from tests.support.gateway import Gateway, Listener
from tests.support.store import conversation, count_events, engine_of, stored_ids
from tests.support.tokens import ALICE, BOB, QA, SUPERVISOR

MakeListener = Callable[[], Listener]


async def connected(make: MakeListener, gateway: Gateway, namespace: str, token: str) -> Listener:
    listener = make()
    await listener.connect(gateway.url, namespace, token)
    return listener


@pytest.mark.parametrize(
    ("namespace", "token"),
    [
        ("/agent", "no-such-token"),
        ("/supervisor", "no-such-token"),
        ("/agent", SUPERVISOR),
        ("/supervisor", ALICE),
        ("/agent", ""),
    ],
)
async def test_unknown_tokens_and_wrong_roles_are_refused_at_connect(
    gateway: Gateway, listeners: MakeListener, namespace: str, token: str
) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connected(listeners, gateway, namespace, token)


async def test_connecting_without_auth_is_refused(gateway: Gateway) -> None:
    client = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(gateway.url, namespaces=["/agent"], transports=["websocket"])


@pytest.mark.parametrize("auth", [None, {"token": SUPERVISOR}])
async def test_the_default_namespace_is_refused_to_everyone(
    gateway: Gateway, auth: dict[str, str] | None
) -> None:
    client = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(gateway.url, auth=auth, transports=["websocket"], wait_timeout=3)


async def test_a_message_larger_than_the_limit_closes_the_connection(
    gateway: Gateway, listeners: MakeListener
) -> None:
    alice = await connected(listeners, gateway, "/agent", ALICE)
    gone = asyncio.Event()
    alice.client.on("disconnect", gone.set, namespace="/agent")
    await alice.client.emit("reply", {"conversation_id": "c1", "text": "x" * 300_000}, "/agent")
    await asyncio.wait_for(gone.wait(), 5)


async def test_an_agent_hears_messages_of_their_conversations_only(
    gateway: Gateway, listeners: MakeListener
) -> None:
    alice = await connected(listeners, gateway, "/agent", ALICE)
    bob = await connected(listeners, gateway, "/agent", BOB)
    await gateway.post_events(
        {
            "events": [
                assigned("c1", "alice", "a1"),
                customer_says("m1", conv="c1", text="什么时候发货"),
            ]
        }
    )
    assert (await alice.next("conversation.assigned"))["agent_id"] == "alice"
    message = await alice.next("message")
    assert message["id"] == "m1"
    assert message["conversation_id"] == "c1"
    assert message["text"] == "什么时候发货"
    assert message["sender"] == {"role": "customer", "id": "u-c1", "name": None}
    assert await bob.nothing("message")


async def test_reassignment_tells_both_agents(gateway: Gateway, listeners: MakeListener) -> None:
    alice = await connected(listeners, gateway, "/agent", ALICE)
    bob = await connected(listeners, gateway, "/agent", BOB)
    await gateway.post_events({"events": [customer_says("m1"), agent_replies("m2", "alice")]})
    await gateway.post_events(assigned("c1", "bob", "a2"))
    for listener in (alice, bob):
        notice = await listener.next("conversation.assigned")
        assert (notice["agent_id"], notice["previous_agent_id"]) == ("bob", "alice")


async def test_supervisors_see_agent_status(gateway: Gateway, listeners: MakeListener) -> None:
    supervisor = await connected(listeners, gateway, "/supervisor", SUPERVISOR)
    qa = await connected(listeners, gateway, "/supervisor", QA)
    await gateway.post_events(
        {"id": "s1", "type": "agent.status", "agent_id": "alice", "status": "away"}
    )
    for listener in (supervisor, qa):
        assert (await listener.next("agent.status"))["status"] == "away"


async def test_a_console_reply_is_stored_and_acknowledged(
    gateway: Gateway, listeners: MakeListener
) -> None:
    await gateway.post_events(customer_says("m1"))
    alice = await connected(listeners, gateway, "/agent", ALICE)
    ack = await alice.client.call(
        "reply",
        {"conversation_id": "c1", "text": "亲，今天发货", "script_id": "ship-1", "id": "console-1"},
        namespace="/agent",
        timeout=5,
    )
    message = ack["message"]
    assert (message["id"], message["text"], message["script_id"]) == (
        "rw-console-1",  # the replies' own id space (see the next test)
        "亲，今天发货",
        "ship-1",
    )
    assert message["sender"]["id"] == "alice"
    assert ack["duplicate"] is False
    engine = engine_of(gateway.app)
    assert "rw-console-1" in await stored_ids(engine)
    assert (await conversation(engine, "c1")).assignee_id == "alice"
    again = await alice.client.call(
        "reply",
        {"conversation_id": "c1", "text": "亲，今天发货", "id": "console-1"},
        namespace="/agent",
        timeout=5,
    )
    assert again["duplicate"] is True
    assert again["message"]["id"] == "rw-console-1"
    assert await count_events(engine) == 2


async def test_a_reply_id_never_shadows_a_customer_message_or_echoes_unstored_text(
    gateway: Gateway, listeners: MakeListener
) -> None:
    await gateway.post_events(
        {"events": [assigned("c1", "alice", "a1"), customer_says("m1", conv="c1", text="在吗")]}
    )
    alice = await connected(listeners, gateway, "/agent", ALICE)
    reply = {"conversation_id": "c1", "text": "在的亲", "id": "next-1"}
    ack = await alice.client.call("reply", reply, namespace="/agent", timeout=5)
    assert ack["message"]["id"] == "rw-next-1"
    # The integration's next customer message happens to carry the same id: it is stored.
    status, body = await gateway.post_events(customer_says("next-1", conv="c2", text="发货了吗"))
    assert (status, body) == (202, {"accepted": 1, "duplicates": 0})
    # A retry with other text under the same id is refused, not echoed as if stored.
    other = reply | {"text": "something else"}
    refused = await alice.client.call("reply", other, namespace="/agent", timeout=5)
    assert "already used" in refused["error"]
    again = await alice.client.call("reply", reply, namespace="/agent", timeout=5)
    assert (again["duplicate"], again["message"]["text"]) == (True, "在的亲")
    # Integrations may not post into the replies' id space.
    status, body = await gateway.post_events(customer_says("rw-x", conv="c3"))
    assert status == 400
    assert "reserved" in body["details"][0]["error"]
    # Nor into the automatic messages' (a welcome line or an escalation it could pre-empt).
    status, body = await gateway.post_events(customer_says("rwbot-welcome-x", conv="c3"))
    assert status == 400
    assert "automatic messages" in body["details"][0]["error"]


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"conversation_id": "c1"}, "invalid reply"),
        ({"conversation_id": "c1", "text": ""}, "invalid reply"),
        ("just text", "invalid reply"),
        ({"conversation_id": "c1", "text": "hi", "extra": 1}, "invalid reply"),
        ({"conversation_id": "nope", "text": "hi"}, "unknown conversation"),
    ],
)
async def test_a_bad_reply_gets_an_error_ack_and_stores_nothing(
    gateway: Gateway, listeners: MakeListener, payload: object, error: str
) -> None:
    await gateway.post_events(customer_says("m1"))
    alice = await connected(listeners, gateway, "/agent", ALICE)
    ack = await alice.client.call("reply", payload, namespace="/agent", timeout=5)
    assert ack["error"] == error
    assert await count_events(engine_of(gateway.app)) == 1


async def test_a_reply_to_an_id_used_on_two_channels_must_name_the_channel(
    gateway: Gateway, listeners: MakeListener
) -> None:
    await gateway.post_events(
        {"events": [customer_says("m1"), customer_says("m1", channel="wecom")]}
    )
    alice = await connected(listeners, gateway, "/agent", ALICE)
    ack = await alice.client.call(
        "reply", {"conversation_id": "c1", "text": "hi"}, namespace="/agent", timeout=5
    )
    assert ack["error"] == "conversation id is ambiguous"
    assert sorted(ack["details"]["channels"]) == ["api", "wecom"]
    ack = await alice.client.call(
        "reply",
        {"conversation_id": "c1", "text": "hi", "channel": "wecom"},
        namespace="/agent",
        timeout=5,
    )
    assert ack["message"]["channel"] == "wecom"
