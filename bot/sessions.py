"""Sessions: the console's signed, expiring, ``HttpOnly``, ``SameSite=Strict`` cookie,
and the bearer tokens ``POST /api/v1/session`` gives a person who signs in.

The cookie carries a random session token signed with itsdangerous (so a forged or
altered cookie is refused before any look-up) and the database keeps the session
under the token's SHA-256 (:mod:`storage.console_sessions`): signing out ends it in
every process, and removing a bearer token from the config ends the sessions it
opened. A session opened by an account (DESIGN.md section 11) ends when the account is
deactivated. Each session has a CSRF token that cookie-authenticated writes must echo in
``X-CSRF-Token``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie

from aiohttp import web
from itsdangerous import BadSignature, TimestampSigner
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.principals import Authenticator, Principal
from bot.settings import AccountsSettings, ConsoleSettings
from storage import console_sessions
from storage.console_sessions import ConsoleSession
from storage.users import User

COOKIE = "rw_session"
SECRET_NAME = "console.session"


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A valid console session and who it belongs to."""

    principal: Principal
    session: ConsoleSession

    def csrf_ok(self, given: str | None) -> bool:
        """Whether ``given`` is this session's CSRF token (constant time)."""
        return given is not None and hmac.compare_digest(given, self.session.csrf)


class Sessions:
    """Opens, reads and ends console sessions."""

    def __init__(
        self,
        engine: AsyncEngine,
        authenticator: Authenticator,
        settings: ConsoleSettings,
        accounts: AccountsSettings,
    ) -> None:
        self._engine = engine
        self._authenticator = authenticator
        self._settings = settings
        self._accounts = accounts
        self._signer: TimestampSigner | None = None

    @property
    def lifetime(self) -> float:
        """Seconds a token sign-in lasts."""
        return self._settings.session_hours * 3600

    @property
    def account_lifetime(self) -> float:
        """Seconds an account's sign-in lasts."""
        return self._accounts.session_hours * 3600

    async def start(self) -> None:
        """Load the signing key: the configured one, or the one kept in the database."""
        key = self._settings.session_secret.get_secret_value()
        if not key:
            key = await console_sessions.secret(self._engine, SECRET_NAME, time.time())
        self._signer = TimestampSigner(key, salt="replywatch-console-session")

    @property
    def signer(self) -> TimestampSigner:
        """The cookie signer (after :meth:`start`)."""
        if self._signer is None:
            raise RuntimeError("Sessions.start() has not run")
        return self._signer

    async def sign_in(self, token: str) -> tuple[str, SignedIn] | None:
        """A new session for a configured bearer token: the cookie value and the session."""
        principal = self._authenticator.authenticate(token)
        if principal is None:
            return None
        raw = secrets.token_urlsafe(32)
        session = await console_sessions.open_session(
            self._engine, _hash(raw), _hash(token), time.time(), self.lifetime
        )
        return self.signer.sign(raw).decode(), SignedIn(principal, session)

    async def open_for(self, user: User) -> tuple[str, SignedIn]:
        """A new session for an account that signed in: its raw token (a bearer token,
        or signed into the console's cookie) and the session. Always a new id."""
        raw = "rws_" + secrets.token_urlsafe(32)
        session = await console_sessions.open_session(
            self._engine, _hash(raw), None, time.time(), self.account_lifetime, user.id
        )
        return raw, SignedIn(Principal.of(user, session.id), session)

    def cookie_value(self, raw: str) -> str:
        """The signed cookie value for a session's raw token."""
        return self.signer.sign(raw).decode()

    async def read(self, cookie: str | None) -> SignedIn | None:
        """The session a cookie value stands for, if it is valid, live and its token still
        configured (or its account active)."""
        if not cookie:
            return None
        longest = max(self.lifetime, self.account_lifetime)
        try:
            raw = self.signer.unsign(cookie, max_age=int(longest)).decode()
        except (BadSignature, UnicodeDecodeError):
            return None
        return await self.by_raw(raw)

    async def by_raw(self, raw: str) -> SignedIn | None:
        """The live session of a raw session token (a cookie's content, or the bearer
        token an account's sign-in returned)."""
        session = await console_sessions.find(self._engine, _hash(raw), time.time())
        if session is None:
            return None
        if session.user is not None:
            return SignedIn(Principal.of(session.user, session.id), session)
        if session.token_fingerprint is None:
            return None
        principal = self._authenticator.by_fingerprint(session.token_fingerprint)
        return None if principal is None else SignedIn(principal, session)

    async def bearer(self, token: str | None) -> Principal | None:
        """Who a bearer token (HTTP ``Authorization``, Socket.IO ``auth.token``) stands
        for: a configured token, else an account's live session."""
        principal = self._authenticator.authenticate(token)
        if principal is not None or not token or not token.startswith("rws_"):
            return principal
        signed_in = await self.by_raw(token)
        return None if signed_in is None else signed_in.principal

    async def from_request(self, request: web.Request) -> SignedIn | None:
        """The request's console session, if any."""
        return await self.read(request.cookies.get(COOKIE))

    async def from_cookie_header(self, header: str | None) -> SignedIn | None:
        """The session of a raw ``Cookie`` header (Socket.IO handshakes)."""
        if not header:
            return None
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(header)
        except CookieError:
            return None
        morsel = jar.get(COOKIE)
        return await self.read(morsel.value if morsel else None)

    async def sign_out(self, signed_in: SignedIn) -> None:
        """End the session for every process."""
        await console_sessions.end(self._engine, signed_in.session.id, time.time())

    def set_cookie(
        self, response: web.StreamResponse, value: str, lifetime: float | None = None
    ) -> None:
        """Give the browser its session cookie."""
        response.set_cookie(
            COOKIE,
            value,
            max_age=int(self.lifetime if lifetime is None else lifetime),
            path="/",
            httponly=True,
            samesite="Strict",
            secure=self._settings.secure_cookies,
        )

    def clear_cookie(self, response: web.StreamResponse) -> None:
        """Make the browser forget its session cookie."""
        response.del_cookie(COOKIE, path="/")
