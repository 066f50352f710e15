"""The database's tables, each declared once as a SQLAlchemy Core ``Table`` (times are
epoch seconds, floats, so deadline arithmetic is the same on SQLite and PostgreSQL).

Storage modules query them with Core; ``METADATA`` is what the migrations are checked
against."""

from __future__ import annotations

from storage.tables.base import METADATA
from storage.tables.chat import AGENTS, ALERTS, CONVERSATIONS, EVENTS, FLAG_HISTORY, FLAGS, TURNS
from storage.tables.kpi import (
    KPI_ALERT_DAYS,
    KPI_CUSTOMERS,
    KPI_RESPONSE_BINS,
    KPI_STATE,
    KPI_TURN_SUMS,
)
from storage.tables.library import (
    EMBEDDINGS,
    FEEDBACK,
    LIBRARY_META,
    PROPOSALS,
    SCRIPTS,
    SUGGESTIONS,
)
from storage.tables.outbox import (
    ALERT_OUTBOX,
    APP_SECRETS,
    CONSOLE_SESSIONS,
    CURSORS,
    DELIVERIES,
    REPORT_RUNS,
    SINK_DELIVERIES,
)
from storage.tables.people import CONNECTIONS, LOGIN_FAILURES, USERS
from storage.tables.quality import ADJUSTMENTS, COMPLAINTS, MERITS, RATINGS

__all__ = [
    "ADJUSTMENTS",
    "AGENTS",
    "ALERTS",
    "ALERT_OUTBOX",
    "APP_SECRETS",
    "COMPLAINTS",
    "CONNECTIONS",
    "CONSOLE_SESSIONS",
    "CONVERSATIONS",
    "CURSORS",
    "DELIVERIES",
    "EMBEDDINGS",
    "EVENTS",
    "FEEDBACK",
    "FLAGS",
    "FLAG_HISTORY",
    "KPI_ALERT_DAYS",
    "KPI_CUSTOMERS",
    "KPI_RESPONSE_BINS",
    "KPI_STATE",
    "KPI_TURN_SUMS",
    "LIBRARY_META",
    "LOGIN_FAILURES",
    "MERITS",
    "METADATA",
    "PROPOSALS",
    "RATINGS",
    "REPORT_RUNS",
    "SCRIPTS",
    "SINK_DELIVERIES",
    "SUGGESTIONS",
    "TURNS",
    "USERS",
]
