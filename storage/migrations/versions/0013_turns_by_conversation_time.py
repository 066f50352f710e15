"""Turns indexed by conversation and start time

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 20:30:00

The KPI rollups are kept from a conversation's changed turns on, and the turns before
them are summed by the database: both read a conversation's turns by start time, so
the conversation's index gains the start time (and serves every earlier use).
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("turns", schema=None) as batch_op:
        batch_op.create_index(
            "ix_turns_conversation_started", ["conversation_pk", "started_at"], unique=False
        )
        batch_op.drop_index("ix_turns_conversation_pk")


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("turns", schema=None) as batch_op:
        batch_op.create_index("ix_turns_conversation_pk", ["conversation_pk"], unique=False)
        batch_op.drop_index("ix_turns_conversation_started")
