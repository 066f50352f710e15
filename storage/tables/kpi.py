"""Tables of the KPI rollups (see :mod:`monitors.kpi_rollup`): per local day, agent and
outcome class, maintained in the transactions that start and end turns and record
alerts, so that a month's figures read thousands of rows instead of millions."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Double, Integer, String, Table

from storage.tables.base import METADATA

# Which time zone the rollups' days are in (one row; none: not built yet).
KPI_STATE = Table(
    "kpi_rollup_state",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("timezone", String(64), nullable=False),
    Column("built_at", Double, nullable=False),
)

# Turns started on ``day`` by ``agent`` ('' nobody) of one outcome class, and the
# sum of their response times.
KPI_TURN_SUMS = Table(
    "kpi_turn_sums",
    METADATA,
    Column("day", Integer, primary_key=True),
    Column("agent", String(200), primary_key=True),
    Column("reply_lag", Integer, primary_key=True),
    Column("due_lag", Integer, primary_key=True),
    Column("slow", Boolean, primary_key=True),
    Column("overran", Boolean, primary_key=True),
    Column("opening", Boolean, primary_key=True),
    Column("n", Integer, nullable=False),
    Column("response", Double, nullable=False),
)

# Replied turns started on ``day`` per 0.1 s response-time bin (the percentiles).
KPI_RESPONSE_BINS = Table(
    "kpi_response_bins",
    METADATA,
    Column("day", Integer, primary_key=True),
    Column("agent", String(200), primary_key=True),
    Column("reply_lag", Integer, primary_key=True),
    Column("bin", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
)

# Turns that may be a conversation's first (received) or first replied turn in a
# period, by the gap in days to the previous such turn.
KPI_CUSTOMERS = Table(
    "kpi_customers",
    METADATA,
    Column("day", Integer, primary_key=True),
    Column("scope", String(8), primary_key=True),
    Column("agent", String(200), primary_key=True),
    Column("kind", String(1), primary_key=True),
    Column("gap", Integer, primary_key=True),
    Column("reply_lag", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
)

# Alerts of one kind that fired on ``day`` for ``agent`` ('' nobody).
KPI_ALERT_DAYS = Table(
    "kpi_alert_days",
    METADATA,
    Column("day", Integer, primary_key=True),
    Column("agent", String(200), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("n", Integer, nullable=False),
)
