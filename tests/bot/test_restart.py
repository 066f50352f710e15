"""A gateway that dies loses no deadline: after SIGKILL and restart, whatever came
due while it was down alerts at once, and nothing alerts twice."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import aiohttp
from sqlalchemy import select

from storage.engine import make_engine
from storage.tables import ALERTS
from tests.support.events import assigned, customer_says
from tests.support.gateway import Listener
from tests.support.processes import GatewayProcess, write_config
from tests.support.tokens import INTEGRATION, SUPERVISOR, auth

MONITOR = {
    "reply_seconds": 0.4,
    "busy_reply_seconds": 1.2,
    "unanswered_seconds": 1.5,
    "sweep_seconds": 0.05,
}


async def test_deadlines_survive_sigkill(
    database_url: str,
    tmp_path: Path,
    gateway_processes: Callable[..., GatewayProcess],
    listeners: Callable[[], Listener],
) -> None:
    config = write_config(tmp_path / "gateway.toml", database_url, monitor=MONITOR)
    first = gateway_processes(config)
    await first.start()
    supervisor = listeners()
    await supervisor.connect(first.url, "/supervisor", SUPERVISOR)
    async with aiohttp.ClientSession() as http:
        body = {
            "events": [
                assigned("c1", "alice", "a1"),
                customer_says("m1", text="在吗"),
            ]
        }
        async with http.post(
            f"{first.url}/api/v1/events", json=body, headers=auth(INTEGRATION)
        ) as resp:
            assert resp.status == 202
    assert (await supervisor.next("alert"))["kind"] == "reply.overdue"
    first.kill()
    await supervisor.client.disconnect()
    await asyncio.sleep(1.6)  # the 1.5 s unanswered threshold passes while it is down

    second = gateway_processes(config, port=first.port)
    again = listeners()
    await second.start()
    await again.connect(second.url, "/supervisor", SUPERVISOR)
    engine = make_engine(database_url)
    try:
        async with asyncio.timeout(5):
            while True:  # polls the database the restarted process writes
                async with engine.connect() as conn:
                    kinds = sorted((await conn.execute(select(ALERTS.c.kind))).scalars())
                if "message.unanswered" in kinds:
                    break
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # a few more sweeps: nothing may be added twice
        async with engine.connect() as conn:
            kinds = sorted((await conn.execute(select(ALERTS.c.kind))).scalars())
    finally:
        await engine.dispose()
    assert kinds == ["message.unanswered", "reply.overdue", "reply.warning"]
