"""A webhook receiver on a local port."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


class Receiver:
    """A local HTTP endpoint standing in for a webhook receiver (an incident tool, a chat
    group's bot): records each request and answers ``statuses`` in turn."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses  # answered in turn; the last one repeats
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.arrived = asyncio.Event()
        self.server: TestServer | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.read()))
        self.arrived.set()
        status = self.statuses[min(len(self.requests), len(self.statuses)) - 1]
        return web.Response(status=status, headers={"Retry-After": "0"})

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/hooks/replywatch"))

    async def wait_for(self, count: int, within: float = 5.0) -> None:
        async with asyncio.timeout(within):
            while len(self.requests) < count:
                self.arrived.clear()
                await self.arrived.wait()

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.requests]
