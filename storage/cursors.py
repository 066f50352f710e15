"""Sync cursors of pulling channels (WeCom ``sync_msg``): read before a sync, written
after the messages it fetched are stored, so a restart neither loses nor refetches."""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import writer
from storage.tables import CURSORS


class Cursors:
    """Cursor storage for one database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, channel: str, account: str) -> str:
        """The saved cursor ("" before the first sync)."""
        query = select(CURSORS.c.cursor).where(
            CURSORS.c.channel == channel, CURSORS.c.account == account
        )
        async with self._engine.connect() as conn:
            return str((await conn.execute(query)).scalar() or "")

    async def put(self, channel: str, account: str, cursor: str) -> None:
        """Save where the sync got to."""
        module = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        row = {"channel": channel, "account": account, "cursor": cursor, "updated_at": time.time()}
        upsert = module.insert(CURSORS).values(row)
        upsert = upsert.on_conflict_do_update(
            index_elements=["channel", "account"],
            set_={"cursor": upsert.excluded.cursor, "updated_at": upsert.excluded.updated_at},
        )
        async with writer(self._engine).begin() as conn:
            await conn.execute(upsert)
