"""Input schemas of the generic API (``POST /api/v1/events``) and the validation
helpers shared by every input path; they produce :class:`monitors.events.ChatEvent`."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from monitors.events import ChatEvent, EventType, SenderRole
from storage.users import GROUP_NAME

_EPOCH_TEXT = re.compile(r"\d{1,12}(\.\d{1,9})?")


def _to_epoch(value: Any) -> Any:
    """ISO 8601 text (naive means UTC) becomes epoch seconds; numbers, also as text (query
    strings), pass through."""
    if isinstance(value, str):
        if _EPOCH_TEXT.fullmatch(value):
            return _to_epoch(float(value))
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("ts must be ISO 8601 text or epoch seconds") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()
    if isinstance(value, bool):
        raise ValueError("ts must be ISO 8601 text or epoch seconds")
    if isinstance(value, int | float) and value > MAX_EPOCH_SECONDS:
        raise ValueError("ts must be epoch seconds; this looks like milliseconds")
    return value


def _plausible_day(value: date) -> date:
    if not 1970 <= value.year <= 9000:
        raise ValueError("date must be between 1970 and 9000")
    return value


#: A calendar day a period can be built around (no overflow at the ends of time).
Day = Annotated[date, AfterValidator(_plausible_day)]
#: Epoch seconds after this are taken for milliseconds sent by mistake (year 5138).
MAX_EPOCH_SECONDS = 1e11

#: Replies made in ReplyWatch have ids of their own (``bot.replies.reply_id``), so that
#: none can shadow a message an integration posts later; the events API refuses them.
REPLY_PREFIX = "rw-"
#: Ids of automatic messages and escalations (made from what triggered them).
BOT_PREFIX = "rwbot-"

Ident = Annotated[str, Field(min_length=1, max_length=200)]
Timestamp = Annotated[float, BeforeValidator(_to_epoch), Field(ge=0, allow_inf_nan=False)]


class SenderIn(BaseModel):
    """``sender`` of an incoming message."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    role: SenderRole
    id: Ident
    name: Annotated[str, Field(max_length=200)] | None = None


class EventIn(BaseModel):
    """One event as posted to ``POST /api/v1/events`` (the contract's fields)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Ident
    channel: Annotated[str, Field(min_length=1, max_length=64)] = "api"
    conversation_id: Ident | None = None
    type: EventType = EventType.MESSAGE
    sender: SenderIn | None = None
    text: Annotated[str, Field(max_length=20_000)] | None = None
    ts: Timestamp | None = None
    agent_id: Ident | None = None
    status: Literal["online", "away", "offline"] | None = None
    script_id: Ident | None = None
    #: The team the conversation belongs to (routing gives it to that group's agents).
    group: Annotated[str, Field(pattern=GROUP_NAME)] | None = None

    @field_validator("id")
    @classmethod
    def _not_a_reply_id(cls, value: str) -> str:
        if value.startswith(REPLY_PREFIX):
            raise ValueError(
                f"ids starting with {REPLY_PREFIX} are reserved for replies made in ReplyWatch"
            )
        if value.startswith(BOT_PREFIX):
            raise ValueError(
                f"ids starting with {BOT_PREFIX} are reserved for ReplyWatch's automatic"
                " messages and escalations"
            )
        return value

    @model_validator(mode="after")
    def _fields_for_type(self) -> EventIn:
        missing = [name for name in _REQUIRED[self.type] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"{self.type.value} events need: {', '.join(missing)}")
        return self

    def to_event(self, now: float) -> ChatEvent:
        """Make the typed event; a ``ts`` in the future is clamped to ``now``."""
        sender = self.sender
        return ChatEvent(
            id=self.id,
            channel=self.channel,
            type=self.type,
            ts=now if self.ts is None else min(self.ts, now),
            received_at=now,
            conversation_id=self.conversation_id,
            sender_role=sender.role if sender else None,
            sender_id=sender.id if sender else None,
            sender_name=sender.name if sender else None,
            text=self.text,
            agent_id=self.agent_id,
            status=self.status,
            script_id=self.script_id,
            group=self.group,
        )


_REQUIRED: dict[EventType, tuple[str, ...]] = {
    EventType.MESSAGE: ("conversation_id", "sender", "text"),
    EventType.ASSIGNED: ("conversation_id", "agent_id"),
    EventType.CLOSED: ("conversation_id",),
    EventType.AGENT_STATUS: ("agent_id", "status"),
}


class BatchIn(BaseModel):
    """``{"events": [...]}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    events: Annotated[list[EventIn], Field(min_length=1)]


class EventValidationError(Exception):
    """Raised with per-field problems when an events body is invalid."""

    def __init__(self, details: list[dict[str, Any]]) -> None:
        super().__init__("invalid event")
        self.details = details


#: Problems listed in one error answer at most (the rest are counted).
MAX_DETAILS = 50


def validation_details(error: ValidationError) -> list[dict[str, Any]]:
    """Per-field errors as JSON-safe dicts: ``{"field": "events.0.sender.role", "error": ...}``;
    at most :data:`MAX_DETAILS`, then one entry saying how many more there were."""
    problems = error.errors(include_url=False, include_context=False, include_input=False)
    details: list[dict[str, Any]] = [
        {"field": ".".join(str(p) for p in item["loc"]) or None, "error": item["msg"]}
        for item in problems[:MAX_DETAILS]
    ]
    if len(problems) > MAX_DETAILS:
        details.append({"field": None, "error": f"and {len(problems) - MAX_DETAILS} more"})
    return details


def parse_events(body: Any, *, now: float | None = None, max_events: int) -> list[ChatEvent]:
    """Validate a decoded JSON body (one event or a batch) into typed events."""
    if not isinstance(body, dict):
        raise EventValidationError([{"field": None, "error": "body must be a JSON object"}])
    batch = body.get("events")
    if isinstance(batch, list) and len(batch) > max_events:  # before validating each one
        raise EventValidationError(
            [{"field": "events", "error": f"at most {max_events} events per request"}]
        )
    try:
        parsed = BatchIn.model_validate(body) if "events" in body else EventIn.model_validate(body)
    except ValidationError as exc:
        raise EventValidationError(validation_details(exc)) from exc
    items = parsed.events if isinstance(parsed, BatchIn) else [parsed]
    stamp = time.time() if now is None else now
    return [item.to_event(stamp) for item in items]
