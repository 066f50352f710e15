"""People in the tests: accounts added through the API and their sign-ins."""

from __future__ import annotations

from typing import Any

from tests.support.gateway import Gateway
from tests.support.tokens import ADMIN

#: A password that meets the default rule.
PASSWORD = "correct horse battery"


async def add_person(
    gateway: Gateway,
    user_id: str,
    role: str = "agent",
    password: str = PASSWORD,
    **fields: Any,
) -> dict[str, Any]:
    """An admin adds an account (must answer 201); the user object."""
    body = {"id": user_id, "name": user_id.title(), "role": role, "password": password, **fields}
    status, answer = await gateway.call("POST", "/api/v1/users", ADMIN, body)
    assert status == 201, answer
    return dict(answer)


async def sign_in(gateway: Gateway, username: str, password: str = PASSWORD) -> tuple[int, Any]:
    """POST /api/v1/session; the status and the answer."""
    async with gateway.http.post(
        f"{gateway.url}/api/v1/session", json={"username": username, "password": password}
    ) as resp:
        return resp.status, await resp.json()


async def session_token(gateway: Gateway, username: str, password: str = PASSWORD) -> str:
    """A signed-in person's bearer token (the sign-in must succeed)."""
    status, answer = await sign_in(gateway, username, password)
    assert status == 200, answer
    return str(answer["token"])
