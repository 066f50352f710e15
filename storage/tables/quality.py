"""The monthly assessment's own records (DESIGN.md section 12): merits and adjustments."""

from __future__ import annotations

from sqlalchemy import Column, Double, Index, Integer, PrimaryKeyConstraint, String, Table, Text

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
