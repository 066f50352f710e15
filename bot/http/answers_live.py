"""What the API answers about conversations, agents and KPIs (see :mod:`bot.http.answers`)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Literal, get_type_hints

from pydantic import BaseModel, Field, create_model

from bot.http.answers import Answer, Iso, Sender, Suggestion
from bot.http.answers_quality import Flag
from monitors.kpis import Figures, Scores
from monitors.rules import AlertKind


def _figures_model() -> type[BaseModel]:
    """The KPI figures object, derived from :class:`monitors.kpis.Figures` so it cannot
    drift: its fields, the derived rates and the band scores."""
    figures: dict[str, Any] = {
        f.name: (get_type_hints(Figures)[f.name], ...) for f in fields(Figures)
    }
    scores: dict[str, Any] = {f.name: (get_type_hints(Scores)[f.name], ...) for f in fields(Scores)}
    score_model = create_model("KpiScores", __base__=Answer, **scores)
    return create_model(
        "KpiFigures",
        __base__=Answer,
        __module__=__name__,
        reply_rate=(float | None, ...),
        sla_compliance=(float | None, ...),
        csat_average=(float | None, ...),
        csat_satisfied_rate=(float | None, ...),
        scores=(score_model, ...),
        **figures,
    )


KpiFigures = _figures_model()


class ScriptUse(Answer):
    """How agents used one script's suggestions in the period."""

    script_id: str
    shown: int
    used: int
    edited: int
    ignored: int
    acceptance_rate: float | None


class AgentFigures(KpiFigures):  # type: ignore[misc,valid-type]
    """One agent's figures."""

    agent_id: str


class KpiDay(Answer):
    """One day's figures (``by=day``)."""

    date: str
    team: KpiFigures  # type: ignore[valid-type]
    agents: list[AgentFigures]


class Kpis(Answer):
    """``GET /api/v1/kpis``: the period ``[from, to)``, the team's and each agent's figures."""

    from_: Iso = Field(alias="from")
    to: Iso
    timezone: str
    team: KpiFigures  # type: ignore[valid-type]
    agents: list[AgentFigures]
    scripts: list[ScriptUse]
    days: list[KpiDay] | None = None


class Rules(Answer):
    """The response-time rules a console shows deadlines and tiers by."""

    reply_seconds: float
    busy_reply_seconds: float
    busy_concurrency: int
    warn_ratio: float


class Turn(Answer):
    """The turn a customer is waiting in, with its fixed deadline."""

    message_id: str
    since: Iso
    deadline_seconds: float
    concurrency: int
    warn_at: Iso
    due_at: Iso


class Waiting(Turn):
    """A waiting customer's turn, and how long they have waited."""

    waited_seconds: float
    overdue: bool


class Customer(Answer):
    """The customer of a conversation."""

    id: str | None
    name: str | None


class LastMessage(Answer):
    """The latest message of a conversation."""

    id: str
    role: str
    name: str | None
    text: str | None
    ts: Iso


class OpenConversation(Answer):
    """An open conversation in the agent's list."""

    conversation_id: str
    channel: str
    agent_id: str | None
    customer: Customer
    opened_at: Iso
    updated_at: Iso
    waiting: Waiting | None
    last_message: LastMessage | None


class Conversations(Answer):
    """``GET /api/v1/conversations``: waiting longest first; ``at`` is the server's clock."""

    items: list[OpenConversation]
    at: Iso
    rules: Rules


class Sent(Answer):
    """How an agent's reply went out through its channel."""

    state: str
    attempts: int
    error: str | None
    remote_id: str | None


class AlertMark(Answer):
    """An alert raised on a message."""

    id: int
    kind: AlertKind


class TranscriptMessage(Answer):
    """A message of a transcript with its alerts, flags, delivery and turn."""

    id: str
    sender: Sender
    text: str | None
    ts: Iso
    alerts: list[AlertMark]
    flags: list[Flag]
    delivery: Sent | None = None
    turn_id: str | None = None
    deadline_seconds: float | None = None
    response_seconds: float | None = None


class ConversationInfo(Answer):
    """A conversation's state."""

    id: str
    channel: str
    status: Literal["open", "closed"]
    agent_id: str | None
    customer_id: str | None
    opened_at: Iso
    closed_at: Iso | None


class TurnRecord(Answer):
    """A turn, open or ended, as stored."""

    message_id: str
    started_at: Iso
    agent_id: str | None
    concurrency: int
    deadline_seconds: float
    warn_at: Iso
    due_at: Iso
    unanswered_at: Iso
    ended_at: Iso | None
    end_reason: str | None
    reply_message_id: str | None
    replied_by: str | None
    response_seconds: float | None


class LatestSuggestions(Answer):
    """The suggestions shown for the latest customer message."""

    message_id: str
    items: list[Suggestion]


class Rating(Answer):
    """A customer's answer to the satisfaction survey."""

    rating: int = Field(ge=1, le=5)
    agent_id: str | None
    at: Iso
    #: The id of the customer message that gave it (None: an integration posted it).
    message_id: str | None


class Transcript(Answer):
    """``GET /api/v1/conversations/{id}``."""

    conversation: ConversationInfo
    messages: list[TranscriptMessage]
    turns: list[TurnRecord]
    suggestions: LatestSuggestions | None
    #: Every flag of the conversation, also those about no one message.
    flags: list[Flag]
    #: The customer's satisfaction ratings, oldest first (one per survey answered).
    ratings: list[Rating]


class LiveWaiting(Answer):
    """A customer waiting for an agent, in the live view."""

    conversation_id: str
    channel: str
    message_id: str
    since: Iso
    waited_seconds: float
    deadline_seconds: float
    overdue: bool


class LiveAgent(Answer):
    """One agent in the live view: the 20 longest waiting, counts of all, today's figures."""

    agent_id: str
    name: str | None
    status: str
    status_at: Iso | None
    concurrency: int
    #: Routing's cap for them (their account's, else ``routing.max_concurrency``).
    max_concurrency: int
    busy: bool
    waiting: list[LiveWaiting]
    waiting_count: int
    overdue_count: int
    today: KpiFigures | None  # type: ignore[valid-type]


class Live(Answer):
    """``GET /api/v1/agents``; ``today_at`` is when today's figures were computed."""

    items: list[LiveAgent]
    unassigned: list[LiveWaiting]
    unassigned_count: int
    unassigned_overdue_count: int
    at: Iso
    today_at: Iso | None
