"""Report runs: one claim per scheduled report and period, across processes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 15:38:08.962008

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "report_runs",
        sa.Column("schedule", sa.String(length=200), nullable=False),
        sa.Column("first_day", sa.String(length=10), nullable=False),
        sa.Column("claimed_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("schedule", "first_day", name=op.f("pk_report_runs")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("report_runs")
