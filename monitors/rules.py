"""Response-time rules (docs/rules.md) as pure functions of times and settings.

A *turn* starts with the first customer message after the conversation's last
agent message and ends with the next agent message. Its deadline tier is fixed
when it starts, from the agent's concurrency then. Alerts follow event time: a
threshold that passed while the turn was open alerts even if the reply that
ends the turn is processed before any sweep saw the threshold.

Nothing here reads a clock or a database: callers pass ``now`` and the facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from monitors.hours import BusinessHours
from monitors.routing import RoutingRules
from scripts_library.normalize import has_phrase


class AlertKind(StrEnum):
    """The contract's alert kinds."""

    WARNING = "reply.warning"
    OVERDUE = "reply.overdue"
    SLOW = "reply.slow"
    UNANSWERED = "message.unanswered"
    FORBIDDEN = "reply.forbidden_phrase"
    DELIVERY_FAILED = "delivery.failed"
    ESCALATED = "conversation.escalated"
    HELP_REQUESTED = "conversation.help_requested"
    #: A complaint's acknowledgement, resolution or follow-up is late (section 12).
    COMPLAINT_OVERDUE = "complaint.overdue"


#: Kinds that go into the QA review queue.
FLAGGED = frozenset({AlertKind.SLOW, AlertKind.UNANSWERED, AlertKind.FORBIDDEN})
#: Kinds supervisors see (everything but the agent's private nudge).
FOR_SUPERVISORS = frozenset(AlertKind) - {AlertKind.WARNING}
#: Kinds the agent concerned sees (a turn's agent; the author of an undelivered reply).
FOR_AGENT = frozenset({AlertKind.WARNING, AlertKind.OVERDUE, AlertKind.DELIVERY_FAILED})
#: Kinds fired by time passing while a turn is open, in the order they come due.
TIMED = (AlertKind.WARNING, AlertKind.OVERDUE, AlertKind.UNANSWERED)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The response-time rules' numbers (seconds, fractions allowed). They have no
    defaults here: ``[monitor]``, ``[hours]`` and ``[escalation]`` hold them, once
    (``Settings.rules()`` builds one)."""

    reply_seconds: float
    busy_reply_seconds: float
    busy_concurrency: int
    warn_ratio: float
    unanswered_seconds: float
    active_window_seconds: float
    forbidden_phrases: tuple[str, ...]
    #: The team's exceptions: text that contains a forbidden phrase but is fine.
    allowed_phrases: tuple[str, ...]
    #: When set, deadlines and response times count business time only.
    hours: BusinessHours | None
    #: Escalation: reassign a turn still unanswered this long after it started (0 = off).
    reassign_after_seconds: float
    max_reassignments: int
    #: Routing of conversations nobody has (``[routing]``).
    routing: RoutingRules
    #: Share of closed conversations with no flag drawn for QA review (``[qa]``).
    sample_rate: float
    #: How long after the survey the customer's next message may be its rating
    #: (``[csat]``; 0: no survey is sent, nothing is read as a rating).
    csat_window_seconds: float = 0.0


def elapsed(a: float, b: float, hours: BusinessHours | None) -> float:
    """Seconds from ``a`` to ``b`` that count: business time when ``hours`` is set."""
    return hours.between(a, b) if hours is not None else b - a


def after(t: float, seconds: float, hours: BusinessHours | None) -> float:
    """The moment ``seconds`` that count after ``t``."""
    return hours.add(t, seconds) if hours is not None else t + seconds


def deadline_for(concurrency: int, settings: Thresholds) -> float:
    """The reply deadline (seconds) for a turn started at this concurrency."""
    if concurrency < settings.busy_concurrency:
        return settings.reply_seconds
    return settings.busy_reply_seconds


def concurrency_at(
    t: float,
    agent_id: str,
    conversations: Iterable[tuple[str | None, bool, float | None]],
    settings: Thresholds,
) -> int:
    """How many conversations ``agent_id`` has at ``t``: assigned, open, and with a
    customer message within ``active_window_seconds`` before ``t``.

    ``conversations`` are ``(assignee, is_open, last_customer_at)``; the
    conversation whose turn starts at ``t`` is among them (its message is at ``t``).
    """
    window_start = t - settings.active_window_seconds
    return sum(
        1
        for assignee, is_open, last in conversations
        if assignee == agent_id and is_open and last is not None and window_start <= last <= t
    )


@dataclass(frozen=True, slots=True)
class Turn:
    """An open customer turn and its fixed deadlines (epoch seconds)."""

    message_id: str
    started_at: float
    agent_id: str | None
    concurrency: int
    deadline_seconds: float
    warn_at: float
    due_at: float
    unanswered_at: float
    #: When the turn is first reassigned if still unanswered (None: no escalation).
    escalate_at: float | None = None

    def threshold(self, kind: AlertKind) -> float:
        """When a timed alert of ``kind`` comes due."""
        return {
            AlertKind.WARNING: self.warn_at,
            AlertKind.OVERDUE: self.due_at,
            AlertKind.UNANSWERED: self.unanswered_at,
        }[kind]


def start_turn(
    message_id: str,
    ts: float,
    agent_id: str | None,
    concurrency: int,
    settings: Thresholds,
) -> Turn:
    """A turn starting with customer message ``message_id`` at ``ts``.

    An unassigned conversation uses ``reply_seconds`` whatever its concurrency. With
    business hours, a turn that starts while the shop is closed starts its clock at the
    next opening, and its thresholds count business time.
    """
    deadline = settings.reply_seconds if agent_id is None else deadline_for(concurrency, settings)
    hours = settings.hours
    return Turn(
        message_id=message_id,
        started_at=ts,
        agent_id=agent_id,
        concurrency=concurrency,
        deadline_seconds=deadline,
        warn_at=after(ts, deadline * settings.warn_ratio, hours),
        due_at=after(ts, deadline, hours),
        unanswered_at=after(ts, settings.unanswered_seconds, hours),
        escalate_at=(
            after(ts, settings.reassign_after_seconds, hours)
            if settings.reassign_after_seconds > 0
            else None
        ),
    )


def next_escalation(settings: Thresholds, done: int, now: float) -> float | None:
    """When the next reassignment comes due after ``done`` of them (None: no more)."""
    if settings.reassign_after_seconds <= 0 or done >= settings.max_reassignments:
        return None
    return after(now, settings.reassign_after_seconds, settings.hours)


@dataclass(frozen=True, slots=True)
class AlertDraft:
    """An alert to record: the contract's fields, ``at`` in event time."""

    kind: AlertKind
    message_id: str
    agent_id: str | None
    deadline_seconds: float | None
    waited_seconds: float | None
    at: float
    response_seconds: float | None = None
    #: What the agent asking for help said.
    note: str | None = None


