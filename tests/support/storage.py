"""Storage-level helpers: a fixed clock origin and ingest of the event vocabulary
straight into a real database, the way the group writer does it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import writer
from storage.ingest import Stored, apply_batch
from tests.support.events import Event, typed
from tests.support.rules import RULES

#: A fixed "now" for stored histories (2027-01-15), far from any real clock.
T0 = 1_800_000_000.0
#: The hour the storage tests' stored history covers.
START, END = T0, T0 + 3600


async def ingest(engine: AsyncEngine, *events: Event) -> list[Stored | None]:
    """Store ``events`` in one transaction, as one commit group (``now`` is ``T0 + 1000``)."""
    async with writer(engine).begin() as conn:
        return await conn.run_sync(apply_batch, typed(*events), RULES, T0 + 1000)
