"""The configured channels: their webhook routes (answered through the pipeline) and the
HTTP session their replies go out on."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import aiohttp
from aiohttp import web

from bot.channels import Channel, Receive
from bot.channels.slack import SlackChannel
from bot.channels.telegram import TelegramChannel
from bot.channels.wecom import WeComChannel
from bot.channels.wecom.adapter import Handle
from bot.keys import PIPELINE
from bot.settings import ChannelSettings, Settings, SlackChannelSettings, WeComChannelSettings
from bot.tasks import cancel
from storage.cursors import Cursors
from storage.writer import StorageRejected


def make_channel(settings: ChannelSettings) -> Channel:
    """The adapter for one ``[[channels]]`` entry."""
    if isinstance(settings, SlackChannelSettings):
        return SlackChannel(settings)
    if isinstance(settings, WeComChannelSettings):
        return WeComChannel(settings)
    return TelegramChannel(settings)


log = logging.getLogger(__name__)


def _receiver(adapter: Channel) -> Receive:
    async def receive(request: web.Request) -> web.StreamResponse:
        parsed = await adapter.parse(request)
        if parsed.events:
            try:
                await request.app[PIPELINE].handle(parsed.events)
            except StorageRejected:
                # Retrying cannot help: acknowledge, and keep the reason in the log.
                log.error("%s: events refused by the database, dropped", adapter.name)
            # StorageUnavailable is not acknowledged (503): the platform delivers it again.
        return parsed.response or web.json_response({"ok": True})

    return receive


class Channels:
    """The adapters by name, and the HTTP client session they send with."""

    def __init__(self, settings: Settings) -> None:
        self.adapters: dict[str, Channel] = {c.name: make_channel(c) for c in settings.channels}
        self._timeout = aiohttp.ClientTimeout(total=settings.delivery.timeout_seconds)
        self._http: aiohttp.ClientSession | None = None
        self._pulling: list[asyncio.Task[None]] = []

    def has(self, name: str) -> bool:
        """Whether replies on channel ``name`` go out through an adapter."""
        return name in self.adapters

    def routes(self) -> list[web.RouteDef]:
        """Every adapter's webhook endpoints."""
        return [route for a in self.adapters.values() for route in a.routes(_receiver(a))]

    async def start(self) -> None:
        """Open the HTTP session (when any channel is configured)."""
        if self.adapters:
            self._http = aiohttp.ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._http is not None:
            await self._http.close()
            self._http = None

    def pull(self, cursors: Cursors, handle: Handle) -> None:
        """Start the adapters that fetch their messages (WeCom's ``sync_msg``)."""
        if self._http is None:
            return
        for adapter in self.adapters.values():
            if isinstance(adapter, WeComChannel):
                task = asyncio.create_task(
                    adapter.run(self._http, cursors, handle), name=f"pull-{adapter.name}"
                )
                self._pulling.append(task)

    async def stop_pulling(self) -> None:
        """Stop fetching (a sync cut short saved no cursor beyond what was stored)."""
        await cancel(self._pulling)
        self._pulling.clear()

    async def send(
        self, channel: str, conversation_id: str, text: str, choices: Sequence[str] = ()
    ) -> str | None:
        """Send through ``channel``'s adapter (raises ``DeliveryError``); ``choices`` are
        answer buttons for the channels that have them (the others send the text)."""
        if self._http is None:
            raise RuntimeError("channels are not started")
        return await self.adapters[channel].send(self._http, conversation_id, text, choices)


#: The configured adapters (the app factory starts, pulls and closes them).
CHANNELS = web.AppKey("channels", Channels)
