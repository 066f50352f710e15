"""What the matcher keeps and learns: question embeddings stored once per encoder, and
paraphrases proposed from agents' use of suggestions, accepted into the library by a
supervisor (which bumps the library's version, so every process re-indexes at once)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from scripts_library.model import Script
from scripts_library.normalize import compact, normalize
from storage.engine import writer
from storage.library_repo import bump, script_from_row
from storage.tables import EMBEDDINGS, EVENTS, PROPOSALS, SCRIPTS, SUGGESTIONS

ProposalState = Literal["pending", "accepted", "rejected"]
CHUNK = 500


async def embeddings(engine: AsyncEngine, model: str, digests: Iterable[str]) -> dict[str, bytes]:
    """The stored vectors of these question digests under ``model``."""
    wanted = list(dict.fromkeys(digests))
    found: dict[str, bytes] = {}
    async with engine.connect() as conn:
        for start in range(0, len(wanted), CHUNK):
            query = select(EMBEDDINGS.c.digest, EMBEDDINGS.c.vector).where(
                EMBEDDINGS.c.model == model, EMBEDDINGS.c.digest.in_(wanted[start : start + CHUNK])
            )
            found.update((r.digest, bytes(r.vector)) for r in await conn.execute(query))
    return found


async def save_embeddings(engine: AsyncEngine, model: str, vectors: dict[str, bytes]) -> None:
    """Store vectors by question digest (one already stored by another process is kept)."""
    if not vectors:
        return
    module = postgresql if engine.dialect.name == "postgresql" else sqlite
    now = time.time()
    rows = [
        {"model": model, "digest": key, "vector": vector, "created_at": now}
        for key, vector in vectors.items()
    ]
    statement = module.insert(EMBEDDINGS).on_conflict_do_nothing(index_elements=["model", "digest"])
    async with writer(engine).begin() as conn:
        for start in range(0, len(rows), CHUNK):
            await conn.execute(statement, rows[start : start + CHUNK])


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposed paraphrase of a script."""

    id: int
    script_id: str
    text: str
    score: float
    agent_id: str
    state: ProposalState
    created_at: float
    decided_at: float | None
    decided_by: str | None

    def as_json(self) -> dict[str, Any]:
        """The API's spelling."""
        return {
            "id": self.id,
            "script_id": self.script_id,
            "text": self.text,
            "score": self.score,
            "agent_id": self.agent_id,
            "state": self.state,
            "created_at": self.created_at,
            "decided_at": self.decided_at,
            "decided_by": self.decided_by,
        }


def _proposal(row: Any) -> Proposal:
    return Proposal(
        int(row.id), row.script_id, row.text, float(row.score), row.agent_id, row.state,
        float(row.created_at), row.decided_at, row.decided_by,
    )  # fmt: skip


async def suggested_score(engine: AsyncEngine, event_pk: int, script_id: str) -> float | None:
    """The score ``script_id`` was suggested with for this message (0 when it was not
    among the suggestions), or None when the message has no stored suggestions."""
    query = select(SUGGESTIONS.c["items"]).where(SUGGESTIONS.c.event_pk == event_pk)
    async with engine.connect() as conn:
        items = (await conn.execute(query)).scalar_one_or_none()
    if items is None:
        return None
    scores = [float(i["score"]) for i in items if i.get("script_id") == script_id]
    return max(scores, default=0.0)


async def propose(
    engine: AsyncEngine, event_pk: int, script_id: str, score: float, agent_id: str
) -> bool:
    """Propose the message's text as a question of ``script_id``; False when the script is
    gone, already has that wording, or it was already proposed (or decided) for it."""
    module = postgresql if engine.dialect.name == "postgresql" else sqlite
    async with writer(engine).begin() as conn:
        text = (await conn.execute(select(EVENTS.c.text).where(EVENTS.c.id == event_pk))).scalar()
        row = (await conn.execute(select(SCRIPTS).where(SCRIPTS.c.id == script_id))).first()
        normalized = _key(str(text or ""))
        if not normalized or row is None:
            return False
        if normalized in {_key(q) for q in script_from_row(row).questions}:
            return False
        statement = (
            module.insert(PROPOSALS)
            .values(
                script_id=script_id,
                text=str(text)[:500],
                normalized=normalized,
                score=score,
                event_pk=event_pk,
                agent_id=agent_id,
                state="pending",
                created_at=time.time(),
            )
            .on_conflict_do_nothing(index_elements=["script_id", "normalized"])
        )
        return bool((await conn.execute(statement)).rowcount)


async def proposals(
    engine: AsyncEngine, state: ProposalState, *, after: int | None, limit: int
) -> list[Proposal]:
    """Proposals in ``state``, oldest first, after the id ``after``."""
    query = select(PROPOSALS).where(PROPOSALS.c.state == state).order_by(PROPOSALS.c.id)
    if after is not None:
        query = query.where(PROPOSALS.c.id > after)
    async with engine.connect() as conn:
        return [_proposal(r) for r in await conn.execute(query.limit(limit))]


def _key(text: str) -> str:
    return compact(normalize(text))[:500]


class ProposalConflict(Exception):
    """The proposal cannot be decided (already decided, script gone or full)."""


async def decide(
    engine: AsyncEngine, proposal_id: int, accept: bool, by: str, max_questions: int
) -> Proposal | None:
    """Accept (the text becomes a question of its script) or reject a pending proposal;
    None when there is no such proposal."""
    now = time.time()
    async with writer(engine).begin() as conn:
        row = (await conn.execute(select(PROPOSALS).where(PROPOSALS.c.id == proposal_id))).first()
        if row is None:
            return None
        if row.state != "pending":
            raise ProposalConflict(f"the proposal was already {row.state}")
        if accept:
            await _add_question(conn, row.script_id, row.text, max_questions, now)
        await conn.execute(
            update(PROPOSALS)
            .where(PROPOSALS.c.id == proposal_id)
            .values(state="accepted" if accept else "rejected", decided_at=now, decided_by=by)
        )
        decided = (await conn.execute(select(PROPOSALS).where(PROPOSALS.c.id == proposal_id))).one()
    return _proposal(decided)


async def _add_question(conn: Any, script_id: str, text: str, limit: int, now: float) -> None:
    row = (await conn.execute(select(SCRIPTS).where(SCRIPTS.c.id == script_id))).first()
    if row is None:
        raise ProposalConflict(f"script {script_id!r} no longer exists")
    script: Script = script_from_row(row)
    questions: Sequence[str] = script.questions
    if text in questions:
        return
    if len(questions) >= limit:
        raise ProposalConflict(f"script {script_id!r} already has {limit} questions")
    await conn.execute(
        update(SCRIPTS)
        .where(SCRIPTS.c.id == script_id)
        .values(questions=[*questions, text], updated_at=now)
    )
    await bump(conn, now)
