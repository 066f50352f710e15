"""People: accounts, failed sign-ins, live connections, presence, routing, acknowledgements

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 02:00:00

DESIGN.md section 11. Console sessions may belong to an account instead of a configured
token; agents keep the status they chose and when routing last gave them a chat;
conversations know their group and since when they wait in the routing queue; alerts
record who acknowledged them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("max_concurrency", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(
        "ix_login_failures_username_at", "login_failures", ["username", "at"], unique=False
    )
    op.create_table(
        "connections",
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("namespace", sa.String(length=32), nullable=False),
        sa.Column("host", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.String(length=200), nullable=True),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("seen_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("sid", name=op.f("pk_connections")),
    )
    for column in ("host", "agent_id", "user_id"):
        op.create_index(op.f(f"ix_connections_{column}"), "connections", [column], unique=False)
    with op.batch_alter_table("console_sessions", schema=None) as batch_op:
        batch_op.alter_column("token_fingerprint", existing_type=sa.String(64), nullable=True)
        batch_op.add_column(sa.Column("user_id", sa.String(length=64), nullable=True))
        batch_op.create_index(op.f("ix_console_sessions_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chosen", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("routed_at", sa.Double(), nullable=True))
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_name", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("queued_at", sa.Double(), nullable=True))
        batch_op.create_index(op.f("ix_conversations_queued_at"), ["queued_at"], unique=False)
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_at", sa.Double(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_column("acknowledged_at")
        batch_op.drop_column("acknowledged_by")
        batch_op.drop_column("note")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_conversations_queued_at"))
        batch_op.drop_column("queued_at")
        batch_op.drop_column("group_name")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("routed_at")
        batch_op.drop_column("chosen")
    with op.batch_alter_table("console_sessions", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_console_sessions_user_id"))
        batch_op.drop_column("user_id")
        batch_op.alter_column("token_fingerprint", existing_type=sa.String(64), nullable=False)
    for column in ("user_id", "agent_id", "host"):
        op.drop_index(op.f(f"ix_connections_{column}"), table_name="connections")
    op.drop_table("connections")
    op.drop_index("ix_login_failures_username_at", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_table("users")
