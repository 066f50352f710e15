"""The objects the app shares between handlers, kept under one typed app key."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.pipeline import Pipeline


@dataclass(frozen=True, slots=True)
class Services:
    """What the storage context opens: the engine and the event pipeline."""

    engine: AsyncEngine
    pipeline: Pipeline


SERVICES = web.AppKey("services", Services)
