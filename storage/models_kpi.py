"""Tables of the KPI rollups (see :mod:`monitors.kpi_rollup`): per local day, agent and
outcome class, maintained in the transactions that start and end turns and record
alerts, so that a month's figures read thousands of rows instead of millions."""

from __future__ import annotations

from sqlalchemy import Boolean, Double, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class KpiStateRow(Base):
    """Which time zone the rollups' days are in (one row; none: not built yet)."""

    __tablename__ = "kpi_rollup_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[float] = mapped_column(Double)


class KpiTurnSumRow(Base):
    """Turns started on ``day`` by ``agent`` ('' nobody) of one outcome class, and the
    sum of their response times."""

    __tablename__ = "kpi_turn_sums"

    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent: Mapped[str] = mapped_column(String(200), primary_key=True)
    reply_lag: Mapped[int] = mapped_column(Integer, primary_key=True)
    due_lag: Mapped[int] = mapped_column(Integer, primary_key=True)
    slow: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    overran: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    opening: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    response: Mapped[float] = mapped_column(Double)


class KpiResponseBinRow(Base):
    """Replied turns started on ``day`` per 0.1 s response-time bin (the percentiles)."""

    __tablename__ = "kpi_response_bins"

    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent: Mapped[str] = mapped_column(String(200), primary_key=True)
    reply_lag: Mapped[int] = mapped_column(Integer, primary_key=True)
    bin: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class KpiCustomerRow(Base):
    """Turns that may be a conversation's first (received) or first replied turn in a
    period, by the gap in days to the previous such turn."""

    __tablename__ = "kpi_customers"

    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(8), primary_key=True)
    agent: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(1), primary_key=True)
    gap: Mapped[int] = mapped_column(Integer, primary_key=True)
    reply_lag: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class KpiAlertDayRow(Base):
    """Alerts of one kind that fired on ``day`` for ``agent`` ('' nobody)."""

    __tablename__ = "kpi_alert_days"

    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
