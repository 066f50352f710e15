"""``[auth]``: bearer tokens."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from bot.settings.base import Section

Role = Literal["agent", "supervisor", "qa", "admin", "integration"]


class TokenSettings(Section):
    """One ``[[auth.tokens]]`` entry."""

    token: str = Field(min_length=8)
    role: Role
    agent_id: str | None = None
    #: Who holds it, as reviews, acknowledgements and decisions record them (default:
    #: the role and the token's first 4 characters). Name each person's token: an appeal
    #: is decided by someone other than the first reviewer, told apart by this name.
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None

    @model_validator(mode="after")
    def _agent_needs_id(self) -> TokenSettings:
        if self.role == "agent" and not self.agent_id:
            raise ValueError("a token with role 'agent' needs an agent_id")
        return self


class AuthSettings(Section):
    """``[auth]``: bearer tokens and their roles."""

    tokens: list[TokenSettings] = Field(default_factory=list)

    def agent_ids(self) -> set[str]:
        """The agents that have a token."""
        return {t.agent_id for t in self.tokens if t.agent_id}

    @model_validator(mode="after")
    def _unique_tokens(self) -> AuthSettings:
        seen = [t.token for t in self.tokens]
        if len(seen) != len(set(seen)):
            raise ValueError("each token must be listed once")
        return self
