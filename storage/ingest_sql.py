"""The statements of the ingest group (:mod:`storage.ingest`), built once per dialect so
that SQLAlchemy's cache keys are reused."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import Executable, bindparam, case, func, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.tables import AGENTS, CONVERSATIONS, EVENTS, SUGGESTIONS


@dataclass(frozen=True, slots=True)
class Statements:
    """The ingest group's statements for one dialect."""

    upsert_conversations: Executable
    insert_events: Executable
    update_conversations: Executable
    upsert_agents: Executable
    insert_suggestions: Executable


@functools.cache
def statements(dialect: str) -> Statements:
    """The group's statements, built once per dialect (so SQLAlchemy's cache keys are reused)."""
    module = postgresql if dialect == "postgresql" else sqlite
    conversations = module.insert(CONVERSATIONS)
    events = module.insert(EVENTS)
    agents = module.insert(AGENTS)
    new = agents.excluded
    newer = (new.status_at.is_not(None)) & (
        AGENTS.c.status_at.is_(None) | (new.status_at >= AGENTS.c.status_at)
    )
    return Statements(
        # The no-op update makes RETURNING give existing rows too, and locks them on PostgreSQL.
        upsert_conversations=conversations.on_conflict_do_update(
            index_elements=["channel", "external_id"],
            set_={"updated_at": CONVERSATIONS.c.updated_at},
        ).returning(*CONVERSATIONS.c),
        insert_events=events.on_conflict_do_nothing(
            index_elements=["channel", "external_id"]
        ).returning(EVENTS.c.channel, EVENTS.c.external_id, EVENTS.c.id),
        update_conversations=update(CONVERSATIONS)
        .where(CONVERSATIONS.c.id == bindparam("pk"))
        .values(
            {
                name: bindparam(name)
                for name in (
                    "status",
                    "assignee_id",
                    "customer_id",
                    "opened_at",
                    "closed_at",
                    "last_customer_at",
                    "last_agent_at",
                    "open_turn_pk",
                    "group_name",
                    "queued_at",
                    "updated_at",
                )
            }
        ),
        insert_suggestions=module.insert(SUGGESTIONS).on_conflict_do_nothing(
            index_elements=["event_pk"]
        ),
        upsert_agents=agents.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "name": func.coalesce(new.name, AGENTS.c.name),
                "status": case((newer, new.status), else_=AGENTS.c.status),
                "status_at": case((newer, new.status_at), else_=AGENTS.c.status_at),
                "chosen": func.coalesce(new.chosen, AGENTS.c.chosen),
            },
        ),
    )
