"""Customer turns inside the ingest transaction: start, end, and the alerts a
late reply or a forbidden phrase implies (the rules are ``monitors.rules``).

One tracker serves one group of events. It loads the open turns of the group's
conversations up front, keeps every change in memory while the events are
applied in order, and writes new and changed turns in two statements at the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from monitors import rules
from monitors.events import ChatEvent, EventType, SenderRole
from monitors.rules import AlertDraft, AlertKind, Thresholds
from storage import loadbook
from storage.alerts import Located
from storage.kpi import rollups
from storage.state import ConversationState, turn_from_row
from storage.tables import CONVERSATIONS, TURNS

_FIRED_COLUMNS = {
    AlertKind.WARNING: "warned",
    AlertKind.OVERDUE: "overdue",
    AlertKind.UNANSWERED: "unanswered",
}


@dataclass(frozen=True, slots=True)
class Resolved:
    """Alerts the turn's agent was shown that a reply has now answered."""

    message_id: str
    kinds: tuple[AlertKind, ...]
    response_seconds: float


@dataclass
class TrackedTurn:
    """A turn as the group sees it (``pk`` is None until it is inserted)."""

    pk: int | None
    conversation_pk: int
    channel: str
    turn: rules.Turn
    fired: frozenset[AlertKind] = frozenset()
    ended_at: float | None = None
    end_reason: str | None = None
    reply_message_id: str | None = None
    replied_by: str | None = None
    response_seconds: float | None = None
    opening: bool = False
    escalate_at: float | None = None
    escalations: int = 0
    dirty: bool = field(default=False, repr=False)

    def row(self) -> dict[str, Any]:
        """Column values."""
        turn = self.turn
        pending = None
        if self.ended_at is None:
            timed = rules.next_due_at(turn, self.fired)
            pending = min((t for t in (timed, self.escalate_at) if t is not None), default=None)
        return {
            "conversation_pk": self.conversation_pk,
            "channel": self.channel,
            "message_id": turn.message_id,
            "started_at": turn.started_at,
            "agent_id": turn.agent_id,
            "concurrency": turn.concurrency,
            "deadline_seconds": turn.deadline_seconds,
            "warn_at": turn.warn_at,
            "due_at": turn.due_at,
            "unanswered_at": turn.unanswered_at,
            "next_due_at": pending,
            **{column: kind in self.fired for kind, column in _FIRED_COLUMNS.items()},
            "ended_at": self.ended_at,
            "end_reason": self.end_reason,
            "reply_message_id": self.reply_message_id,
            "replied_by": self.replied_by,
            "response_seconds": self.response_seconds,
            "opening": self.opening,
            "escalate_at": self.escalate_at,
            "escalations": self.escalations,
        }


def tracked_from_row(row: Any) -> TrackedTurn:
    """A stored turn."""
    turn = turn_from_row(row)
    fired = frozenset(k for k, column in _FIRED_COLUMNS.items() if getattr(row, column))
    return TrackedTurn(
        row.id,
        row.conversation_pk,
        row.channel,
        turn,
        fired,
        row.ended_at,
        row.end_reason,
        row.reply_message_id,
        row.replied_by,
        row.response_seconds,
        row.opening,
        row.escalate_at,
        row.escalations,
    )


