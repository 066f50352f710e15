"""People's accounts (DESIGN.md section 11): passwords hashed with argon2id off the event
loop, the password rule, and signing in with a sliding-window limit on failures.

The limit counts failures per username in the database, so every process shares it; a
wrong password and an unknown user take the same time (a dummy hash is verified) and get
the same answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import argon2
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.errors import TooManyRequests, Unauthorized
from bot.settings import AccountsSettings
from storage import users
from storage.users import User

T = TypeVar("T")

#: argon2id with RFC 9106's second recommended option (t=3, 64 MiB, p=4), the library's
#: default; BENCHMARKS.md gives the time per hash.
HASHER = PasswordHasher()
_DUMMY = HASHER.hash("replywatch: an account that does not exist")


def _lower_priority() -> None:
    """Hashing threads yield the CPU to the event loop's thread (Linux: niceness is per
    thread, and argon2's lane threads inherit it)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


#: Two hashes at a time at most, at a lower priority: a burst of sign-ins waits its
#: turn instead of starving the event loop (BENCHMARKS.md: the loop's lag during 50).
_HASHING = ThreadPoolExecutor(
    2, thread_name_prefix="replywatch-argon2", initializer=_lower_priority
)


async def _hashing(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_HASHING, fn, *args)


async def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (computed in a hashing thread)."""
    return await _hashing(HASHER.hash, password)


async def password_matches(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (a missing hash verifies a dummy and fails)."""

    def verify() -> bool:
        try:
            return HASHER.verify(stored or _DUMMY, password) and stored is not None
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False

    return await _hashing(verify)


def password_problems(password: str, user_id: str, settings: AccountsSettings) -> list[str]:
    """What is wrong with a new password (empty: nothing)."""
    problems = []
    if len(password) < settings.min_password_length:
        problems.append(f"at least {settings.min_password_length} characters")
    if password.strip() == "" or len(set(password)) == 1:
        problems.append("not one character repeated")
    if password.lower() == user_id.lower():
        problems.append("not the sign-in name")
    if len(password) > 1024:
        problems.append("at most 1024 characters")
    return problems


class SignIn:
    """Checks a username and password, counting failures per username."""

    def __init__(self, engine: AsyncEngine, settings: AccountsSettings) -> None:
        self._engine = engine
        self._settings = settings

    async def check(self, username: str, password: str) -> User:
        """The active account these credentials open; 401 (the same for an unknown user,
        a wrong password or a deactivated account) or 429 with ``Retry-After``."""
        now = time.time()
        window = self._settings.failure_window_seconds
        failures = await users.failures_since(self._engine, username, now - window)
        if len(failures) >= self._settings.max_failed_logins:
            wait = failures[-self._settings.max_failed_logins] + window - now
            raise TooManyRequests(
                "too many failed sign-ins for this name: wait and try again",
                {"retry_after_seconds": math.ceil(max(wait, 1))},
                headers={"Retry-After": str(math.ceil(max(wait, 1)))},
            )
        found = await users.password_hash(self._engine, username)
        user, stored = found if found is not None else (None, None)
        matches = await password_matches(stored, password)
        if user is None or not matches or not user.active:
            await users.record_failure(self._engine, username, now, now - window)
            raise Unauthorized("unknown user or wrong password")
        if failures:
            await users.clear_failures(self._engine, username)
        return user
