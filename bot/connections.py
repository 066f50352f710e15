"""Who is connected (DESIGN.md section 11): every ``/agent`` and ``/supervisor``
connection on record in the database, renewed by its process on a heartbeat, so that
ending an account's sign-in closes its connections in every process, and presence knows
when an agent's last console is gone (even when the process holding it died).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

import socketio
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.logs import Incident
from bot.principals import Principal
from bot.settings import PresenceSettings
from storage import connections
from storage.connections import Connection

log = logging.getLogger(__name__)


class Connections:
    """This process's live connections, and the record every process shares."""

    def __init__(
        self, engine: AsyncEngine, sio: socketio.AsyncServer, settings: PresenceSettings
    ) -> None:
        self._engine, self._sio, self._settings = engine, sio, settings
        #: This process, as its connections' ``host``.
        self.host = uuid.uuid4().hex
        self._local: dict[str, Connection] = {}
        self._incident = Incident(log, "the connection heartbeat")

    async def opened(self, sid: str, namespace: str, principal: Principal) -> None:
        """A connection was accepted."""
        connection = Connection(
            sid, namespace, self.host, principal.agent_id, principal.user_id, principal.session_id
        )
        self._local[sid] = connection
        await connections.opened(self._engine, connection, time.time())

    async def closed(self, sid: str) -> None:
        """A connection closed (the client left, or the server disconnected it)."""
        if self._local.pop(sid, None) is not None:
            await connections.closed(self._engine, sid, time.time())

    async def end(self, user_id: str, *, keep: str | None = None, only: str | None = None) -> int:
        """Disconnect the account's live connections in every process (but those of the
        session ``keep``, or only those of the session ``only``); how many."""
        since = time.time() - self._settings.offline_after_seconds
        found = await connections.of_user(self._engine, user_id, since)
        ended = 0
        for connection in found:
            if connection.session_id == keep or (only and connection.session_id != only):
                continue
            # With Redis, python-socketio passes a disconnect for another process's sid on.
            await self._sio.disconnect(connection.sid, namespace=connection.namespace)
            ended += 1
        return ended

    async def heartbeat(self) -> None:
        """Renew this process's connections."""
        await connections.renew(self._engine, list(self._local), time.time())

    async def run(self) -> None:
        """Heartbeat until cancelled."""
        while True:
            await asyncio.sleep(self._settings.heartbeat_seconds)
            try:
                await self.heartbeat()
            except Exception as exc:
                self._incident.failed(exc)
            else:
                self._incident.ok()
