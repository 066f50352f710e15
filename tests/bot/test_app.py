"""The app factory owns its background parts: they start with the app and stop
with it, leaving nothing running."""

from __future__ import annotations

from aiohttp.test_utils import TestServer

from bot.app import create_app
from bot.keys import ENGINE, SCHEDULER
from tests.support.settings import make_settings


async def test_scheduler_and_writer_run_while_the_app_runs(sqlite_url: str) -> None:
    app = create_app(make_settings(sqlite_url))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    scheduler = app[SCHEDULER]
    assert scheduler.running
    assert app[ENGINE].url.get_backend_name() == "sqlite"
    await server.close()
    assert not scheduler.running