class TurnTracker:
    """Applies the turn rules to a group of events, in order."""

    def __init__(
        self,
        conn: Connection,
        settings: Thresholds,
        conversations: Iterable[ConversationState],
    ) -> None:
        self._conn = conn
        self._settings = settings
        self._open: dict[int, TrackedTurn] = {}
        self._all: list[TrackedTurn] = []
        self._agents: dict[str, dict[int, tuple[bool, float | None]]] = {}
        #: By the key of the reply that answered them: alerts shown before that reply.
        self.resolved: dict[tuple[str, str], Resolved] = {}
        #: The earliest threshold of the turns this group started (None when none).
        self.next_due_at: float | None = None
        open_pks = [c.open_turn_pk for c in conversations if c.open_turn_pk is not None]
        if open_pks:
            for row in conn.execute(select(TURNS).where(TURNS.c.id.in_(open_pks))):
                tracked = tracked_from_row(row)
                self._open[tracked.conversation_pk] = tracked
                self._all.append(tracked)

    def observe(
        self,
        event: ChatEvent,
        before: ConversationState,
        after: ConversationState,
        group: dict[Any, ConversationState],
    ) -> list[Located]:
        """Apply one stored event; the alerts it implies."""
        if event.type is EventType.CLOSED and not after.is_open:
            self._end(after.pk, event, "closed")
            return []
        if event.type is not EventType.MESSAGE:
            return []
        if event.sender_role is SenderRole.CUSTOMER:
            if after.pk not in self._open:
                self._start(event, after, group, before.opens_with_next_customer_message)
            return []
        if event.sender_role is not SenderRole.AGENT:
            return []
        drafts = self._reply(event, after)
        phrase = rules.forbidden_phrase(event.text or "", self._settings)
        if phrase is not None:
            drafts.append(
                AlertDraft(AlertKind.FORBIDDEN, event.id, event.sender_id, None, None, event.ts)
            )
        return [Located(d, after.pk, after.external_id, after.channel) for d in drafts]

    def _start(
        self,
        event: ChatEvent,
        conv: ConversationState,
        group: dict[Any, ConversationState],
        opening: bool,
    ) -> None:
        agent = conv.assignee_id
        concurrency = self._concurrency(agent, event.ts, group) if agent else 0
        turn = rules.start_turn(event.id, event.ts, agent, concurrency, self._settings)
        first = min(turn.warn_at, turn.escalate_at or turn.warn_at)
        if self.next_due_at is None or first < self.next_due_at:
            self.next_due_at = first
        tracked = TrackedTurn(
            None,
            conv.pk,
            conv.channel,
            turn,
            opening=opening,
            escalate_at=turn.escalate_at,
            dirty=True,
        )
        self._open[conv.pk] = tracked
        self._all.append(tracked)

    def _reply(self, event: ChatEvent, conv: ConversationState) -> list[AlertDraft]:
        tracked = self._open.get(conv.pk)
        # An agent message stamped before the turn began was not an answer to it.
        if tracked is None or event.ts < tracked.turn.started_at:
            return []
        response, drafts = rules.end_turn(
            tracked.turn, event.ts, tracked.fired, conv.assignee_id, self._settings.hours
        )
        shown = sorted(tracked.fired & rules.FOR_AGENT)
        if shown:
            self.resolved[event.key] = Resolved(tracked.turn.message_id, tuple(shown), response)
        self._end(conv.pk, event, "reply", response)
        tracked.fired |= {d.kind for d in drafts}
        return drafts

    def _end(
        self, conversation_pk: int, event: ChatEvent, reason: str, response: float | None = None
    ) -> None:
        tracked = self._open.pop(conversation_pk, None)
        if tracked is None:
            return
        tracked.ended_at, tracked.end_reason, tracked.dirty = event.ts, reason, True
        if reason == "reply":
            tracked.reply_message_id, tracked.replied_by = event.id, event.sender_id
            tracked.response_seconds = response

    def _concurrency(self, agent: str, t: float, group: dict[Any, ConversationState]) -> int:
        stored = self._agent_conversations(agent, t)
        in_group = {c.pk: c for c in group.values()}
        facts: list[tuple[str | None, bool, float | None]] = [
            (agent, is_open, last) for pk, (is_open, last) in stored.items() if pk not in in_group
        ]
        facts += [(c.assignee_id, c.is_open, c.last_customer_at) for c in in_group.values()]
        return rules.concurrency_at(t, agent, facts, self._settings)

    def _agent_conversations(self, agent: str, t: float) -> dict[int, tuple[bool, float | None]]:
        if agent not in self._agents:
            since = t - 2 * self._settings.active_window_seconds
            kept = loadbook.book(self._conn)
            if kept is not None:
                held = kept.conversations(agent, since)
                self._agents[agent] = {pk: (True, last) for pk, last in held.items()}
                return self._agents[agent]
            query = select(
                CONVERSATIONS.c.id, CONVERSATIONS.c.status, CONVERSATIONS.c.last_customer_at
            ).where(
                CONVERSATIONS.c.assignee_id == agent,
                CONVERSATIONS.c.status == "open",
                CONVERSATIONS.c.last_customer_at >= since,
            )
            self._agents[agent] = {
                r.id: (r.status == "open", r.last_customer_at) for r in self._conn.execute(query)
            }
        return self._agents[agent]

    def open_turn(self, conversation_pk: int) -> rules.Turn | None:
        """The conversation's open turn as the group left it (None: nobody is waiting)."""
        tracked = self._open.get(conversation_pk)
        return None if tracked is None else tracked.turn

    def flush(self) -> dict[int, int | None]:
        """Write new and changed turns, and the KPI rollups' difference; each touched
        conversation's open turn id."""
        new = [t for t in self._all if t.pk is None]
        changed = [t for t in self._all if t.dirty and t.pk is not None]
        new_rows, changed_rows = [t.row() for t in new], [t.row() for t in changed]
        self._keep_rollups(new_rows + changed_rows)
        if new:
            inserted = self._conn.execute(
                TURNS.insert().returning(TURNS.c.id, TURNS.c.channel, TURNS.c.message_id),
                new_rows,
            )
            ids = {(r.channel, r.message_id): int(r.id) for r in inserted}
            for tracked in new:
                tracked.pk = ids[(tracked.channel, tracked.turn.message_id)]
        if changed:
            self._conn.execute(
                update(TURNS)
                .where(TURNS.c.id == bindparam("turn_pk"))
                .values({c: bindparam(f"new_{c}") for c in changed_rows[0]}),
                [
                    {"turn_pk": t.pk, **{f"new_{c}": v for c, v in row.items()}}
                    for t, row in zip(changed, changed_rows, strict=True)
                ],
            )
        result: dict[int, int | None] = {t.conversation_pk: None for t in self._all}
        result.update({pk: t.pk for pk, t in self._open.items()})
        return result

    def _keep_rollups(self, rows: list[dict[str, Any]]) -> None:
        """Add to the KPI rollups (when they are kept) the difference these turn rows
        make to their conversations."""
        zone = rollups.timezone(self._conn) if rows else None
        if zone is None:
            return
        # Only turns from the conversation's earliest changed one on can change its rollup.
        since: dict[int, float] = {}
        for row in rows:
            pk = row["conversation_pk"]
            since[pk] = min(row["started_at"], since.get(pk, row["started_at"]))
        before = rollups.chains(self._conn, since)
        after = {pk: dict(chain) for pk, chain in before.items()}
        for row in rows:
            after[row["conversation_pk"]][(row["channel"], row["message_id"])] = rollups.facts(row)
        starts = rollups.earlier(self._conn, since, zone)
        rollups.maintain(self._conn, zone, before, after, starts)
