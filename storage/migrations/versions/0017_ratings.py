"""Satisfaction ratings: the customer's answer to the survey after a close

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 16:00:00

DESIGN.md section 12.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_pk", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.String(length=200), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("event_pk", sa.Integer(), nullable=True),
        sa.Column("survey_event_pk", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.Double(), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_pk"],
            ["conversations.id"],
            name=op.f("fk_ratings_conversation_pk_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["event_pk"], ["events.id"], name=op.f("fk_ratings_event_pk_events")
        ),
        sa.ForeignKeyConstraint(
            ["survey_event_pk"], ["events.id"], name=op.f("fk_ratings_survey_event_pk_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint("event_pk", name=op.f("uq_ratings_event_pk")),
        sa.UniqueConstraint("survey_event_pk", name=op.f("uq_ratings_survey_event_pk")),
    )
    op.create_index("ux_ratings_close", "ratings", ["conversation_pk", "closed_at"], unique=True)
    op.create_index("ix_ratings_at", "ratings", ["at"], unique=False)
    op.create_index("ix_ratings_agent_at", "ratings", ["agent_id", "at"], unique=False)
    op.create_index(op.f("ix_ratings_conversation_pk"), "ratings", ["conversation_pk"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_ratings_conversation_pk"), table_name="ratings")
    op.drop_index("ix_ratings_agent_at", table_name="ratings")
    op.drop_index("ix_ratings_at", table_name="ratings")
    op.drop_index("ux_ratings_close", table_name="ratings")
    op.drop_table("ratings")
