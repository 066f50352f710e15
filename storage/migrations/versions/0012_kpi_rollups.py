"""KPI rollups: per-day turn sums, response-time bins, customers and alerts

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 17:00:00

The rollups start empty with no state row; the gateway builds them from the stored
turns and alerts at its next start (``storage.kpi.rollups.ensure``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(name: str, kind: sa.types.TypeEngine) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, kind, primary_key=True, nullable=False)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "kpi_rollup_state",
        sa.Column("id", sa.Integer(), primary_key=True, nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("built_at", sa.Double(), nullable=False),
    )
    op.create_table(
        "kpi_turn_sums",
        _key("day", sa.Integer()),
        _key("agent", sa.String(length=200)),
        _key("reply_lag", sa.Integer()),
        _key("due_lag", sa.Integer()),
        _key("slow", sa.Boolean()),
        _key("overran", sa.Boolean()),
        _key("opening", sa.Boolean()),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("response", sa.Double(), nullable=False),
    )
    op.create_table(
        "kpi_response_bins",
        _key("day", sa.Integer()),
        _key("agent", sa.String(length=200)),
        _key("reply_lag", sa.Integer()),
        _key("bin", sa.Integer()),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.create_table(
        "kpi_customers",
        _key("day", sa.Integer()),
        _key("scope", sa.String(length=8)),
        _key("agent", sa.String(length=200)),
        _key("kind", sa.String(length=1)),
        _key("gap", sa.Integer()),
        _key("reply_lag", sa.Integer()),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.create_table(
        "kpi_alert_days",
        _key("day", sa.Integer()),
        _key("agent", sa.String(length=200)),
        _key("kind", sa.String(length=32)),
        sa.Column("n", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    """Downgrade schema."""
    for table in (
        "kpi_alert_days",
        "kpi_customers",
        "kpi_response_bins",
        "kpi_turn_sums",
        "kpi_rollup_state",
    ):
        op.drop_table(table)
