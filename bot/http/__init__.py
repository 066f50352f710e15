"""The HTTP API: one module per area, each with its ``routes`` list; :func:`routes`
gathers them for the app factory (and for anything that walks the route table)."""

from __future__ import annotations

from aiohttp import web


def routes() -> list[web.RouteDef]:
    """Every HTTP API route, in registration order."""
    from bot.http import (
        actions,
        asked,
        assessment,
        complaints,
        conversations,
        events,
        flags,
        handoffs,
        kpis,
        openapi,
        people,
        presence,
        proposals,
        qa,
        reports,
        scripts,
    )

    return [
        *events.routes,
        *proposals.routes,
        *asked.routes,
        *scripts.routes,
        *qa.routes,
        *flags.routes,
        *assessment.routes,
        *complaints.routes,
        *conversations.routes,
        *actions.routes,
        *handoffs.routes,
        *kpis.routes,
        *reports.routes,
        *people.routes,
        *presence.routes,
        *openapi.routes,
    ]
