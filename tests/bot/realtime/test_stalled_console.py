"""A console that stops reading (a frozen laptop, a stuck tab) cannot make the server
hold every push for it: once more than ``realtime.max_queued_messages`` wait, the
server drops it with a log line, while the other agents' consoles keep up."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot.keys import SIO
from tests.support.events import assigned, customer_says
from tests.support.gateway import Listener, StartGateway
from tests.support.settings import make_settings
from tests.support.stalled import StalledConsole
from tests.support.tokens import ALICE, BOB

LONG = "请问这件衣服有没有大一点的尺码" * 1300  # ~19,500 characters, ~58 KB a push


async def test_a_console_that_never_reads_is_dropped_and_the_others_keep_up(
    start_gateway: StartGateway,
    sqlite_url: str,
    listeners: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = make_settings(sqlite_url, realtime={"max_queued_messages": 10, "join_seconds": 1})
    gateway = await start_gateway(settings)
    assert gateway.app is not None
    sockets = gateway.app[SIO].eio.sockets
    frozen = await StalledConsole.join(gateway.url, "/agent", ALICE)
    bob: Listener = listeners()
    await bob.connect(gateway.url, "/agent", BOB)
    await gateway.post_events({"events": [assigned("c1", "alice"), assigned("c2", "bob")]})
    posted = 0
    async with asyncio.timeout(30):
        while len(sockets) > 1:  # long questions to alice, pushes she never reads
            events = [customer_says(f"m{posted + i}", conv="c1", text=LONG) for i in range(5)]
            status, _ = await gateway.post_events({"events": events})
            assert status == 202
            posted += 5
            await asyncio.sleep(0.05)
    status, _ = await gateway.post_events({"events": [customer_says("b1", conv="c2")]})
    assert status == 202
    assert (await bob.next("message"))["id"] == "b1"  # bob's console kept up
    assert "the client stopped reading" in caplog.text
    assert await frozen.closed_by_server(within=5)
    await frozen.close()
    assert bob.client.connected
    assert posted < 200, posted  # dropped after a few MB, not kept for ever


async def test_a_long_polling_client_that_stops_polling_is_dropped_but_its_connection_kept(
    start_gateway: StartGateway, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A long-polling client (a third-party integration) that stops polling is dropped
    the same way, but the HTTP connection it polled on is not cut: behind a proxy that
    connection may carry other people's requests."""
    settings = make_settings(sqlite_url, realtime={"max_queued_messages": 10, "join_seconds": 1})
    gateway = await start_gateway(settings)
    assert gateway.app is not None
    sockets = gateway.app[SIO].eio.sockets
    host, port = gateway.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))  # one keep-alive connection
    http = KeepAlive(reader, writer, f"{host}:{port}")
    base = "/socket.io/?EIO=4&transport=polling"
    _, body = await http.request("GET", base)
    sid = json.loads(body[1:])["sid"]
    status, _ = await http.request(
        "POST", f"{base}&sid={sid}", "40/agent," + json.dumps({"token": ALICE})
    )
    assert status == 200
    await gateway.post_events({"events": [assigned("c1", "alice")]})
    async with asyncio.timeout(15):
        n = 0
        while sid in sockets:  # alice's pushes pile up: she never polls
            await gateway.post_events({"events": [customer_says(f"p{n}", conv="c1")]})
            n += 1
            await asyncio.sleep(0.05)
    assert "the client stopped reading" in caplog.text
    assert (await http.request("GET", "/healthz"))[0] == 200  # the same connection still works
    writer.close()
    await writer.wait_closed()


class KeepAlive:
    """HTTP/1.1 requests one after another on one connection."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str
    ) -> None:
        self._reader, self._writer, self._host = reader, writer, host

    async def request(self, method: str, path: str, body: str = "") -> tuple[int, str]:
        data = body.encode()
        head = f"{method} {path} HTTP/1.1\r\nHost: {self._host}\r\nContent-Length: {len(data)}\r\n"
        self._writer.write((head + "Content-Type: text/plain\r\n\r\n").encode() + data)
        lines = (await self._reader.readuntil(b"\r\n\r\n")).decode().split("\r\n")
        length = next(
            int(v)
            for k, _, v in (h.partition(": ") for h in lines)
            if k.lower() == "content-length"
        )
        return int(lines[0].split()[1]), (await self._reader.readexactly(length)).decode()
