"""Agents' replies given to ReplyWatch (Socket.IO ``reply`` or ``POST
/api/v1/conversations/{id}/reply``): recorded through the pipeline like any event,
and queued for delivery when the conversation's channel has an adapter."""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from bot.errors import Conflict, Forbidden, NotFound
from bot.keys import ENGINE, PIPELINE, SETTINGS
from bot.payloads import message_payload
from bot.schemas import REPLY_PREFIX
from monitors.events import ChatEvent, EventType, SenderRole
from storage.queries import conversations_by_external_id, stored_message


class ReplyIn(BaseModel):
    """A reply: the conversation, the text, and optionally the script it came from, the
    channel (when the conversation id exists on several) and an id (safe retries)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    conversation_id: Annotated[str, Field(min_length=1, max_length=200)]
    text: Annotated[str, Field(min_length=1, max_length=20_000)]
    script_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    channel: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    id: Annotated[str, Field(min_length=1, max_length=200)] | None = None


async def record_reply(app: web.Application, agent_id: str, reply: ReplyIn) -> dict[str, Any]:
    """Store ``agent_id``'s reply (after commit); ``{"message", "duplicate", "delivery"?}``.
    Raises a :class:`~bot.errors.ReplyWatchError` (or a storage failure) when not recorded."""
    matches = await conversations_by_external_id(app[ENGINE], reply.conversation_id, reply.channel)
    if not matches:
        raise NotFound("unknown conversation")
    if len(matches) > 1:
        channels = [m.channel for m in matches]
        raise Conflict("conversation id is ambiguous", {"channels": channels})
    channel, assignee = matches[0].channel, matches[0].assignee_id
    if assignee is not None and assignee != agent_id:
        raise Forbidden("this conversation is assigned to another agent", {"agent_id": assignee})
    now = time.time()
    event = ChatEvent(
        id=reply_id(reply.id),
        channel=channel,
        type=EventType.MESSAGE,
        ts=now,
        received_at=now,
        conversation_id=reply.conversation_id,
        sender_role=SenderRole.AGENT,
        sender_id=agent_id,
        text=reply.text,
        script_id=reply.script_id,
        deliver=app[SETTINGS].has_channel(channel),
    )
    result = await app[PIPELINE].handle([event])
    if result.duplicates:
        return {"message": await _the_stored_reply(app, event), "duplicate": True}
    ack: dict[str, Any] = {"message": message_payload(event), "duplicate": False}
    if event.deliver:
        ack["delivery"] = "pending"
    return ack


def reply_id(given: str | None) -> str:
    """The stored id of a reply: the console's own id (for safe retries) in the replies'
    id space, or a new one."""
    if given is None:
        return f"{REPLY_PREFIX}{uuid.uuid4()}"
    return given if given.startswith(REPLY_PREFIX) else f"{REPLY_PREFIX}{given}"


async def _the_stored_reply(app: web.Application, event: ChatEvent) -> dict[str, Any]:
    """A retried reply: the message as stored (never the retry's text); 409 when the id
    was used for something else."""
    stored = await stored_message(app[ENGINE], event.channel, event.id)
    same = stored is not None and (stored.conversation_id, stored.sender_id, stored.text) == (
        event.conversation_id,
        event.sender_id,
        event.text,
    )
    if stored is None or not same:
        raise Conflict("this reply id was already used for another message")
    return message_payload(stored)
