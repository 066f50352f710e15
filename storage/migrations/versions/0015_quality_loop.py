"""The quality loop: flags about a conversation (manual, sampled), appeals, history,
merits and assessment adjustments

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 13:00:00

DESIGN.md section 12. A flag keeps what it is about (kind, conversation, message, agent,
time) on its own row, so a reviewer's manual flag and a sampled conversation need no
alert; existing flags copy theirs from their alert. ``counted`` is what a flag counts in
scores (back-filled from the review).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FROM_ALERT = ("kind", "conversation_pk", "channel", "message_id", "agent_id", "at")
_NEW: list[sa.Column[Any]] = [
    sa.Column("kind", sa.String(length=40), nullable=True),
    sa.Column("category", sa.String(length=64), nullable=True),
    sa.Column("conversation_pk", sa.Integer(), nullable=True),
    sa.Column("channel", sa.String(length=64), nullable=True),
    sa.Column("message_id", sa.String(length=200), nullable=True),
    sa.Column("agent_id", sa.String(length=200), nullable=True),
    sa.Column("at", sa.Double(), nullable=True),
    sa.Column("description", sa.Text(), nullable=True),
    sa.Column("created_by", sa.String(length=200), nullable=True),
    sa.Column("counted", sa.Double(), nullable=True),
    sa.Column("appeal_reason", sa.Text(), nullable=True),
    sa.Column("appealed_at", sa.Double(), nullable=True),
    sa.Column("appeal_decision", sa.String(length=16), nullable=True),
    sa.Column("appeal_note", sa.Text(), nullable=True),
    sa.Column("appeal_points", sa.Double(), nullable=True),
    sa.Column("appeal_decider", sa.String(length=200), nullable=True),
    sa.Column("appeal_decided_at", sa.Double(), nullable=True),
]


def _backfill() -> None:
    sets = ", ".join(
        f"{name} = (SELECT alerts.{name} FROM alerts WHERE alerts.id = flags.alert_id)"
        for name in _FROM_ALERT
    )
    op.execute(f"UPDATE flags SET {sets}")
    op.execute(
        "UPDATE flags SET counted = CASE WHEN verdict = 'confirmed' THEN COALESCE(points, 0) "
        "ELSE 0 END WHERE status = 'reviewed'"
    )
    op.execute(
        "INSERT INTO flag_history (flag_id, at, actor, action, verdict, points, note) "
        "SELECT id, reviewed_at, reviewer, 'reviewed', verdict, points, note FROM flags "
        "WHERE status = 'reviewed'"
    )


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "flag_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("points", sa.Double(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["flags.id"], name=op.f("fk_flag_history_flag_id_flags")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag_history")),
    )
    op.create_index(op.f("ix_flag_history_flag_id"), "flag_history", ["flag_id"], unique=False)
    op.create_table(
        "merits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=200), nullable=False),
        sa.Column("points", sa.Double(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merits")),
    )
    op.create_index("ix_merits_agent_at", "merits", ["agent_id", "at"], unique=False)
    op.create_index("ix_merits_at", "merits", ["at"], unique=False)
    op.create_table(
        "assessment_adjustments",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("agent_id", sa.String(length=200), nullable=False),
        sa.Column("adjustment", sa.Double(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("month", "agent_id", name=op.f("pk_assessment_adjustments")),
    )
    for column in _NEW:
        op.add_column("flags", column)
    _backfill()
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.alter_column("alert_id", existing_type=sa.Integer(), nullable=True)
        for name, kind in (
            ("kind", sa.String(length=40)),
            ("conversation_pk", sa.Integer()),
            ("channel", sa.String(length=64)),
            ("at", sa.Double()),
        ):
            batch_op.alter_column(name, existing_type=kind, nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_flags_conversation_pk_conversations"),
            "conversations",
            ["conversation_pk"],
            ["id"],
        )
        batch_op.create_index(batch_op.f("ix_flags_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_flags_at"), ["at"], unique=False)
        batch_op.create_index("ix_flags_conversation", ["conversation_pk"], unique=False)
        batch_op.create_index(
            "ux_flags_sample",
            ["conversation_pk"],
            unique=True,
            sqlite_where=sa.text("kind = 'qa.sample'"),
            postgresql_where=sa.text("kind = 'qa.sample'"),
        )


def downgrade() -> None:
    """Downgrade schema (manual and sampled flags, which have no alert, are dropped)."""
    op.execute("DELETE FROM flag_history")
    op.execute("DELETE FROM flags WHERE alert_id IS NULL")
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index("ux_flags_sample")
        batch_op.drop_index("ix_flags_conversation")
        batch_op.drop_index(batch_op.f("ix_flags_at"))
        batch_op.drop_index(batch_op.f("ix_flags_agent_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_flags_conversation_pk_conversations"), type_="foreignkey"
        )
        for column in _NEW:
            batch_op.drop_column(column.name)
        batch_op.alter_column("alert_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("assessment_adjustments")
    op.drop_index("ix_merits_at", table_name="merits")
    op.drop_index("ix_merits_agent_at", table_name="merits")
    op.drop_table("merits")
    op.drop_index(op.f("ix_flag_history_flag_id"), table_name="flag_history")
    op.drop_table("flag_history")
