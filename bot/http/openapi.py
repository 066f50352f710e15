"""The OpenAPI 3.1 document of the HTTP API, served at ``/api/v1/openapi.json``.

Built from the app's route table (who may call each route comes from its ``roles``
mark) and from the same pydantic models that validate each request's query string and
body, so the document cannot drift from what the handlers accept. A test checks that
every API route is described here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from bot.auth import ROLES_ATTR
from bot.http import (
    actions,
    asked,
    assessment,
    complaints,
    conversations,
    flags,
    handoffs,
    kpis,
    people,
    presence,
    proposals,
    qa,
    reports,
    scripts,
)
from bot.http import answers as a
from bot.http import answers_live as live
from bot.http import answers_people as p
from bot.http import answers_quality as q
from bot.http.params import NoQuery
from bot.schemas import BatchIn, EventIn
from scripts_library.model import Script


@dataclass(frozen=True, slots=True)
class Operation:
    """What a route takes and answers, beyond its path and roles."""

    summary: str
    query: type[BaseModel] | None = None
    body: type[BaseModel] | tuple[type[BaseModel], ...] | str | None = None
    ok: int = 200
    media: tuple[str, ...] = ("application/json",)
    answer: type[BaseModel] | None = None


OPERATIONS: dict[tuple[str, str], Operation] = {
    ("POST", "/api/v1/events"): Operation(
        "Store one event or a batch (202 after commit)",
        body=(EventIn, BatchIn),
        ok=202,
        answer=a.Accepted,
    ),
    ("GET", "/api/v1/suggest"): Operation(
        "Best scripts for a question", scripts.SuggestQuery, answer=a.Suggestions
    ),
    ("GET", "/api/v1/scripts"): Operation(
        "The library, a page at a time", scripts.ListQuery, answer=a.ScriptPage
    ),
    ("POST", "/api/v1/scripts"): Operation("Add a script", body=Script, ok=201, answer=Script),
    ("POST", "/api/v1/scripts/import"): Operation(
        "Import a TOML or CSV library file",
        scripts.ImportQuery,
        body="text/plain",
        answer=a.Imported,
    ),
    ("GET", "/api/v1/scripts/export"): Operation(
        "The library as a file", scripts.ExportQuery, media=("application/toml", "text/csv")
    ),
    ("GET", "/api/v1/scripts/gaps"): Operation(
        "Questions nothing matched", scripts.GapsQuery, answer=a.Gaps
    ),
    ("GET", "/api/v1/scripts/asked"): Operation(
        "The questions customers asked most, answered or not", asked.AskedQuery, answer=a.AskedList
    ),
    ("GET", "/api/v1/scripts/search"): Operation(
        "Entries with the words anywhere", scripts.SearchQuery, answer=a.SearchHits
    ),
    ("GET", "/api/v1/scripts/proposals"): Operation(
        "Paraphrases proposed from agents' use of suggestions",
        proposals.ProposalsQuery,
        answer=a.Proposals,
    ),
    ("POST", "/api/v1/scripts/proposals/{id}/accept"): Operation(
        "Add a proposed paraphrase to its script", answer=a.Proposal
    ),
    ("POST", "/api/v1/scripts/proposals/{id}/reject"): Operation(
        "Decline a proposed paraphrase", answer=a.Proposal
    ),
    ("GET", "/api/v1/scripts/{id}"): Operation("One script", answer=Script),
    ("PUT", "/api/v1/scripts/{id}"): Operation(
        "Create or replace a script", body=Script, answer=Script
    ),
    ("DELETE", "/api/v1/scripts/{id}"): Operation("Delete a script", ok=204),
    ("GET", "/api/v1/alerts"): Operation("Alerts, newest first", qa.AlertsQuery, answer=a.Alerts),
    ("GET", "/api/v1/flags"): Operation(
        "The QA queue, newest first", flags.FlagsQuery, answer=q.Flags
    ),
    ("POST", "/api/v1/flags"): Operation(
        "Flag a conversation (qa.manual)", body=flags.FlagIn, ok=201, answer=q.Flag
    ),
    ("GET", "/api/v1/flags/{id}"): Operation("One flag with its history", answer=q.Flag),
    ("POST", "/api/v1/flags/{id}/review"): Operation(
        "Review a flag", body=flags.ReviewIn, answer=q.Flag
    ),
    ("POST", "/api/v1/flags/{id}/appeal"): Operation(
        "Appeal a confirmed review (the flag's agent)", body=flags.AppealIn, ok=201, answer=q.Flag
    ),
    ("POST", "/api/v1/flags/{id}/appeal/decision"): Operation(
        "Decide an appeal", body=flags.DecisionIn, answer=q.Flag
    ),
    ("GET", "/api/v1/assessment"): Operation(
        "The month's assessment (an agent: their own)",
        assessment.AssessmentQuery,
        answer=q.Assessments,
    ),
    ("GET", "/api/v1/assessment/file"): Operation(
        "The month's assessment as XLSX",
        assessment.AssessmentQuery,
        media=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
    ),
    ("PUT", "/api/v1/assessment/{month}/{agent_id}"): Operation(
        "Adjust an agent's month (with a reason)", body=assessment.AdjustmentIn, answer=q.Assessment
    ),
    ("POST", "/api/v1/merits"): Operation(
        "Praise an agent (加分)", body=assessment.MeritIn, ok=201, answer=q.Merit
    ),
    ("GET", "/api/v1/complaints"): Operation(
        "Complaints, newest first", complaints.ComplaintsQuery, answer=q.Complaints
    ),
    ("POST", "/api/v1/complaints"): Operation(
        "Register a complaint (投诉登记)", body=complaints.ComplaintIn, ok=201, answer=q.Complaint
    ),
    ("GET", "/api/v1/complaints/{id}"): Operation("One complaint", answer=q.Complaint),
    ("POST", "/api/v1/complaints/{id}/acknowledge"): Operation(
        "Acknowledge a complaint", answer=q.Complaint
    ),
    ("POST", "/api/v1/complaints/{id}/resolve"): Operation(
        "Approve its resolution", body=complaints.ResolutionIn, answer=q.Complaint
    ),
    ("POST", "/api/v1/complaints/{id}/follow-up"): Operation(
        "Record the call back (回访)", body=complaints.FollowUpIn, answer=q.Complaint
    ),
    ("GET", "/api/v1/conversations"): Operation(
        "Open conversations, waiting longest first",
        conversations.ListQuery,
        answer=live.Conversations,
    ),
    ("GET", "/api/v1/conversations/{id}"): Operation(
        "A transcript", conversations.ConversationQuery, answer=live.Transcript
    ),
    ("POST", "/api/v1/conversations/{id}/reply"): Operation(
        "An agent's reply", body=actions.HttpReplyIn, ok=201, answer=a.ReplyAck
    ),
    ("POST", "/api/v1/conversations/{id}/assign"): Operation(
        "Hand a conversation to another agent", body=actions.AssignIn, answer=a.Assigned
    ),
    ("POST", "/api/v1/conversations/{id}/close"): Operation(
        "Close a conversation (its agent or a supervisor); the survey goes out",
        body=actions.CloseIn,
        answer=a.Closed,
    ),
    ("POST", "/api/v1/conversations/{id}/rating"): Operation(
        "An integration's satisfaction rating of a closed conversation",
        body=actions.RatingIn,
        ok=201,
        answer=a.Rated,
    ),
    ("POST", "/api/v1/replies/check"): Operation(
        "Whether a draft holds a forbidden phrase", body=actions.CheckIn, answer=a.Checked
    ),
    ("GET", "/api/v1/kpis"): Operation("KPI figures and scores", kpis.KpisQuery, answer=live.Kpis),
    ("GET", "/api/v1/agents"): Operation("The live view of every agent", NoQuery, answer=live.Live),
    ("GET", "/api/v1/reports/file"): Operation(
        "A period's report file", reports.FileQuery, media=tuple(reports.MEDIA.values())
    ),
    ("GET", "/api/v1/reports/chart"): Operation(
        "A period's chart", reports.ChartQuery, media=("image/png",)
    ),
    ("GET", "/api/v1/agents/presence"): Operation(
        "Every agent's status, load and cap (transfer targets)",
        NoQuery,
        answer=p.TeamPresence,
    ),
    ("PUT", "/api/v1/agents/{id}/status"): Operation(
        "Set an agent's status", body=presence.StatusIn, answer=p.StatusSet
    ),
    ("GET", "/api/v1/agents/{id}/status-history"): Operation(
        "An agent's status changes", presence.HistoryQuery, answer=p.StatusHistory
    ),
    ("GET", "/api/v1/agents/{id}/attendance"): Operation(
        "An agent's attendance per day", presence.AttendanceQuery, answer=p.Attendance
    ),
    ("POST", "/api/v1/conversations/{id}/transfer"): Operation(
        "Hand a conversation on with a note", body=handoffs.TransferIn, answer=p.Transferred
    ),
    ("POST", "/api/v1/conversations/{id}/help"): Operation(
        "Ask a supervisor for help", body=handoffs.HelpIn, ok=201, answer=a.Alert
    ),
    ("POST", "/api/v1/alerts/{id}/ack"): Operation("Acknowledge an alert", answer=a.Alert),
    ("DELETE", "/api/v1/session"): Operation("Sign out: the caller's session ends", ok=204),
    ("GET", "/api/v1/users"): Operation("Every account", answer=p.Users),
    ("POST", "/api/v1/users"): Operation("Add a person", body=people.UserIn, ok=201, answer=p.User),
    ("PATCH", "/api/v1/users/{id}"): Operation(
        "Change an account (a person: their own password)", body=people.UserPatch, answer=p.User
    ),
}
ERROR = {
    "type": "object",
    "required": ["error", "details"],
    "properties": {"error": {"type": "string"}, "details": {}},
}


def _schema(
    model: type[BaseModel], components: dict[str, Any], mode: JsonSchemaMode = "validation"
) -> dict[str, Any]:
    """The model's JSON Schema, its definitions moved to ``components``."""
    schema = model.model_json_schema(
        by_alias=True, ref_template="#/components/schemas/{model}", mode=mode
    )
    _register(components, schema.pop("$defs", {}) | {model.__name__: schema})
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _register(components: dict[str, Any], definitions: dict[str, Any]) -> None:
    """Add schema definitions to ``components``; one name never stands for two schemas."""
    for name, definition in _tidy(definitions).items():
        if components.setdefault(name, definition) != definition:
            raise ValueError(f"two different schemas named {name}")


