"""Turns: opening flag for first-response KPIs; indexes on started_at and open turns

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 14:28:22.127529

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("turns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("opening", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index("ix_turns_started_at", ["started_at"], unique=False)
        batch_op.create_index(
            "ix_turns_open",
            ["conversation_pk"],
            unique=False,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )
    # Turns recorded before this revision: each conversation's first one opened it
    # (reopenings before the upgrade are not recovered).
    op.execute(
        "UPDATE turns SET opening = TRUE WHERE id IN "
        "(SELECT min(id) FROM turns GROUP BY conversation_pk)"
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("turns", schema=None) as batch_op:
        batch_op.drop_index("ix_turns_open")
        batch_op.drop_index("ix_turns_started_at")
        batch_op.drop_column("opening")
