"""The server's memory stays bounded: a bare Engine.IO handshake that never joins a
namespace is closed after ``realtime.join_seconds``, and a console that stops reading
is closed once too many pushes wait for it."""

from __future__ import annotations

import asyncio
from typing import Any

import engineio
import pytest

from bot.keys import SIO
from bot.realtime.janitor import Janitor, Limits
from tests.support.gateway import Listener, StartGateway
from tests.support.settings import make_settings
from tests.support.tokens import ALICE


async def test_a_handshake_that_joins_nothing_is_closed(
    start_gateway: StartGateway, sqlite_url: str, listeners: Any
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url, realtime={"join_seconds": 0.3}))
    bare = engineio.AsyncClient()
    closed = asyncio.Event()
    bare.on("disconnect", closed.set)
    await bare.connect(gateway.url, engineio_path="socket.io", transports=["websocket"])
    alice: Listener = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)  # a real console stays
    await asyncio.wait_for(closed.wait(), 5)
    await asyncio.sleep(0.5)
    assert alice.client.connected


async def test_a_client_that_stopped_reading_is_closed(
    start_gateway: StartGateway,
    sqlite_url: str,
    listeners: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url))
    alice: Listener = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    assert gateway.app is not None
    sio = gateway.app[SIO]
    [eio_sid] = list(sio.eio.sockets)
    socket = sio.eio.sockets[eio_sid]
    for _ in range(30):  # pushes piling up faster than the client takes them
        socket.queue.put_nowait(engineio.packet.Packet(engineio.packet.NOOP))
    janitor = Janitor(sio, Limits(join_seconds=60, max_queued=10))
    closed = await janitor.sweep(now=0.0)
    assert [reason for _, reason in closed] == [
        "31 messages waiting: the client stopped reading"
    ] or (len(closed) == 1 and "stopped reading" in closed[0][1])
    assert "stopped reading" in caplog.text
