"""A gateway killed with SIGKILL in the middle of a stream of events loses none that
it acknowledged: every 202 is on disk when the process comes back."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

import aiohttp

from storage.engine import make_engine
from tests.support.events import customer_says
from tests.support.processes import GatewayProcess, write_config
from tests.support.store import stored_ids
from tests.support.tokens import INTEGRATION, auth


async def _post_until_failure(
    url: str, prefix: str, acked: list[str], stop: asyncio.Event, enough: asyncio.Event
) -> None:
    async with aiohttp.ClientSession() as http:
        i = 0
        while not stop.is_set():
            event_id = f"{prefix}-{i}"
            i += 1
            try:
                async with http.post(
                    f"{url}/api/v1/events",
                    headers=auth(INTEGRATION),
                    json=customer_says(event_id, conv=prefix),
                ) as resp:
                    if resp.status == 202 and (await resp.json())["accepted"] == 1:
                        acked.append(event_id)
                        if len(acked) >= 200:
                            enough.set()
            except (TimeoutError, aiohttp.ClientError):
                return


async def test_acknowledged_events_survive_sigkill(
    database_url: str, tmp_path: Path, gateway_processes: Callable[..., GatewayProcess]
) -> None:
    config = write_config(tmp_path / "gateway.toml", database_url)
    process = gateway_processes(config)
    await process.start()
    acked: list[str] = []
    stop, enough = asyncio.Event(), asyncio.Event()
    writers = [
        asyncio.create_task(_post_until_failure(process.url, f"w{n}", acked, stop, enough))
        for n in range(8)
    ]
    async with asyncio.timeout(60):
        await enough.wait()
    process.kill()  # while the writers are still posting
    stop.set()
    for task in writers:
        with contextlib.suppress(Exception):
            await task

    restarted = gateway_processes(config, port=process.port)
    await restarted.start()
    engine = make_engine(database_url)
    try:
        on_disk = await stored_ids(engine)
    finally:
        await engine.dispose()
    assert len(acked) >= 200
    assert set(acked) <= on_disk
