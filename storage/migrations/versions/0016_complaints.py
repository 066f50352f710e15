"""Complaints (投诉登记) with their acknowledge, resolve and follow-up clocks

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 13:30:00

DESIGN.md section 12.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_pk", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.String(length=200), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("acknowledge_by", sa.Double(), nullable=False),
        sa.Column("resolve_by", sa.Double(), nullable=False),
        sa.Column("follow_up_by", sa.Double(), nullable=True),
        sa.Column("acknowledged_at", sa.Double(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("resolved_at", sa.Double(), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("followed_up_at", sa.Double(), nullable=True),
        sa.Column("followed_up_by", sa.String(length=200), nullable=True),
        sa.Column("follow_up_note", sa.Text(), nullable=True),
        sa.Column("acknowledge_alerted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("resolve_alerted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("follow_up_alerted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("due_at", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_pk"],
            ["conversations.id"],
            name=op.f("fk_complaints_conversation_pk_conversations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    for column in ("conversation_pk", "agent_id", "created_at", "due_at"):
        op.create_index(op.f(f"ix_complaints_{column}"), "complaints", [column], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    for column in ("conversation_pk", "agent_id", "created_at", "due_at"):
        op.drop_index(op.f(f"ix_complaints_{column}"), table_name="complaints")
    op.drop_table("complaints")
