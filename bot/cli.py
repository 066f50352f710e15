"""The ``replywatch`` command line (also ``python -m bot``)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

from bot import cli_users
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings
from monitors.periods import Period, today
from scripts_library.files import LibraryError
from scripts_library.matcher import Match
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
    from bot.matcher_pool import one_blas_thread

    settings = _settings(args)
    one_blas_thread()
    log = settings.logging
    configure_logging(log.level, args.log_format or log.format)
    host = args.host or settings.server.host
    port = settings.server.port if args.port is None else args.port
    logging.getLogger("bot.cli").info("ReplyWatch listening on http://%s:%s", host, port)
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


async def _suggest_matches(settings: Settings, question: str, k: int) -> list[Match]:
    from bot.library import Library

    engine = make_engine(settings.storage.url)
    library = Library(engine, settings.matcher)
    try:
        if settings.storage.auto_migrate:
            await upgrade(engine)
        await library.start()
        return library.matches([question], k)[0]
    finally:
        library.close()
        await engine.dispose()


def _suggest(args: argparse.Namespace) -> int:
    settings = _settings(args)
    configure_logging("WARNING", settings.logging.format)
    found = asyncio.run(_suggest_matches(settings, args.question, args.k))
    threshold = settings.matcher.min_score
    if not found:
        print("the library is empty")
        return 1
    for item in found:
        mark = " " if item.score >= threshold else "-"
        print(f"{mark} {item.score:5.1f}  {item.script_id}  [{item.category}] {item.title}")
        print(f"         matched: {item.question}")
        print(f"         reply:   {item.text}")
    print(f"(- = below matcher.min_score = {threshold:g})")
    if found[0].score < threshold:
        print(
            f"(nothing reaches matcher.min_score = {threshold:g}: agents would see no suggestion)"
        )
    return 0


def _progress(step: int, total: int, label: str) -> None:
    print(f"[{step}/{total}] {label}...", file=sys.stderr, flush=True)


async def _make_report(settings: Settings, args: argparse.Namespace) -> list[Path]:
    from bot.reports.produce import produce

    engine = make_engine(settings.storage.url)
    try:
        if settings.storage.auto_migrate:
            await upgrade(engine)
        day = args.date or today(time.time(), ZoneInfo(settings.kpi.timezone))
        _, files = await produce(
            engine, settings, Period(args.period), day, [args.format], args.output, _progress
        )
        return files
    finally:
        await engine.dispose()


def _report(args: argparse.Namespace) -> int:
    settings = _settings(args)
    configure_logging("WARNING", settings.logging.format)
    for path in asyncio.run(_make_report(settings, args)):
        print(path)
    return 0


async def _rebuild_kpis(settings: Settings) -> tuple[int, float]:
    from storage.engine import writer
    from storage.kpi import rollups

    engine = make_engine(settings.storage.url)
    try:
        if settings.storage.auto_migrate:
            await upgrade(engine)
        started = time.perf_counter()
        async with writer(engine).begin() as conn:
            count = await conn.run_sync(rollups.rebuild, settings.kpi.timezone)
        return count, time.perf_counter() - started
    finally:
        await engine.dispose()


def _kpi(args: argparse.Namespace) -> int:
    settings = _settings(args)
    configure_logging("WARNING", settings.logging.format)
    count, took = asyncio.run(_rebuild_kpis(settings))
    print(f"KPI rollups rebuilt in {settings.kpi.timezone}: {count} turns in {took:.1f} s")
    return 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("date must be YYYY-MM-DD") from None


def _pace(text: str) -> float:
    value = float(text)
    if not 0 < value <= 10:
        raise argparse.ArgumentTypeError("pace must be above 0 and at most 10")
    return value


def _demo(args: argparse.Namespace) -> int:
    from bot.app import create_app
    from bot.demo.shift import run_demo

    configure_logging("WARNING", "text")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_demo(create_app, args.pace, sys.stdout, args.stay))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (sub-commands: serve, db upgrade)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        default=argparse.SUPPRESS,
        help="TOML config file (default: $REPLYWATCH_CONFIG, else ./config.toml if present)",
    )
    parser = argparse.ArgumentParser(
        prog="replywatch",
        description="ReplyWatch: reply-time monitor and suggested replies for chat teams.",
        parents=[common],
    )
    parser.set_defaults(config=None)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the gateway", parents=[common])
    serve.add_argument("--host", help="listen address (default: server.host)")
    serve.add_argument("--port", type=int, help="listen port (default: server.port)")
    serve.add_argument("--log-format", choices=["text", "json"], help="log line format")
    serve.set_defaults(run=_serve)
    db = commands.add_parser("db", help="database schema", parents=[common])
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser(
        "upgrade", help="migrate the schema to the latest revision", parents=[common]
    )
    db.set_defaults(run=_db)
    suggest = commands.add_parser(
        "suggest", help="print the library's best matches for a question", parents=[common]
    )
    suggest.add_argument("question")
    suggest.add_argument("-k", type=int, default=3, help="how many matches (default 3)")
    suggest.set_defaults(run=_suggest)
    report = commands.add_parser(
        "report",
        help="write a day, week, month, quarter or year report (figures, charts, gaps)",
        parents=[common],
    )
    report.add_argument("--period", choices=[p.value for p in Period], default="day")
    report.add_argument(
        "--date", type=_date, help="a day in the period (default: today, in kpi.timezone)"
    )
    report.add_argument("--format", choices=["csv", "xlsx", "html"], default="html")
    report.add_argument("--output", type=Path, default=Path("reports"), help="folder (./reports)")
    report.set_defaults(run=_report)
    kpi = commands.add_parser("kpi", help="KPI rollups", parents=[common])
    kpi_commands = kpi.add_subparsers(dest="kpi_command", required=True)
    kpi_commands.add_parser(
        "rebuild",
        help="recompute the KPI rollups from the stored turns and alerts (in kpi.timezone)",
        parents=[common],
    )
    kpi.set_defaults(run=_kpi)
    cli_users.add_commands(commands, common, _settings)
    demo = commands.add_parser(
        "demo", help="play a simulated shift on a temporary service and print what happens"
    )
    demo.add_argument(
        "--pace",
        type=_pace,
        default=1.0,
        help="time scale: 1 plays the shift in ~20 s, 0.5 twice as fast (default 1)",
    )
    demo.add_argument(
        "--stay",
        action="store_true",
        help="keep the demo service running afterwards: be the customer at /chat and the"
        " agent in the console (Ctrl-C ends it)",
    )
    demo.set_defaults(run=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``replywatch`` console script."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except (SettingsError, LibraryError) as exc:
        print(f"replywatch: {exc}", file=sys.stderr)
        return 2
    return code
