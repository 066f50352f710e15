"""Signing in to the console: a name and password, or a token, at ``/`` opens a session
cookie that is signed,
HttpOnly, SameSite=Strict and expiring; each role lands on its own page; signing out
ends the session everywhere; writes need the session's CSRF token; pages carry a CSP."""

from __future__ import annotations

import hashlib
import json
from http.cookies import SimpleCookie
from pathlib import Path

import aiohttp
import pytest

from bot.console import i18n
from tests.support.gateway import Gateway, StartGateway
from tests.support.people import PASSWORD, add_person
from tests.support.settings import make_settings
from tests.support.tokens import ADMIN, ALICE, INTEGRATION, QA, SUPERVISOR

VENDOR = Path(__file__).resolve().parents[3] / "bot" / "console" / "static" / "vendor"


async def sign_in(gateway: Gateway, token: str, **headers: str) -> aiohttp.ClientResponse:
    """POST the sign-in form (no redirects followed)."""
    async with gateway.http.post(
        f"{gateway.url}/", data={"token": token}, allow_redirects=False, headers=headers
    ) as resp:
        await resp.read()
        return resp


def session_cookie(resp: aiohttp.ClientResponse) -> str:
    jar: SimpleCookie = SimpleCookie()
    jar.load(resp.headers["Set-Cookie"])
    return jar["rw_session"].value


async def open_page(gateway: Gateway, path: str, cookie: str | None) -> aiohttp.ClientResponse:
    cookies = {"rw_session": cookie} if cookie else {}
    async with (
        aiohttp.ClientSession(cookies=cookies) as http,
        http.get(f"{gateway.url}{path}", allow_redirects=False) as resp,
    ):
        await resp.read()
        return resp


async def test_the_sign_in_form_asks_for_a_name_and_password_or_a_token(
    gateway: Gateway,
) -> None:
    async with gateway.http.get(f"{gateway.url}/") as resp:
        page = await resp.text()
    assert resp.status == 200
    assert '<input id="username" name="username"' in page
    assert '<input id="password" name="password" type="password"' in page
    assert '<input id="token" name="token"' in page
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("token", "home"),
    [
        (ALICE, "/console/agent"),
        (SUPERVISOR, "/console/supervisor"),
        ("test-admin-token", "/console/supervisor"),
        (QA, "/console/qa"),
    ],
)
async def test_each_role_lands_on_its_home_page(gateway: Gateway, token: str, home: str) -> None:
    resp = await sign_in(gateway, token)
    assert (resp.status, resp.headers["Location"]) == (303, home)
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Max-Age=43200" in cookie  # console.session_hours = 12
    assert (await open_page(gateway, home, session_cookie(resp))).status == 200


async def test_unknown_integration_and_empty_tokens_are_refused(gateway: Gateway) -> None:
    for token, status, text in [
        ("not-a-token", 401, "Unknown token"),
        (INTEGRATION, 403, "Integration tokens cannot sign in"),
        ("", 400, "Enter your name and password, or a token"),
    ]:
        async with gateway.http.post(
            f"{gateway.url}/", data={"token": token}, allow_redirects=False
        ) as resp:
            assert (resp.status, "Set-Cookie" in resp.headers) == (status, False)
            assert text in await resp.text()


async def test_a_sign_in_posted_from_another_site_is_refused(gateway: Gateway) -> None:
    resp = await sign_in(gateway, ALICE, Origin="https://evil.example")
    assert resp.status == 403
    assert "Set-Cookie" not in resp.headers


async def test_pages_without_a_valid_session_go_to_sign_in(gateway: Gateway) -> None:
    good = session_cookie(await sign_in(gateway, ALICE))
    forged = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    for cookie in (None, forged, "garbage", good.split(".")[0]):
        resp = await open_page(gateway, "/console/agent", cookie)
        assert (resp.status, resp.headers["Location"]) == (302, "/")


async def test_an_agent_session_cannot_open_other_roles_pages_or_endpoints(
    gateway: Gateway,
) -> None:
    cookie = session_cookie(await sign_in(gateway, ALICE))
    for path in ("/console/supervisor", "/console/qa", "/console/library", "/console/reports"):
        assert (await open_page(gateway, path, cookie)).status == 403
    async with aiohttp.ClientSession(cookies={"rw_session": cookie}) as http:
        async with http.get(f"{gateway.url}/api/v1/reports/file?period=day") as resp:
            assert resp.status == 403
        async with http.get(f"{gateway.url}/api/v1/conversations") as resp:
            assert resp.status == 200  # the agent's own list


