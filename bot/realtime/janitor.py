"""Keeps the Socket.IO server's memory bounded.

Every few seconds it closes Engine.IO connections that never joined ``/agent``,
``/supervisor`` or ``/customer`` within ``join_seconds`` (a bare handshake holds
server state but has shown no token or session), and connections whose outgoing queue has grown past
``max_queued`` packets (a console that stopped reading would otherwise make the
server hold every push for it). Each closing is logged once, with the reason.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import socketio

from bot.rooms import AGENT_NS, CUSTOMER_NS, SUPERVISOR_NS

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limits:
    """How long a connection may stay without a namespace, and how much may wait for it."""

    join_seconds: float = 10.0
    max_queued: int = 1000
    every_seconds: float = 2.0


class Janitor:
    """Closes idle handshakes and slow consumers (see the module's description)."""

    def __init__(self, sio: socketio.AsyncServer, limits: Limits = Limits()) -> None:
        self._sio = sio
        self._limits = limits
        self._first_seen: dict[str, float] = {}

    async def run(self) -> None:
        """Check every ``every_seconds`` until cancelled."""
        while True:
            await asyncio.sleep(self._limits.every_seconds)
            try:
                await self.sweep(time.monotonic())
            except Exception:
                log.exception("socket janitor failed; trying again")

    async def sweep(self, now: float) -> list[tuple[str, str]]:
        """Close what breaks the limits now; ``(Engine.IO sid, reason)`` of each closed."""
        sockets = dict(self._sio.eio.sockets)
        for gone in set(self._first_seen) - set(sockets):
            del self._first_seen[gone]
        closed = []
        for eio_sid, socket in sockets.items():
            reason = self._reason(eio_sid, socket, now)
            if reason is not None:
                log.warning("closing Socket.IO connection %s: %s", eio_sid, reason)
                closed.append((eio_sid, reason))
                self._first_seen.pop(eio_sid, None)
                if self._stalled(socket):
                    await self._cut(eio_sid, socket)
                else:
                    await self._sio.eio.disconnect(eio_sid)
        return closed

    def _stalled(self, socket: Any) -> bool:
        queued = getattr(socket, "queue", None)
        return queued is not None and queued.qsize() > self._limits.max_queued

    async def _cut(self, eio_sid: str, socket: Any) -> None:
        """Drop a client that stopped reading without a goodbye: a graceful close waits
        until the client has taken every queued packet, which it never does, and the
        server's writer stays blocked on the full connection. Aborting the transport
        frees both; the disconnect handlers still run (rooms left, presence updated)."""
        request = self._sio.environ.get(eio_sid, {}).get("aiohttp.request")
        transport = getattr(request, "transport", None)  # before close() forgets it
        await socket.close(wait=False, abort=True)
        # Only a connection that began as a WebSocket is the client's alone: a long-polling
        # request's may be kept alive for other requests (a proxy's upstream pool).
        if transport is not None and _websocket(request):
            transport.abort()
        self._sio.eio.sockets.pop(eio_sid, None)

    def _reason(self, eio_sid: str, socket: Any, now: float) -> str | None:
        if self._stalled(socket):
            return f"{socket.queue.qsize()} messages waiting: the client stopped reading"
        joined = any(
            self._sio.manager.sid_from_eio_sid(eio_sid, namespace) is not None
            for namespace in (AGENT_NS, SUPERVISOR_NS, CUSTOMER_NS)
        )
        if joined:
            return None
        first = self._first_seen.setdefault(eio_sid, now)
        if now - first >= self._limits.join_seconds:
            return f"no namespace joined within {self._limits.join_seconds:g} s"
        return None


def _websocket(request: Any) -> bool:
    """Whether the request that opened the connection was a WebSocket upgrade."""
    upgrade = request.headers.get("Upgrade", "") if request is not None else ""
    return str(upgrade).lower() == "websocket"
