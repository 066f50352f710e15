"""What the people API answers (DESIGN.md section 11): accounts, sign-ins, presence."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bot.http.answers import Answer, Iso

Role = Literal["agent", "group_leader", "supervisor", "qa", "admin"]


class User(Answer):
    """An account (never its password hash)."""

    id: str
    name: str
    role: Role
    groups: list[str]
    max_concurrency: int | None
    active: bool
    has_password: bool


class Users(Answer):
    """``GET /api/v1/users``: every account, by id."""

    users: list[User]


class SignedInUser(Answer):
    """Who signed in."""

    id: str
    name: str
    role: Role
    groups: list[str]


class Session(Answer):
    """``POST /api/v1/session``: the bearer token of a new sign-in."""

    token: str
    expires_at: Iso
    user: SignedInUser


class Transferred(Answer):
    """``POST /api/v1/conversations/{id}/transfer``: who has it now, or that it waits in
    the queue (202)."""

    conversation_id: str
    agent_id: str | None
    queued: bool


class TeamMember(Answer):
    """An agent as a transfer target."""

    agent_id: str
    name: str | None
    status: str
    concurrency: int
    max_concurrency: int
    groups: list[str]


class TeamPresence(Answer):
    """``GET /api/v1/agents/presence``: every agent's status, load and cap now."""

    items: list[TeamMember]
    at: Iso


class StatusSet(Answer):
    """``PUT /api/v1/agents/{id}/status``: the status now stored."""

    agent_id: str
    status: Literal["online", "away", "offline"]


class StatusChange(Answer):
    """One stored status (``reason``: ``connected``, ``disconnected``, ``chosen``,
    ``supervisor``, or what an integration said)."""

    status: str
    at: Iso
    reason: str | None


class StatusHistory(Answer):
    """``GET /api/v1/agents/{id}/status-history``."""

    agent_id: str
    from_: Iso = Field(alias="from")
    to: Iso
    status_before: str | None
    items: list[StatusChange]


class Spell(Answer):
    """A time in one status."""

    from_: Iso = Field(alias="from")
    to: Iso
    seconds: float


class AttendanceDay(Answer):
    """One day's attendance."""

    date: str
    online_seconds: float
    away_seconds: float
    away_over_5_minutes: list[Spell]
    stretches_over_8_hours: list[Spell]


class Attendance(Answer):
    """``GET /api/v1/agents/{id}/attendance``."""

    agent_id: str
    days: list[AttendanceDay]
