"""Tables of the alert sinks (supervisors' group chats and webhooks): every new alert
gets an outbox row in the transaction that records it; the relay fans each one out
to a delivery row per sink that wants its kind, and sends those with retries."""

from __future__ import annotations

from sqlalchemy import Double, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class AlertOutboxRow(Base):
    """An alert not yet handed to the sinks (written with the alert, deleted by fan-out)."""

    __tablename__ = "alert_outbox"

    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), primary_key=True)
    created_at: Mapped[float] = mapped_column(Double)


class SinkDeliveryRow(Base):
    """One alert for one sink: pending -> sending (leased) -> sent, or failed."""

    __tablename__ = "sink_deliveries"
    __table_args__ = (
        UniqueConstraint("sink", "alert_id"),
        Index("ix_sink_deliveries_due", "sink", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sink: Mapped[str] = mapped_column(String(64))
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[float] = mapped_column(Double)
    lease_until: Mapped[float | None] = mapped_column(Double, nullable=True)
    created_at: Mapped[float] = mapped_column(Double)
    sent_at: Mapped[float | None] = mapped_column(Double, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
