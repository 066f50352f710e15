"""Two gateway processes on one PostgreSQL both sweep the same turns: supervisors get
each alert once, whichever process claimed it."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from tests.support.events import assigned, customer_says
from tests.support.gateway import Listener
from tests.support.processes import GatewayProcess, write_config
from tests.support.settings import new_postgres_database
from tests.support.tokens import INTEGRATION, SUPERVISOR, auth

MONITOR = {
    "reply_seconds": 0.3,
    "busy_concurrency": 1000,
    "unanswered_seconds": 0.6,
    "sweep_seconds": 0.05,
}
CHATS = 30


async def test_two_processes_deliver_each_alert_once(
    postgres_server: Any,
    tmp_path: Path,
    gateway_processes: Callable[..., GatewayProcess],
    listeners: Callable[[], Listener],
) -> None:
    config = write_config(
        tmp_path / "gateway.toml", new_postgres_database(postgres_server), monitor=MONITOR
    )
    gateways = [gateway_processes(config), gateway_processes(config)]
    walls = [listeners(), listeners()]
    for gateway, wall in zip(gateways, walls, strict=True):
        await gateway.start()
        await wall.connect(gateway.url, "/supervisor", SUPERVISOR)
    async with aiohttp.ClientSession() as http:
        for n in range(CHATS):
            body = {"events": [assigned(f"c{n}", "alice"), customer_says(f"m{n}", conv=f"c{n}")]}
            url = f"{gateways[n % 2].url}/api/v1/events"
            async with http.post(url, json=body, headers=auth(INTEGRATION)) as resp:
                assert resp.status == 202
    expected = 2 * CHATS  # reply.overdue and message.unanswered per chat
    seen: Counter[tuple[str, str]] = Counter()
    per_process = [0, 0]

    async def collect(index: int) -> None:
        while True:
            alert = await walls[index].next("alert", within=10)
            seen[(alert["kind"], alert["message_id"])] += 1
            per_process[index] += 1

    tasks = [asyncio.create_task(collect(i)) for i in (0, 1)]
    try:
        async with asyncio.timeout(10):
            while sum(seen.values()) < expected:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # more sweeps on both sides: nothing may come twice
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert len(seen) == expected
    assert set(seen.values()) == {1}
    assert {kind for kind, _ in seen} == {"reply.overdue", "message.unanswered"}
    assert sum(per_process) == expected
