"""Who is calling: a principal (role, agent id) and the configured bearer tokens."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from bot.settings import AuthSettings


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
