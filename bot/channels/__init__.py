"""IM channel adapters: each platform's webhook in, agents' replies out.

An adapter is a small class with ``routes(receive)`` (its webhook endpoints, all
answered by the gateway's ``receive``), ``parse(request)`` (verify the platform's
signature, then turn its payload into :class:`~monitors.events.ChatEvent` s with
``channel`` = the adapter's configured name) and ``send(http, conversation_id,
text, choices)`` (the outbound reply; ``choices`` are answer buttons, which a platform
without them ignores: the text says what to reply). Nothing after ``parse`` knows the platform: the
gateway hands the events to ``pipeline.handle`` like any others.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import aiohttp
from aiohttp import web

from monitors.events import ChatEvent

Receive = Callable[[web.Request], Awaitable[web.StreamResponse]]
#: Signed requests older (or newer) than this many seconds are refused as replays.
MAX_AGE = 300


def fresh(stamp: str, now: float, max_age: float = MAX_AGE) -> bool:
    """Whether a request's unix ``stamp`` is well-formed and within ``max_age`` of now."""
    return stamp.isdigit() and abs(now - int(stamp)) <= max_age


@dataclass(frozen=True)
class Parsed:
    """What a webhook request brought: events to store, and the platform's expected answer
    (a challenge, an echo) when it is not a plain 200."""

    events: list[ChatEvent] = field(default_factory=list)
    response: web.StreamResponse | None = None


class Channel(Protocol):
    """What every adapter provides."""

    name: str

    def routes(self, receive: Receive) -> list[web.RouteDef]:
        """The webhook endpoints, each answered by ``receive``."""
        ...

    async def parse(self, request: web.Request) -> Parsed:
        """Verify and read one webhook request (401/400 as ``web.HTTPException``)."""
        ...

    async def send(
        self,
        http: aiohttp.ClientSession,
        conversation_id: str,
        text: str,
        choices: Sequence[str] = (),
    ) -> str | None:
        """Send a reply; the platform's message id. Raises :class:`~bot.errors.DeliveryError`."""
        ...
