"""Ingest throughput: the real gateway (SQLite, group commit, a suggestion computed and
stored for every customer message just after its acknowledgement) beside a bare
aiohttp handler that only parses JSON and answers 202, measured in the same run.

Each server runs in its own process; this process is the load generator (one
event per request, C concurrent connections).  Reported per server: accepted
events/s, request p50/p99, and the server's own CPU time per event (which does
not depend on how fast the load generator is), counted until the gateway has stored
the suggestions of every message of the round (its ``replywatch_suggestions_pending``
back to 0), so the next round starts on an idle server and the catch-up is not hidden.
Rounds alternate between the two servers and the medians are compared as ratios.

    .venv/bin/python benchmarks/ingest.py --events 3000 --concurrency 16 32 64 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import psutil
from common import free_port, metrics, wait_ready

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-integration-token"
# Real customer messages (zh and en, in and out of the library's scope), cycled, so the
# matcher that runs on every customer message sees realistic, varied text.
MESSAGES = [
    line.split("\t", 1)[1]
    for line in (Path(__file__).parent / "data" / "matching_eval.tsv")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip() and not line.startswith("#")
]
BARE = """
import sys
from aiohttp import web

async def handle(request):
    await request.json()
    return web.json_response({"accepted": 1, "duplicates": 0}, status=202)

app = web.Application()
app.add_routes([web.post("/api/v1/events", handle), web.get("/readyz", lambda r: web.Response())])
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def event_body(prefix: str, i: int) -> dict[str, object]:
    """The ``i``-th customer message of a run: 500 conversations, real texts cycled."""
    return {
        "id": f"{prefix}-{i}",
        "conversation_id": f"{prefix}-c{i % 500}",
        "sender": {"role": "customer", "id": f"u{i % 500}"},
        "text": MESSAGES[i % len(MESSAGES)],
    }


@dataclass
class Round:
    """One measured run against one server."""

    events_per_second: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_event: float
    #: Events per second counted until every message's suggestions were stored too.
    suggested_per_second: float


def start_gateway(workdir: Path, port: int, semantic: str, workers: int) -> subprocess.Popen[bytes]:
    config = workdir / "bench.toml"
    config.write_text(
        f'[storage]\nurl = "sqlite+aiosqlite:///{workdir / "bench.db"}"\n'
        f'[matcher]\nsemantic = "{semantic}"\nworkers = {workers}\n'
        f'[logging]\nlevel = "WARNING"\n'
        f'[[auth.tokens]]\ntoken = "{TOKEN}"\nrole = "integration"\n',
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "bot", "serve", "--config", str(config), "--port", str(port)]
    return subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)


