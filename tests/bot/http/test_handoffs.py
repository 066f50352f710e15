"""Handing work on (DESIGN.md section 11): alice transfers a chat to bob with a note, or
back to routing within a group; she asks a supervisor for help; the supervisor
acknowledges the alert and every wall sees who did and when."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.events import customer_says
from tests.support.gateway import Gateway, Listener, StartGateway
from tests.support.settings import make_settings
from tests.support.tokens import ADMIN, ALICE, BOB, SUPERVISOR


async def team(start_gateway: StartGateway, url: str, **more: object) -> Gateway:
    routing = {"mode": "least_loaded", "max_concurrency": 2}
    return await start_gateway(make_settings(url, routing=routing, **more))


async def console(listeners: Callable[[], Listener], gateway: Gateway, token: str) -> Listener:
    opened = listeners()
    await opened.connect(gateway.url, "/agent", token)
    return opened


async def alices_chat(gateway: Gateway, alice: Listener, conv: str = "c1") -> None:
    """A customer writes; alice is the only one online, so routing gives it to her."""
    await gateway.post_events(customer_says(f"m-{conv}", conv=conv))
    assert (await alice.next("conversation.assigned"))["conversation_id"] == conv


async def test_alice_transfers_a_chat_to_bob_with_a_note(
    start_gateway: StartGateway, database_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await team(start_gateway, database_url)
    alice = await console(listeners, gateway, ALICE)
    await alices_chat(gateway, alice)
    bob = await console(listeners, gateway, BOB)
    status, answer = await gateway.call(
        "POST", "/api/v1/conversations/c1/transfer", ALICE, {"to": "bob", "note": "要退款，你熟"}
    )
    assert (status, answer) == (200, {"conversation_id": "c1", "agent_id": "bob", "queued": False})
    told = await bob.next("conversation.assigned")
    assert (told["agent_id"], told["reason"], told["note"], told["by"]) == (
        "bob",
        "transfer",
        "要退款，你熟",
        "alice",
    )
    assert told["previous_agent_id"] == "alice"
    # bob gets the waiting customer's suggestions, as with any assignment
    assert (await bob.next("suggestions"))["message_id"] == "m-c1"
    assert (await gateway.transcript("c1"))["conversation"]["agent_id"] == "bob"


async def test_a_transfer_to_someone_away_or_full_is_a_conflict(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await team(start_gateway, sqlite_url)
    alice = await console(listeners, gateway, ALICE)
    await alices_chat(gateway, alice, "c1")
    await alices_chat(gateway, alice, "c2")  # alice is full now (2 of 2)
    bob = await console(listeners, gateway, BOB)
    await bob.client.call("presence", {"status": "away"}, namespace="/agent")
    url = "/api/v1/conversations/c1/transfer"
    status, answer = await gateway.call("POST", url, ALICE, {"to": "bob", "note": "x"})
    assert (status, answer["error"]) == (409, "bob is not online")
    await gateway.post_events(customer_says("m3", conv="c3"))  # waits: nobody has room
    status, answer = await gateway.call(
        "POST", "/api/v1/conversations/c3/transfer", SUPERVISOR, {"to": "alice", "note": "x"}
    )
    assert (status, answer["error"]) == (409, "alice is full (2 of 2)")
    status, answer = await gateway.call("POST", url, ALICE, {"note": "x"})
    assert (status, answer["details"][0]["error"]) == (
        400,
        "Value error, give to (an agent) or group (back to routing)",
    )


async def test_only_the_assignee_or_a_supervisor_transfers(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await team(start_gateway, sqlite_url)
    alice = await console(listeners, gateway, ALICE)
    await alices_chat(gateway, alice)
    await console(listeners, gateway, BOB)
    url = "/api/v1/conversations/c1/transfer"
    status, _ = await gateway.call("POST", url, BOB, {"to": "bob", "note": "mine now"})
    assert status == 403
    status, answer = await gateway.call("POST", url, SUPERVISOR, {"to": "bob", "note": "help her"})
    assert (status, answer["agent_id"]) == (200, "bob")


async def test_back_to_routing_within_a_group_or_to_the_queue(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    roster = [{"id": "alice", "name": "Alice"}, {"id": "bob", "name": "Bob", "group": "refunds"}]
    gateway = await team(start_gateway, sqlite_url, agents=roster)
    alice = await console(listeners, gateway, ALICE)
    await alices_chat(gateway, alice)
    body = {"group": "refunds", "note": "退款组处理"}
    status, answer = await gateway.call("POST", "/api/v1/conversations/c1/transfer", ALICE, body)
    # nobody of the refunds group is online: the chat waits in the queue for them
    assert (status, answer) == (202, {"conversation_id": "c1", "agent_id": "alice", "queued": True})
    bob = await console(listeners, gateway, BOB)
    handed = await bob.next("conversation.assigned")
    assert (handed["conversation_id"], handed["agent_id"]) == ("c1", "bob")


async def test_alice_asks_for_help_and_the_supervisor_acknowledges(
    start_gateway: StartGateway, database_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await team(start_gateway, database_url)
    wall, other_wall = listeners(), listeners()
    await wall.connect(gateway.url, "/supervisor", SUPERVISOR)
    await other_wall.connect(gateway.url, "/supervisor", ADMIN)
    alice = await console(listeners, gateway, ALICE)
    await alices_chat(gateway, alice)
    note = {"note": "客户要求赔偿，超出我的权限"}
    status, alert = await gateway.call("POST", "/api/v1/conversations/c1/help", ALICE, note)
    assert status == 201
    assert (alert["kind"], alert["agent_id"], alert["note"], alert["acknowledged_by"]) == (
        "conversation.help_requested",
        "alice",
        "客户要求赔偿，超出我的权限",
        None,
    )
    pushed = await wall.alert("conversation.help_requested")
    assert pushed["id"] == alert["id"]
    status, acked = await gateway.call("POST", f"/api/v1/alerts/{alert['id']}/ack", SUPERVISOR)
    assert status == 200
    assert acked["acknowledged_by"] == "supervisor:test…"
    assert acked["acknowledged_at"].endswith("Z")
    seen = await other_wall.next("alert.acknowledged")
    assert (seen["id"], seen["by"]) == (alert["id"], "supervisor:test…")
    # a second acknowledgement keeps the first one's name and time
    status, again = await gateway.call("POST", f"/api/v1/alerts/{alert['id']}/ack", ADMIN)
    assert (status, again["acknowledged_by"], again["acknowledged_at"]) == (
        200,
        "supervisor:test…",
        acked["acknowledged_at"],
    )
    status, listed = await gateway.call("GET", "/api/v1/alerts", SUPERVISOR)
    [help_alert] = [a for a in listed["items"] if a["id"] == alert["id"]]
    assert help_alert["acknowledged_by"] == "supervisor:test…"


async def test_help_and_acknowledgement_refuse_the_wrong_people(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await team(start_gateway, sqlite_url)
    alice = await console(listeners, gateway, ALICE)
    await alices_chat(gateway, alice)
    status, _ = await gateway.call("POST", "/api/v1/conversations/c1/help", BOB, {"note": "?"})
    assert status == 403
    status, _ = await gateway.call("POST", "/api/v1/conversations/c1/help", ALICE, {"note": ""})
    assert status == 400
    status, alert = await gateway.call(
        "POST", "/api/v1/conversations/c1/help", ALICE, {"note": "?"}
    )
    assert status == 201
    assert (await gateway.call("POST", f"/api/v1/alerts/{alert['id']}/ack", ALICE))[0] == 403
    for missing in ("999999", "nope", "0", "99999999999999999999"):
        status, _ = await gateway.call("POST", f"/api/v1/alerts/{missing}/ack", SUPERVISOR)
        assert status == 404, missing
