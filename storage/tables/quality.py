"""The quality loop's own records (DESIGN.md section 12): merits, adjustments and
complaints."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    false,
)

from storage.tables.base import METADATA

# Praise (加分): positive points for an agent, with the reason a supervisor gave.
MERITS = Table(
    "merits",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("agent_id", String(200), nullable=False),
    Column("points", Double, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("at", Double, nullable=False),
    Index("ix_merits_agent_at", "agent_id", "at"),
    Index("ix_merits_at", "at"),
)

# A supervisor's reasoned adjustment of one agent's month (``month`` is ``YYYY-MM``).
ADJUSTMENTS = Table(
    "assessment_adjustments",
    METADATA,
    Column("month", String(7), nullable=False),
    Column("agent_id", String(200), nullable=False),
    Column("adjustment", Double, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("at", Double, nullable=False),
    PrimaryKeyConstraint("month", "agent_id"),
)

# A customer's complaint (投诉登记) about a conversation, with its three clocks:
# acknowledge, resolve (a supervisor approves the resolution), follow up (回访).
# ``due_at`` is when its next overdue alert comes due (NULL: none pending), so the
# sweep finds late complaints through an index; each stage alerts once.
COMPLAINTS = Table(
    "complaints",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("conversation_pk", ForeignKey("conversations.id"), nullable=False, index=True),
    Column("channel", String(64), nullable=False),
    Column("agent_id", String(200), index=True),
    Column("category", String(64), nullable=False),
    Column("summary", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", Double, nullable=False, index=True),
    Column("acknowledge_by", Double, nullable=False),
    Column("resolve_by", Double, nullable=False),
    Column("follow_up_by", Double),
    Column("acknowledged_at", Double),
    Column("acknowledged_by", String(200)),
    Column("resolved_at", Double),
    Column("resolved_by", String(200)),
    Column("resolution", Text),
    Column("followed_up_at", Double),
    Column("followed_up_by", String(200)),
    Column("follow_up_note", Text),
    Column("acknowledge_alerted", Boolean, nullable=False, server_default=false()),
    Column("resolve_alerted", Boolean, nullable=False, server_default=false()),
    Column("follow_up_alerted", Boolean, nullable=False, server_default=false()),
    Column("due_at", Double, index=True),
)

# A customer's answer to the satisfaction survey (DESIGN.md section 12): one per survey,
# counted for the agent the conversation had when it closed, at the answer's time.
# ``event_pk``/``survey_event_pk`` are NULL for a rating an integration posted (its
# platform's own survey): then ``closed_at`` (the close it rates) keeps it one per close.
RATINGS = Table(
    "ratings",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("conversation_pk", ForeignKey("conversations.id"), nullable=False, index=True),
    Column("channel", String(64), nullable=False),
    Column("agent_id", String(200)),
    Column("rating", Integer, nullable=False),
    Column("event_pk", ForeignKey("events.id"), unique=True),
    Column("survey_event_pk", ForeignKey("events.id"), unique=True),
    Column("closed_at", Double, nullable=False),
    Column("at", Double, nullable=False),
    Index("ux_ratings_close", "conversation_pk", "closed_at", unique=True),
    Index("ix_ratings_at", "at"),
    Index("ix_ratings_agent_at", "agent_id", "at"),
)
