"""Channel sync cursors (WeCom sync_msg), saved after the messages they cover

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 15:11:04.488073

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "channel_cursors",
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("cursor", sa.String(length=500), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "account", name=op.f("pk_channel_cursors")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("channel_cursors")
