"""Handing work on (DESIGN.md section 11): an agent or supervisor transfers a
conversation with a note, an agent asks a supervisor for help (上报主管), and a
supervisor acknowledges an alert."""

from __future__ import annotations

import time
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.auth import PRINCIPAL, in_scope, roles, scope_of
from bot.errors import Forbidden, NotFound
from bot.http.conversations import one_conversation
from bot.http.params import body
from bot.keys import ALERTS, ENGINE, PIPELINE, PUBLISHER, SETTINGS, WRITER
from bot.payloads import alert_payload, iso
from bot.schemas import Ident
from storage import qa_repo
from storage.alerts import help_requested
from storage.queue import Transfer, transfer
from storage.users import GROUP_NAME

Note = Annotated[str, Field(min_length=1, max_length=2000)]


class TransferIn(BaseModel):
    """``POST /api/v1/conversations/{id}/transfer``: to an agent, or to a group's routing."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    to: Ident | None = None
    group: Annotated[str, Field(pattern=GROUP_NAME)] | None = None
    note: Note
    channel: Annotated[str, Field(min_length=1, max_length=64)] | None = None

    @model_validator(mode="after")
    def _somewhere(self) -> TransferIn:
        if self.to is None and self.group is None:
            raise ValueError("give to (an agent) or group (back to routing)")
        return self


class HelpIn(BaseModel):
    """``POST /api/v1/conversations/{id}/help``: what the agent needs."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    note: Note
    channel: Annotated[str, Field(min_length=1, max_length=64)] | None = None


@roles("agent", "supervisor", "group_leader", "admin")
async def transfer_conversation(request: web.Request) -> web.Response:
    """The assignee, a supervisor or an admin hands the conversation on with a note
    (409 when the named agent is not online or is full)."""
    asked = await body(request, TransferIn, "transfer")
    conv = await one_conversation(request, request.match_info["id"], asked.channel)
    principal = request[PRINCIPAL]
    if principal.role == "agent" and conv.assignee_id != principal.agent_id:
        raise Forbidden("only the conversation's agent, a supervisor or an admin may transfer it")
    scope = scope_of(request)
    in_scope(scope, conv, asked.to)
    if asked.group is not None and scope.groups is not None and asked.group not in scope.groups:
        raise Forbidden("this group is not yours", {"group": asked.group})
    wanted = Transfer(
        conv.channel, conv.external_id, asked.to, asked.group, asked.note, principal.name
    )
    rules = request.app[SETTINGS].rules()
    stored = await request.app[WRITER].call(transfer, wanted, rules, time.time())
    if stored is None:
        return web.json_response(
            {"conversation_id": conv.external_id, "agent_id": conv.assignee_id, "queued": True},
            status=202,
        )
    await request.app[PIPELINE].announce([stored])
    return web.json_response(
        {"conversation_id": conv.external_id, "agent_id": stored.event.agent_id, "queued": False}
    )


@roles("agent")
async def ask_for_help(request: web.Request) -> web.Response:
    """The conversation's agent asks a supervisor for help: an alert to supervisors."""
    asked = await body(request, HelpIn, "help request")
    conv = await one_conversation(request, request.match_info["id"], asked.channel)
    principal = request[PRINCIPAL]
    if conv.assignee_id != principal.agent_id:
        raise Forbidden("only the conversation's agent may ask for help with it")
    where = (conv.pk, conv.external_id, conv.channel)
    alert = await request.app[WRITER].call(
        help_requested, where, principal.agent_id, asked.note, time.time()
    )
    await request.app[ALERTS].deliver([alert])
    return web.json_response(alert_payload(alert), status=201)


@roles("supervisor", "group_leader", "admin")
async def acknowledge(request: web.Request) -> web.Response:
    """A supervisor acknowledges an alert; every wall shows who did and when."""
    try:
        alert_id = int(request.match_info["id"])
    except ValueError:
        raise NotFound("no such alert") from None
    if not 0 < alert_id < 2**63:
        raise NotFound("no such alert")
    seen = await qa_repo.alert(request.app[ENGINE], alert_id)
    if seen is None:
        raise NotFound("no such alert", {"id": alert_id})
    if not scope_of(request).agent(seen.agent_id):
        raise Forbidden("this alert is about an agent outside your groups")
    by = request[PRINCIPAL].name
    found = await qa_repo.acknowledge(request.app[ENGINE], alert_id, by, time.time())
    if found is None:
        raise NotFound("no such alert", {"id": alert_id})
    alert, first = found
    if first:
        await request.app[PUBLISHER].to_supervisors(
            "alert.acknowledged",
            {"id": alert.id, "by": alert.acknowledged_by, "at": iso(alert.acknowledged_at)},
            alert.agent_id,
        )
    return web.json_response(alert_payload(alert))


routes = [
    web.post("/api/v1/conversations/{id}/transfer", transfer_conversation),
    web.post("/api/v1/conversations/{id}/help", ask_for_help),
    web.post("/api/v1/alerts/{id}/ack", acknowledge),
]
