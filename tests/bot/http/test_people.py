"""People sign in with their own accounts (DESIGN.md section 11): an admin adds them,
they sign in and out, wrong guesses are throttled, and a deactivated person is out at
once, on the API and on Socket.IO."""

from __future__ import annotations

import asyncio

import pytest
import socketio
from sqlalchemy import select

from bot.keys import SETTINGS
from bot.rooms import AGENT_NS, PATH
from storage.engine import make_engine
from storage.tables import USERS
from tests.support.gateway import Gateway, StartGateway
from tests.support.people import PASSWORD, add_person, session_token, sign_in
from tests.support.settings import make_settings
from tests.support.tokens import ADMIN, SUPERVISOR, auth


async def test_an_admin_adds_alice_who_signs_in_with_her_password(gateway: Gateway) -> None:
    created = await add_person(gateway, "alice.w", name="Alice Wang", groups=["presales"])
    assert created == {
        "id": "alice.w",
        "name": "Alice Wang",
        "role": "agent",
        "groups": ["presales"],
        "max_concurrency": None,
        "active": True,
        "has_password": True,
    }
    status, answer = await sign_in(gateway, "alice.w")
    assert status == 200
    assert answer["user"] == {
        "id": "alice.w",
        "name": "Alice Wang",
        "role": "agent",
        "groups": ["presales"],
    }
    assert answer["expires_at"].endswith("Z")
    # the token works as a bearer token: alice reads her own work queue
    status, mine = await gateway.call("GET", "/api/v1/conversations", answer["token"])
    assert status == 200
    assert mine["items"] == []
    status, _ = await gateway.call("GET", "/api/v1/conversations?agent_id=bob", answer["token"])
    assert status == 403  # she is an agent: her own conversations only
    status, me = await gateway.call("GET", "/api/v1/users", answer["token"])
    assert status == 403, me  # agents do not list accounts


async def test_the_password_is_stored_only_as_an_argon2id_hash(gateway: Gateway) -> None:
    await add_person(gateway, "bob")
    engine = make_engine(gateway.app[SETTINGS].storage.url)
    try:
        async with engine.connect() as conn:
            stored = (
                await conn.execute(select(USERS.c.password_hash).where(USERS.c.id == "bob"))
            ).scalar_one()
    finally:
        await engine.dispose()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


async def test_every_sign_in_is_a_new_session_and_signing_out_ends_it(gateway: Gateway) -> None:
    await add_person(gateway, "carol", role="supervisor")
    first, second = await session_token(gateway, "carol"), await session_token(gateway, "carol")
    assert first != second
    status, _ = await gateway.call("GET", "/api/v1/users", first)
    assert status == 200
    async with gateway.http.delete(f"{gateway.url}/api/v1/session", headers=auth(first)) as r:
        assert r.status == 204
    status, _ = await gateway.call("GET", "/api/v1/users", first)
    assert status == 401
    status, _ = await gateway.call("GET", "/api/v1/users", second)
    assert status == 200  # the other sign-in is untouched


async def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(gateway: Gateway) -> None:
    await add_person(gateway, "dave")
    wrong = await sign_in(gateway, "dave", "not his password")
    unknown = await sign_in(gateway, "nobody", "not his password")
    assert wrong == unknown
    assert wrong[0] == 401


async def test_after_too_many_failures_even_the_right_password_waits(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url, accounts={"max_failed_logins": 3}))
    await add_person(gateway, "erin")
    for _ in range(3):
        assert (await sign_in(gateway, "erin", "guess guess guess"))[0] == 401
    async with gateway.http.post(
        f"{gateway.url}/api/v1/session", json={"username": "erin", "password": PASSWORD}
    ) as resp:
        assert resp.status == 429
        assert 1 <= int(resp.headers["Retry-After"]) <= 900
    # another name is not affected
    await add_person(gateway, "frank")
    assert (await sign_in(gateway, "frank"))[0] == 200


