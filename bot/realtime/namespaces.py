"""Socket.IO: the server, the ``/agent`` and ``/supervisor`` namespaces, and live pushes."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal, TypeVar

import socketio
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import BadRequest, Conflict, NotFound, error_ack
from bot.keys import CONSOLE_SESSIONS, ENGINE, PRESENCE, SETTINGS
from bot.learning import learn_from_feedback
from bot.principals import Authenticator, Principal
from bot.replies import ReplyIn, record_reply
from bot.rooms import (
    AGENT_NS,
    CUSTOMER_NS,
    SUPERVISOR_NS,
    SUPERVISORS_ROOM,
    agent_room,
    group_room,
)
from bot.schemas import validation_details
from bot.security import same_origin
from bot.settings import RealtimeSettings
from storage import library_repo

log = logging.getLogger(__name__)
SUPERVISOR_ROLES = frozenset({"supervisor", "qa", "admin"})
#: The largest Socket.IO message a client may send.
MAX_MESSAGE_BYTES = 256 * 1024


def make_server(settings: RealtimeSettings, web_chat: bool = False) -> socketio.AsyncServer:
    """The Socket.IO server; with ``redis_url`` set, rooms are shared through Redis.
    ``web_chat`` opens the customers' namespace too."""
    manager = socketio.AsyncRedisManager(settings.redis_url) if settings.redis_url else None
    return socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=manager,
        cors_allowed_origins=settings.cors_allowed_origins or [],
        # Only ours: the default namespace "/" (open to anyone by default) is refused.
        namespaces=[AGENT_NS, SUPERVISOR_NS, *([CUSTOMER_NS] if web_chat else [])],
        # A reply is at most 20,000 characters; nothing a client sends needs more.
        max_http_buffer_size=MAX_MESSAGE_BYTES,
        logger=False,
        engineio_logger=False,
    )


def _exactly_one(channels: list[str], what: str) -> None:
    """Refuse an id (unique per channel only) that names no or several items."""
    if not channels:
        raise NotFound(f"unknown {what}")
    if len(channels) > 1:
        raise Conflict(f"{what} id is ambiguous", {"channels": channels})


M = TypeVar("M", bound=BaseModel)


def _valid(model: type[M], data: Any, what: str) -> M:
    """A payload validated into ``model``; ``invalid <what>`` with every problem if not."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadRequest(f"invalid {what}", validation_details(exc)) from exc


class FeedbackIn(BaseModel):
    """The ``suggestion.feedback`` payload."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    message_id: Annotated[str, Field(min_length=1, max_length=200)]
    script_id: Annotated[str, Field(min_length=1, max_length=200)]
    action: Literal["used", "edited", "ignored"]
    channel: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class PresenceIn(BaseModel):
    """The ``presence`` payload: the agent says whether they take new chats."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    status: Literal["online", "away"]


class _AuthNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    def __init__(self, namespace: str, authenticator: Authenticator, app: web.Application) -> None:
        super().__init__(namespace)
        self._authenticator = authenticator
        self._app = app

    async def trigger_event(self, event: str, *args: Any) -> Any:
        """Dispatch ``a.b`` events to ``on_a_b`` (python-socketio uses ``on_<event>``); a
        handler's failure becomes its error ack here, the one place for all of them."""
        try:
            return await super().trigger_event(event.replace(".", "_"), *args)
        except socketio.exceptions.ConnectionRefusedError:
            raise
        except Exception as exc:
            return error_ack(exc)

    async def _principal(self, environ: Any, auth: Any) -> Principal:
        """Who connects: the ``auth`` token (integrations, scripts), else the console's
        session cookie, accepted only from a page of this origin."""
        token = auth.get("token") if isinstance(auth, dict) else None
        sessions = self._app.get(CONSOLE_SESSIONS)
        if token is not None:
            given = token if isinstance(token, str) else None
            principal = (
                self._authenticator.authenticate(given)
                if sessions is None
                else await sessions.bearer(given)
            )
            if principal is None:
                raise socketio.exceptions.ConnectionRefusedError("unknown token")
            return principal
        signed_in = None
        origin, host = environ.get("HTTP_ORIGIN"), environ.get("HTTP_HOST")
        if sessions is not None and same_origin(origin, host):
            signed_in = await sessions.from_cookie_header(environ.get("HTTP_COOKIE"))
        if signed_in is None:
            raise socketio.exceptions.ConnectionRefusedError("no token and no console session")
        return signed_in.principal

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        """The connection is gone: on record as the moment it went."""
        await self._app[PRESENCE].closed(sid)


class AgentNamespace(_AuthNamespace):
    """``/agent``: an agent's console; joins ``agent:<id>`` and may send replies."""

    def __init__(self, authenticator: Authenticator, app: web.Application) -> None:
        super().__init__(AGENT_NS, authenticator, app)

    async def on_connect(self, sid: str, environ: Any, auth: Any = None) -> None:
        """Accept agent tokens (or any token bound to an agent id)."""
        principal = await self._principal(environ, auth)
        if not principal.agent_id:
            raise socketio.exceptions.ConnectionRefusedError("token has no agent_id")
        await self.save_session(sid, {"agent_id": principal.agent_id})
        await self.enter_room(sid, agent_room(principal.agent_id))
        await self._app[PRESENCE].opened(sid, self.namespace, principal)

    async def on_reply(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Record the agent's reply through the pipeline; ack with the stored message."""
        reply = _valid(ReplyIn, data, "reply")
        session = await self.get_session(sid)
        return await record_reply(self._app, session["agent_id"], reply)

    async def on_presence(self, sid: str, data: Any = None) -> dict[str, Any]:
        """The agent sets their status (``online`` or ``away``); ack with it."""
        chosen = _valid(PresenceIn, data, "presence")
        session = await self.get_session(sid)
        await self._app[PRESENCE].choose(session["agent_id"], chosen.status)
        return {"status": chosen.status}

    async def on_suggestion_feedback(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Store whether the agent used, edited or ignored a suggested script."""
        feedback = _valid(FeedbackIn, data, "feedback")
        session = await self.get_session(sid)
        engine = self._app[ENGINE]
        found = await library_repo.find_message(engine, feedback.message_id, feedback.channel)
        _exactly_one([channel for _, channel in found], "message")
        await library_repo.record_feedback(
            engine, found[0][0], feedback.script_id, feedback.action, session["agent_id"]
        )
        proposed = await learn_from_feedback(
            engine,
            self._app[SETTINGS].matcher,
            found[0][0],
            feedback.script_id,
            feedback.action,
            session["agent_id"],
        )
        return {"ok": True, "proposed": proposed}


class SupervisorNamespace(_AuthNamespace):
    """``/supervisor``: live alerts and agent status for supervisors, QA and admins."""

    async def on_connect(self, sid: str, environ: Any, auth: Any = None) -> None:
        """Accept supervisors, QA, admins (the whole team's room) and group leaders (the
        rooms of their groups)."""
        principal = await self._principal(environ, auth)
        if principal.role == "group_leader":
            for group in sorted(principal.groups):
                await self.enter_room(sid, group_room(group))
        elif principal.role in SUPERVISOR_ROLES:
            await self.enter_room(sid, SUPERVISORS_ROOM)
        else:
            raise socketio.exceptions.ConnectionRefusedError(
                f"role '{principal.role}' may not join /supervisor"
            )
        await self._app[PRESENCE].opened(sid, self.namespace, principal)
