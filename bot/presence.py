"""Presence (DESIGN.md section 11): who is connected, and online / away / offline.

Every ``/agent`` and ``/supervisor`` connection is on record in the database and renewed
by its process on a heartbeat. An agent's first connection brings them online (away if
that is what they last chose); when their last one has gone unrenewed for
``presence.offline_after_seconds`` (closed, or its process died) a sweep, run by every
process on the same heartbeat, makes them offline. Ending an account's sign-in closes its
connections in every process. Status changes are ``agent.status`` events: stored, pushed
to supervisors, and what routing and handover follow.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

import socketio
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.logs import Incident
from bot.principals import Principal
from bot.settings import PresenceSettings
from monitors.events import ChatEvent
from monitors.rules import Thresholds
from storage import connections, presence, queue
from storage.connections import Connection
from storage.ingest import CHOSEN, Stored
from storage.writer import GroupWriter

log = logging.getLogger(__name__)
Announce = Callable[[Sequence[Stored]], Awaitable[None]]
Handle = Callable[[Sequence[ChatEvent]], Awaitable[Any]]


class Presence:
    """This process's live connections, the record every process shares, and the
    status changes they make."""

    def __init__(
        self,
        engine: AsyncEngine,
        writer: GroupWriter,
        sio: socketio.AsyncServer,
        settings: PresenceSettings,
        thresholds: Thresholds,
    ) -> None:
        self._engine, self._writer, self._sio = engine, writer, sio
        self._settings, self._thresholds = settings, thresholds
        #: This process, as its connections' ``host``.
        self.host = uuid.uuid4().hex
        self._local: dict[str, Connection] = {}
        self._announce: Announce | None = None
        self._handle: Handle | None = None
        self._incident = Incident(log, "the presence heartbeat")
        self._tasks: set[asyncio.Task[None]] = set()

    def attach(self, handle: Handle, announce: Announce) -> None:
        """Where status events go: the pipeline's entry point, and its notices for events
        stored inside a presence transaction."""
        self._handle, self._announce = handle, announce

    async def opened(self, sid: str, namespace: str, principal: Principal) -> None:
        """A connection was accepted: on record, and its agent online if they were not."""
        connection = Connection(
            sid, namespace, self.host, principal.agent_id, principal.user_id, principal.session_id
        )
        self._local[sid] = connection
        stored = await self._writer.call(
            presence.connect, connection, time.time(), self._thresholds
        )
        # Pushed once the connection is acknowledged: this runs inside the connect
        # handler, and a client must get its CONNECT before any event of the namespace.
        self._soon(self._tell(stored))

    def _soon(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Wait for the pushes still under way (at shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=5)

    async def closed(self, sid: str) -> None:
        """A connection closed (the client left, or the server disconnected it)."""
        if self._local.pop(sid, None) is not None:
            await connections.closed(self._engine, sid, time.time())

    async def choose(self, agent_id: str, status: str, reason: str = CHOSEN) -> None:
        """Store a status the agent (or a supervisor for them) set."""
        if self._handle is None:
            raise RuntimeError("Presence.attach() has not run")
        await self._handle([presence.status_event(agent_id, status, reason, time.time())])

    async def end(self, user_id: str, *, keep: str | None = None, only: str | None = None) -> int:
        """Disconnect the account's live connections in every process (but those of the
        session ``keep``, or only those of the session ``only``); how many."""
        since = time.time() - self._settings.offline_after_seconds
        ended = 0
        for connection in await connections.of_user(self._engine, user_id, since):
            if connection.session_id == keep or (only and connection.session_id != only):
                continue
            # With Redis, python-socketio passes a disconnect for another process's sid on.
            await self._sio.disconnect(connection.sid, namespace=connection.namespace)
            ended += 1
        return ended

    async def beat(self) -> None:
        """Renew this process's connections, then make offline the agents whose
        connections are all gone."""
        now = time.time()
        await connections.renew(self._engine, list(self._local), now)
        offline = self._settings.offline_after_seconds
        stored = await self._writer.call(presence.sweep, now, offline, self._thresholds)
        await self._tell(stored)
        # What time alone frees (an active window passing) or a crashed process left.
        await self._tell(await self._writer.call(queue.drain, self._thresholds, time.time()))

    async def _tell(self, stored: Sequence[Stored]) -> None:
        if stored and self._announce is not None:
            await self._announce(stored)

    async def run(self) -> None:
        """Heartbeat until cancelled."""
        while True:
            await asyncio.sleep(self._settings.heartbeat_seconds)
            try:
                await self.beat()
            except Exception as exc:
                self._incident.failed(exc)
            else:
                self._incident.ok()
