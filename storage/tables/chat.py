"""The conversations and what happens in them: events, agents, customer turns, alerts and
QA flags."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from storage.tables.base import METADATA

# A chat between one customer and the team, on one channel.
CONVERSATIONS = Table(
    "conversations",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("channel", String(64), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("status", String(16), default="open", nullable=False),
    Column("assignee_id", String(200), index=True),
    Column("customer_id", String(200)),
    Column("opened_at", Double, nullable=False),
    Column("closed_at", Double),
    Column("last_customer_at", Double),
    Column("last_agent_at", Double),
    Column("open_turn_pk", Integer),
    Column("updated_at", Double, nullable=False),
    # The team the conversation belongs to, when its events name one (routing).
    Column("group_name", String(64)),
    # Since when it waits for routing to find an agent (None: not waiting).
    Column("queued_at", Double, index=True),
    UniqueConstraint("channel", "external_id"),
    Index("ix_conversations_active", "assignee_id", "status", "last_customer_at"),
)

# Every accepted event (messages, assignments, closes, agent status).
#
# ``(channel, external_id)`` is unique: it is what makes ingest idempotent.
EVENTS = Table(
    "events",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("channel", String(64), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("type", String(32), nullable=False),
    Column("conversation_pk", ForeignKey("conversations.id")),
    Column("sender_role", String(16)),
    Column("sender_id", String(200)),
    Column("sender_name", String(200)),
    Column("text", Text),
    Column("agent_id", String(200)),
    Column("status", String(16)),
    Column("script_id", String(200)),
    # Why an assignment happened ("escalation"), when ReplyWatch made it.
    Column("reason", String(32)),
    Column("ts", Double, nullable=False),
    Column("received_at", Double, nullable=False),
    UniqueConstraint("channel", "external_id"),
    Index("ix_events_conversation_ts", "conversation_pk", "ts"),
)

# An agent seen in events or tokens, with the last status it reported.
AGENTS = Table(
    "agents",
    METADATA,
    Column("id", String(200), primary_key=True),
    Column("name", String(200)),
    Column("status", String(16), default="offline", nullable=False),
    Column("status_at", Double),
    # What the agent last chose themselves (online or away), kept while they are offline.
    Column("chosen", String(16)),
    # When routing last gave them a conversation (ties and round robin).
    Column("routed_at", Double),
)

# A customer turn: from its first customer message to the agent reply that ends it.
#
# ``next_due_at`` is when its next timed alert comes due (NULL once ended or all
# fired), so the sweep finds due turns through an index, not a scan.
TURNS = Table(
    "turns",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("conversation_pk", ForeignKey("conversations.id"), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("message_id", String(200), nullable=False),
    Column("started_at", Double, nullable=False),
    Column("agent_id", String(200), index=True),
    Column("concurrency", Integer, nullable=False),
    Column("deadline_seconds", Double, nullable=False),
    Column("warn_at", Double, nullable=False),
    Column("due_at", Double, nullable=False),
    Column("unanswered_at", Double, nullable=False),
    Column("next_due_at", Double),
    Column("warned", Boolean, default=False, nullable=False),
    Column("overdue", Boolean, default=False, nullable=False),
    Column("unanswered", Boolean, default=False, nullable=False),
    Column("ended_at", Double),
    Column("end_reason", String(16)),
    Column("reply_message_id", String(200)),
    Column("replied_by", String(200)),
    Column("response_seconds", Double),
    # When the turn is next reassigned if still unanswered (escalation), and how often it was.
    Column("escalate_at", Double),
    Column("escalations", Integer, default=0, server_default=text("0"), nullable=False),
    # The conversation's first turn since it was opened or reopened (first response).
    Column("opening", Boolean, default=False, server_default=false(), nullable=False),
    UniqueConstraint("channel", "message_id"),
    Index("ix_turns_next_due_at", "next_due_at"),
    Index("ix_turns_started_at", "started_at"),
    Index("ix_turns_conversation_started", "conversation_pk", "started_at"),
    Index(
        "ix_turns_open",
        "conversation_pk",
        sqlite_where=text("ended_at IS NULL"),
        postgresql_where=text("ended_at IS NULL"),
    ),
)

# A response-time or content alert; ``(kind, channel, message_id)`` alerts once.
ALERTS = Table(
    "alerts",
    METADATA,
    # message_id is the turn's id for turn alerts, the agent message's for forbidden phrases
    Column("id", Integer, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("message_id", String(200), nullable=False),
    Column("conversation_pk", ForeignKey("conversations.id"), nullable=False),
    Column("agent_id", String(200), index=True),
    Column("deadline_seconds", Double),
    Column("waited_seconds", Double),
    Column("response_seconds", Double),
    Column("at", Double, index=True, nullable=False),
    # What an agent asking for help said (conversation.help_requested).
    Column("note", Text),
    # Who acknowledged it (a supervisor, group leader or admin), and when.
    Column("acknowledged_by", String(200)),
    Column("acknowledged_at", Double),
    UniqueConstraint("kind", "channel", "message_id"),
)

# A QA review item: a flagged alert (one per alert), a reviewer's manual flag or a
# sampled conversation; what it is about is kept on the row, the alert only adds timing.
#
# ``counted`` is what the flag counts in scores: the review's points once confirmed, 0
# once dismissed or overturned on appeal, the appeal decision's points when it gave some.
FLAGS = Table(
    "flags",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("alert_id", ForeignKey("alerts.id"), unique=True),
    Column("kind", String(40), nullable=False),
    Column("category", String(64)),
    Column("conversation_pk", ForeignKey("conversations.id"), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("message_id", String(200)),
    Column("agent_id", String(200), index=True),
    Column("at", Double, nullable=False, index=True),
    # Why a reviewer raised it (manual flags), and who.
    Column("description", Text),
    Column("created_by", String(200)),
    Column("status", String(16), default="open", index=True, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("verdict", String(16)),
    Column("note", Text),
    Column("points", Double),
    Column("reviewer", String(200)),
    Column("reviewed_at", Double),
    Column("counted", Double),
    Column("appeal_reason", Text),
    Column("appealed_at", Double),
    Column("appeal_decision", String(16)),
    Column("appeal_note", Text),
    Column("appeal_points", Double),
    Column("appeal_decider", String(200)),
    Column("appeal_decided_at", Double),
    Index("ix_flags_conversation", "conversation_pk"),
    # A conversation is sampled at most once, whichever process closes it.
    Index(
        "ux_flags_sample",
        "conversation_pk",
        unique=True,
        sqlite_where=text("kind = 'qa.sample'"),
        postgresql_where=text("kind = 'qa.sample'"),
    ),
)

# Every step of a flag's life: raised, reviewed, appealed, decided (who, when, why).
FLAG_HISTORY = Table(
    "flag_history",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("flag_id", ForeignKey("flags.id"), nullable=False, index=True),
    Column("at", Double, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(16), nullable=False),
    Column("verdict", String(16)),
    Column("points", Double),
    Column("note", Text),
)
