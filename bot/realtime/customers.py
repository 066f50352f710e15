"""``/customer``: the web chat's customers (DESIGN.md section 13).

A connection shows a visitor token (or a host-signed ``user_id``) and joins its
conversation's room; it may ask for the conversation so far (``history``) and write
(``message``). Messages go through the pipeline like any IM channel's, with the
client's own id (so a message sent again after a reconnect is stored once), after
the checks: not empty, not too long, not more than ``max_messages_per_minute``.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from typing import Annotated, Any

import socketio
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import BadRequest, TooManyRequests, error_ack
from bot.keys import AVAILABILITY, ENGINE, PIPELINE, SETTINGS, VISITORS
from bot.payloads import customer_view, iso
from bot.rooms import CUSTOMER_NS, visitor_room
from bot.schemas import validation_details
from bot.settings import WidgetSettings
from bot.visitors import allowed_origin
from monitors.events import ChatEvent, EventType, SenderRole
from storage import webchat

#: How many earlier messages a returning visitor sees.
HISTORY = 200


class CustomerMessageIn(BaseModel):
    """The ``message`` payload: the page's own id for it, and the text."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
    text: Annotated[str, Field(max_length=100_000)]


class CustomerNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    """``/customer``: one visitor's connections, in their conversation's room."""

    def __init__(self, app: web.Application) -> None:
        super().__init__(CUSTOMER_NS)
        self._app = app
        self._writing: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def trigger_event(self, event: str, *args: Any) -> Any:
        """A handler's failure becomes its error ack (connect refusals stay refusals)."""
        try:
            return await super().trigger_event(event, *args)
        except socketio.exceptions.ConnectionRefusedError:
            raise
        except Exception as exc:
            return error_ack(exc)

    async def on_connect(self, sid: str, environ: Any, auth: Any = None) -> None:
        """Accept a visitor from an allowed origin with a valid token or signature."""
        settings = self._app[SETTINGS].widget
        if not allowed_origin(environ.get("HTTP_ORIGIN"), environ.get("HTTP_HOST"), settings):
            raise socketio.exceptions.ConnectionRefusedError("origin not allowed")
        visitor = self._app[VISITORS].identify(auth)
        if visitor is None:
            raise socketio.exceptions.ConnectionRefusedError("invalid visitor token or user_hash")
        await self.save_session(sid, {"conversation_id": visitor.conversation_id})
        await self.enter_room(sid, visitor_room(visitor.conversation_id))

    async def _conversation(self, sid: str) -> str:
        session = await self.get_session(sid)
        return str(session["conversation_id"])

    async def on_history(self, sid: str, data: Any = None) -> dict[str, Any]:
        """The conversation so far (oldest first), the agent serving it, and whether
        the shop answers now (:mod:`bot.availability`)."""
        conversation_id = await self._conversation(sid)
        settings = self._app[SETTINGS]
        found = await webchat.thread(
            self._app[ENGINE], settings.widget.channel, conversation_id, HISTORY
        )
        names = settings.agent_names()
        agent = names.get(found.agent_id, found.agent_id) if found.agent_id else None
        return {
            "conversation_id": conversation_id,
            "messages": [
                customer_view(
                    line.id,
                    line.role,
                    line.name if line.role == "agent" else None,
                    line.text,
                    line.ts,
                    line.survey,
                )
                for line in found.lines
            ],
            "agent": agent if found.is_open else None,
            "availability": await self._app[AVAILABILITY].state(),
        }

    async def on_message(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Store the customer's message (after the checks); the ack has its id and time."""
        try:
            given = CustomerMessageIn.model_validate(data)
        except ValidationError as exc:
            raise BadRequest("invalid message", validation_details(exc)) from exc
        settings = self._app[SETTINGS].widget
        text = given.text.strip()
        if not text:
            raise BadRequest("empty message: write something first")
        if len(text) > settings.max_message_chars:
            raise BadRequest(f"message too long: at most {settings.max_message_chars} characters")
        conversation_id = await self._conversation(sid)
        lock = self._writing[conversation_id]
        try:
            return await self._store(lock, conversation_id, given.id, text, settings)
        finally:
            if not lock.locked():  # the visitor is not writing now: forget the lock
                self._writing.pop(conversation_id, None)

    async def _store(
        self,
        lock: asyncio.Lock,
        conversation_id: str,
        client_id: str,
        text: str,
        settings: WidgetSettings,
    ) -> dict[str, Any]:
        # One message of a visitor at a time in this process, so the count is exact.
        async with lock:
            now = time.time()
            written = await webchat.written_since(
                self._app[ENGINE], settings.channel, conversation_id, now - 60
            )
            if written >= settings.max_messages_per_minute:
                raise TooManyRequests(
                    f"too many messages: at most {settings.max_messages_per_minute} a minute;"
                    " wait a moment and send it again",
                    {"retry_after_seconds": 60},
                )
            event = ChatEvent(
                id=f"{conversation_id}/{client_id}",
                channel=settings.channel,
                type=EventType.MESSAGE,
                ts=now,
                received_at=now,
                conversation_id=conversation_id,
                sender_role=SenderRole.CUSTOMER,
                sender_id=conversation_id,
                text=text,
            )
            result = await self._app[PIPELINE].handle([event])
        return {
            "id": event.id,
            "client_id": client_id,
            "ts": iso(now),
            "duplicate": not result.stored,
        }
