"""The whole configuration: every section, and what is derived from several."""

from __future__ import annotations

from dataclasses import replace

from pydantic import Field, model_validator

from bot.settings.accounts import AccountsSettings
from bot.settings.agents import AgentSettings, distinct_agents
from bot.settings.alerts import AlertsSettings
from bot.settings.assessment import AssessmentSettings
from bot.settings.auth import AuthSettings
from bot.settings.automation import AutomationSettings
from bot.settings.base import Section
from bot.settings.channels import ChannelSettings
from bot.settings.complaints import ComplaintSettings
from bot.settings.console import ConsoleSettings
from bot.settings.csat import CsatSettings
from bot.settings.delivery import DeliverySettings
from bot.settings.escalation import EscalationSettings
from bot.settings.hours import HoursSettings
from bot.settings.kpi import KpiSettings
from bot.settings.logs import LoggingSettings
from bot.settings.matcher import MatcherSettings
from bot.settings.monitor import MonitorSettings
from bot.settings.presence import PresenceSettings
from bot.settings.qa import QaSettings
from bot.settings.realtime import RealtimeSettings
from bot.settings.reports import ReportsSettings
from bot.settings.routing import RoutingSettings
from bot.settings.server import ServerSettings
from bot.settings.storage import StorageSettings
from bot.settings.widget import WidgetSettings
from monitors.complaints import Clock
from monitors.escalation import Member, Roster
from monitors.rules import Thresholds
from storage.users import NewUser


class Settings(Section):
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
    accounts: AccountsSettings = AccountsSettings()
    presence: PresenceSettings = PresenceSettings()
    routing: RoutingSettings = RoutingSettings()
    qa: QaSettings = QaSettings()
    assessment: AssessmentSettings = AssessmentSettings()
    complaints: ComplaintSettings = ComplaintSettings()
    csat: CsatSettings = CsatSettings()
    widget: WidgetSettings = WidgetSettings()
    console: ConsoleSettings = ConsoleSettings()
    logging: LoggingSettings = LoggingSettings()

    @model_validator(mode="after")
    def _roster(self) -> Settings:
        distinct_agents(self.agents)
        return self

    def rules(self) -> Thresholds:
        """The pure rules' settings: ``[monitor]`` with ``[hours]``, ``[escalation]``,
        ``[routing]``, ``[qa]``'s sampling and ``[csat]``'s answer window."""
        thresholds = self.monitor.thresholds(
            self.hours.business_hours(),
            self.escalation.reassign_after_seconds,
            self.escalation.max_reassignments,
            self.routing.rules(),
            self.qa.sample_rate,
        )
        return replace(thresholds, csat_window_seconds=self.csat.answer_window())

    def complaint_clock(self) -> Clock:
        """``[complaints]``' clocks with the team's ``[hours]``."""
        c = self.complaints
        return Clock(
            c.acknowledge_seconds, c.resolve_seconds, c.follow_up_days, self.hours.business_hours()
        )

    def roster(self) -> Roster:
        """The ``[[agents]]`` roster as escalation needs it."""
        return Roster({a.id: Member(a.group, a.max_concurrency) for a in self.agents})

    def roster_accounts(self) -> list[NewUser]:
        """The ``[[agents]]`` roster as password-less agent accounts (DESIGN.md 11)."""
        return [
            NewUser(a.id, a.name, "agent", (a.group,) if a.group else (), a.max_concurrency)
            for a in self.agents
        ]

    def agent_names(self) -> dict[str, str]:
        """Agent id -> display name, from the roster."""
        return {agent.id: agent.name for agent in self.agents}

    def has_channel(self, name: str) -> bool:
        """Whether ``name`` is a configured ``[[channels]]`` adapter (replies go out there)."""
        return any(channel.name == name for channel in self.channels)

    @model_validator(mode="after")
    def _channel_names(self) -> Settings:
        names = [channel.name for channel in self.channels]
        if len(names) != len(set(names)):
            raise ValueError("channels: each name must be used once")
        if "api" in names:
            raise ValueError('channels: "api" is the generic HTTP channel\'s name')
        if self.widget.enabled and self.widget.channel in [*names, "api"]:
            raise ValueError(f"widget.channel: {self.widget.channel!r} is another channel's name")
        return self
