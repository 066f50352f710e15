"""Role checks on handlers, and who is calling: bearer tokens (configured ones for
integrations and scripts, or the token an account's sign-in returned), and the console's
session cookie for people in a browser (writes with a cookie must carry the session's
CSRF token)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.directory import Scope
from bot.errors import Forbidden, Unauthorized
from bot.keys import CONSOLE_SESSIONS, DIRECTORY
from bot.principals import Authenticator, Principal
from bot.security import CSRF_HEADER
from storage.state import ConversationState

F = TypeVar("F", bound=Callable[..., Any])
ROLES_ATTR = "_replywatch_roles"


def roles(*allowed: str) -> Callable[[F], F]:
    """Mark a handler as needing a bearer token with one of ``allowed`` roles."""

    def mark(handler: F) -> F:
        setattr(handler, ROLES_ATTR, frozenset(allowed))
        return handler

    return mark


PRINCIPAL = web.RequestKey("principal", Principal)


def scope_of(request: web.Request) -> Scope:
    """What the caller may see: everything, or a group leader's groups (DESIGN.md 11)."""
    return request.app[DIRECTORY].scope(request[PRINCIPAL])


def own_agent(principal: Principal, asked: str | None) -> str | None:
    """The agent a request is about: an agent's own id whatever they asked for (agents
    see their own figures, alerts and flags only), otherwise ``asked``."""
    return principal.agent_id if principal.role == "agent" else asked


def in_scope(scope: Scope, conv: ConversationState, agent_id: str | None = None) -> None:
    """403 unless the conversation (and the agent it would go to) is in ``scope``."""
    if not scope.conversation(conv.assignee_id, conv.group_name):
        raise Forbidden("this conversation is outside your groups")
    if agent_id is not None and not scope.agent(agent_id):
        raise Forbidden("this agent is outside your groups", {"agent_id": agent_id})


def auth_middleware(authenticator: Authenticator) -> Any:
    """Middleware enforcing :func:`roles` marks: 401 without a known token, 403 on role."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        allowed: frozenset[str] | None = getattr(handler, ROLES_ATTR, None)
        if allowed is None:
            return await handler(request)
        principal = await _principal(request, authenticator)
        if principal is None:
            raise Unauthorized(
                "missing or unknown bearer token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if principal.role not in allowed:
            raise Forbidden(
                f"role '{principal.role}' may not do this",
                {"allowed_roles": sorted(allowed)},
            )
        request[PRINCIPAL] = principal
        return await handler(request)

    return middleware


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _principal(request: web.Request, authenticator: Authenticator) -> Principal | None:
    """The bearer token's principal, else the console session's (None: neither); a write
    with the session cookie but without its CSRF token is refused (403)."""
    header = request.headers.get("Authorization", "")
    sessions = request.app.get(CONSOLE_SESSIONS)
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        if sessions is None:
            return authenticator.authenticate(token.strip())
        return await sessions.bearer(token.strip())
    signed_in = await sessions.from_request(request) if sessions is not None else None
    if signed_in is None:
        return None
    if request.method not in SAFE_METHODS and not signed_in.csrf_ok(
        request.headers.get(CSRF_HEADER)
    ):
        raise Forbidden("missing or wrong X-CSRF-Token for this session")
    return signed_in.principal
