"""Group leaders (DESIGN.md section 11): gina leads presales; she sees and acts like a
supervisor for alice (presales) and nobody else: on the API, on Socket.IO and on the
console pages."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.events import assigned, customer_says
from tests.support.gateway import Gateway, Listener, StartGateway
from tests.support.people import PASSWORD, add_person, session_token
from tests.support.settings import make_settings
from tests.support.tokens import ALICE, BOB, SUPERVISOR

ROSTER = [
    {"id": "alice", "name": "Alice", "group": "presales"},
    {"id": "bob", "name": "Bob", "group": "aftersales"},
]


async def shop(start_gateway: StartGateway, url: str) -> tuple[Gateway, str]:
    """alice has c1, bob has c2, and each asked for help; gina leads presales."""
    gateway = await start_gateway(make_settings(url, agents=ROSTER))
    for conv, agent in (("c1", "alice"), ("c2", "bob")):
        await gateway.post_events(
            {"events": [assigned(conv, agent, f"as-{conv}"), customer_says(f"m-{conv}", conv=conv)]}
        )
    await add_person(gateway, "gina", role="group_leader", groups=["presales"])
    return gateway, await session_token(gateway, "gina")


async def help_alert(gateway: Gateway, token: str, conv: str) -> int:
    status, alert = await gateway.call(
        "POST", f"/api/v1/conversations/{conv}/help", token, {"note": "帮帮我"}
    )
    assert status == 201
    return int(alert["id"])


async def test_gina_sees_only_her_groups_agents_conversations_and_alerts(
    start_gateway: StartGateway, database_url: str
) -> None:
    gateway, gina = await shop(start_gateway, database_url)
    alices = await help_alert(gateway, ALICE, "c1")
    bobs = await help_alert(gateway, BOB, "c2")
    status, live = await gateway.call("GET", "/api/v1/agents", gina)
    assert status == 200
    assert [a["agent_id"] for a in live["items"]] == ["alice"]
    assert (await gateway.call("GET", "/api/v1/conversations/c1", gina))[0] == 200
    assert (await gateway.call("GET", "/api/v1/conversations/c2", gina))[0] == 403
    status, listing = await gateway.call("GET", "/api/v1/conversations", gina)
    assert [c["conversation_id"] for c in listing["items"]] == ["c1"]
    status, alerts = await gateway.call("GET", "/api/v1/alerts", gina)
    assert [a["id"] for a in alerts["items"]] == [alices]
    assert (await gateway.call("POST", f"/api/v1/alerts/{bobs}/ack", gina))[0] == 403
    status, acked = await gateway.call("POST", f"/api/v1/alerts/{alices}/ack", gina)
    assert (status, acked["acknowledged_by"]) == (200, "gina")
    status, people = await gateway.call("GET", "/api/v1/users", gina)
    assert sorted(u["id"] for u in people["users"]) == ["alice", "gina"]
    status, kpis = await gateway.call("GET", "/api/v1/kpis", gina)
    assert status == 200
    assert [a["agent_id"] for a in kpis["agents"]] == ["alice"]
    # the supervisor still sees everyone
    status, live = await gateway.call("GET", "/api/v1/agents", SUPERVISOR)
    assert [a["agent_id"] for a in live["items"]] == ["alice", "bob"]


async def test_gina_acts_only_within_her_groups(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    gateway, gina = await shop(start_gateway, sqlite_url)
    body = {"agent_id": "bob"}
    assert (await gateway.call("POST", "/api/v1/conversations/c1/assign", gina, body))[0] == 403
    body = {"agent_id": "alice"}
    assert (await gateway.call("POST", "/api/v1/conversations/c2/assign", gina, body))[0] == 403
    put = {"status": "away"}
    assert (await gateway.call("PUT", "/api/v1/agents/bob/status", gina, put))[0] == 403
    assert (await gateway.call("PUT", "/api/v1/agents/alice/status", gina, put))[0] == 200
    move = {"group": "aftersales", "note": "不是我们组的"}
    status, _ = await gateway.call("POST", "/api/v1/conversations/c1/transfer", gina, move)
    assert status == 403
    assert (await gateway.call("GET", "/api/v1/agents/bob/attendance", gina))[0] == 403


async def test_gina_hears_only_her_groups_on_the_wall(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway, gina = await shop(start_gateway, sqlite_url)
    wall = listeners()
    await wall.connect(gateway.url, "/supervisor", gina)
    everyone = listeners()
    await everyone.connect(gateway.url, "/supervisor", SUPERVISOR)
    bobs = await help_alert(gateway, BOB, "c2")
    alices = await help_alert(gateway, ALICE, "c1")
    assert (await wall.alert("conversation.help_requested"))["id"] == alices
    assert (await everyone.alert("conversation.help_requested"))["id"] == bobs
    assert (await everyone.alert("conversation.help_requested"))["id"] == alices
    await gateway.post_events(
        {"id": "bob-away", "type": "agent.status", "agent_id": "bob", "status": "away"}
    )
    await gateway.post_events(
        {"id": "alice-away", "type": "agent.status", "agent_id": "alice", "status": "away"}
    )
    assert (await wall.next("agent.status"))["agent_id"] == "alice"


async def test_gina_signs_in_to_the_wall_and_the_qa_desk(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    gateway, _ = await shop(start_gateway, sqlite_url)
    form = {"username": "gina", "password": PASSWORD}
    async with gateway.http.post(f"{gateway.url}/", data=form, allow_redirects=False) as resp:
        assert (resp.status, resp.headers["Location"]) == (303, "/console/supervisor")
        cookie = resp.cookies["rw_session"].value
    for page, status in (("supervisor", 200), ("qa", 200), ("library", 403), ("team", 403)):
        async with gateway.http.get(
            f"{gateway.url}/console/{page}", cookies={"rw_session": cookie}, allow_redirects=False
        ) as resp:
            assert resp.status == status, page
