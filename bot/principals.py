"""Who is calling: a principal (role, agent id, account) and the configured bearer tokens."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from bot.settings import AuthSettings
from storage.users import User


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a role, the agent id for agents, and the account of a person who
    signed in (None: a configured token)."""

    role: str
    agent_id: str | None
    token_hint: str
    user_id: str | None = None
    groups: frozenset[str] = frozenset()
    #: The sign-in session of an account (None: a configured token).
    session_id: str | None = None
    #: A configured token's ``name``: who holds it.
    label: str | None = None

    @property
    def name(self) -> str:
        """A printable identity, never the token itself."""
        return self.user_id or self.agent_id or self.label or f"{self.role}:{self.token_hint}"

    @classmethod
    def of(cls, user: User, session_id: str) -> Principal:
        """The principal of an account's session (an agent account's id is its agent id)."""
        agent_id = user.id if user.role == "agent" else None
        return cls(user.role, agent_id, "", user.id, frozenset(user.groups), session_id)


class Authenticator:
    """Looks tokens up in constant time per configured token."""

    def __init__(self, settings: AuthSettings) -> None:
        self._tokens = [
            (t.token.encode(), Principal(t.role, t.agent_id, t.token[:4] + "…", label=t.name))
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
