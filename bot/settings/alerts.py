"""``[alerts]``: alert sinks (``[[alerts.sink]]``, docs/rules.md) and the legacy
``[[alerts.webhook]]`` (validated with the rest of the settings in :mod:`bot.settings`)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from pydantic import Field, SecretStr, model_validator

from bot.settings.base import Section
from monitors.rules import FOR_SUPERVISORS, AlertKind

#: What a group chat gets by default: what supervisors see (not the agents' own warnings).
CHAT_KINDS: tuple[AlertKind, ...] = tuple(k for k in AlertKind if k in FOR_SUPERVISORS)
SinkType = Literal["wecom", "dingtalk", "feishu", "slack", "webhook"]


class _Delivery(Section):
    url: str
    timeout_seconds: float = Field(default=5.0, gt=0)
    retries: int = Field(default=5, ge=0, le=20)
    backoff_seconds: float = Field(default=1.0, gt=0)
    max_backoff_seconds: float = Field(default=60.0, gt=0)

    @model_validator(mode="after")
    def _http_url(self) -> _Delivery:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return self


class SinkSettings(_Delivery):
    """One ``[[alerts.sink]]``: a group chat robot or a signed webhook."""

    type: SinkType
    secret: SecretStr | None = None
    #: Kinds sent; default every kind for a webhook, all but ``reply.warning`` for chats.
    kinds: Annotated[list[AlertKind], Field(min_length=1)] | None = None
    #: Alerts arriving within this many seconds of the first go out as one message.
    merge_seconds: float | None = Field(default=None, ge=0, le=3600)
    language: Literal["zh-CN", "en"] = "zh-CN"
    #: Names the sink's deliveries in the database; default: type and a hash of the URL.
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")] | None = None

    @model_validator(mode="after")
    def _secret_rules(self) -> SinkSettings:
        secret = self.secret.get_secret_value() if self.secret else ""
        if self.type == "webhook" and len(secret) < 16:
            raise ValueError("a webhook sink needs a secret of at least 16 characters")
        if self.type in ("wecom", "slack") and secret:
            raise ValueError(f"a {self.type} sink has no secret (the URL is the credential)")
        return self

    @property
    def key(self) -> str:
        """The stable name its deliveries are stored under."""
        return self.name or f"{self.type}-{hashlib.sha256(self.url.encode()).hexdigest()[:12]}"

    @property
    def wanted(self) -> frozenset[str]:
        """The alert kinds this sink takes."""
        default = tuple(AlertKind) if self.type == "webhook" else CHAT_KINDS
        return frozenset(self.kinds or default)

    @property
    def merge(self) -> float:
        """Seconds to gather a burst (default: none for webhooks, 5 for chats)."""
        if self.merge_seconds is not None:
            return self.merge_seconds
        return 0.0 if self.type == "webhook" else 5.0


class WebhookSettings(_Delivery):
    """One ``[[alerts.webhook]]`` (kept for existing configs; the same as an
    ``[[alerts.sink]]`` of type ``webhook``)."""

    secret: SecretStr
    kinds: Annotated[list[AlertKind], Field(min_length=1)] = Field(
        default_factory=lambda: list(tuple(AlertKind))
    )
    concurrency: int = Field(default=4, ge=1, le=64)
    queue_size: int = Field(default=10_000, ge=1)

    @model_validator(mode="after")
    def _long_secret(self) -> WebhookSettings:
        if len(self.secret.get_secret_value()) < 16:
            raise ValueError("secret must be at least 16 characters")
        return self

    def as_sink(self) -> SinkSettings:
        """The equivalent sink."""
        return SinkSettings(
            type="webhook",
            url=self.url,
            secret=self.secret,
            kinds=self.kinds,
            timeout_seconds=self.timeout_seconds,
            retries=self.retries,
            backoff_seconds=self.backoff_seconds,
            max_backoff_seconds=self.max_backoff_seconds,
        )


class AlertsSettings(Section):
    """``[alerts]``: how alerts are delivered besides Socket.IO."""

    merge_overdue_seconds: float = Field(default=10.0, ge=0)
    #: At shutdown, how long sends in flight may take to finish (unsent ones stay stored).
    drain_seconds: float = Field(default=5.0, ge=0)
    #: How often due sink deliveries are looked for (new alerts wake the relay at once).
    poll_seconds: float = Field(default=1.0, gt=0)
    #: A process sending a delivery holds it this long; then another may retry it.
    lease_seconds: float = Field(default=30.0, gt=0)
    sink: list[SinkSettings] = Field(default_factory=list)
    webhook: list[WebhookSettings] = Field(default_factory=list)

    @model_validator(mode="after")
    def _distinct_names(self) -> AlertsSettings:
        keys = [s.key for s in self.sinks()]
        if len(keys) != len(set(keys)):
            raise ValueError("two alert sinks have the same name (or type and URL)")
        return self

    def sinks(self) -> list[SinkSettings]:
        """Every sink, ``[[alerts.webhook]]`` entries included."""
        return [*self.sink, *(hook.as_sink() for hook in self.webhook)]
