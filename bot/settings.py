"""Configuration: one place that loads, overrides and validates every setting.

Precedence, lowest first: built-in defaults, the TOML file, then environment
variables ``REPLYWATCH_<SECTION>__<KEY>``.  Every key is validated at start-up;
an unknown or bad key fails loudly with its dotted name.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from bot.channels.settings import ChannelSettings
from bot.delivery.settings import AlertsSettings, WebhookSettings
from bot.hours_settings import (
    AgentSettings,
    AutomationSettings,
    EscalationSettings,
    HoursSettings,
    distinct_agents,
)
from monitors.escalation import Member, Roster
from monitors.hours import BusinessHours
from monitors.kpis import Scoring
from monitors.rules import Thresholds

ENV_PREFIX = "REPLYWATCH_"
Role = Literal["agent", "supervisor", "qa", "admin", "integration"]


class SettingsError(Exception):
    """A configuration problem, with a message that names the offending key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerSettings(_Section):
    """``[server]``: where the gateway listens and how much it accepts."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    max_body_bytes: int = Field(default=1_048_576, gt=0)
    max_batch_events: int = Field(default=1000, gt=0)


class StorageSettings(_Section):
    """``[storage]``: the database and how writes are grouped."""

    url: str = "sqlite+aiosqlite:///./replywatch.db"
    auto_migrate: bool = True
    max_group_events: int = Field(default=500, gt=0)
    pool_size: int = Field(default=5, gt=0)
    #: SQLite: how long a write waits for a lock another process holds, then 503.
    lock_timeout_seconds: float = Field(default=3.0, gt=0, le=60)

    @model_validator(mode="after")
    def _known_driver(self) -> StorageSettings:
        if not self.url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("url must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return self


class RealtimeSettings(_Section):
    """``[realtime]``: Socket.IO scale-out; an empty redis_url means one process."""

    redis_url: str = ""
    cors_allowed_origins: list[str] = Field(default_factory=list)
    #: A connection that joins neither /agent nor /supervisor this long is closed.
    join_seconds: float = Field(default=10.0, gt=0)
    #: A client with more pushes than this waiting (it stopped reading) is closed.
    max_queued_messages: int = Field(default=1000, ge=10)


class MonitorSettings(_Section):
    """``[monitor]``: the response-time rules (seconds, fractions allowed)."""

    reply_seconds: float = Field(default=20.0, gt=0)
    busy_reply_seconds: float = Field(default=60.0, gt=0)
    busy_concurrency: int = Field(default=4, ge=1)
    warn_ratio: float = Field(default=0.75, gt=0, lt=1)
    unanswered_seconds: float = Field(default=300.0, gt=0)
    active_window_seconds: float = Field(default=600.0, gt=0)
    sweep_seconds: float = Field(default=0.5, gt=0)
    forbidden_phrases: list[str] = Field(default_factory=lambda: ["不行", "不知道", "不可以"])
    #: Exceptions the team allows although they contain a forbidden phrase.
    allowed_phrases: list[str] = Field(default_factory=list)

    def thresholds(self, hours: BusinessHours | None = None) -> Thresholds:
        """The numbers the pure response-time rules take (and the business hours)."""
        return Thresholds(
            hours=hours,
            reply_seconds=self.reply_seconds,
            busy_reply_seconds=self.busy_reply_seconds,
            busy_concurrency=self.busy_concurrency,
            warn_ratio=self.warn_ratio,
            unanswered_seconds=self.unanswered_seconds,
            active_window_seconds=self.active_window_seconds,
            forbidden_phrases=tuple(self.forbidden_phrases),
            allowed_phrases=tuple(self.allowed_phrases),
        )


class MatcherSettings(_Section):
    """``[matcher]``: the script library and how many suggestions to give."""

    library: str = "bundled"
    min_score: float = Field(default=45.0, ge=0, le=100)
    top_k: int = Field(default=3, ge=1, le=50)
    reload_seconds: float = Field(default=2.0, gt=0)
    semantic: Literal["auto", "on", "off"] = "auto"
    #: Processes that match customer messages beside the gateway (0 = a thread in it).
    workers: int = Field(default=0, ge=0, le=16)
    propose_below: float = Field(default=70.0, ge=0, le=100)

    @model_validator(mode="after")
    def _known_source(self) -> MatcherSettings:
        if self.library != "bundled" and not self.library.endswith((".toml", ".csv")):
            raise ValueError('library must be "bundled" or a path ending in .toml or .csv')
        return self


class KpiSettings(_Section):
    """``[kpi]``: how agents are scored (the manuals' bands by default) and the team's
    time zone (day, week and month boundaries)."""

    timezone: str = "UTC"
    #: (at least this reply rate, points), best first; below every band scores 0.
    reply_rate_bands: list[tuple[float, float]] = Field(
        default_factory=lambda: [(0.98, 100.0), (0.95, 80.0), (0.92, 60.0)]
    )
    #: (at most this average response in seconds, points), best first; above scores 0.
    response_bands: list[tuple[float, float]] = Field(
        default_factory=lambda: [(25.0, 100.0), (30.0, 80.0), (40.0, 60.0)]
    )
    reply_rate_weight: float = Field(default=0.5, ge=0)
    response_weight: float = Field(default=0.5, ge=0)
    unanswered_points: float = -10.0

    @model_validator(mode="after")
    def _valid(self) -> KpiSettings:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"timezone: unknown time zone {self.timezone!r}") from exc
        rates = [limit for limit, _ in self.reply_rate_bands]
        if rates != sorted(rates, reverse=True) or not all(0 <= r <= 1 for r in rates):
            raise ValueError("reply_rate_bands: rates between 0 and 1, highest first")
        seconds = [limit for limit, _ in self.response_bands]
        if seconds != sorted(seconds) or not all(s > 0 for s in seconds):
            raise ValueError("response_bands: positive seconds, lowest first")
        return self

    def scoring(self) -> Scoring:
        """How the pure KPI arithmetic scores figures."""
        return Scoring(
            reply_rate_bands=tuple(self.reply_rate_bands),
            response_bands=tuple(self.response_bands),
            reply_rate_weight=self.reply_rate_weight,
            response_weight=self.response_weight,
            unanswered_points=self.unanswered_points,
        )


ReportFormat = Literal["csv", "xlsx", "html"]


def _html_only() -> list[ReportFormat]:
    return ["html"]


class ReportScheduleSettings(_Section):
    """One ``[[reports.schedule]]``: a report written on a cron schedule while the
    service runs, optionally announced to a webhook."""

    period: Literal["day", "week", "month"]
    cron: str
    output_dir: str = "reports"
    formats: list[ReportFormat] = Field(default_factory=_html_only, min_length=1)
    covers: Literal["previous", "current"] = "previous"
    webhook: WebhookSettings | None = None

    @model_validator(mode="after")
    def _valid_cron(self) -> ReportScheduleSettings:
        from bot.jobs.scheduler import cron_trigger

        try:
            cron_trigger(self.cron, "UTC")
        except ValueError as exc:
            raise ValueError(f"cron: {exc}") from exc
        return self


class ReportsSettings(_Section):
    """``[reports]``: scheduled reports."""

    schedule: list[ReportScheduleSettings] = Field(default_factory=list)


class DeliverySettings(_Section):
    """``[delivery]``: sending agents' replies out through their IM channel."""

    retries: int = Field(default=5, ge=0, le=50)
    backoff_seconds: float = Field(default=1.0, gt=0)
    max_backoff_seconds: float = Field(default=60.0, gt=0)
    timeout_seconds: float = Field(default=10.0, gt=0)
    lease_seconds: float = Field(default=60.0, gt=0)
    poll_seconds: float = Field(default=1.0, gt=0)


class TokenSettings(_Section):
    """One ``[[auth.tokens]]`` entry."""

    token: str = Field(min_length=8)
    role: Role
    agent_id: str | None = None

    @model_validator(mode="after")
    def _agent_needs_id(self) -> TokenSettings:
        if self.role == "agent" and not self.agent_id:
            raise ValueError("a token with role 'agent' needs an agent_id")
        return self


class AuthSettings(_Section):
    """``[auth]``: bearer tokens and their roles."""

    tokens: list[TokenSettings] = Field(default_factory=list)

    def agent_ids(self) -> set[str]:
        """The agents that have a token."""
        return {t.agent_id for t in self.tokens if t.agent_id}

    @model_validator(mode="after")
    def _unique_tokens(self) -> AuthSettings:
        seen = [t.token for t in self.tokens]
        if len(seen) != len(set(seen)):
            raise ValueError("each token must be listed once")
        return self


FlaggedKindName = Literal["reply.slow", "message.unanswered", "reply.forbidden_phrase"]


def _default_points() -> dict[FlaggedKindName, float]:
    return {"reply.slow": -2.0, "reply.forbidden_phrase": -5.0, "message.unanswered": -10.0}


class QaSettings(_Section):
    """``[qa]``: the points the QA desk suggests when a reviewer confirms a flag of each
    kind (reviewers may change them). A reviewed ``message.unanswered`` flag's points
    replace the automatic ``kpi.unanswered_points`` fault."""

    default_points: dict[FlaggedKindName, float] = Field(default_factory=_default_points)

    @model_validator(mode="after")
    def _in_range(self) -> QaSettings:
        if any(not -1000 <= points <= 1000 for points in self.default_points.values()):
            raise ValueError("default_points: between -1000 and 1000")
        return self


class ConsoleSettings(_Section):
    """``[console]``: the web console's sessions and language."""

    #: Signs the session cookie; empty: a key generated once and kept in the database
    #: (shared by every process on it). At least 32 characters when set.
    session_secret: SecretStr = SecretStr("")
    #: How long a sign-in lasts.
    session_hours: float = Field(default=12.0, gt=0, le=24 * 90)
    #: Send the cookie over HTTPS only (set true behind TLS).
    secure_cookies: bool = False
    #: The language when the browser asks for neither Chinese nor English.
    default_language: Literal["zh-CN", "en"] = "en"

    @model_validator(mode="after")
    def _long_secret(self) -> ConsoleSettings:
        value = self.session_secret.get_secret_value()
        if value and len(value) < 32:
            raise ValueError("session_secret must be empty or at least 32 characters")
        return self


class LoggingSettings(_Section):
    """``[logging]``: level and line format."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"


class Settings(_Section):
    """The whole validated configuration."""

    server: ServerSettings = ServerSettings()
    storage: StorageSettings = StorageSettings()
    realtime: RealtimeSettings = RealtimeSettings()
    monitor: MonitorSettings = MonitorSettings()
    alerts: AlertsSettings = AlertsSettings()
    hours: HoursSettings = HoursSettings()
    automation: AutomationSettings = AutomationSettings()
    escalation: EscalationSettings = EscalationSettings()
    agents: list[AgentSettings] = Field(default_factory=list)
    kpi: KpiSettings = KpiSettings()
    reports: ReportsSettings = ReportsSettings()
    delivery: DeliverySettings = DeliverySettings()
    channels: list[ChannelSettings] = Field(default_factory=list)
    matcher: MatcherSettings = MatcherSettings()
    auth: AuthSettings = AuthSettings()
    qa: QaSettings = QaSettings()
    console: ConsoleSettings = ConsoleSettings()
    logging: LoggingSettings = LoggingSettings()

    @model_validator(mode="after")
    def _roster(self) -> Settings:
        distinct_agents(self.agents)
        return self

    def rules(self) -> Thresholds:
        """The pure rules' settings: ``[monitor]`` with ``[hours]`` and ``[escalation]``."""
        return dataclasses.replace(
            self.monitor.thresholds(self.hours.business_hours()),
            reassign_after_seconds=self.escalation.reassign_after_seconds,
            max_reassignments=self.escalation.max_reassignments,
        )

    def roster(self) -> Roster:
        """The ``[[agents]]`` roster as escalation needs it."""
        return Roster({a.id: Member(a.group, a.max_concurrency) for a in self.agents})

    def agent_names(self) -> dict[str, str]:
        """Agent id -> display name, from the roster."""
        return {agent.id: agent.name for agent in self.agents}

    @model_validator(mode="after")
    def _channel_names(self) -> Settings:
        names = [channel.name for channel in self.channels]
        if len(names) != len(set(names)):
            raise ValueError("channels: each name must be used once")
        if "api" in names:
            raise ValueError('channels: "api" is the generic HTTP channel\'s name')
        return self


def _env_value(raw: str) -> Any:
    """Read an environment value as a TOML value when it is one, else as a string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _apply_env(data: dict[str, Any], environ: Mapping[str, str]) -> None:
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
        target = data.setdefault(section, {})
        if not isinstance(target, dict):
            raise SettingsError(f"{name}: [{section}] is not a section")
        target[key] = _env_value(raw)


def _describe(error: ValidationError, source: str) -> str:
    lines = [f"invalid configuration ({source}):"]
    for item in error.errors(include_url=False):
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"  {key}: {item['msg']}")
    return "\n".join(lines)


def load_settings(
    path: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Load settings from ``path`` (optional) and the environment, validating every key."""
    environ = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    source = "defaults"
    if path is not None:
        file = Path(path)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise SettingsError(f"config file not found: {file}") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"config file {file} is not valid TOML: {exc}") from exc
        source = str(file)
    _apply_env(data, environ)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(_describe(exc, f"{source} + environment")) from exc


def settings_from(data: Mapping[str, Any]) -> Settings:
    """Validate settings given as a mapping (tests, embedding)."""
    try:
        return Settings.model_validate(dict(data))
    except ValidationError as exc:
        raise SettingsError(_describe(exc, "mapping")) from exc
