"""``[widget]``: the web chat, ReplyWatch's own customer channel (DESIGN.md section 13)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from yarl import URL

from bot.settings.base import Section


def origin_of(text: str) -> str:
    """``scheme://host[:port]`` of a site, lower case (ValueError when it is not one)."""
    url = URL(text.strip())
    if url.scheme not in ("http", "https") or not url.host or url.path not in ("", "/"):
        raise ValueError(f"{text!r}: an origin is scheme://host[:port], nothing after it")
    if url.query_string or url.fragment or url.user:
        raise ValueError(f"{text!r}: an origin is scheme://host[:port], nothing after it")
    port = f":{url.explicit_port}" if url.explicit_port else ""
    return f"{url.scheme}://{url.host.lower()}{port}"


class WidgetSettings(Section):
    """``[widget]``: the chat page ``/chat`` and the embeddable ``/widget.js``; the
    sites that may embed it, the channel its conversations are in, the secret host
    pages sign their customers' ids with, and how much one visitor may write."""

    enabled: bool = True
    #: Sites that may embed the chat or talk to ``/customer``; [] = this service only.
    allowed_origins: list[str] = Field(default_factory=list)
    channel: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_-]+$")] = "web"
    identity_secret: SecretStr = SecretStr("")
    max_messages_per_minute: Annotated[int, Field(ge=1, le=600)] = 20
    max_message_chars: Annotated[int, Field(ge=1, le=20_000)] = 2000

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        return [origin_of(item) for item in value]