def _timed(
    turn: Turn, kind: AlertKind, at: float, agent_id: str | None, hours: BusinessHours | None
) -> AlertDraft:
    waited = elapsed(turn.started_at, at, hours)
    return AlertDraft(kind, turn.message_id, agent_id, turn.deadline_seconds, waited, at)


def due_alerts(
    turn: Turn,
    now: float,
    fired: frozenset[AlertKind],
    agent_id: str | None,
    hours: BusinessHours | None = None,
) -> list[AlertDraft]:
    """Timed alerts of a still-open turn that are due at ``now`` and not yet fired.

    They fire live, so ``at`` is ``now`` and ``waited_seconds`` runs to ``now``
    (business time with ``hours``); ``agent_id`` is the conversation's assignee now.
    """
    return [
        _timed(turn, kind, now, agent_id, hours)
        for kind in TIMED
        if kind not in fired and turn.threshold(kind) <= now
    ]


def end_turn(
    turn: Turn,
    reply_ts: float,
    fired: frozenset[AlertKind],
    agent_id: str | None,
    hours: BusinessHours | None = None,
) -> tuple[float, list[AlertDraft]]:
    """End ``turn`` with an agent reply at ``reply_ts``.

    Returns the response time and the alerts it implies: every timed threshold
    that passed before the reply and has not fired yet (stamped at the threshold,
    in event time), then ``reply.slow`` if the reply came after the deadline.
    ``agent_id`` is the conversation's assignee when the reply is processed. With
    ``hours``, the response time is business time.
    """
    response = max(0.0, elapsed(turn.started_at, reply_ts, hours))
    drafts = [
        _timed(turn, kind, turn.threshold(kind), agent_id, hours)
        for kind in TIMED
        if kind not in fired and turn.threshold(kind) < reply_ts
    ]
    if response > turn.deadline_seconds:
        drafts.append(
            AlertDraft(
                AlertKind.SLOW,
                turn.message_id,
                agent_id,
                turn.deadline_seconds,
                response,
                reply_ts,
                response,
            )
        )
    return response, drafts


def next_due_at(turn: Turn, fired: frozenset[AlertKind]) -> float | None:
    """When the turn's next timed alert comes due (None once all have fired)."""
    pending = [turn.threshold(kind) for kind in TIMED if kind not in fired]
    return min(pending) if pending else None


def forbidden_phrase(text: str, settings: Thresholds) -> str | None:
    """The first forbidden phrase in one clause of an agent's ``text`` (after the
    matcher's normalisation, allowed phrases taken out), or None."""
    return has_phrase(text, settings.forbidden_phrases, settings.allowed_phrases)
