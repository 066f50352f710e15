"""What the quality loop's endpoints answer (DESIGN.md section 12): flags with their
review, appeal and history, merits and the monthly assessment."""

from __future__ import annotations

from typing import Literal

from bot.http.answers import Answer, Iso


class Review(Answer):
    """QA's verdict on a flag."""

    verdict: Literal["confirmed", "dismissed"]
    note: str | None
    points: float | None
    reviewer: str | None
    #: When the review was made (the contract's name; ``reviewed_at`` is the same time).
    at: Iso | None
    reviewed_at: Iso | None


class Appeal(Answer):
    """The agent's appeal (复核申请) and, once decided, its decision."""

    reason: str
    at: Iso
    decision: Literal["upheld", "overturned"] | None
    note: str | None
    points: float | None
    decided_by: str | None
    decided_at: Iso | None


class Step(Answer):
    """One step of a flag's history: who did what, when, why."""

    at: Iso
    actor: str
    action: Literal["flagged", "reviewed", "appealed", "upheld", "overturned"]
    verdict: str | None
    points: float | None
    note: str | None


class Flag(Answer):
    """A QA review item; ``review`` once reviewed, ``appeal`` once appealed."""

    id: int
    #: An alert kind (``reply.slow``...), ``qa.manual`` or ``qa.sample``.
    kind: str
    category: str | None
    category_name: str | None
    #: The points a confirmed review gives by default (the category's).
    default_points: float | None
    demerit: bool
    conversation_id: str
    message_id: str | None
    agent_id: str | None
    channel: str
    status: Literal["open", "reviewed", "appealed"]
    created_at: Iso
    created_by: str | None
    at: Iso | None
    note: str | None
    deadline_seconds: float | None
    waited_seconds: float | None
    response_seconds: float | None
    #: What the flag counts in the agent's score (null until reviewed).
    counted_points: float | None
    #: Until when the agent may appeal (a confirmed review not yet appealed).
    appeal_until: Iso | None
    review: Review | None = None
    appeal: Appeal | None = None
    history: list[Step] | None = None


class Flags(Answer):
    """``GET /api/v1/flags``."""

    items: list[Flag]
    next: str | None


class Entry(Answer):
    """A flag or merit counted in a month: where each point came from."""

    source: Literal["flag", "merit"]
    id: int
    at: Iso
    points: float
    reason: str | None
    #: The flag's category; null for merits.
    category: str | None
    category_name: str | None


class Assessment(Answer):
    """One agent's month: base + clamped points + adjustment, capped, graded."""

    agent_id: str
    month: str
    base: float
    deductions: float
    additions: float
    delta: float
    adjustment: float
    adjustment_reason: str | None
    score: float
    grade: str | None
    below_streak: int
    entries: list[Entry]


class Assessments(Answer):
    """``GET /api/v1/assessment``."""

    items: list[Assessment]


class Merit(Answer):
    """``POST /api/v1/merits``: praise recorded."""

    id: int
    agent_id: str
    points: float
    reason: str
    created_by: str
    at: Iso


class Complaint(Answer):
    """A complaint (投诉) with its three clocks; ``overdue`` lists the steps late now."""

    id: int
    conversation_id: str
    channel: str
    agent_id: str | None
    category: str
    summary: str
    status: Literal["open", "acknowledged", "resolved", "followed_up"]
    created_by: str
    created_at: Iso
    acknowledge_by: Iso
    resolve_by: Iso
    follow_up_by: Iso | None
    acknowledged_at: Iso | None
    acknowledged_by: str | None
    resolved_at: Iso | None
    resolved_by: str | None
    resolution: str | None
    followed_up_at: Iso | None
    followed_up_by: str | None
    follow_up_note: str | None
    overdue: list[Literal["acknowledge", "resolve", "follow_up"]]


class Complaints(Answer):
    """``GET /api/v1/complaints``."""

    items: list[Complaint]
    next: str | None
