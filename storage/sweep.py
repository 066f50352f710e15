"""The live sweep's transaction: record the alerts of open turns whose next threshold
has passed, and reassign the turns due for escalation.

Due turns are found through the ``next_due_at`` index, so a sweep's cost follows
the number of due turns, not of open ones. Exactly once: on PostgreSQL due rows
are locked with ``FOR UPDATE SKIP LOCKED`` so concurrent sweepers take different
turns, and in any case the alert insert itself is the claim
(:func:`storage.alerts.record`): only the transaction that inserts an alert delivers it.
An escalation is a ``conversation.assigned`` event whose id names the turn and the
step, stored through :func:`storage.ingest.apply_batch` in the same transaction, so
however many processes sweep, each step happens once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from monitors import rules
from monitors.escalation import Candidate, Roster, choose
from monitors.events import ChatEvent, EventType
from monitors.rules import AlertDraft, AlertKind, Thresholds
from storage import alerts, complaints, routing
from storage.alerts import Alert, Located
from storage.ingest import Stored, apply_batch
from storage.tables import AGENTS, CONVERSATIONS, TURNS
from storage.turns import TrackedTurn, tracked_from_row

#: Due turns taken per transaction; a full batch means more may be due.
BATCH = 1000
#: When nobody can take an escalated turn, look again after this long (at most).
RETRY_ESCALATION = 30.0


@dataclass
class Swept:
    """What one sweep did: alerts recorded, assignments made, and when to sweep next."""

    alerts: list[Alert] = field(default_factory=list)
    assigned: list[Stored] = field(default_factory=list)
    upcoming: float | None = None


def earliest_due_at(conn: Connection) -> float | None:
    """When the earliest open turn's next threshold comes (through the index)."""
    value = conn.execute(select(func.min(TURNS.c.next_due_at))).scalar()
    return None if value is None else float(value)


def sweep_and_peek(
    conn: Connection, now: float, thresholds: Thresholds, roster: Roster | None = None
) -> Swept:
    """:func:`sweep` and the complaints' overdue steps, then when the next threshold
    (of a turn or a complaint) comes."""
    swept = sweep(conn, now, thresholds, roster)
    swept.alerts += complaints.sweep(conn, now)
    due = [t for t in (earliest_due_at(conn), complaints.earliest_due_at(conn)) if t is not None]
    swept.upcoming = min(due) if due else None
    return swept


def sweep(
    conn: Connection, now: float, thresholds: Thresholds, roster: Roster | None = None
) -> Swept:
    """Record the alerts due at ``now`` (``waited_seconds`` in business time when the
    thresholds have hours) and make the escalations that are due."""
    settings = thresholds
    query = (
        select(TURNS, CONVERSATIONS.c.assignee_id, CONVERSATIONS.c.external_id)
        .join(CONVERSATIONS, CONVERSATIONS.c.id == TURNS.c.conversation_pk)
        # Only the next_due_at index: with "ended_at IS NULL" here PostgreSQL may pick the
        # open-turns index and read every open turn (43 ms at 100,000 before its stats were
        # analysed). An ended turn has no next_due_at; one that still had would be repaired.
        .where(TURNS.c.next_due_at <= now)
        .order_by(TURNS.c.next_due_at)
        .limit(BATCH)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=TURNS, skip_locked=True)
    located: list[Located] = []
    changes = []
    swept = Swept()
    escalation = _Escalation(conn, settings, roster or Roster(), now)
    for row in conn.execute(query).all():
        tracked = tracked_from_row(row)
        drafts = []
        if tracked.ended_at is None:
            drafts = rules.due_alerts(
                tracked.turn, now, tracked.fired, row.assignee_id, settings.hours
            )
        tracked.fired |= {d.kind for d in drafts}
        escalate_at = tracked.escalate_at
        if tracked.ended_at is None and escalate_at is not None and escalate_at <= now:
            stored, draft = escalation.escalate(tracked, row)
            swept.assigned += stored
            drafts += draft
        fields = tracked.row()
        changes.append({"turn_pk": tracked.pk, **{f"new_{k}": fields[k] for k in _CHANGED}})
        located += [Located(d, row.conversation_pk, row.external_id, row.channel) for d in drafts]
    if changes:
        conn.execute(
            update(TURNS)
            .where(TURNS.c.id == bindparam("turn_pk"))
            .values({k: bindparam(f"new_{k}") for k in _CHANGED}),
            changes,
        )
    swept.alerts = alerts.record(conn, located, now)
    return swept


_CHANGED = ("next_due_at", "warned", "overdue", "unanswered", "escalate_at", "escalations")


class _Escalation:
    """Reassignments within one sweep (agents' loads read once, kept up to date)."""

    def __init__(self, conn: Connection, settings: Thresholds, roster: Roster, now: float) -> None:
        self._conn, self._settings, self._roster, self._now = conn, settings, roster, now
        self._candidates: dict[str, Candidate] | None = None

    def _load(self) -> dict[str, Candidate]:
        if self._candidates is None:
            load = routing.loads(self._conn, self._now - self._settings.active_window_seconds)
            agents = self._conn.execute(select(AGENTS.c.id, AGENTS.c.status)).all()
            self._candidates = {a.id: Candidate(a.id, a.status, load.get(a.id, 0)) for a in agents}
        return self._candidates

    def escalate(self, tracked: TrackedTurn, row: Any) -> tuple[list[Stored], list[AlertDraft]]:
        """Hand the turn's conversation to another agent, or try again later."""
        candidates = self._load()
        target = choose(row.assignee_id, candidates.values(), self._roster)
        if target is None:
            retry = min(self._settings.reassign_after_seconds, RETRY_ESCALATION)
            tracked.escalate_at = rules.after(self._now, retry, self._settings.hours)
            return [], []
        step = tracked.escalations + 1
        event = ChatEvent(
            id=f"rwbot-escalate-{tracked.pk}-{step}",  # rwbot-: reserved (bot.schemas)
            channel=row.channel,
            type=EventType.ASSIGNED,
            ts=self._now,
            received_at=self._now,
            conversation_id=row.external_id,
            agent_id=target,
            reason="escalation",
        )
        stored = [s for s in apply_batch(self._conn, [event], self._settings, self._now) if s]
        tracked.escalations = step
        tracked.escalate_at = rules.next_escalation(self._settings, step, self._now)
        if not stored:
            return [], []  # another process made this step
        candidates[target] = Candidate(target, "online", candidates[target].load + 1)
        turn = tracked.turn
        draft = AlertDraft(
            AlertKind.ESCALATED,
            turn.message_id if step == 1 else f"{turn.message_id}#{step}",
            row.assignee_id,
            turn.deadline_seconds,
            rules.elapsed(turn.started_at, self._now, self._settings.hours),
            self._now,
        )
        return stored, [draft]
