"""Tables of what the matcher learns and keeps: stored sentence embeddings of library
questions, and paraphrases proposed from agents' use of suggestions."""

from __future__ import annotations

from sqlalchemy import Double, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class EmbeddingRow(Base):
    """A question's sentence embedding under one encoder (float32 bytes), computed once
    and shared by every process and restart."""

    __tablename__ = "question_embeddings"

    model: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[float] = mapped_column(Double)


class ProposalRow(Base):
    """A customer's wording proposed as a new question of a script, because an agent
    used that script for it while it matched weakly: pending -> accepted or rejected."""

    __tablename__ = "paraphrase_proposals"
    __table_args__ = (
        Index("ix_paraphrase_proposals_script_text", "script_id", "normalized", unique=True),
        Index("ix_paraphrase_proposals_state_created", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    script_id: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(String(500))
    score: Mapped[float] = mapped_column(Double)
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"))
    agent_id: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[float] = mapped_column(Double)
    decided_at: Mapped[float | None] = mapped_column(Double, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
