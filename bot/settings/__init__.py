"""Configuration: one package that loads, overrides and validates every setting.

One module per section (``[server]`` is :mod:`bot.settings.server`, ...); every default
is written once, here: the pure rules of :mod:`monitors` take their numbers from these
sections. :func:`load_settings` reads the TOML file and the environment and fails loudly,
naming the key, on anything unknown or invalid.
"""

from bot.settings.accounts import AccountsSettings, GroupName
from bot.settings.agents import AgentSettings
from bot.settings.alerts import AlertsSettings, SinkSettings, WebhookSettings
from bot.settings.assessment import AssessmentSettings
from bot.settings.auth import AuthSettings, Role, TokenSettings
from bot.settings.automation import AutomationSettings
from bot.settings.base import Section, SettingsError
from bot.settings.channels import (
    ChannelSettings,
    SlackChannelSettings,
    TelegramChannelSettings,
    WeComChannelSettings,
)
from bot.settings.complaints import ComplaintSettings
from bot.settings.console import ConsoleSettings
from bot.settings.csat import CsatSettings
from bot.settings.delivery import DeliverySettings
from bot.settings.escalation import EscalationSettings
from bot.settings.hours import HoursSettings
from bot.settings.kpi import KpiSettings
from bot.settings.loading import ENV_PREFIX, load_settings, settings_from
from bot.settings.logs import LoggingSettings
from bot.settings.matcher import MatcherSettings
from bot.settings.monitor import MonitorSettings
from bot.settings.presence import PresenceSettings
from bot.settings.qa import QaSettings
from bot.settings.realtime import RealtimeSettings
from bot.settings.reports import ReportFormat, ReportScheduleSettings, ReportsSettings, cron_trigger
from bot.settings.root import Settings
from bot.settings.routing import RoutingSettings
from bot.settings.server import ServerSettings
from bot.settings.storage import StorageSettings
from bot.settings.widget import WidgetSettings

__all__ = [
    "ENV_PREFIX",
    "AccountsSettings",
    "AgentSettings",
    "AlertsSettings",
    "AssessmentSettings",
    "AuthSettings",
    "AutomationSettings",
    "ChannelSettings",
    "ComplaintSettings",
    "ConsoleSettings",
    "CsatSettings",
    "DeliverySettings",
    "EscalationSettings",
    "GroupName",
    "HoursSettings",
    "KpiSettings",
    "LoggingSettings",
    "MatcherSettings",
    "MonitorSettings",
    "PresenceSettings",
    "QaSettings",
    "RealtimeSettings",
    "ReportFormat",
    "ReportScheduleSettings",
    "ReportsSettings",
    "Role",
    "RoutingSettings",
    "Section",
    "ServerSettings",
    "Settings",
    "SettingsError",
    "SinkSettings",
    "SlackChannelSettings",
    "StorageSettings",
    "TelegramChannelSettings",
    "TokenSettings",
    "WeComChannelSettings",
    "WebhookSettings",
    "WidgetSettings",
    "cron_trigger",
    "load_settings",
    "settings_from",
]
