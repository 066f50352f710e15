"""People over HTTP (DESIGN.md section 11): signing in and out, and the admins' accounts
API (``/api/v1/users``)."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.accounts import hash_password, password_matches, password_problems
from bot.auth import PRINCIPAL, roles, scope_of
from bot.bodies import read_json
from bot.errors import BadRequest, Conflict, Forbidden, NotFound
from bot.keys import CONSOLE_SESSIONS, DIRECTORY, ENGINE, PRESENCE, SETTINGS, SIGN_IN
from bot.payloads import iso
from bot.schemas import validation_details
from bot.settings import GroupName
from storage import console_sessions, users
from storage.users import ACCOUNT_ID, ROLES, NewUser, User

AccountId = Annotated[str, Field(pattern=ACCOUNT_ID)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
RoleName = Literal["agent", "group_leader", "supervisor", "qa", "admin"]
Capacity = Annotated[int, Field(ge=1, le=1000)]
Password = Annotated[str, Field(max_length=1024)]


class SessionIn(BaseModel):
    """``POST /api/v1/session`` body."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    username: Annotated[str, Field(min_length=1, max_length=200)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]


def _groups_known(groups: list[str], info: ValidationInfo) -> list[str]:
    known = (info.context or {}).get("groups") or []
    unknown = sorted(set(groups) - set(known)) if known else []
    if unknown:
        raise ValueError(f"unknown group(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return sorted(set(groups))


def _password_ok(password: str | None, info: ValidationInfo) -> str | None:
    if password is None:
        return None
    context = info.context or {}
    problems = password_problems(
        password, info.data.get("id", context.get("id", "")), context["accounts"]
    )
    if problems:
        raise ValueError("the password must have " + ", ".join(problems))
    return password


class UserIn(BaseModel):
    """``POST /api/v1/users`` body."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: AccountId
    name: Name
    role: RoleName
    password: Password
    groups: Annotated[list[GroupName], Field(max_length=50)] = []
    max_concurrency: Capacity | None = None

    _groups = field_validator("groups")(_groups_known)
    _password = field_validator("password")(_password_ok)


class UserPatch(BaseModel):
    """``PATCH /api/v1/users/{id}`` body: an admin may change any field; a person their
    own ``password``, with ``current_password``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Name | None = None
    role: RoleName | None = None
    groups: Annotated[list[GroupName], Field(max_length=50)] | None = None
    max_concurrency: Capacity | None = None
    active: bool | None = None
    password: Password | None = None
    current_password: Annotated[str, Field(max_length=1024)] | None = None

    _groups = field_validator("groups")(_groups_known)
    _password = field_validator("password")(_password_ok)

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        """Only ``max_concurrency`` may be null (back to the routing default)."""
        if isinstance(data, dict):
            nulls = sorted(k for k, v in data.items() if v is None and k != "max_concurrency")
            if nulls:
                raise ValueError(f"may not be null: {', '.join(nulls)}")
        return data


async def _validated(request: web.Request, model: type[Any], what: str, **context: Any) -> Any:
    settings = request.app[SETTINGS].accounts
    data = await read_json(request)
    try:
        return model.model_validate(
            data, context={"accounts": settings, "groups": settings.groups, **context}
        )
    except ValidationError as exc:
        raise BadRequest(f"invalid {what}", validation_details(exc)) from exc


def _user_json(user: User) -> dict[str, Any]:
    return user.as_dict()


async def open_session(request: web.Request) -> web.Response:
    """Sign in with a name and password: a bearer token (also Socket.IO's ``auth.token``)
    for a new session."""
    given = await _validated(request, SessionIn, "sign-in")
    user = await request.app[SIGN_IN].check(given.username, given.password)
    token, signed_in = await request.app[CONSOLE_SESSIONS].open_for(user)
    return web.json_response(
        {
            "token": token,
            "expires_at": iso(signed_in.session.expires_at),
            "user": {
                "id": user.id,
                "name": user.name,
                "role": user.role,
                "groups": list(user.groups),
            },
        }
    )


@roles(*ROLES)
async def close_session(request: web.Request) -> web.Response:
    """Sign out: the caller's session ends for every process, with its live connections."""
    principal = request[PRINCIPAL]
    if principal.session_id is None or principal.user_id is None:
        raise Conflict("this is a configured token, not a sign-in: there is no session to end")
    await console_sessions.end(request.app[ENGINE], principal.session_id, time.time())
    await request.app[PRESENCE].end(principal.user_id, only=principal.session_id)
    return web.Response(status=204)


@roles("admin", "supervisor", "group_leader")
async def list_users(request: web.Request) -> web.Response:
    """Every account (admins; supervisors read-only; a group leader their groups')."""
    scope = scope_of(request)
    me = request[PRINCIPAL].user_id
    found = [
        u for u in await users.all_users(request.app[ENGINE]) if scope.agent(u.id) or u.id == me
    ]
    return web.json_response({"users": [_user_json(u) for u in found]})


@roles("admin")
async def add_user(request: web.Request) -> web.Response:
    """An admin adds a person (201; 409 when the id is taken)."""
    new = await _validated(request, UserIn, "user")
    hashed = await hash_password(new.password)
    record = NewUser(new.id, new.name, new.role, tuple(new.groups), new.max_concurrency, hashed)
    try:
        user = await users.add(request.app[ENGINE], record, time.time())
        await request.app[DIRECTORY].refresh(request.app[ENGINE])
    except users.UserExists:
        raise Conflict("a user with this id exists", {"id": new.id}) from None
    return web.json_response(_user_json(user), status=201)


@roles(*ROLES)
async def change_user(request: web.Request) -> web.Response:
    """An admin changes an account; a person changes their own password."""
    principal = request[PRINCIPAL]
    user_id = request.match_info["id"]
    patch = await _validated(request, UserPatch, "user change", id=user_id)
    engine = request.app[ENGINE]
    current = await users.get(engine, user_id)
    if current is None:
        raise NotFound("unknown user", {"id": user_id})
    fields = patch.model_dump(exclude_unset=True, exclude={"password", "current_password"})
    if principal.role != "admin":
        await _own_password(request, principal.user_id, current, patch, fields)
    else:
        await _keep_an_admin(engine, current, fields)
    if patch.password is not None:
        fields["password_hash"] = await hash_password(patch.password)
    changed = await users.change(engine, user_id, fields, time.time())
    if changed is None:
        raise NotFound("unknown user", {"id": user_id})
    await request.app[DIRECTORY].refresh(engine)
    if patch.password is not None or patch.active is False:
        await _after_credentials_changed(request, changed, principal.user_id == user_id)
    return web.json_response(_user_json(changed))


async def _own_password(
    request: web.Request, me: str | None, current: User, patch: UserPatch, fields: dict[str, Any]
) -> None:
    """A person who is not an admin may change only their own password, proving the
    current one."""
    if me != current.id:
        raise Forbidden("only an admin may change another person's account")
    if fields or patch.password is None:
        raise Forbidden("you may change only your own password", {"allowed": ["password"]})
    found = await users.password_hash(request.app[ENGINE], current.id)
    stored = found[1] if found else None
    if patch.current_password is None or not await password_matches(stored, patch.current_password):
        raise BadRequest(
            "invalid user change",
            [{"field": "current_password", "error": "the current password is wrong"}],
        )


async def _keep_an_admin(engine: Any, current: User, fields: dict[str, Any]) -> None:
    """Refuse to deactivate or demote the last active admin (nobody could add one back)."""
    losing = current.role == "admin" and current.active
    if not losing or (fields.get("active", True) and fields.get("role", "admin") == "admin"):
        return
    admins = [u for u in await users.all_users(engine) if u.role == "admin" and u.active]
    if len(admins) <= 1:
        raise Conflict("this is the last active admin: add another admin first")


async def _after_credentials_changed(request: web.Request, user: User, own: bool) -> None:
    """A new password or a deactivation ends the account's other sessions and its live
    Socket.IO connections, in every process."""
    keep = request[PRINCIPAL].session_id if own and user.active else None
    await users.end_sessions(request.app[ENGINE], user.id, time.time(), keep)
    await request.app[PRESENCE].end(user.id, keep=keep)


routes = [
    web.post("/api/v1/session", open_session),
    web.delete("/api/v1/session", close_session),
    web.get("/api/v1/users", list_users),
    web.post("/api/v1/users", add_user),
    web.patch("/api/v1/users/{id}", change_user),
]
