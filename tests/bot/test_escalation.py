"""Alice stays silent, so after the escalation delay the chat moves to bob: bob's
console gets the conversation and its suggestions, supervisors get an escalation
alert, and with two gateway processes on one database it happens once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from tests.support.events import agent_status, assigned, customer_says
from tests.support.gateway import Listener, StartGateway
from tests.support.processes import GatewayProcess, write_config
from tests.support.settings import make_settings, new_postgres_database
from tests.support.tokens import ALICE, BOB, INTEGRATION, SUPERVISOR, auth

ESCALATION = {"reassign_after_seconds": 0.3}
MONITOR = {"reply_seconds": 5, "sweep_seconds": 0.05}
ONLINE = [agent_status(a, "online", f"s-{a}") for a in ("alice", "bob")]


async def test_a_silent_agents_chat_moves_to_a_colleague_with_its_suggestions(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    settings = make_settings(
        sqlite_url,
        monitor=MONITOR,
        escalation=ESCALATION,
        agents=[{"id": "alice", "name": "小美"}, {"id": "bob", "name": "阿强"}],
    )
    gateway = await start_gateway(settings)
    alice, bob, wall = listeners(), listeners(), listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    await bob.connect(gateway.url, "/agent", BOB)
    await wall.connect(gateway.url, "/supervisor", SUPERVISOR)
    await gateway.post_events({"events": [*ONLINE, assigned("c1", "alice", "a1")]})
    await gateway.post_events(customer_says("m1", conv="c1", text="能开发票吗"))
    moved = await bob.next("conversation.assigned", within=3)
    assert (moved["agent_id"], moved["previous_agent_id"], moved["reason"]) == (
        "bob",
        "alice",
        "escalation",
    )
    suggested = await bob.next("suggestions")
    assert (suggested["message_id"], suggested["items"][0]["script_id"]) == ("m1", "zh-invoice")
    first, told = [await alice.next("conversation.assigned") for _ in range(2)]
    assert (first["agent_id"], told["agent_id"], told["reason"]) == ("alice", "bob", "escalation")
    alert = await wall.alert("conversation.escalated")
    assert (alert["message_id"], alert["agent_id"], alert["agent_name"]) == ("m1", "alice", "小美")
    [turn] = (await gateway.transcript("c1"))["turns"]
    assert (turn["agent_id"], turn["ended_at"]) == ("alice", None)  # the clock runs on
    ack = await bob.client.call(
        "reply", {"conversation_id": "c1", "text": "可以的，亲"}, namespace="/agent", timeout=5
    )
    assert ack["message"]["sender"]["id"] == "bob"
    assert await bob.nothing("conversation.assigned", wait=0.5)  # once per turn by default


async def test_two_processes_escalate_each_chat_once(
    postgres_server: Any,
    tmp_path: Path,
    gateway_processes: Callable[..., GatewayProcess],
) -> None:
    config = write_config(
        tmp_path / "gateway.toml",
        new_postgres_database(postgres_server),
        monitor={**MONITOR, "busy_concurrency": 1000},
        escalation=ESCALATION,
    )
    gateways = [gateway_processes(config), gateway_processes(config)]
    for gateway in gateways:
        await gateway.start()
    async with aiohttp.ClientSession() as http:

        async def post(index: int, body: Any) -> None:
            url = f"{gateways[index % 2].url}/api/v1/events"
            async with http.post(url, json=body, headers=auth(INTEGRATION)) as resp:
                assert resp.status == 202

        await post(0, {"events": ONLINE})
        for n in range(12):
            await post(n, {"events": [assigned(f"c{n}", "alice"), customer_says(f"m{n}", f"c{n}")]})
        await asyncio.sleep(1.5)
        url = f"{gateways[0].url}/api/v1/alerts?kind=conversation.escalated&limit=100"
        async with http.get(url, headers=auth(SUPERVISOR)) as resp:
            alerts = (await resp.json())["items"]
        counted = Counter(a["message_id"] for a in alerts)
        assert counted == Counter({f"m{n}": 1 for n in range(12)})
        for n in (0, 7):
            url = f"{gateways[1].url}/api/v1/conversations/c{n}"
            async with http.get(url, headers=auth(SUPERVISOR)) as resp:
                body = await resp.json()
            assert body["conversation"]["agent_id"] == "bob"