def start_bare(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", BARE, str(port)], stderr=subprocess.DEVNULL)


async def load(url: str, prefix: str, events: int, concurrency: int, pid: int) -> Round:
    latencies: list[float] = []
    next_id = iter(range(events))
    headers = {"Authorization": f"Bearer {TOKEN}"}
    connector = aiohttp.TCPConnector(limit=concurrency)

    async def worker(http: aiohttp.ClientSession) -> None:
        for i in next_id:
            body = event_body(prefix, i)
            started = time.perf_counter()
            async with http.post(f"{url}/api/v1/events", json=body, headers=headers) as resp:
                answer = await resp.json()
                if resp.status != 202 or answer["accepted"] != 1:
                    raise RuntimeError(f"unexpected answer {resp.status} {answer}")
            latencies.append(time.perf_counter() - started)

    server = psutil.Process(pid)
    async with aiohttp.ClientSession(connector=connector) as http:
        cpu_before = _cpu(server)
        started = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        await _suggestions_settled(http, url)
        settled = time.perf_counter() - started
        cpu = _cpu(server) - cpu_before
    latencies.sort()
    return Round(
        events_per_second=events / elapsed,
        p50_ms=latencies[len(latencies) // 2] * 1000,
        p99_ms=latencies[int(len(latencies) * 0.99)] * 1000,
        cpu_us_per_event=cpu / events * 1e6,
        suggested_per_second=events / settled,
    )


async def _suggestion_outcomes(url: str) -> dict[str, float]:
    """The gateway's ``replywatch_suggestions_total`` by result (stored, late, failed)."""
    async with aiohttp.ClientSession() as http:
        found = await metrics(http, url)
    results = ("stored", "late", "failed")
    return {r: found.get(f'replywatch_suggestions_total{{result="{r}"}}', 0.0) for r in results}


async def _suggestions_settled(http: aiohttp.ClientSession, url: str) -> None:
    """Wait until the gateway has no message waiting for suggestions (the bare server
    has no such metric: nothing to wait for). Another process: polled, no event."""
    pending = "replywatch_suggestions_pending"
    while (await metrics(http, url)).get(pending, 0.0) > 0:  # noqa: ASYNC110
        await asyncio.sleep(0.01)


def _cpu(server: psutil.Process) -> float:
    """User + system seconds of the server and its worker processes (matcher.workers)."""
    return sum(sum(p.cpu_times()[:2]) for p in (server, *server.children(recursive=True)))


def median(rounds: list[Round], field: str) -> float:
    return statistics.median(getattr(r, field) for r in rounds)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--semantic",
        choices=["auto", "on", "off"],
        default="auto",
        help="matcher.semantic of the gateway (auto: the default install's, the encoder on)",
    )
    parser.add_argument("--workers", type=int, default=0, help="matcher.workers of the gateway")
    parser.add_argument("--floor", type=float, default=0.5, help="required throughput ratio")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        gateway_port, bare_port = free_port(), free_port()
        gateway, bare = (
            start_gateway(Path(tmp), gateway_port, args.semantic, args.workers),
            start_bare(bare_port),
        )
        try:
            urls = {
                "gateway": f"http://127.0.0.1:{gateway_port}",
                "bare": f"http://127.0.0.1:{bare_port}",
            }
            pids = {"gateway": gateway.pid, "bare": bare.pid}
            for url in urls.values():
                await wait_ready(url)
            levels: dict[int, dict[str, list[Round]]] = {}
            for concurrency in args.concurrency:
                results: dict[str, list[Round]] = {"bare": [], "gateway": []}
                for n in range(args.rounds + 1):  # round 0 warms up and is not counted
                    for name in ("bare", "gateway"):
                        measured = await load(
                            urls[name], f"c{concurrency}r{n}", args.events, concurrency, pids[name]
                        )
                        if n:
                            results[name].append(measured)
                levels[concurrency] = results
            outcomes = await _suggestion_outcomes(urls["gateway"])
        finally:
            for proc in (gateway, bare):
                proc.terminate()
                proc.wait(10)

    print(
        f"ingest benchmark: {args.events} events x {args.rounds} rounds per server and level,"
        f" one event per request, SQLite (WAL, synchronous=FULL), cpus={os.cpu_count()};"
        " medians"
    )
    print(
        f"{'conc':>5} {'server':<8}{'events/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'CPU us/event':>14}{'ratio':>8}{'suggested/s':>13}"
    )
    worst = float("inf")
    for concurrency, results in levels.items():
        ratio = median(results["gateway"], "events_per_second") / median(
            results["bare"], "events_per_second"
        )
        worst = min(worst, ratio)
        for name, rounds in results.items():
            shown = (
                f"{ratio:>8.2f}{median(rounds, 'suggested_per_second'):>13.0f}"
                if name == "gateway"
                else ""
            )
            print(
                f"{concurrency:>5} {name:<8}{median(rounds, 'events_per_second'):>10.0f}"
                f"{median(rounds, 'p50_ms'):>9.2f}{median(rounds, 'p99_ms'):>9.2f}"
                f"{median(rounds, 'cpu_us_per_event'):>14.0f}{shown}"
            )
    print(
        "gateway suggestions (all rounds, warm-up included): "
        + ", ".join(f"{name} {count:.0f}" for name, count in outcomes.items())
        + " (suggested/s: events over the time until the last one's suggestions were stored;"
        " CPU includes that catch-up)"
    )
    verdict = "meets" if worst >= args.floor else "BELOW"
    print(
        f"lowest throughput ratio gateway/bare: {worst:.2f} — {verdict} the floor of "
        f"{args.floor:.2f}"
    )
    return 0 if worst >= args.floor else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
