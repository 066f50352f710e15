"""Cost of keeping the KPI rollups as a conversation grows: a customer who keeps coming
back to one conversation (an IM thread that never ends) must not make each new message
cost more than in a young conversation.

The real storage path (``apply_batch`` in a transaction on a SQLite file, rollups kept):
one customer message, then the agent's reply, each in its own transaction; the time of
the customer message's transaction is measured in a conversation with ``--turns`` past
turns and, in the same run, in one with 20 (the baseline). Medians.

    .venv/bin/python benchmarks/rollup_upkeep.py --turns 2000 --repeat 30
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import tempfile
import time

from bot.schemas import EventIn
from bot.settings import Settings
from monitors.events import ChatEvent
from storage.engine import make_engine, upgrade, writer
from storage.ingest import apply_batch
from storage.kpi import rollups

RULES = Settings().rules()


def _event(body: dict[str, object]) -> ChatEvent:
    chat = EventIn.model_validate(body).to_event(now=float("inf"))
    return dataclasses.replace(chat, received_at=chat.ts)


def customer(mid: str, conv: str, ts: float) -> ChatEvent:
    sender = {"role": "customer", "id": f"u-{conv}"}
    return _event({"id": mid, "conversation_id": conv, "sender": sender, "text": "在吗", "ts": ts})


def reply(mid: str, conv: str, ts: float) -> ChatEvent:
    sender = {"role": "agent", "id": "alice"}
    return _event({"id": mid, "conversation_id": conv, "sender": sender, "text": "在的", "ts": ts})


class Thread:
    """One conversation and its clock."""

    def __init__(self, engine: object, name: str) -> None:
        self.engine, self.name, self.t, self.n = engine, name, 1_700_000_000.0, 0

    async def store(self, events: list[ChatEvent]) -> float:
        started = time.perf_counter()
        async with writer(self.engine).begin() as conn:  # type: ignore[arg-type]
            await conn.run_sync(apply_batch, events, None, RULES, self.t)
        return time.perf_counter() - started

    async def grow(self, turns: int) -> None:
        while self.n < turns:
            batch = []
            for _ in range(min(100, turns - self.n)):
                batch += self._turn()
            await self.store(batch)

    def _turn(self) -> list[ChatEvent]:
        self.n += 1
        self.t += 3_600.0
        asked = customer(f"{self.name}-m{self.n}", self.name, self.t)
        return [asked, reply(f"{self.name}-r{self.n}", self.name, self.t + 5.0)]

    async def one_message(self) -> float:
        asked, answered = self._turn()
        took = await self.store([asked])
        await self.store([answered])
        return took


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--floor", type=float, default=2.0, help="allowed long/young ratio")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite+aiosqlite:///{tmp}/upkeep.db")
        await upgrade(engine)
        async with writer(engine).begin() as conn:
            await conn.run_sync(rollups.ensure, "UTC")
        young, long = Thread(engine, "young"), Thread(engine, "long")
        await young.grow(20)
        await long.grow(args.turns)
        times: dict[str, list[float]] = {"young": [], "long": []}
        for _ in range(args.repeat):  # alternating, so both see the same machine
            times["young"].append(await young.one_message())
            times["long"].append(await long.one_message())
        await engine.dispose()
    medians = {name: statistics.median(found) * 1000 for name, found in times.items()}
    ratio = medians["long"] / medians["young"]
    print(f"rollup upkeep, SQLite, one customer message per transaction, {args.repeat} each")
    print(f"  conversation with 20 turns:   {medians['young']:7.2f} ms median")
    print(f"  conversation with {args.turns} turns: {medians['long']:7.2f} ms median")
    verdict = "meets" if ratio <= args.floor else "ABOVE"
    print(f"long / young: {ratio:.2f} — {verdict} the allowed {args.floor:.1f}")
    return 0 if ratio <= args.floor else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
