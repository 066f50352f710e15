"""A database that refuses some rows, as a real database refuses a value it cannot store:
a trigger on ``events`` (SQLite ``RAISE(ABORT)``, PostgreSQL a ``check_violation``)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

#: Message text the database refuses once :func:`refuse` ran.
REFUSED_TEXT = "the database refuses this text"
#: An agent id the database refuses assignments to.
REFUSED_AGENT = "refused-agent"

_SQLITE = f"""
CREATE TRIGGER refuse_events BEFORE INSERT ON events
WHEN NEW.text = '{REFUSED_TEXT}' OR NEW.agent_id = '{REFUSED_AGENT}'
BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END
"""
_PG_FUNCTION = f"""
CREATE FUNCTION refuse_events() RETURNS trigger AS $$
BEGIN
  IF NEW.text = '{REFUSED_TEXT}' OR NEW.agent_id = '{REFUSED_AGENT}' THEN
    RAISE EXCEPTION 'refused by the test trigger' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql
"""
_PG_TRIGGER = (
    "CREATE TRIGGER refuse_events BEFORE INSERT ON events "
    "FOR EACH ROW EXECUTE FUNCTION refuse_events()"
)


async def refuse(engine: AsyncEngine) -> None:
    """Make the database refuse events with :data:`REFUSED_TEXT` or :data:`REFUSED_AGENT`."""
    async with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            await conn.execute(text(_SQLITE))
        else:
            await conn.execute(text(_PG_FUNCTION))
            await conn.execute(text(_PG_TRIGGER))
