"""Escalation: when a turn is next reassigned and how often it was; why an assignment was made

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 14:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("turns") as batch:
        batch.add_column(sa.Column("escalate_at", sa.Double(), nullable=True))
        batch.add_column(
            sa.Column("escalations", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("reason", sa.String(length=32), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("events") as batch:
        batch.drop_column("reason")
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("escalations")
        batch.drop_column("escalate_at")
