"""Helpers for the web chat's stories: a browser's visitor token, a customer's socket."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import socketio

from tests.support.gateway import Gateway

_CONFIG = re.compile(r'<script type="application/json" id="rw-config">(.*?)</script>', re.S)


async def visitor_token(gateway: Gateway) -> str:
    """The fresh visitor token ``GET /chat`` gives a new browser."""
    async with gateway.http.get(f"{gateway.url}/chat") as resp:
        assert resp.status == 200
        page = await resp.text()
    found = _CONFIG.search(page)
    assert found is not None
    token: str = json.loads(found.group(1))["visitor"]
    return token


class Customer:
    """A web chat customer's connection to ``/customer`` (python-socketio's client)."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: list[dict[str, Any]] = []
        #: What the page was told about being answered (``availability`` pushes).
        self.told: list[str] = []
        self._arrived = asyncio.Event()

        @self.client.on("message", namespace="/customer")  # type: ignore[untyped-decorator]
        async def _message(data: dict[str, Any]) -> None:
            self.received.append(data)
            self._arrived.set()

        @self.client.on("availability", namespace="/customer")  # type: ignore[untyped-decorator]
        async def _availability(data: dict[str, Any]) -> None:
            self.told.append(data["state"])
            self._arrived.set()

    async def wait_for(self, count: int, within: float = 5.0) -> list[dict[str, Any]]:
        """Until ``count`` messages were pushed; all of them."""
        async with asyncio.timeout(within):
            while len(self.received) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.received

    async def told_now(self, state: str, within: float = 5.0) -> None:
        """Until the latest ``availability`` push says ``state``."""
        async with asyncio.timeout(within):
            while not self.told or self.told[-1] != state:
                self._arrived.clear()
                await self._arrived.wait()

    async def connect(
        self, gateway: Gateway, auth: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        """Connect over WebSocket (raises ``socketio.exceptions.ConnectionError`` if refused)."""
        await self.client.connect(
            gateway.url,
            namespaces=["/customer"],
            auth=auth,
            headers=headers or {},
            transports=["websocket"],
            socketio_path="socket.io",
            wait_timeout=5,
        )

    async def say(self, text: str, client_id: str) -> Any:
        """Write a message; the server's ack."""
        return await self.client.call(
            "message", {"id": client_id, "text": text}, namespace="/customer", timeout=5
        )

    async def history(self) -> Any:
        """The conversation so far."""
        return await self.client.call("history", None, namespace="/customer", timeout=5)
