"""What the people API answers (DESIGN.md section 11): accounts, sign-ins, presence."""

from __future__ import annotations

from typing import Literal

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
