"""The objects the app shares between handlers, kept under one typed app key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.jobs.sweeper import Sweeper
from bot.library import Library
from bot.pipeline import Pipeline


@dataclass(frozen=True, slots=True)
class Services:
    """What the storage context opens: the engine, the script library, the pipeline, the sweep."""

    engine: AsyncEngine
    library: Library
    pipeline: Pipeline
    sweeper: Sweeper
