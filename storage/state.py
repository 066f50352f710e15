"""Stored rows as the domain sees them: a conversation's state and its transitions (a pure
function of state and event), an open turn."""

from __future__ import annotations

from typing import Any, NamedTuple

from monitors.events import ChatEvent, EventType, SenderRole
from monitors.rules import Turn


class ConversationState(NamedTuple):
    """The stored state of one conversation (immutable; a NamedTuple because the
    ingest path builds and updates one per event, and ``_replace`` is cheap)."""

    pk: int
    channel: str
    external_id: str
    status: str
    assignee_id: str | None
    customer_id: str | None
    opened_at: float
    closed_at: float | None
    last_customer_at: float | None
    last_agent_at: float | None
    open_turn_pk: int | None = None
    group_name: str | None = None
    #: Since when it waits in the routing queue (None: not queued).
    queued_at: float | None = None

    @classmethod
    def from_row(cls, row: Any) -> ConversationState:
        """Build from a ``conversations`` row."""
        return cls(
            pk=row.id,
            channel=row.channel,
            external_id=row.external_id,
            status=row.status,
            assignee_id=row.assignee_id,
            customer_id=row.customer_id,
            opened_at=row.opened_at,
            closed_at=row.closed_at,
            last_customer_at=row.last_customer_at,
            last_agent_at=row.last_agent_at,
            open_turn_pk=row.open_turn_pk,
            group_name=row.group_name,
            queued_at=row.queued_at,
        )

    @property
    def is_open(self) -> bool:
        """Whether the conversation is open."""
        return self.status == "open"

    @property
    def opens_with_next_customer_message(self) -> bool:
        """Whether a customer message now opens (or reopens) the conversation: it is
        closed, or no customer has written since it was opened."""
        return not self.is_open or self.last_customer_at is None


def _later(current: float | None, ts: float) -> float:
    return ts if current is None else max(current, ts)


def apply(state: ConversationState, event: ChatEvent) -> ConversationState:
    """The conversation after ``event``, per the contract (docs/rules.md, docs/http-api.md).

    A customer message reopens a closed conversation; an agent message assigns an
    unassigned conversation to its sender; bot messages change nothing.
    """
    if event.type is EventType.ASSIGNED:
        return state._replace(assignee_id=event.agent_id, queued_at=None)
    if event.type is EventType.CLOSED:
        if not state.is_open:
            return state
        return state._replace(status="closed", closed_at=event.ts)
    if event.type is not EventType.MESSAGE:
        return state
    if event.sender_role is SenderRole.CUSTOMER:
        reopened = (
            state._replace(status="open", opened_at=event.ts, closed_at=None)
            if not state.is_open
            else state
        )
        return reopened._replace(
            customer_id=reopened.customer_id or event.sender_id,
            last_customer_at=_later(reopened.last_customer_at, event.ts),
            group_name=event.group or reopened.group_name,
        )
    if event.sender_role is SenderRole.AGENT:
        return state._replace(
            assignee_id=state.assignee_id or event.sender_id,
            last_agent_at=_later(state.last_agent_at, event.ts),
        )
    return state


def turn_from_row(row: Any) -> Turn:
    """The rules' view of a ``turns`` row (also of a row joined with its conversation)."""
    return Turn(
        message_id=row.message_id,
        started_at=row.started_at,
        agent_id=row.agent_id,
        concurrency=row.concurrency,
        deadline_seconds=row.deadline_seconds,
        warn_at=row.warn_at,
        due_at=row.due_at,
        unanswered_at=row.unanswered_at,
        escalate_at=row.escalate_at,
    )
