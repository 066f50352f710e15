"""With semantic matching (the default install's), a customer's "hiya" gets the welcome
script although it shares no word with the library; the library's embeddings are
computed once and kept in the database, not per process start."""

from __future__ import annotations

import logging
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from bot.semantic import available, digest, load_encoder
from storage.tables import EMBEDDINGS
from tests.support.gateway import Gateway, StartGateway
from tests.support.settings import make_settings
from tests.support.store import engine_of
from tests.support.tokens import SUPERVISOR


def test_the_default_install_has_the_encoder() -> None:
    assert available()  # a default dependency: nothing here may be skipped for want of it


async def _best(gateway: Gateway, text: str) -> tuple[str, float] | None:
    status, found = await gateway.call("GET", f"/api/v1/suggest?q={quote(text)}", SUPERVISOR)
    assert status == 200
    return (found["items"][0]["script_id"], found["items"][0]["score"]) if found["items"] else None


async def test_a_greeting_in_other_words_gets_the_welcome_script(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    lexical = await start_gateway(make_settings(sqlite_url))
    assert await _best(lexical, "hiya") is None
    hybrid = await start_gateway(make_settings(sqlite_url, matcher={"semantic": "on"}))
    assert (await _best(hybrid, "hiya") or ("", 0.0))[0] == "en-welcome"
    assert await _best(hybrid, "what's the capital of france") is None


async def test_library_embeddings_are_stored_once_and_reused_after_a_restart(
    start_gateway: StartGateway, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.library")
    settings = make_settings(sqlite_url, matcher={"semantic": "on"})
    first = await start_gateway(settings)  # encodes the bundled library
    async with engine_of(first.app).connect() as conn:
        stored = (await conn.execute(select(func.count()).select_from(EMBEDDINGS))).scalar()
        model = (await conn.execute(select(EMBEDDINGS.c.model).limit(1))).scalar()
    assert stored
    assert stored > 300
    assert [r for r in caplog.records if "encoded" in r.getMessage()]
    caplog.clear()
    second = await start_gateway(settings)
    assert await _best(second, "hiya") is not None
    assert not [r for r in caplog.records if "encoded" in r.getMessage()]
    encoder = load_encoder("on")
    assert encoder is not None
    assert model == encoder.name
    async with engine_of(second.app).connect() as conn:
        vector = (
            await conn.execute(
                select(EMBEDDINGS.c.vector).where(EMBEDDINGS.c.digest == digest("在吗"))
            )
        ).scalar()
    assert vector is not None
    assert len(vector) == 512 * 4


def test_semantic_matching_can_be_turned_off() -> None:
    assert load_encoder("off") is None
