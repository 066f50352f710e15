"""People (DESIGN.md section 11): accounts, failed sign-ins and live console connections."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Double, Index, Integer, String, Table, Text, true

from storage.tables.base import METADATA

# A person who signs in: an agent, group leader, supervisor, QA reviewer or admin.
# ``password_hash`` is argon2id (None: a roster entry that cannot sign in with a password).
USERS = Table(
    "users",
    METADATA,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("groups", JSON, nullable=False),
    Column("max_concurrency", Integer),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("password_hash", Text),
    Column("created_at", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
)

# One failed sign-in, counted per username over a sliding window (every process sees it).
LOGIN_FAILURES = Table(
    "login_failures",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("username", String(200), nullable=False),
    Column("at", Double, nullable=False),
    Index("ix_login_failures_username_at", "username", "at"),
)

# A live ``/agent`` or ``/supervisor`` Socket.IO connection. Its process renews ``seen_at``
# every heartbeat; one not renewed for ``presence.offline_after_seconds`` is gone (closed,
# or its process died), which is how presence survives a crashed process.
CONNECTIONS = Table(
    "connections",
    METADATA,
    Column("sid", String(64), primary_key=True),
    Column("namespace", String(32), nullable=False),
    Column("host", String(64), nullable=False, index=True),
    Column("agent_id", String(200), index=True),
    Column("user_id", String(64), index=True),
    Column("session_id", String(64)),
    # Renewed while open; set to the moment it closed when it closes.
    Column("seen_at", Double, nullable=False),
)
