"""Helpers shared by the benchmark scripts (run as ``python benchmarks/NAME.py``)."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
from prometheus_client.parser import text_string_to_metric_families


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_ready(url: str, attempts: int = 600) -> None:
    """Wait until ``url``/readyz answers 200 (50 ms between tries)."""
    async with aiohttp.ClientSession() as http:
        for _ in range(attempts):
            try:
                async with http.get(f"{url}/readyz") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} did not start")


async def metrics(http: aiohttp.ClientSession, url: str) -> dict[str, float]:
    """A server's ``/metrics`` samples by name, labels included as Prometheus writes them
    (``replywatch_suggestions_total{result="late"}``); empty when it has no such page."""
    async with http.get(f"{url}/metrics") as resp:
        if resp.status != 200:
            return {}
        text = await resp.text()
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return found


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]
