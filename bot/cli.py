"""The ``replywatch`` command line (also ``python -m bot``)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from aiohttp import web

from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings
from storage.engine import current_revision, make_engine, upgrade


def _default_config() -> Path | None:
    named = os.environ.get("REPLYWATCH_CONFIG")
    if named:
        return Path(named)
    local = Path("config.toml")
    return local if local.exists() else None


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config or _default_config())


def _serve(args: argparse.Namespace) -> int:
    from bot.app import create_app

    settings = _settings(args)
    log = settings.logging
    configure_logging(log.level, args.log_format or log.format)
    host = args.host or settings.server.host
    port = settings.server.port if args.port is None else args.port
    web.run_app(create_app(settings), host=host, port=port, print=None)
    return 0


async def _upgrade(url: str) -> str | None:
    engine = make_engine(url)
    try:
        await upgrade(engine)
        return await current_revision(engine)
    finally:
        await engine.dispose()


def _db(args: argparse.Namespace) -> int:
    settings = _settings(args)
    configure_logging(settings.logging.level, settings.logging.format)
    revision = asyncio.run(_upgrade(settings.storage.url))
    print(f"database at revision {revision}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (sub-commands: serve, db upgrade)."""
    parser = argparse.ArgumentParser(prog="replywatch", description=__doc__)
    parser.add_argument("--config", type=Path, help="TOML config file (default: ./config.toml)")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the gateway")
    serve.add_argument("--config", type=Path, default=argparse.SUPPRESS)
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--log-format", choices=["text", "json"])
    serve.set_defaults(run=_serve)
    db = commands.add_parser("db", help="database schema")
    db.add_argument("--config", type=Path, default=argparse.SUPPRESS)
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="migrate the schema to the latest revision")
    db.set_defaults(run=_db)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``replywatch`` console script."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except SettingsError as exc:
        print(f"replywatch: {exc}", file=sys.stderr)
        return 2
    return code
