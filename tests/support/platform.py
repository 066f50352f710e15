"""The common part of the local stand-ins for remote IM platforms (each platform's own
fake lives beside its channel's tests)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


class FakePlatform:
    """A remote IM platform's API on a local port: records what it is sent and answers
    the scripted ``failures`` first, in turn, as ``(status, json body, headers)``."""

    def __init__(self) -> None:
        self.failures: list[tuple[int, dict[str, Any], dict[str, str]]] = []
        self.sent: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()
        self.server: TestServer | None = None

    def fail(self, status: int, body: dict[str, Any], **headers: str) -> None:
        """Answer the next request with this failure."""
        self.failures.append((status, body, headers))

    def failure(self) -> web.Response | None:
        """The next scripted failure, if any."""
        if not self.failures:
            return None
        status, body, headers = self.failures.pop(0)
        return web.json_response(body, status=status, headers=headers)

    def record(self, payload: dict[str, Any]) -> int:
        """Keep an accepted request; its number (1, 2, ...)."""
        self.sent.append(payload)
        self.arrived.set()
        return len(self.sent)

    @property
    def api_base(self) -> str:
        """The base URL to configure as the channel's ``api_base``."""
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    async def wait_sent(self, count: int, within: float = 5.0) -> list[dict[str, Any]]:
        """Wait until ``count`` requests were accepted."""
        async with asyncio.timeout(within):
            while len(self.sent) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.sent

    @contextlib.asynccontextmanager
    async def serving(self, *routes: web.RouteDef) -> AsyncIterator[None]:
        """Run the fake on a local port with ``routes`` while the block lasts."""
        app = web.Application()
        app.add_routes(routes)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        try:
            yield
        finally:
            await self.server.close()
