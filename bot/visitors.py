"""Who is writing in the web chat (DESIGN.md section 13): a browser's visitor token, or
a shop customer the host page vouches for.

A visitor token is a random id (128 bits) and its HMAC under a secret the service keeps
in its database (every process has the same), so a browser keeps its conversation
across visits and nobody can make up another visitor's token. With ``[widget]
identity_secret``, a host page may pass its signed-in customer's ``user_id`` with
``user_hash`` = hex HMAC-SHA256(identity_secret, user_id): that customer then has one
conversation on every device.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.security import same_origin
from bot.settings import WidgetSettings
from bot.settings.widget import origin_of
from storage import console_sessions

SECRET_NAME = "widget-visitors"
#: What a host page's customer id may be made of.
USER_ID = re.compile(r"^[A-Za-z0-9_.@:-]{1,100}$")
_VISITOR = re.compile(r"^([0-9a-f]{32})\.([0-9a-f]{32})$")


@dataclass(frozen=True, slots=True)
class Visitor:
    """A web chat customer: their conversation (and customer) id in ``widget.channel``."""

    conversation_id: str
    #: Set for a customer the host page signed for.
    user_id: str | None = None


def allowed_origin(origin: str | None, host: str | None, settings: WidgetSettings) -> bool:
    """Whether a browser on ``origin`` may use the web chat: this service's own pages,
    or a site in ``allowed_origins`` (a client that is no browser sends no origin)."""
    if same_origin(origin, host):
        return True
    try:
        return origin_of(origin or "") in settings.allowed_origins
    except ValueError:
        return False


def user_hash(secret: str, user_id: str) -> str:
    """What a host page passes as ``user_hash`` for ``user_id``."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


class Visitors:
    """Issues and checks visitor tokens and host-signed identities."""

    def __init__(self, key: str, settings: WidgetSettings) -> None:
        self._key = key.encode()
        self._identity = settings.identity_secret.get_secret_value()

    @classmethod
    async def open(cls, engine: AsyncEngine, settings: WidgetSettings) -> Visitors:
        """With the service's visitor secret (made on first use)."""
        return cls(await console_sessions.secret(engine, SECRET_NAME, time.time()), settings)

    def _mac(self, visitor_id: str) -> str:
        return hmac.new(self._key, visitor_id.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self) -> str:
        """A new visitor token."""
        visitor_id = secrets.token_hex(16)
        return f"{visitor_id}.{self._mac(visitor_id)}"

    def identify(self, auth: Any) -> Visitor | None:
        """The visitor ``auth`` (``{"token"}`` or ``{"user_id", "user_hash"}``) proves,
        or None when it proves nothing (a forged token, a wrong hash, identities off)."""
        if not isinstance(auth, dict):
            return None
        user_id, given = auth.get("user_id"), auth.get("user_hash")
        if user_id is not None:
            if not (self._identity and isinstance(user_id, str) and isinstance(given, str)):
                return None
            if not USER_ID.fullmatch(user_id):
                return None
            if not hmac.compare_digest(user_hash(self._identity, user_id), given.lower()):
                return None
            return Visitor(f"u-{user_id}", user_id)
        token = auth.get("token")
        found = _VISITOR.fullmatch(token) if isinstance(token, str) else None
        if found is None or not hmac.compare_digest(self._mac(found.group(1)), found.group(2)):
            return None
        return Visitor(f"v-{found.group(1)}")