async def test_the_window_slides_and_a_success_resets_the_count(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    settings = make_settings(
        sqlite_url, accounts={"max_failed_logins": 2, "failure_window_seconds": 0.5}
    )
    gateway = await start_gateway(settings)
    await add_person(gateway, "gina")
    for _ in range(2):
        assert (await sign_in(gateway, "gina", "guess guess guess"))[0] == 401
    assert (await sign_in(gateway, "gina"))[0] == 429
    await asyncio.sleep(0.6)
    assert (await sign_in(gateway, "gina"))[0] == 200
    assert (await sign_in(gateway, "gina", "guess guess guess"))[0] == 401
    assert (await sign_in(gateway, "gina"))[0] == 200


async def test_a_weak_password_is_refused_with_the_rule(gateway: Gateway) -> None:
    body = {"id": "hank", "name": "Hank", "role": "agent", "password": "short"}
    status, answer = await gateway.call("POST", "/api/v1/users", ADMIN, body)
    assert status == 400
    assert answer["details"] == [
        {"field": "password", "error": "Value error, the password must have at least 10 characters"}
    ]
    status, answer = await gateway.call("POST", "/api/v1/users", ADMIN, body | {"password": None})
    assert status == 400
    assert answer["details"][0]["field"] == "password"


async def test_every_problem_of_a_bad_account_is_listed(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    settings = make_settings(sqlite_url, accounts={"groups": ["presales", "aftersales"]})
    gateway = await start_gateway(settings)
    body = {
        "id": "Ivy Lee",
        "name": "Ivy",
        "role": "boss",
        "password": PASSWORD,
        "groups": ["nights", "presales"],
        "max_concurrency": 0,
    }
    status, answer = await gateway.call("POST", "/api/v1/users", ADMIN, body)
    assert status == 400
    assert sorted(d["field"] for d in answer["details"]) == [
        "groups",
        "id",
        "max_concurrency",
        "role",
    ]
    groups = next(d for d in answer["details"] if d["field"] == "groups")
    assert groups["error"] == ("Value error, unknown group(s) nights; known: presales, aftersales")


async def test_an_existing_id_is_a_conflict(gateway: Gateway) -> None:
    await add_person(gateway, "jack")
    body = {"id": "jack", "name": "Jack 2", "role": "qa", "password": PASSWORD}
    status, answer = await gateway.call("POST", "/api/v1/users", ADMIN, body)
    assert status == 409
    assert answer["details"] == {"id": "jack"}


async def test_supervisors_read_the_team_but_only_admins_change_it(gateway: Gateway) -> None:
    await add_person(gateway, "kim")
    status, answer = await gateway.call("GET", "/api/v1/users", SUPERVISOR)
    assert status == 200
    assert [u["id"] for u in answer["users"]] == ["kim"]
    body = {"id": "lee", "name": "Lee", "role": "agent", "password": PASSWORD}
    status, _ = await gateway.call("POST", "/api/v1/users", SUPERVISOR, body)
    assert status == 403
    status, _ = await gateway.call("PATCH", "/api/v1/users/kim", SUPERVISOR, {"name": "K"})
    assert status == 403


async def test_a_person_changes_their_own_password_and_nothing_else(gateway: Gateway) -> None:
    await add_person(gateway, "mia")
    await add_person(gateway, "ned")
    token = await session_token(gateway, "mia")
    other = await session_token(gateway, "mia")
    new = {"password": "a new long secret", "current_password": PASSWORD}
    status, answer = await gateway.call(
        "PATCH", "/api/v1/users/mia", token, new | {"role": "admin"}
    )
    assert status == 403, answer
    status, _ = await gateway.call("PATCH", "/api/v1/users/ned", token, new)
    assert status == 403
    wrong = new | {"current_password": "not it at all"}
    status, answer = await gateway.call("PATCH", "/api/v1/users/mia", token, wrong)
    assert status == 400
    assert answer["details"][0]["field"] == "current_password"
    status, _ = await gateway.call("PATCH", "/api/v1/users/mia", token, new)
    assert status == 200
    assert (await sign_in(gateway, "mia"))[0] == 401
    assert (await sign_in(gateway, "mia", "a new long secret"))[0] == 200
    # the session that changed it goes on; the other sign-in is over
    assert (await gateway.call("GET", "/api/v1/conversations", token))[0] != 401
    assert (await gateway.call("GET", "/api/v1/conversations", other))[0] == 401


async def test_deactivating_alice_ends_her_sessions_and_connections_at_once(
    gateway: Gateway,
) -> None:
    await add_person(gateway, "alice")
    token = await session_token(gateway, "alice")
    client = socketio.AsyncClient(reconnection=False)
    gone = asyncio.Event()
    client.on("disconnect", gone.set, namespace=AGENT_NS)
    await client.connect(
        gateway.url,
        namespaces=[AGENT_NS],
        auth={"token": token},
        transports=["websocket"],
        socketio_path=PATH,
        wait_timeout=5,
    )
    try:
        status, answer = await gateway.call(
            "PATCH", "/api/v1/users/alice", ADMIN, {"active": False}
        )
        assert status == 200
        assert answer["active"] is False
        await asyncio.wait_for(gone.wait(), 5)
        assert (await gateway.call("GET", "/api/v1/conversations", token))[0] == 401
        assert (await sign_in(gateway, "alice"))[0] == 401
        with pytest.raises(socketio.exceptions.ConnectionError):
            await socketio.AsyncClient(reconnection=False).connect(
                gateway.url,
                namespaces=[AGENT_NS],
                auth={"token": token},
                transports=["websocket"],
                socketio_path=PATH,
                wait_timeout=5,
            )
    finally:
        await client.disconnect()
    # her history stays: she is listed, inactive
    status, answer = await gateway.call("GET", "/api/v1/users", ADMIN)
    assert [u["active"] for u in answer["users"] if u["id"] == "alice"] == [False]


async def test_the_last_admin_cannot_lock_everyone_out(gateway: Gateway) -> None:
    await add_person(gateway, "root", role="admin")
    status, answer = await gateway.call("PATCH", "/api/v1/users/root", ADMIN, {"active": False})
    assert status == 409, answer
    status, _ = await gateway.call("PATCH", "/api/v1/users/root", ADMIN, {"role": "qa"})
    assert status == 409
    await add_person(gateway, "root2", role="admin")
    status, _ = await gateway.call("PATCH", "/api/v1/users/root", ADMIN, {"role": "qa"})
    assert status == 200


async def test_roster_agents_become_accounts_without_a_password(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    roster = [{"id": "olga", "name": "Olga", "group": "presales", "max_concurrency": 3}]
    gateway = await start_gateway(make_settings(sqlite_url, agents=roster))
    status, answer = await gateway.call("GET", "/api/v1/users", ADMIN)
    assert answer["users"] == [
        {
            "id": "olga",
            "name": "Olga",
            "role": "agent",
            "groups": ["presales"],
            "max_concurrency": 3,
            "active": True,
            "has_password": False,
        }
    ]
    assert (await sign_in(gateway, "olga", "anything at all"))[0] == 401
    # an admin gives her a password
    status, _ = await gateway.call("PATCH", "/api/v1/users/olga", ADMIN, {"password": PASSWORD})
    assert status == 200
    assert (await sign_in(gateway, "olga"))[0] == 200


async def test_a_bad_sign_in_body_is_a_400(gateway: Gateway) -> None:
    for body in ({}, {"username": "x"}, {"username": "", "password": "p"}, [1]):
        async with gateway.http.post(f"{gateway.url}/api/v1/session", json=body) as resp:
            assert resp.status == 400, body
            assert (await resp.json())["error"] == "invalid sign-in"
    async with gateway.http.delete(f"{gateway.url}/api/v1/session", headers=auth(ADMIN)) as r:
        assert r.status == 409  # a configured token has no session to end


async def test_a_null_field_is_refused_except_the_capacity(gateway: Gateway) -> None:
    await add_person(gateway, "pat", max_concurrency=4)
    status, answer = await gateway.call(
        "PATCH", "/api/v1/users/pat", ADMIN, {"name": None, "active": None}
    )
    assert status == 400
    assert answer["details"] == [
        {"field": None, "error": "Value error, may not be null: active, name"}
    ]
    status, answer = await gateway.call(
        "PATCH", "/api/v1/users/pat", ADMIN, {"max_concurrency": None}
    )
    assert status == 200
    assert answer["max_concurrency"] is None  # back to routing.max_concurrency
    status, _ = await gateway.call("PATCH", "/api/v1/users/nobody", ADMIN, {"name": "X"})
    assert status == 404