#: Constraints pydantic leaves under their Python names inside annotated types.
_KEYWORDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def _tidy(schema: Any) -> Any:
    """JSON Schema keywords for pydantic's leftover ``ge``/``le``... constraints."""
    if isinstance(schema, dict):
        return {_KEYWORDS.get(k, k): _tidy(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_tidy(v) for v in schema]
    return schema


def _optional(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema without the ``null`` branch (absent means None)."""
    branches = [b for b in schema.get("anyOf", []) if b != {"type": "null"}]
    if "anyOf" in schema and len(branches) == 1:
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
        return {**rest, **branches[0]}
    return schema


def _parameters(
    operation: Operation, path: str, components: dict[str, Any]
) -> list[dict[str, Any]]:
    found = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"\{(\w+)\}", path)
    ]
    if operation.query is not None:
        schema = operation.query.model_json_schema(
            by_alias=True, ref_template="#/components/schemas/{model}"
        )
        _register(components, schema.pop("$defs", {}))
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            found.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in required,
                    "schema": _tidy(_optional(prop)),
                }
            )
    return found


def _body(operation: Operation, components: dict[str, Any]) -> dict[str, Any] | None:
    body = operation.body
    if body is None:
        return None
    if isinstance(body, str):
        return {"required": True, "content": {body: {"schema": {"type": "string"}}}}
    models = body if isinstance(body, tuple) else (body,)
    refs = [_schema(model, components) for model in models]
    schema = refs[0] if len(refs) == 1 else {"oneOf": refs}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _responses(operation: Operation, components: dict[str, Any]) -> dict[str, Any]:
    error = {"description": "error", "content": {"application/json": {"schema": ERROR}}}
    ok: dict[str, Any] = {"description": "done"}
    if operation.ok != 204:
        json_schema = {"type": "object"}
        if operation.answer is not None:
            json_schema = _schema(operation.answer, components, "serialization")
        ok["content"] = {
            media.split(";")[0]: {"schema": json_schema if media == "application/json" else {}}
            for media in operation.media
        }
    answers = {str(operation.ok): ok}
    if operation.ok == 201:
        answers["200"] = ok  # a repeated id, or a replaced script
    for status in ("400", "401", "403", "404", "409", "413", "415", "503"):
        answers[status] = error
    return answers


def document(app: web.Application) -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``app``'s API routes."""
    components: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for method, path, roles in api_routes(app):
        operation = OPERATIONS[(method, path)]
        spec: dict[str, Any] = {
            "summary": operation.summary,
            "description": "Roles: " + ", ".join(sorted(roles)),
            "parameters": _parameters(operation, path, components),
            "responses": _responses(operation, components),
            "security": [{"bearer": []}, {"session": []}],
        }
        body = _body(operation, components)
        if body is not None:
            spec["requestBody"] = body
        paths.setdefault(path, {})[method.lower()] = spec
    return {
        "openapi": "3.1.0",
        "info": {"title": "ReplyWatch", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "rw_session"},
            },
        },
    }


def api_routes(app: web.Application) -> list[tuple[str, str, frozenset[str]]]:
    """``(method, path template, roles)`` of every role-marked ``/api/`` route."""
    found = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or ""
        roles = getattr(route.handler, ROLES_ATTR, None)
        if path.startswith("/api/") and route.method != "HEAD" and roles:
            found.append((route.method, path, roles))
    return found


async def openapi(request: web.Request) -> web.Response:
    """The API's OpenAPI 3.1 document (open, like the health checks: it holds no data)."""
    return web.json_response(document(request.app))


routes = [web.get("/api/v1/openapi.json", openapi)]
