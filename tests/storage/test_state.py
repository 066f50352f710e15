"""Conversation state follows the contract: customers reopen, agents claim
unassigned chats, bots change nothing."""

from monitors.events import ChatEvent, EventType, SenderRole
from storage.state import ConversationState, apply

BASE = ConversationState(
    pk=1,
    channel="api",
    external_id="c1",
    status="open",
    assignee_id=None,
    customer_id=None,
    opened_at=100.0,
    closed_at=None,
    last_customer_at=None,
    last_agent_at=None,
)


def message(role: SenderRole, sender: str, ts: float) -> ChatEvent:
    return ChatEvent(
        id=f"{sender}{ts}",
        channel="api",
        type=EventType.MESSAGE,
        ts=ts,
        received_at=ts,
        conversation_id="c1",
        sender_role=role,
        sender_id=sender,
        text="x",
    )


def control(kind: EventType, ts: float, agent: str | None = None) -> ChatEvent:
    return ChatEvent(
        id=f"{kind}{ts}",
        channel="api",
        type=kind,
        ts=ts,
        received_at=ts,
        conversation_id="c1",
        agent_id=agent,
    )


def test_a_customer_message_leaves_the_conversation_unassigned() -> None:
    after = apply(BASE, message(SenderRole.CUSTOMER, "u1", 101))
    assert after.assignee_id is None
    assert after.customer_id == "u1"
    assert after.last_customer_at == 101


def test_an_agent_message_claims_an_unassigned_conversation_only() -> None:
    claimed = apply(BASE, message(SenderRole.AGENT, "alice", 102))
    assert claimed.assignee_id == "alice"
    kept = apply(claimed, message(SenderRole.AGENT, "bob", 103))
    assert kept.assignee_id == "alice"
    assert kept.last_agent_at == 103


def test_bot_messages_change_nothing() -> None:
    assert apply(BASE, message(SenderRole.BOT, "bot", 104)) == BASE


def test_assignment_close_and_reopen() -> None:
    assigned = apply(BASE, control(EventType.ASSIGNED, 105, "bob"))
    assert assigned.assignee_id == "bob"
    closed = apply(assigned, control(EventType.CLOSED, 106))
    assert (closed.status, closed.closed_at) == ("closed", 106)
    assert apply(closed, control(EventType.CLOSED, 107)) == closed
    reopened = apply(closed, message(SenderRole.CUSTOMER, "u1", 108))
    assert (reopened.status, reopened.opened_at, reopened.closed_at) == ("open", 108, None)
    assert reopened.assignee_id == "bob"


def test_late_events_never_move_times_backwards() -> None:
    later = apply(BASE, message(SenderRole.CUSTOMER, "u1", 200))
    assert apply(later, message(SenderRole.CUSTOMER, "u1", 150)).last_customer_at == 200
