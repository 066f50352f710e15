"""A reply script (one entry of the 话术库) and its validation."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

ScriptId = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
MAX_QUESTIONS = 100
CATEGORIES = ("greeting", "pre-sale", "after-sale", "complaint", "closing", "return-visit")


class Script(BaseModel):
    """One library entry: the customer's question (with paraphrases) and the standard reply.

    ``reply`` may hold the placeholders ``{customer}`` and ``{agent}``, filled when known.
    ``category`` is one of :data:`CATEGORIES` or a team's own name.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: ScriptId
    category: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    questions: Annotated[tuple[Line, ...], Field(min_length=1, max_length=MAX_QUESTIONS)]
    keywords: Annotated[tuple[Line, ...], Field(max_length=50)] = ()
    reply: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]

    @field_validator("questions", "keywords")
    @classmethod
    def _no_repeats(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        if any("|" in value for value in values):
            raise ValueError("'|' separates values in CSV files and may not appear in one")
        return tuple(dict.fromkeys(values))

    def render(self, customer: str | None = None, agent: str | None = None) -> str:
        """The reply with ``{customer}`` and ``{agent}`` filled; an unknown one is left out."""
        return self.reply.replace("{customer}", customer or "").replace("{agent}", agent or "")
