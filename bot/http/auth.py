"""Authentication and role checks: bearer tokens (from config) for integrations and
scripts, and the console's session cookie for people in a browser (writes with a cookie
must carry the session's CSRF token)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.http.errors import json_error
from bot.keys import CONSOLE_SESSIONS
from bot.settings import AuthSettings

F = TypeVar("F", bound=Callable[..., Any])
ROLES_ATTR = "_replywatch_roles"
#: The header a console page sends its session's CSRF token in.
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a role, and the agent id for agent tokens."""

    role: str
    agent_id: str | None
    token_hint: str

    @property
    def name(self) -> str:
        """A printable identity, never the token itself."""
        return self.agent_id or f"{self.role}:{self.token_hint}"


class Authenticator:
    """Looks tokens up in constant time per configured token."""

    def __init__(self, settings: AuthSettings) -> None:
        self._tokens = [
            (t.token.encode(), Principal(t.role, t.agent_id, t.token[:4] + "…"))
            for t in settings.tokens
        ]
        self._by_fingerprint = {
            hashlib.sha256(known).hexdigest(): principal for known, principal in self._tokens
        }

    def by_fingerprint(self, fingerprint: str) -> Principal | None:
        """The principal of the configured token whose SHA-256 is ``fingerprint``."""
        return self._by_fingerprint.get(fingerprint)

    def authenticate(self, token: str | None) -> Principal | None:
        """The principal for ``token``, or None when it is unknown."""
        if not token:
            return None
        given = token.encode()
        found = None
        for known, principal in self._tokens:
            if hmac.compare_digest(known, given):
                found = principal
        return found


def roles(*allowed: str) -> Callable[[F], F]:
    """Mark a handler as needing a bearer token with one of ``allowed`` roles."""

    def mark(handler: F) -> F:
        setattr(handler, ROLES_ATTR, frozenset(allowed))
        return handler

    return mark


PRINCIPAL = web.RequestKey("principal", Principal)


def auth_middleware(authenticator: Authenticator) -> Any:
    """Middleware enforcing :func:`roles` marks: 401 without a known token, 403 on role."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        allowed: frozenset[str] | None = getattr(handler, ROLES_ATTR, None)
        if allowed is None:
            return await handler(request)
        principal = await _principal(request, authenticator)
        if principal is None:
            raise json_error(
                web.HTTPUnauthorized,
                "missing or unknown bearer token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if principal.role not in allowed:
            raise json_error(
                web.HTTPForbidden,
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
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return authenticator.authenticate(token.strip())
    sessions = request.app.get(CONSOLE_SESSIONS)
    signed_in = await sessions.from_request(request) if sessions is not None else None
    if signed_in is None:
        return None
    if request.method not in SAFE_METHODS and not signed_in.csrf_ok(
        request.headers.get(CSRF_HEADER)
    ):
        raise json_error(web.HTTPForbidden, "missing or wrong X-CSRF-Token for this session")
    return signed_in.principal
