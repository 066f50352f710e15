"""Who may call what, generated from the app's own route table: every API route is
marked with its roles, a request without a token gets 401, a token of another role
403, and a token of an allowed role gets past authorisation. A route added without a
mark fails here, so none can be forgotten."""

from __future__ import annotations

import re

from bot.auth import ROLES_ATTR
from tests.support.gateway import Gateway, StartGateway
from tests.support.settings import make_settings
from tests.support.tokens import ADMIN, ALICE, INTEGRATION, QA, SUPERVISOR, auth

TOKENS = {
    "agent": ALICE,
    "supervisor": SUPERVISOR,
    "qa": QA,
    "admin": ADMIN,
    "integration": INTEGRATION,
}
#: Open on purpose: health checks and metrics for load balancers and Prometheus.
PUBLIC = {"/healthz", "/readyz", "/metrics", "/api/v1/openapi.json"}
#: Signing in is open: it is how a person gets a token.
SIGN_IN = ("POST", "/api/v1/session")
#: The web chat is open to customers (DESIGN.md section 13): its page and widget script.
WEB_CHAT = {"/chat", "/widget.js"}


def api_routes(gateway: Gateway) -> list[tuple[str, str, frozenset[str]]]:
    assert gateway.app is not None
    found = []
    for route in gateway.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or ""
        if not path.startswith("/api/") or route.method == "HEAD":
            continue
        roles = getattr(route.handler, ROLES_ATTR, None)
        if path in PUBLIC or (route.method, path) == SIGN_IN:
            continue
        assert roles, f"{route.method} {path} has no roles mark"
        found.append((route.method, re.sub(r"\{[^}]+\}", "x1", path), roles))
    return found


async def test_every_api_route_refuses_strangers_and_other_roles(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url))
    routes = api_routes(gateway)
    assert len(routes) >= 23
    for method, path, allowed in routes:
        url = f"{gateway.url}{path}"
        async with gateway.http.request(method, url, json={}) as resp:
            assert resp.status == 401, (method, path)
        for role, token in TOKENS.items():
            async with gateway.http.request(method, url, json={}, headers=auth(token)) as resp:
                if role in allowed:
                    assert resp.status not in (401, 403), (method, path, role, resp.status)
                    assert resp.status < 500, (method, path, role, await resp.text())
                else:
                    assert resp.status == 403, (method, path, role, resp.status)


async def test_only_the_health_endpoints_are_open(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url))
    assert gateway.app is not None
    open_paths = set()
    for route in gateway.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or info.get("prefix") or ""
        if getattr(route.handler, ROLES_ATTR, None) is None and not path.startswith(
            ("/console/", "/static", "/socket.io", "/lang/", "/channels/")
        ):
            open_paths.add((route.method, path))
    allowed = {
        (m, p) for p in PUBLIC | WEB_CHAT | {"/", "/signout"} for m in ("GET", "HEAD", "POST")
    }
    assert open_paths <= allowed | {SIGN_IN}, open_paths
