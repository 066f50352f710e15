"""Stored question embeddings and proposed paraphrases

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 15:15:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "question_embeddings",
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("model", "digest", name=op.f("pk_question_embeddings")),
    )
    op.create_table(
        "paraphrase_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("script_id", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("normalized", sa.String(length=500), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("event_pk", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("decided_at", sa.Double(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_pk"],
            ["events.id"],
            name=op.f("fk_paraphrase_proposals_event_pk_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paraphrase_proposals")),
    )
    op.create_index(
        "ix_paraphrase_proposals_script_text",
        "paraphrase_proposals",
        ["script_id", "normalized"],
        unique=True,
    )
    op.create_index(
        "ix_paraphrase_proposals_state_created",
        "paraphrase_proposals",
        ["state", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_paraphrase_proposals_state_created", table_name="paraphrase_proposals")
    op.drop_index("ix_paraphrase_proposals_script_text", table_name="paraphrase_proposals")
    op.drop_table("paraphrase_proposals")
    op.drop_table("question_embeddings")
