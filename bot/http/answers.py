"""What the API answers, field by field: the response models of the OpenAPI document.

The handlers build plain dicts (fast, and shaped by ``bot.payloads``); these models
describe those dicts for clients. They are checked against real answers: schemathesis
validates every answer it provokes, and ``tests/bot/http/test_answers.py`` fetches each
endpoint with a populated database and validates the bodies against the served document.
Objects may gain fields (the contract says "add freely"), so none forbids extra keys.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from monitors.rules import AlertKind
from scripts_library.model import Script

#: An ISO 8601 UTC time with milliseconds (``2026-11-22T11:02:19.123Z``).
Iso = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class Answer(BaseModel):
    """Base of the response models: no validation happens at run time."""

    model_config = ConfigDict(populate_by_name=True)


class Accepted(Answer):
    """``POST /api/v1/events``: how many events were stored, how many were repeats."""

    accepted: int
    duplicates: int


class Sender(Answer):
    """Who wrote a message."""

    role: Literal["customer", "agent", "bot"]
    id: str | None
    name: str | None


class Message(Answer):
    """A stored message (the contract's ``message`` object)."""

    id: str
    channel: str
    conversation_id: str
    sender: Sender
    text: str | None
    ts: Iso
    script_id: str | None = None


class ReplyAck(Answer):
    """An agent's reply as stored; ``delivery`` is ``pending`` while it goes out."""

    message: Message
    duplicate: bool
    delivery: Literal["pending"] | None = None


class Suggestion(Answer):
    """One suggested script: ``text`` has ``{customer}`` filled, ``template`` does not;
    ``score`` is the estimated chance (%) that it is the right one."""

    script_id: str
    title: str
    text: str
    score: float
    category: str
    template: str


class Suggestions(Answer):
    """``GET /api/v1/suggest``."""

    items: list[Suggestion]


class ScriptPage(Answer):
    """A page of the library, ordered by id; ``next`` is the cursor of the next page."""

    items: list[Script]
    next: str | None


class Found(Script):
    """A library search hit: the entry and how well it matched (0-100)."""

    model_config = ConfigDict(extra="allow")
    score: float


class SearchHits(Answer):
    """``GET /api/v1/scripts/search``."""

    items: list[Found]


class Imported(Answer):
    """What an import changed."""

    created: int
    updated: int
    deleted: int
    total: int


class Gap(Answer):
    """Customer questions nothing matched, near-duplicates grouped."""

    question: str
    count: int
    examples: list[str]
    first_seen: Iso
    last_seen: Iso


class Gaps(Answer):
    """``GET /api/v1/scripts/gaps`` (always one page)."""

    items: list[Gap]
    next: None


class AskedItem(Answer):
    """One of the questions customers asked most."""

    question: str
    count: int
    answered: bool
    script_id: str | None
    title: str | None
    accepted: int | None
    acceptance: float | None
    examples: list[str]


class AskedList(Answer):
    """``GET /api/v1/scripts/asked`` (always one page)."""

    items: list[AskedItem]
    next: None


class Proposal(Answer):
    """A paraphrase proposed from an agent's use of a suggestion (times in epoch seconds)."""

    id: int
    script_id: str
    text: str
    score: float
    agent_id: str | None
    state: Literal["pending", "accepted", "rejected"]
    created_at: float
    decided_at: float | None
    decided_by: str | None


class Proposals(Answer):
    """``GET /api/v1/scripts/proposals``."""

    items: list[Proposal]
    next: str | None


class Alert(Answer):
    """The contract's alert object; ``response_seconds`` only once the reply is known."""

    id: int
    kind: AlertKind
    conversation_id: str
    message_id: str | None
    agent_id: str | None
    deadline_seconds: float | None
    waited_seconds: float | None
    at: Iso
    channel: str
    response_seconds: float | None = None
    #: What an agent asking for help said (``conversation.help_requested``).
    note: str | None = None
    acknowledged_by: str | None = None
    acknowledged_at: Iso | None = None


class Alerts(Answer):
    """``GET /api/v1/alerts``."""

    items: list[Alert]
    next: str | None


class Checked(Answer):
    """``POST /api/v1/replies/check``: the forbidden phrase found, if any."""

    phrase: str | None


class Closed(Answer):
    """``POST /api/v1/conversations/{id}/close``."""

    conversation_id: str
    channel: str
    status: Literal["closed"]
    event_id: str


class Rated(Answer):
    """``POST /api/v1/conversations/{id}/rating``."""

    conversation_id: str
    channel: str
    rating: int
    agent_id: str | None
    at: Iso


class Assigned(Answer):
    """``POST /api/v1/conversations/{id}/assign``."""

    conversation_id: str
    channel: str
    agent_id: str
    previous_agent_id: str | None
    event_id: str
