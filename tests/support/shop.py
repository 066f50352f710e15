"""A small shop for the console's stories: a gateway with fast sweeps, alice holding
chat c1, bob online, and customers writing in."""

from __future__ import annotations

import time
from typing import Any

from tests.support.events import agent_status, customer_says
from tests.support.gateway import Gateway, StartGateway
from tests.support.settings import make_settings


async def open_shop(start_gateway: StartGateway, database_url: str, **monitor: float) -> Gateway:
    """A gateway (``monitor`` overrides) where c1 is alice's and bob is online."""
    settings = make_settings(database_url, monitor={"sweep_seconds": 0.05, **monitor})
    gateway = await start_gateway(settings)
    await gateway.assign("c1", "alice")
    status, _ = await gateway.post_events(agent_status("bob", "online", "bob-on"))
    assert status == 202
    return gateway


async def customer_writes(gateway: Gateway, conv: str, text: str, **extra: Any) -> None:
    """The customer of ``conv`` writes ``text`` now (a fresh message id each time)."""
    event = customer_says(f"m-{conv}-{time.monotonic_ns()}", conv, text, **extra)
    status, _ = await gateway.post_events(event)
    assert status == 202
