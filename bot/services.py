"""The objects the app shares between handlers, kept under one typed app key."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.pipeline import Pipeline
from monitors.sweep import Sweeper
from scripts_library.library import Library


@dataclass(frozen=True, slots=True)
class Services:
    """What the storage context opens: the engine, the script library, the pipeline, the sweep."""

    engine: AsyncEngine
    library: Library
    pipeline: Pipeline
    sweeper: Sweeper


SERVICES = web.AppKey("services", Services)
