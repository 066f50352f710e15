"""Two gateway processes share Socket.IO rooms through a real Redis: an event
posted to process A reaches an agent whose console is connected to process B."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from tests.support.events import assigned, customer_says
from tests.support.gateway import Listener
from tests.support.processes import GatewayProcess, write_config
from tests.support.settings import new_postgres_database
from tests.support.tokens import ALICE, INTEGRATION, SUPERVISOR, auth


async def test_rooms_are_shared_across_processes(
    postgres_server: Any,
    redis_url: str,
    tmp_path: Path,
    gateway_processes: Callable[..., GatewayProcess],
    listeners: Callable[[], Listener],
) -> None:
    config = write_config(
        tmp_path / "gateway.toml",
        new_postgres_database(postgres_server),
        realtime={"redis_url": redis_url},
    )
    process_a, process_b = gateway_processes(config), gateway_processes(config)
    await process_a.start()
    await process_b.start()

    alice_on_b = listeners()
    await alice_on_b.connect(process_b.url, "/agent", ALICE)
    supervisor_on_b = listeners()
    await supervisor_on_b.connect(process_b.url, "/supervisor", SUPERVISOR)

    async with aiohttp.ClientSession() as http:
        body = {
            "events": [
                assigned("c9", "alice", "as1"),
                customer_says("m1", conv="c9", text="能开发票吗"),
                {"id": "st1", "type": "agent.status", "agent_id": "alice", "status": "online"},
            ]
        }
        async with http.post(
            f"{process_a.url}/api/v1/events", json=body, headers=auth(INTEGRATION)
        ) as resp:
            assert resp.status == 202

    message = await alice_on_b.next("message")
    assert (message["id"], message["text"]) == ("m1", "能开发票吗")
    assert (await supervisor_on_b.next("agent.status"))["agent_id"] == "alice"
