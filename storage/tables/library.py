"""The reply-script library (话术库) and what the matcher suggests and learns: scripts,
the library's version, suggestions, agents' feedback, question embeddings and proposed
paraphrases."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from storage.tables.base import METADATA

# One entry of the reply-script library (话术库).
SCRIPTS = Table(
    "scripts",
    METADATA,
    Column("id", String(200), primary_key=True),
    Column("category", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("questions", JSON, nullable=False),
    Column("keywords", JSON, nullable=False),
    Column("reply", Text, nullable=False),
    Column("updated_at", Double, nullable=False),
)

# One row: the library's version, bumped by every change (processes poll it).
LIBRARY_META = Table(
    "library_meta",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, default=0, nullable=False),
    Column("updated_at", Double, nullable=False),
)

# What the matcher suggested for one customer message (``matched`` false = a gap).
SUGGESTIONS = Table(
    "suggestions",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("event_pk", ForeignKey("events.id"), unique=True, nullable=False),
    Column("items", JSON, nullable=False),
    Column("best_score", Double, nullable=False),
    Column("matched", Boolean, nullable=False),
    Column("created_at", Double, nullable=False),
    Index("ix_suggestions_matched_created", "matched", "created_at"),
)

# An agent's use of a suggestion: used, edited or ignored.
FEEDBACK = Table(
    "suggestion_feedback",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("event_pk", ForeignKey("events.id"), index=True, nullable=False),
    Column("script_id", String(200), index=True, nullable=False),
    Column("action", String(16), nullable=False),
    Column("agent_id", String(200), nullable=False),
    Column("created_at", Double, nullable=False),
)

# A question's sentence embedding under one encoder (float32 bytes), computed once
# and shared by every process and restart.
EMBEDDINGS = Table(
    "question_embeddings",
    METADATA,
    Column("model", String(64), primary_key=True),
    Column("digest", String(64), primary_key=True),
    Column("vector", LargeBinary, nullable=False),
    Column("created_at", Double, nullable=False),
)

# A customer's wording proposed as a new question of a script, because an agent
# used that script for it while it matched weakly: pending -> accepted or rejected.
PROPOSALS = Table(
    "paraphrase_proposals",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("script_id", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("normalized", String(500), nullable=False),
    Column("score", Double, nullable=False),
    Column("event_pk", ForeignKey("events.id"), nullable=False),
    Column("agent_id", String(200), nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("decided_at", Double),
    Column("decided_by", String(200)),
    Index("ix_paraphrase_proposals_script_text", "script_id", "normalized", unique=True),
    Index("ix_paraphrase_proposals_state_created", "state", "created_at"),
)
