"""Recording alerts exactly once, and their QA flags.

The unique ``(kind, channel, message_id)`` makes the insert itself the claim:
``ON CONFLICT DO NOTHING RETURNING`` hands back only the alerts this transaction
created, so whichever process or restart inserts one is the only one that
delivers it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from monitors.rules import FLAGGED, AlertDraft, AlertKind
from storage.kpi import rollups
from storage.tables import ALERT_OUTBOX, ALERTS, FLAGS


@dataclass(frozen=True, slots=True)
class Alert:
    """A stored alert: the one alert type above storage (listed, delivered, pushed)."""

    id: int
    kind: AlertKind
    channel: str
    conversation_id: str
    message_id: str
    agent_id: str | None
    deadline_seconds: float | None
    waited_seconds: float | None
    response_seconds: float | None
    at: float
    note: str | None = None
    acknowledged_by: str | None = None
    acknowledged_at: float | None = None

    @classmethod
    def from_row(cls, row: Any) -> Alert:
        """From an ``alerts`` row joined with its conversation's external id."""
        return cls(
            id=row.id,
            kind=AlertKind(row.kind),
            channel=row.channel,
            conversation_id=row.conversation_id,
            message_id=row.message_id,
            agent_id=row.agent_id,
            deadline_seconds=row.deadline_seconds,
            waited_seconds=row.waited_seconds,
            response_seconds=row.response_seconds,
            at=row.at,
            note=row.note,
            acknowledged_by=row.acknowledged_by,
            acknowledged_at=row.acknowledged_at,
        )


@dataclass(frozen=True, slots=True)
class Located:
    """An alert draft with the conversation it belongs to (what :func:`record` takes)."""

    draft: AlertDraft
    conversation_pk: int
    conversation_id: str
    channel: str


def record(conn: Connection, alerts: Sequence[Located], now: float) -> list[Alert]:
    """Insert ``alerts``; the ones that did not exist yet come back (with flags made)."""
    if not alerts:
        return []
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    rows = [
        {
            "kind": a.draft.kind.value,
            "channel": a.channel,
            "message_id": a.draft.message_id,
            "conversation_pk": a.conversation_pk,
            "agent_id": a.draft.agent_id,
            "deadline_seconds": a.draft.deadline_seconds,
            "waited_seconds": a.draft.waited_seconds,
            "response_seconds": a.draft.response_seconds,
            "at": a.draft.at,
            "note": a.draft.note,
        }
        for a in alerts
    ]
    insert = (
        module.insert(ALERTS)
        .on_conflict_do_nothing(index_elements=["kind", "channel", "message_id"])
        .returning(ALERTS.c.id, ALERTS.c.kind, ALERTS.c.channel, ALERTS.c.message_id)
    )
    created = {(r.kind, r.channel, r.message_id): int(r.id) for r in conn.execute(insert, rows)}
    records = []
    for located in alerts:
        key = (located.draft.kind.value, located.channel, located.draft.message_id)
        if key in created:
            draft = located.draft
            records.append(
                Alert(
                    created.pop(key),
                    draft.kind,
                    located.channel,
                    located.conversation_id,
                    draft.message_id,
                    draft.agent_id,
                    draft.deadline_seconds,
                    draft.waited_seconds,
                    draft.response_seconds,
                    draft.at,
                    draft.note,
                )
            )
    rollups.record_alerts(conn, [(r.kind.value, r.agent_id, r.at) for r in records])
    pks = {(a.draft.kind, a.draft.message_id, a.channel): a.conversation_pk for a in alerts}
    flags = [
        {
            "alert_id": r.id,
            "kind": r.kind.value,
            "conversation_pk": pks[(r.kind, r.message_id, r.channel)],
            "channel": r.channel,
            "message_id": r.message_id,
            "agent_id": r.agent_id,
            "at": r.at,
            "status": "open",
            "created_at": now,
        }
        for r in records
        if r.kind in FLAGGED
    ]
    if flags:
        conn.execute(FLAGS.insert(), flags)
    if records:
        # The alert sinks' outbox: the relay fans these out (storage.sinks), so an alert
        # committed here reaches every group chat and webhook even across a crash.
        outbox = [{"alert_id": r.id, "created_at": now} for r in records]
        conn.execute(ALERT_OUTBOX.insert(), outbox)
    return records


def help_requested(
    conn: Connection,
    conversation: tuple[int, str, str],
    agent_id: str | None,
    note: str,
    now: float,
) -> Alert:
    """Record an agent's request for a supervisor's help (上报主管) as an alert;
    ``conversation`` is its row id, external id and channel."""
    pk, external_id, channel = conversation
    message_id = f"help-{uuid.uuid4().hex}"
    draft = AlertDraft(AlertKind.HELP_REQUESTED, message_id, agent_id, None, None, now, note=note)
    [alert] = record(conn, [Located(draft, pk, external_id, channel)], now)
    return alert
