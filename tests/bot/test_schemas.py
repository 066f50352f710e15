"""Integrations post events in the contract's shape; the gateway turns them into
typed events or explains, field by field, what is wrong."""

import json
from datetime import UTC, datetime

import pytest

from bot.schemas import EventValidationError, parse_events
from monitors.events import EventType, SenderRole

NOW = 1_800_000_000.0


def one(body: object) -> list[object]:
    return parse_events(body, now=NOW, max_events=10)  # type: ignore[return-value]


def test_a_customer_message_with_defaults() -> None:
    [event] = parse_events(
        {
            "id": "m1",
            "conversation_id": "c1",
            "sender": {"role": "customer", "id": "u1"},
            "text": "几天发货",
        },
        now=NOW,
        max_events=10,
    )
    assert event.type is EventType.MESSAGE
    assert event.channel == "api"
    assert event.sender_role is SenderRole.CUSTOMER
    assert event.ts == NOW == event.received_at


@pytest.mark.parametrize(
    ("ts", "expected"),
    [
        (NOW - 30, NOW - 30),
        ("2027-01-15T08:00:00Z", datetime(2027, 1, 15, 8, tzinfo=UTC).timestamp()),
        ("2027-01-15T16:00:00+08:00", datetime(2027, 1, 15, 8, tzinfo=UTC).timestamp()),
        ("2027-01-15T08:00:00", datetime(2027, 1, 15, 8, tzinfo=UTC).timestamp()),
    ],
)
def test_ts_accepts_epoch_seconds_and_iso_8601(ts: object, expected: float) -> None:
    now = datetime(2028, 1, 1, tzinfo=UTC).timestamp()
    [event] = parse_events(
        {"id": "s", "type": "agent.status", "agent_id": "a", "status": "online", "ts": ts},
        now=now,
        max_events=1,
    )
    assert event.ts == pytest.approx(expected)


def test_a_ts_in_the_future_is_clamped_to_the_server_clock() -> None:
    [event] = parse_events(
        {"id": "s", "type": "agent.status", "agent_id": "a", "status": "away", "ts": NOW + 3600},
        now=NOW,
        max_events=1,
    )
    assert event.ts == NOW


def fields(body: object) -> set[object]:
    with pytest.raises(EventValidationError) as error:
        parse_events(body, now=NOW, max_events=3)
    json.dumps(error.value.details)  # details are always JSON-safe
    return {item["field"] for item in error.value.details}


def test_per_field_errors() -> None:
    assert fields({"conversation_id": "c"}) >= {"id"}
    assert "sender.role" in fields(
        {"id": "m", "conversation_id": "c", "sender": {"role": "robot", "id": "x"}, "text": "t"}
    )
    assert "type" in fields({"id": "m", "type": "message.deleted", "conversation_id": "c"})
    assert "ts" in fields(
        {"id": "m", "type": "conversation.closed", "conversation_id": "c", "ts": float("nan")}
    )
    assert "id" in fields({"id": 12, "type": "conversation.closed", "conversation_id": "c"})
    assert "surprise" in fields(
        {"id": "m", "type": "conversation.closed", "conversation_id": "c", "surprise": 1}
    )
    assert "events.1.id" in fields(
        {"events": [{"id": "a", "type": "conversation.closed", "conversation_id": "c"}, {}]}
    )


@pytest.mark.parametrize(
    "body",
    [
        {"id": "m", "conversation_id": "c", "text": "no sender"},
        {"id": "m", "type": "conversation.assigned", "conversation_id": "c"},
        {"id": "m", "type": "agent.status", "agent_id": "a"},
        {"id": "m", "type": "conversation.closed"},
        {"events": []},
        [],
        "text",
    ],
)
def test_type_specific_requirements_and_shapes(body: object) -> None:
    with pytest.raises(EventValidationError):
        parse_events(body, now=NOW, max_events=3)


def test_batch_size_limit() -> None:
    body = {
        "events": [
            {"id": str(i), "type": "conversation.closed", "conversation_id": "c"} for i in range(4)
        ]
    }
    assert fields(body) == {"events"}
