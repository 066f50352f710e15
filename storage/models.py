"""SQLAlchemy 2 models.  Times are epoch seconds (float) so that deadline
comparisons and arithmetic are the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints."""

    metadata = MetaData(naming_convention=NAMING)


class ConversationRow(Base):
    """A chat between one customer and the team, on one channel."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        Index("ix_conversations_active", "assignee_id", "status", "last_customer_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="open")
    assignee_id: Mapped[str | None] = mapped_column(String(200), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(200))
    opened_at: Mapped[float] = mapped_column(Double)
    closed_at: Mapped[float | None] = mapped_column(Double)
    last_customer_at: Mapped[float | None] = mapped_column(Double)
    last_agent_at: Mapped[float | None] = mapped_column(Double)
    open_turn_pk: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[float] = mapped_column(Double)


class EventRow(Base):
    """Every accepted event (messages, assignments, closes, agent status).

    ``(channel, external_id)`` is unique: it is what makes ingest idempotent.
    """

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        Index("ix_events_conversation_ts", "conversation_pk", "ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))
    conversation_pk: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    sender_role: Mapped[str | None] = mapped_column(String(16))
    sender_id: Mapped[str | None] = mapped_column(String(200))
    sender_name: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    agent_id: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str | None] = mapped_column(String(16))
    script_id: Mapped[str | None] = mapped_column(String(200))
    #: Why an assignment happened ("escalation"), when ReplyWatch made it.
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    ts: Mapped[float] = mapped_column(Double)
    received_at: Mapped[float] = mapped_column(Double)


class AgentRow(Base):
    """An agent seen in events or tokens, with the last status it reported."""

    __tablename__ = "agents"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="offline")
    status_at: Mapped[float | None] = mapped_column(Double)


class TurnRow(Base):
    """A customer turn: from its first customer message to the agent reply that ends it.

    ``next_due_at`` is when its next timed alert comes due (NULL once ended or all
    fired), so the sweep finds due turns through an index, not a scan.
    """

    __tablename__ = "turns"
    __table_args__ = (
        UniqueConstraint("channel", "message_id"),
        Index("ix_turns_next_due_at", "next_due_at"),
        Index("ix_turns_started_at", "started_at"),
        Index("ix_turns_conversation_started", "conversation_pk", "started_at"),
        # Open turns only (the supervisors' live view): small whatever the history.
        Index(
            "ix_turns_open",
            "conversation_pk",
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_pk: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    channel: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[float] = mapped_column(Double)
    agent_id: Mapped[str | None] = mapped_column(String(200), index=True)
    concurrency: Mapped[int] = mapped_column(Integer)
    deadline_seconds: Mapped[float] = mapped_column(Double)
    warn_at: Mapped[float] = mapped_column(Double)
    due_at: Mapped[float] = mapped_column(Double)
    unanswered_at: Mapped[float] = mapped_column(Double)
    next_due_at: Mapped[float | None] = mapped_column(Double)
    warned: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    unanswered: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_at: Mapped[float | None] = mapped_column(Double)
    end_reason: Mapped[str | None] = mapped_column(String(16))
    reply_message_id: Mapped[str | None] = mapped_column(String(200))
    replied_by: Mapped[str | None] = mapped_column(String(200))
    response_seconds: Mapped[float | None] = mapped_column(Double)
    #: When the turn is next reassigned if still unanswered (escalation), and how often it was.
    escalate_at: Mapped[float | None] = mapped_column(Double, nullable=True)
    escalations: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    #: The conversation's first turn since it was opened or reopened (first response).
    opening: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class AlertRow(Base):
    """A response-time or content alert; ``(kind, channel, message_id)`` alerts once."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("kind", "channel", "message_id"),)
    # message_id is the turn's id for turn alerts, the agent message's for forbidden phrases

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(200))
    conversation_pk: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    agent_id: Mapped[str | None] = mapped_column(String(200), index=True)
    deadline_seconds: Mapped[float | None] = mapped_column(Double)
    waited_seconds: Mapped[float | None] = mapped_column(Double)
    response_seconds: Mapped[float | None] = mapped_column(Double)
    at: Mapped[float] = mapped_column(Double, index=True)


class FlagRow(Base):
    """A QA review item, one per flagged alert."""

    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[float] = mapped_column(Double)
    verdict: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    points: Mapped[float | None] = mapped_column(Double)
    reviewer: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[float | None] = mapped_column(Double)


class ScriptRow(Base):
    """One entry of the reply-script library (话术库)."""

    __tablename__ = "scripts"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    category: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    questions: Mapped[list[Any]] = mapped_column(JSON)
    keywords: Mapped[list[Any]] = mapped_column(JSON)
    reply: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[float] = mapped_column(Double)


class LibraryMetaRow(Base):
    """One row: the library's version, bumped by every change (processes poll it)."""

    __tablename__ = "library_meta"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[float] = mapped_column(Double)


class SuggestionRow(Base):
    """What the matcher suggested for one customer message (``matched`` false = a gap)."""

    __tablename__ = "suggestions"
    __table_args__ = (Index("ix_suggestions_matched_created", "matched", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    items: Mapped[list[Any]] = mapped_column(JSON)
    best_score: Mapped[float] = mapped_column(Double)
    matched: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[float] = mapped_column(Double)


class FeedbackRow(Base):
    """An agent's use of a suggestion: used, edited or ignored."""

    __tablename__ = "suggestion_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    script_id: Mapped[str] = mapped_column(String(200), index=True)
    action: Mapped[str] = mapped_column(String(16))
    agent_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[float] = mapped_column(Double)


class DeliveryRow(Base):
    """An agent reply to send out through its IM channel (an outbox row, written in the
    same transaction as the reply): pending -> sending -> sent, or failed with a reason."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    channel: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[float] = mapped_column(Double)
    lease_until: Mapped[float | None] = mapped_column(Double)
    last_error: Mapped[str | None] = mapped_column(Text)
    remote_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[float] = mapped_column(Double)
    updated_at: Mapped[float] = mapped_column(Double)


class ChannelCursorRow(Base):
    """Where a channel's message sync stopped (WeCom ``sync_msg``'s cursor), per account,
    saved after the messages it covers are stored."""

    __tablename__ = "channel_cursors"

    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    account: Mapped[str] = mapped_column(String(200), primary_key=True)
    cursor: Mapped[str] = mapped_column(String(500))
    updated_at: Mapped[float] = mapped_column(Double)


class ReportRunRow(Base):
    """A scheduled report claimed by one process: (schedule, first day of the period) is
    unique, so with several gateways each report is written once."""

    __tablename__ = "report_runs"

    schedule: Mapped[str] = mapped_column(String(200), primary_key=True)
    first_day: Mapped[str] = mapped_column(String(10), primary_key=True)
    claimed_at: Mapped[float] = mapped_column(Double)


class ConsoleSessionRow(Base):
    """A browser signed in to the console. ``id`` is the SHA-256 of the session token the
    cookie carries (a leaked table holds no usable session); the bearer token it was
    opened with is kept only as a fingerprint, so removing the token from the config
    ends its sessions too."""

    __tablename__ = "console_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_fingerprint: Mapped[str] = mapped_column(String(64))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Double)
    expires_at: Mapped[float] = mapped_column(Double, index=True)
    ended_at: Mapped[float | None] = mapped_column(Double)


class AppSecretRow(Base):
    """A secret the service generated for itself (e.g. the console's cookie-signing key
    when none is configured), shared by every process on the database."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[float] = mapped_column(Double)
