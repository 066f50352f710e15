"""Routing (DESIGN.md section 11): new chats reach an available agent by themselves,
within their cap and group, and wait in a queue, first come first served, when
everyone is full or away; an agent who goes offline hands their waiting customers on."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.support.events import agent_replies, customer_says
from tests.support.gateway import Gateway, Listener, StartGateway
from tests.support.people import add_person
from tests.support.settings import make_settings
from tests.support.tokens import ADMIN, ALICE, BOB, SUPERVISOR

MONITOR = {"busy_concurrency": 3, "reply_seconds": 20, "busy_reply_seconds": 60}


async def team(
    start_gateway: StartGateway, url: str, routing: dict[str, Any] | None = None, **more: Any
) -> Gateway:
    settings = make_settings(
        url,
        monitor=MONITOR,
        presence={"offline_after_seconds": 0.3},
        routing={"mode": "least_loaded", **(routing or {})},
        **more,
    )
    return await start_gateway(settings)


async def online(listeners: Callable[[], Listener], gateway: Gateway, token: str) -> Listener:
    """An agent opens their console (and so comes online)."""
    console = listeners()
    await console.connect(gateway.url, "/agent", token)
    return console


async def assignee(gateway: Gateway, conversation: str) -> str | None:
    found: str | None = (await gateway.transcript(conversation))["conversation"]["agent_id"]
    return found


async def test_new_chats_go_to_the_least_loaded_online_agent(
    start_gateway: StartGateway, database_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await team(start_gateway, database_url)
    alice = await online(listeners, gateway, ALICE)
    bob = await online(listeners, gateway, BOB)
    for n in range(4):
        assert (await gateway.post_events(customer_says(f"m{n}", conv=f"c{n}")))[0] == 202
    owners = [await assignee(gateway, f"c{n}") for n in range(4)]
    assert sorted(o or "" for o in owners) == ["alice", "alice", "bob", "bob"]  # two each
    assert owners[0] != owners[1]  # the second chat went to the one with none
    assigned = await alice.next("conversation.assigned")
    assert (assigned["agent_id"], assigned["reason"]) == ("alice", "routing")
    # the routed agent gets the customer's message and its suggestions live
    assert (await alice.next("message"))["conversation_id"] == assigned["conversation_id"]
    assert (await bob.next("conversation.assigned"))["reason"] == "routing"


async def test_the_turns_tier_is_fixed_with_the_routed_agents_load(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await team(start_gateway, sqlite_url)
    await online(listeners, gateway, ALICE)  # alone: every chat is hers
    for n in range(3):
        await gateway.post_events(customer_says(f"m{n}", conv=f"c{n}"))
    status, listing = await gateway.call("GET", "/api/v1/conversations?agent_id=alice", SUPERVISOR)
    assert status == 200
    deadlines = {
        item["conversation_id"]: item["waiting"]["deadline_seconds"] for item in listing["items"]
    }
    # with her first and second chat she had fewer than busy_concurrency (3): 20 s;
    # her third made three: 60 s
    assert deadlines == {"c0": 20, "c1": 20, "c2": 60}


async def test_when_everyone_is_full_chats_wait_first_come_first_served(
    start_gateway: StartGateway, database_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await team(start_gateway, database_url, routing={"max_concurrency": 1})
    for n in range(3):  # nobody is online yet
        await gateway.post_events(customer_says(f"m{n}", conv=f"c{n}"))
    assert [await assignee(gateway, f"c{n}") for n in range(3)] == [None, None, None]
    alice = await online(listeners, gateway, ALICE)
    assigned = await alice.next("conversation.assigned")
    assert (assigned["conversation_id"], assigned["reason"]) == ("c0", "routing")
    assert await alice.nothing("conversation.assigned", wait=0.5)  # her cap is 1
    # she closes c0: her place goes to c1, the next in line
    status, _ = await gateway.post_events(
        {"id": "close-c0", "type": "conversation.closed", "conversation_id": "c0"}
    )
    assert status == 202
    assert (await alice.next("conversation.assigned"))["conversation_id"] == "c1"
    bob = await online(listeners, gateway, BOB)
    assert (await bob.next("conversation.assigned"))["conversation_id"] == "c2"


async def test_a_chat_of_a_group_goes_to_that_groups_agents(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    roster = [
        {"id": "alice", "name": "Alice", "group": "presales"},
        {"id": "bob", "name": "Bob", "group": "aftersales"},
    ]
    gateway = await team(start_gateway, sqlite_url, agents=roster)
    await online(listeners, gateway, ALICE)
    await online(listeners, gateway, BOB)
    await gateway.post_events(customer_says("m1", conv="c1", group="aftersales"))
    await gateway.post_events(customer_says("m2", conv="c2", group="aftersales"))
    await gateway.post_events(customer_says("m3", conv="c3", group="presales"))
    owners = [await assignee(gateway, c) for c in ("c1", "c2", "c3")]
    assert owners == ["bob", "bob", "alice"]


async def test_round_robin_takes_turns(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await team(start_gateway, sqlite_url, routing={"mode": "round_robin"})
    await online(listeners, gateway, ALICE)
    await online(listeners, gateway, BOB)
    await gateway.post_events(customer_says("m0", conv="c0"))
    await gateway.post_events(agent_replies("r0", await assignee(gateway, "c0") or "", conv="c0"))
    for n in range(1, 5):
        await gateway.post_events(customer_says(f"m{n}", conv=f"c{n}"))
    owners = [await assignee(gateway, f"c{n}") for n in range(5)]
    assert owners[0::2] == [owners[0]] * 3
    assert owners[1::2] == [owners[1]] * 2
    assert owners[0] != owners[1]


async def test_an_away_agent_gets_no_new_chats(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await team(start_gateway, sqlite_url)
    alice = await online(listeners, gateway, ALICE)
    await alice.client.call("presence", {"status": "away"}, namespace="/agent")
    await gateway.post_events(customer_says("m1", conv="c1"))
    assert await assignee(gateway, "c1") is None
    await alice.client.call("presence", {"status": "online"}, namespace="/agent")
    assert (await alice.next("conversation.assigned"))["conversation_id"] == "c1"


async def test_an_agent_going_offline_hands_over_the_customers_who_wait(
    start_gateway: StartGateway, database_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await team(start_gateway, database_url)
    alice = await online(listeners, gateway, ALICE)
    await gateway.post_events(customer_says("m1", conv="c1"))
    await gateway.post_events(customer_says("m2", conv="c2"))
    assert [await assignee(gateway, c) for c in ("c1", "c2")] == ["alice", "alice"]
    await gateway.post_events(agent_replies("r2", "alice", conv="c2"))  # c2 is answered
    bob = await online(listeners, gateway, BOB)
    await alice.client.disconnect()
    handed = await bob.next("conversation.assigned", within=5)
    assert (handed["conversation_id"], handed["reason"], handed["previous_agent_id"]) == (
        "c1",
        "handover",
        "alice",
    )
    assert await assignee(gateway, "c2") == "alice"  # nobody waits there: it stays hers
    # the turn's clock was not reset by the handover
    transcript = await gateway.transcript("c1")
    assert transcript["messages"][0]["id"] == "m1"


async def test_routing_off_leaves_chats_unassigned(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await team(start_gateway, sqlite_url, routing={"mode": "off"})
    await online(listeners, gateway, ALICE)
    await gateway.post_events(customer_says("m1", conv="c1"))
    assert await assignee(gateway, "c1") is None


async def test_a_deactivated_agent_gets_no_chats(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await team(start_gateway, sqlite_url)
    await add_person(gateway, "carol")
    await online(listeners, gateway, ALICE)
    status, _ = await gateway.call(
        "PUT", "/api/v1/agents/carol/status", SUPERVISOR, {"status": "online"}
    )
    assert status == 200
    await gateway.call("PATCH", "/api/v1/users/carol", ADMIN, {"active": False})
    for n in range(3):
        await gateway.post_events(customer_says(f"m{n}", conv=f"c{n}"))
    assert {await assignee(gateway, f"c{n}") for n in range(3)} == {"alice"}


async def test_chats_an_integration_gives_to_someone_never_online_stay_theirs(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await team(start_gateway, sqlite_url)
    await online(listeners, gateway, BOB)
    assigned_to_alice = {"id": "a1", "type": "conversation.assigned", "conversation_id": "c1"}
    await gateway.post_events(assigned_to_alice | {"agent_id": "alice"})  # her own tool
    await gateway.post_events(customer_says("m1", conv="c1"))
    await gateway.post_events(customer_says("m2", conv="c2"))  # a new chat: routed to bob
    await asyncio.sleep(0.5)  # heartbeats drain the queue: c1 is not in it
    assert [await assignee(gateway, c) for c in ("c1", "c2")] == ["alice", "bob"]
