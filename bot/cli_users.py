"""``replywatch user``: people's accounts from the command line (the first admin)."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from collections.abc import Callable
from typing import Any

from bot.accounts import hash_password, password_problems
from bot.logs import configure_logging
from bot.settings import Settings
from storage import users
from storage.engine import make_engine, upgrade
from storage.users import ACCOUNT_ID


def add_commands(
    commands: Any,
    common: argparse.ArgumentParser,
    settings: Callable[[argparse.Namespace], Settings],
) -> None:
    """Register ``user add`` (``settings`` reads the configuration the command names)."""
    user = commands.add_parser("user", help="people's accounts", parents=[common])
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser(
        "add", help="add an account (e.g. the first admin)", parents=[common]
    )
    add.add_argument("id", help="the sign-in name (a-z, 0-9, '.', '_', '-')")
    add.add_argument(
        "--role", required=True, choices=["agent", "group_leader", "supervisor", "qa", "admin"]
    )
    add.add_argument("--name", help="the display name (default: the id)")
    add.add_argument("--group", action="append", default=[], help="a group (repeatable)")
    add.add_argument("--max-concurrency", type=_capacity, help="chats at once (routing)")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    user.set_defaults(run=lambda args: _user(args, settings(args)))


async def _add_user(settings: Settings, args: argparse.Namespace, password: str) -> str:
    engine = make_engine(settings.storage.url)
    try:
        if settings.storage.auto_migrate:
            await upgrade(engine)
        record = users.NewUser(
            args.id,
            args.name or args.id,
            args.role,
            tuple(sorted(set(args.group))),
            args.max_concurrency,
            await hash_password(password),
        )
        try:
            await users.add(engine, record, time.time())
        except users.UserExists:
            return f"a user called {args.id!r} exists"
        return ""
    finally:
        await engine.dispose()


def _user(args: argparse.Namespace, settings: Settings) -> int:
    configure_logging("WARNING", settings.logging.format)
    problems = _user_problems(args, settings)
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else ""
    if not args.password_stdin:
        problems.append("give the password on standard input with --password-stdin")
    else:
        problems += [
            f"the password must have {p}"
            for p in password_problems(password, args.id, settings.accounts)
        ]
    if problems:
        for problem in problems:
            print(f"replywatch: {problem}", file=sys.stderr)
        return 2
    refused = asyncio.run(_add_user(settings, args, password))
    if refused:
        print(f"replywatch: {refused}", file=sys.stderr)
        return 1
    print(f"user {args.id} ({args.role}) added")
    return 0


def _user_problems(args: argparse.Namespace, settings: Settings) -> list[str]:
    problems = []
    if not re.fullmatch(ACCOUNT_ID, args.id):
        problems.append(f"{args.id!r} is not a sign-in name: 1-64 of a-z, 0-9, '.', '_', '-'")
    known = settings.accounts.groups
    unknown = sorted(set(args.group) - set(known)) if known else []
    if unknown:
        problems.append(f"unknown group(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return problems


def _capacity(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError("max concurrency must be 1 to 1000")
    return value
