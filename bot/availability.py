"""What the web chat tells its customers about being answered (DESIGN.md section 13).

``open``: in opening hours with an agent online; ``closed``: outside the opening hours
(``[hours]``); ``nobody``: no agent online. In the last two the page asks the customer
to leave a message: the conversation waits in the queue and is routed when an agent
comes online. Every visitor is told again when an agent's status changes (on every
process, through the Socket.IO manager) and when the shop opens or closes (each process
tells its own visitors, on the schedule's boundaries).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Literal

import socketio
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.rooms import CUSTOMER_NS
from monitors.hours import BusinessHours
from storage import webchat

log = logging.getLogger(__name__)
State = Literal["open", "closed", "nobody"]
#: Longest wait between two checks of the schedule (a clock changed, a missed wake-up).
MAX_SLEEP = 3600.0


class Availability:
    """Works out the web chat's availability and pushes it to the visitors."""

    def __init__(
        self,
        engine: AsyncEngine,
        sio: socketio.AsyncServer,
        hours: BusinessHours | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._engine = engine
        self._sio = sio
        self._hours = hours
        self._clock = clock

    async def state(self) -> State:
        """The availability now."""
        if self._hours is not None and not self._hours.is_open(self._clock()):
            return "closed"
        if not await webchat.agents_online(self._engine):
            return "nobody"
        return "open"

    async def announce(self, local_only: bool = False) -> None:
        """Tell every visitor (only this process's with ``local_only``)."""
        payload = {"state": await self.state()}
        await self._sio.emit(
            "availability", payload, namespace=CUSTOMER_NS, ignore_queue=local_only
        )

    async def run(self) -> None:
        """Tell this process's visitors each time the shop opens or closes (run as a
        background task; nothing to do without ``[hours]``)."""
        if self._hours is None:
            return
        while True:
            now = self._clock()
            wait = min(self._hours.next_change(now) - now, MAX_SLEEP)
            await asyncio.sleep(max(wait, 0.0) + 0.05)  # just past the boundary
            try:
                await self.announce(local_only=True)
            except Exception:  # a database hiccup: told at the next boundary or status
                log.exception("could not tell the web chat's visitors the availability")
