"""The running gateway as the tests drive it: an HTTP client on a real socket, and
real python-socketio clients that record what consoles are sent."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import socketio
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.keys import SUGGESTER
from bot.rooms import PATH
from bot.settings import Settings
from tests.support.events import assigned
from tests.support.tokens import INTEGRATION, SUPERVISOR, auth


class Gateway:
    """A running app on a real socket, with an HTTP client session."""

    def __init__(
        self, server: TestServer | None, session: aiohttp.ClientSession, url: str | None = None
    ) -> None:
        self._server = server
        self.http = session
        self._url = url

    @property
    def server(self) -> TestServer:
        """The test server (a gateway started in this process)."""
        assert self._server is not None, "a remote gateway has no server here"
        return self._server

    @property
    def app(self) -> web.Application:
        """The running app (a gateway started in this process)."""
        return self.server.app

    @classmethod
    def remote(cls, url: str, session: aiohttp.ClientSession) -> Gateway:
        """A gateway running elsewhere (another process), driven over HTTP only."""
        return cls(None, session, url)

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:PORT``."""
        if self._url is not None:
            return self._url
        return str(self.server.make_url("")).rstrip("/")

    async def assign(self, conversation_id: str, agent_id: str, channel: str = "api") -> None:
        """Route a conversation to an agent (a ``conversation.assigned`` event)."""
        event = assigned(conversation_id, agent_id, f"assign-{channel}-{conversation_id}")
        status, _ = await self.post_events(event | {"channel": channel})
        assert status == 202

    async def transcript(self, conversation_id: str) -> Any:
        """GET /api/v1/conversations/{id} as a supervisor (must answer 200)."""
        async with self.http.get(
            f"{self.url}/api/v1/conversations/{conversation_id}", headers=auth(SUPERVISOR)
        ) as resp:
            assert resp.status == 200
            return await resp.json()

    async def bot_messages(self, conversation_id: str) -> list[Any]:
        """The automatic (bot) messages of a conversation's transcript, oldest first."""
        transcript = await self.transcript(conversation_id)
        return [m for m in transcript["messages"] if m["sender"]["role"] == "bot"]

    async def metric(self, sample: str) -> float | None:
        """The value of one ``/metrics`` sample line (``name{labels}``), None if absent."""
        async with self.http.get(f"{self.url}/metrics") as resp:
            text = await resp.text()
        for line in text.splitlines():
            name, _, value = line.rpartition(" ")
            if name == sample:
                return float(value)
        return None

    async def suggested(self, within: float = 10.0) -> None:
        """Wait until every customer message stored so far has its suggestions (they
        follow the acknowledgement: ``bot.suggester``; a gateway in this process)."""
        async with asyncio.timeout(within):
            await self.app[SUGGESTER].settled()

    async def call(self, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
        """Any API request with ``token``; the status and the decoded JSON answer."""
        async with self.http.request(
            method, f"{self.url}{path}", json=body, headers=auth(token)
        ) as resp:
            return resp.status, await resp.json()

    async def post_events(self, body: Any, token: str = INTEGRATION) -> tuple[int, Any]:
        """POST /api/v1/events; the status and the decoded JSON answer."""
        async with self.http.post(f"{self.url}/api/v1/events", json=body, headers=auth(token)) as r:
            return r.status, await r.json()


StartGateway = Callable[[Settings], Awaitable[Gateway]]


class Listener:
    """A real python-socketio client that records what the server emits to it."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

        @self.client.on("*", namespace="*")  # type: ignore[untyped-decorator]
        async def _any(event: str, namespace: str, data: Any) -> None:
            await self.received.put((event, data))

    async def connect(self, url: str, namespace: str, token: str) -> None:
        """Connect over WebSocket with ``auth={"token": token}``."""
        await self.client.connect(
            url,
            namespaces=[namespace],
            auth={"token": token},
            transports=["websocket"],
            socketio_path=PATH,
            wait_timeout=5,
        )

    async def next(self, name: str, within: float = 5.0) -> Any:
        """The next emitted event called ``name`` (others are skipped)."""
        async with asyncio.timeout(within):
            while True:
                event, data = await self.received.get()
                if event == name:
                    return data

    async def alert(self, kind: str, within: float = 5.0) -> Any:
        """The next ``alert`` of ``kind`` (alerts of other kinds are skipped)."""
        async with asyncio.timeout(within):
            while True:
                alert = await self.next("alert", within)
                if alert["kind"] == kind:
                    return alert

    async def nothing(self, name: str, wait: float = 0.3) -> bool:
        """True when no ``name`` event arrives within ``wait`` seconds."""
        try:
            await self.next(name, within=wait)
        except TimeoutError:
            return True
        return False
