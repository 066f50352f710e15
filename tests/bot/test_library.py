"""The library changes while the service runs: a file-backed library reloads when the
file changes (a broken edit keeps the last good library), and an edit made through
one gateway process reaches the others."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.keys import LIBRARY
from scripts_library.files import LibraryError
from scripts_library.matcher import Match
from tests.support.gateway import Gateway, StartGateway
from tests.support.settings import make_settings
from tests.support.store import eventually
from tests.support.tokens import ADMIN, auth

ENTRY = """
[[script]]
id = "{id}"
category = "pre-sale"
title = "{title}"
questions = ["{question}"]
reply = "{reply}"
"""


def entry(script_id: str, question: str, reply: str = "好的亲") -> str:
    return ENTRY.format(id=script_id, title=question, question=question, reply=reply)


async def best(gateway: Gateway, question: str) -> str | None:
    async with gateway.http.get(
        f"{gateway.url}/api/v1/suggest", params={"q": question}, headers=auth(ADMIN)
    ) as resp:
        items = (await resp.json())["items"]
    return items[0]["script_id"] if items else None


async def test_a_file_backed_library_reloads_when_the_file_changes(
    start_gateway: StartGateway, sqlite_url: str, tmp_path: Path
) -> None:
    library = tmp_path / "library.toml"
    library.write_text(entry("thermos", "保温杯能装开水吗"), encoding="utf-8")
    gateway = await start_gateway(
        make_settings(sqlite_url, matcher={"library": str(library), "reload_seconds": 0.05})
    )
    assert await best(gateway, "保温杯能装开水吗") == "thermos"
    assert await best(gateway, "几天发货") is None  # the bundled library is not loaded

    async with gateway.http.post(
        f"{gateway.url}/api/v1/scripts",
        headers=auth(ADMIN),
        json={"id": "x", "category": "c", "title": "t", "questions": ["q"], "reply": "r"},
    ) as resp:
        assert resp.status == 409

    library.write_text(
        entry("thermos", "保温杯能装开水吗") + entry("ship", "几天发货"), encoding="utf-8"
    )

    async def shipped() -> bool:
        return await best(gateway, "几天发货") == "ship"

    await eventually(shipped)

    library.write_text("[[script]]\nid = 'broken'\n", encoding="utf-8")
    await asyncio.sleep(0.3)  # several reload periods
    assert await best(gateway, "几天发货") == "ship"  # the last good library stays


async def test_a_missing_or_broken_library_file_stops_start_up(
    start_gateway: StartGateway, sqlite_url: str, tmp_path: Path
) -> None:
    with pytest.raises(LibraryError, match="cannot read"):
        await start_gateway(
            make_settings(sqlite_url, matcher={"library": str(tmp_path / "absent.toml")})
        )
    broken = tmp_path / "broken.csv"
    broken.write_text("id,category,title,questions,keywords,reply\nx,c,,q,,r\n", encoding="utf-8")
    with pytest.raises(LibraryError, match="line 2, title"):
        await start_gateway(make_settings(sqlite_url, matcher={"library": str(broken)}))


async def test_an_edit_through_one_process_reaches_the_other(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    settings = make_settings(sqlite_url, matcher={"reload_seconds": 0.05})
    first, second = await start_gateway(settings), await start_gateway(settings)
    async with first.http.put(
        f"{first.url}/api/v1/scripts/thermos",
        headers=auth(ADMIN),
        json={
            "category": "pre-sale",
            "title": "保温杯",
            "questions": ["保温杯能装开水吗"],
            "reply": "可以",
        },
    ) as resp:
        assert resp.status == 201
    assert await best(first, "保温杯能装开水吗") == "thermos"

    async def arrived() -> bool:
        return await best(second, "保温杯能装开水吗") == "thermos"

    await eventually(arrived)
    assert len(second.app[LIBRARY].index) == len(first.app[LIBRARY].index)


async def test_messages_arriving_together_are_matched_in_batches_each_getting_its_own(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url))
    assert gateway.app is not None
    library = gateway.app[LIBRARY]
    batches: list[int] = []
    plain_match = library._match

    async def counting(texts: list[str], k: int) -> list[list[Match]]:
        batches.append(len(texts))
        return await plain_match(texts, k)

    library._match = counting  # type: ignore[method-assign]
    asks = {
        "能开发票吗": "zh-invoice",
        "发什么快递啊": "zh-courier",
        "is shipping free": "en-shipping-fee",
    }
    texts = list(asks) * 10
    results = await asyncio.gather(*(library.suggest_many([(t, "王女士")]) for t in texts))
    assert [r[0].items[0]["script_id"] for r in results] == [asks[t] for t in texts]
    assert sum(batches) == 30
    assert len(batches) < 30  # the ones that waited went together
