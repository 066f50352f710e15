"""What goes out and what the service keeps for itself: replies to send through their IM
channels, alerts for the supervisors' sinks (every new alert gets an outbox row in the
transaction that records it; the relay fans it out to a delivery row per sink), channel
sync cursors, claimed report runs, console sessions and generated secrets."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from storage.tables.base import METADATA

# An agent reply to send out through its IM channel (an outbox row, written in the
# same transaction as the reply): pending -> sending -> sent, or failed with a reason.
DELIVERIES = Table(
    "deliveries",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("event_pk", ForeignKey("events.id"), unique=True, nullable=False),
    Column("channel", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, default=0, nullable=False),
    Column("next_attempt_at", Double, nullable=False),
    Column("lease_until", Double),
    Column("last_error", Text),
    Column("remote_id", String(200)),
    Column("created_at", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
    Index("ix_deliveries_due", "state", "next_attempt_at"),
)

# An alert not yet handed to the sinks (written with the alert, deleted by fan-out).
ALERT_OUTBOX = Table(
    "alert_outbox",
    METADATA,
    Column("alert_id", ForeignKey("alerts.id"), primary_key=True),
    Column("created_at", Double, nullable=False),
)

# One alert for one sink: pending -> sending (leased) -> sent, or failed.
SINK_DELIVERIES = Table(
    "sink_deliveries",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("sink", String(64), nullable=False),
    Column("alert_id", ForeignKey("alerts.id"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, default=0, nullable=False),
    Column("next_attempt_at", Double, nullable=False),
    Column("lease_until", Double),
    Column("created_at", Double, nullable=False),
    Column("sent_at", Double),
    Column("last_error", Text),
    UniqueConstraint("sink", "alert_id"),
    Index("ix_sink_deliveries_due", "sink", "state", "next_attempt_at"),
)

# Where a channel's message sync stopped (WeCom ``sync_msg``'s cursor), per account,
# saved after the messages it covers are stored.
CURSORS = Table(
    "channel_cursors",
    METADATA,
    Column("channel", String(64), primary_key=True),
    Column("account", String(200), primary_key=True),
    Column("cursor", String(500), nullable=False),
    Column("updated_at", Double, nullable=False),
)

# A scheduled report claimed by one process: (schedule, first day of the period) is
# unique, so with several gateways each report is written once.
REPORT_RUNS = Table(
    "report_runs",
    METADATA,
    Column("schedule", String(200), primary_key=True),
    Column("first_day", String(10), primary_key=True),
    Column("claimed_at", Double, nullable=False),
)

# A browser signed in to the console. ``id`` is the SHA-256 of the session token the
# cookie carries (a leaked table holds no usable session); the bearer token it was
# opened with is kept only as a fingerprint, so removing the token from the config
# ends its sessions too.
CONSOLE_SESSIONS = Table(
    "console_sessions",
    METADATA,
    Column("id", String(64), primary_key=True),
    # The configured bearer token's SHA-256 for a token sign-in; None for an account's.
    Column("token_fingerprint", String(64)),
    # The account signed in (None: a configured token's session).
    Column("user_id", String(64), index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("expires_at", Double, index=True, nullable=False),
    Column("ended_at", Double),
)

# A secret the service generated for itself (e.g. the console's cookie-signing key
# when none is configured), shared by every process on the database.
APP_SECRETS = Table(
    "app_secrets",
    METADATA,
    Column("name", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
    Column("created_at", Double, nullable=False),
)
