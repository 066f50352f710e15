"""Routing across processes (DESIGN.md section 11): two gateways on one PostgreSQL and one
Redis take customers at once, and one is killed (SIGKILL) in the middle. No chat is
routed twice, no agent goes over their cap, and every chat that waited is given an agent
as places free: nothing is stuck in the queue."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from storage.engine import make_engine
from storage.tables import CONVERSATIONS, EVENTS
from tests.support.events import customer_says
from tests.support.gateway import Gateway, Listener
from tests.support.processes import GatewayProcess, write_config
from tests.support.settings import new_postgres_database
from tests.support.tokens import ADMIN, INTEGRATION, auth

CAP = 3
CHATS = 30
PASSWORD = "correct horse battery"


async def post(http: aiohttp.ClientSession, urls: list[str], event: dict[str, Any]) -> None:
    """Post like an integration: to the first gateway that answers (a dead one refuses)."""
    for url in urls:
        try:
            async with http.post(
                f"{url}/api/v1/events", json=event, headers=auth(INTEGRATION)
            ) as resp:
                if resp.status == 202:
                    return
        except aiohttp.ClientConnectionError:
            continue
    raise AssertionError(f"no gateway took {event['id']}")


async def agent_console(
    http: aiohttp.ClientSession, url: str, name: str, listeners: Callable[[], Listener]
) -> Listener:
    """An agent account signs in and opens a console on the gateway at ``url``."""
    body = {"id": name, "name": name.title(), "role": "agent", "password": PASSWORD}
    async with http.post(f"{url}/api/v1/users", json=body, headers=auth(ADMIN)) as resp:
        assert resp.status == 201, await resp.text()
    async with http.post(
        f"{url}/api/v1/session", json={"username": name, "password": PASSWORD}
    ) as resp:
        token = (await resp.json())["token"]
    console = listeners()
    await console.connect(url, "/agent", token)
    return console


async def routing_facts(database: str) -> tuple[Counter[str], dict[str, int], int]:
    """Routing assignments per conversation, active chats per agent, chats still waiting."""
    engine = make_engine(database)
    try:
        async with engine.connect() as conn:
            routed = Counter(
                row.conversation_pk
                for row in await conn.execute(
                    select(EVENTS.c.conversation_pk).where(
                        EVENTS.c.type == "conversation.assigned", EVENTS.c.reason == "routing"
                    )
                )
            )
            loads = {
                str(agent): int(count)
                for agent, count in await conn.execute(
                    select(CONVERSATIONS.c.assignee_id, func.count())
                    .where(CONVERSATIONS.c.status == "open")
                    .group_by(CONVERSATIONS.c.assignee_id)
                )
            }
            queued = int(
                (
                    await conn.execute(
                        select(func.count()).where(CONVERSATIONS.c.queued_at.is_not(None))
                    )
                ).scalar_one()
            )
    finally:
        await engine.dispose()
    return Counter({str(k): v for k, v in routed.items()}), loads, queued


async def test_two_processes_route_each_chat_once_and_a_killed_one_leaves_nothing_stuck(
    postgres_server: Any,
    redis_url: str,
    tmp_path: Path,
    gateway_processes: Callable[..., GatewayProcess],
    listeners: Callable[[], Listener],
) -> None:
    database = new_postgres_database(postgres_server)
    config = write_config(
        tmp_path / "gateway.toml",
        database,
        realtime={"redis_url": redis_url},
        presence={"offline_after_seconds": 0.8},
        routing={"mode": "least_loaded", "max_concurrency": CAP},
        monitor={"busy_concurrency": 2},
    )
    survivor, doomed = gateway_processes(config), gateway_processes(config)
    await survivor.start()
    await doomed.start()
    urls = [survivor.url, doomed.url]
    async with aiohttp.ClientSession() as http:
        await agent_console(http, survivor.url, "ann", listeners)
        await agent_console(http, doomed.url, "ben", listeners)
        await agent_console(http, doomed.url, "cat", listeners)
        # customers arrive on both gateways at once; the second one is killed half-way
        first = [customer_says(f"m{n}", conv=f"c{n}") for n in range(CHATS // 2)]
        await asyncio.gather(*(post(http, urls[n % 2 :], e) for n, e in enumerate(first)))
        doomed.kill()
        rest = [customer_says(f"m{n}", conv=f"c{n}") for n in range(CHATS // 2, CHATS)]
        await asyncio.gather(*(post(http, urls, e) for e in rest))
        # ben and cat were on the killed gateway: they go offline and hand their chats on;
        # dee and eve come online on the survivor and take chats as places free
        await agent_console(http, survivor.url, "dee", listeners)
        await agent_console(http, survivor.url, "eve", listeners)
        done: set[str] = set()
        for _ in range(60):
            routed, loads, queued = await routing_facts(database)
            assert all(n <= 1 for n in routed.values()), routed  # never routed twice
            for agent in ("ann", "dee", "eve"):
                assert loads.get(agent, 0) <= CAP, loads
            if len(routed) == CHATS and queued == 0:
                break
            # each agent on the survivor closes one of their chats: a place frees
            gateway = Gateway.remote(survivor.url, http)
            status, listing = await gateway.call("GET", "/api/v1/conversations", ADMIN)
            assert status == 200
            for item in listing["items"]:
                if (
                    item["agent_id"] in ("ann", "dee", "eve")
                    and item["conversation_id"] not in done
                ):
                    done.add(item["conversation_id"])
                    close = {
                        "id": f"close-{item['conversation_id']}",
                        "type": "conversation.closed",
                    }
                    await post(
                        http, [survivor.url], close | {"conversation_id": item["conversation_id"]}
                    )
            await asyncio.sleep(0.3)
    routed, loads, queued = await routing_facts(database)
    assert queued == 0
    assert len(routed) == CHATS
    assert set(routed.values()) == {1}
    # the killed gateway's agents handed their waiting customers on
    assert not set(loads) & {"ben", "cat"}
