"""Databases and settings for the real servers the tests start."""

from __future__ import annotations

import socket
import uuid
from typing import Any

from bot.settings import Settings, settings_from
from tests.support.tokens import TOKENS


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def new_postgres_database(server: Any) -> str:
    """Create an empty database on ``server``; its SQLAlchemy asyncpg URL."""
    name = f"rw_{uuid.uuid4().hex[:12]}"
    server.psql(f"CREATE DATABASE {name};")
    uri: str = server.get_uri(database=name)
    return uri.replace("postgresql://", "postgresql+asyncpg://", 1)


def make_settings(database_url: str, **sections: Any) -> Settings:
    """Test settings: the given database, the test tokens, and any section overrides
    (``channels`` is a list of tables). Semantic matching is off unless a test turns it
    on (``matcher={"semantic": "on"}``): loading the encoder costs every app a second.
    Routing is off unless a test turns it on (``routing={"mode": "least_loaded"}``, the
    service's default): an agent's console that connects would otherwise take the chats
    a test hands out itself."""
    data: dict[str, Any] = {
        "storage": {"url": database_url},
        "auth": {"tokens": TOKENS},
        "matcher": {"semantic": "off"},
        "routing": {"mode": "off"},
    }
    for name, values in sections.items():
        if isinstance(values, dict):
            data.setdefault(name, {}).update(values)
        else:
            data[name] = values
    return settings_from(data)