async def test_signing_out_ends_the_session_for_good(gateway: Gateway) -> None:
    cookie = session_cookie(await sign_in(gateway, ALICE))
    page = await open_page(gateway, "/console/agent", cookie)
    assert page.status == 200
    async with aiohttp.ClientSession(cookies={"rw_session": cookie}) as http:
        async with http.get(f"{gateway.url}/console/agent") as resp:
            csrf = json.loads(
                (await resp.text()).split('id="rw-config">')[1].split("</script>")[0]
            )["csrf"]
        async with http.post(
            f"{gateway.url}/signout", data={"csrf": "wrong"}, allow_redirects=False
        ) as resp:
            assert resp.status == 403
        async with http.post(
            f"{gateway.url}/signout", data={"csrf": csrf}, allow_redirects=False
        ) as resp:
            assert (resp.status, resp.headers["Location"]) == (303, "/")
    # The cookie a thief copied before the sign-out is worth nothing now.
    assert (await open_page(gateway, "/console/agent", cookie)).status == 302


async def test_cookie_writes_need_the_sessions_csrf_token(gateway: Gateway) -> None:
    cookie = session_cookie(await sign_in(gateway, ALICE))
    async with aiohttp.ClientSession(cookies={"rw_session": cookie}) as http:
        async with http.get(f"{gateway.url}/console/agent") as resp:
            config = json.loads(
                (await resp.text()).split('id="rw-config">')[1].split("</script>")[0]
            )
        check = f"{gateway.url}/api/v1/replies/check"
        async with http.post(check, json={"text": "这个不可以"}) as resp:
            assert resp.status == 403
            assert "CSRF" in (await resp.json())["error"]
        headers = {"X-CSRF-Token": config["csrf"]}
        async with http.post(check, json={"text": "这个不可以"}, headers=headers) as resp:
            assert (resp.status, await resp.json()) == (200, {"phrase": "不可以"})


async def test_the_page_speaks_the_browsers_language_and_switches(gateway: Gateway) -> None:
    async with gateway.http.get(
        f"{gateway.url}/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}
    ) as r:
        assert "使用你的账号和密码登录" in await r.text()
    async with gateway.http.get(f"{gateway.url}/", headers={"Accept-Language": "en-GB"}) as r:
        assert "Sign in with your name and password" in await r.text()
    # unsafe=True: aiohttp's jar otherwise keeps no cookies for an IP address like 127.0.0.1
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(f"{gateway.url}/lang/zh-CN?next=/", allow_redirects=True) as r:
            assert "使用你的账号和密码登录" in await r.text()
        async with http.get(f"{gateway.url}/lang/xx") as r:
            assert r.status == 404


def test_both_dictionaries_hold_every_string() -> None:
    english, chinese = i18n.dictionary("en"), i18n.dictionary("zh-CN")
    assert set(english) == set(chinese)
    assert all(value.strip() for value in [*english.values(), *chinese.values()])


def test_the_vendored_socketio_client_is_the_recorded_one() -> None:
    [line] = [
        entry
        for entry in (VENDOR / "SOURCES").read_text().splitlines()
        if entry and not entry.startswith("#")
    ]
    name, package, digest = line.split()
    assert package.startswith("socket.io-client@")
    assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest


async def password_form(gateway: Gateway, username: str, password: str) -> aiohttp.ClientResponse:
    """POST the sign-in form with a name and password (no redirects followed)."""
    form = {"username": username, "password": password, "token": ""}
    async with gateway.http.post(f"{gateway.url}/", data=form, allow_redirects=False) as resp:
        await resp.read()
        return resp


async def test_alice_signs_in_with_her_name_and_password(gateway: Gateway) -> None:
    await add_person(gateway, "alice")
    resp = await password_form(gateway, "alice", PASSWORD)
    assert (resp.status, resp.headers["Location"]) == (303, "/console/agent")
    cookie = session_cookie(resp)
    assert (await open_page(gateway, "/console/agent", cookie)).status == 200
    again = session_cookie(await password_form(gateway, "alice", PASSWORD))
    assert again != cookie  # a new session at every sign-in
    # deactivated: her open page sends her back to sign in
    await gateway.call("PATCH", "/api/v1/users/alice", ADMIN, {"active": False})
    assert (await open_page(gateway, "/console/agent", cookie)).status == 302


async def test_a_wrong_password_then_too_many_are_said_plainly(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url, accounts={"max_failed_logins": 2}))
    await add_person(gateway, "bob", role="supervisor")
    for _ in range(2):
        async with gateway.http.post(
            f"{gateway.url}/", data={"username": "bob", "password": "nope"}
        ) as resp:
            assert resp.status == 401
            assert "Unknown name or wrong password" in await resp.text()
    async with gateway.http.post(
        f"{gateway.url}/", data={"username": "bob", "password": PASSWORD}
    ) as resp:
        assert resp.status == 429
        assert "Too many failed sign-ins" in await resp.text()
        assert int(resp.headers["Retry-After"]) >= 1
