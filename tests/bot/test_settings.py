"""An operator configures ReplyWatch with a TOML file and environment overrides;
any mistake stops start-up with the offending key named."""

from pathlib import Path

import pytest

from bot.settings import (
    AgentSettings,
    ReportScheduleSettings,
    SettingsError,
    SinkSettings,
    SlackChannelSettings,
    TelegramChannelSettings,
    WebhookSettings,
    WeComChannelSettings,
    load_settings,
)
from bot.settings.qa import CategorySettings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_match_the_contract() -> None:
    settings = load_settings(environ={})
    monitor = settings.monitor
    assert (monitor.reply_seconds, monitor.busy_reply_seconds, monitor.busy_concurrency) == (
        20,
        60,
        4,
    )
    assert (monitor.warn_ratio, monitor.unanswered_seconds, monitor.sweep_seconds) == (
        0.75,
        300,
        0.5,
    )
    assert monitor.active_window_seconds == 600
    assert monitor.forbidden_phrases == ["不行", "不知道", "不可以"]
    assert settings.storage.url == "sqlite+aiosqlite:///./replywatch.db"
    assert settings.realtime.redis_url == ""


def test_the_example_config_is_valid_and_documents_every_key() -> None:
    example = ROOT / "config.example.toml"
    settings = load_settings(example, environ={})
    text = example.read_text(encoding="utf-8")
    for section_name, section in settings:
        if section_name in ("auth", "channels", "agents"):
            continue
        assert f"[{section_name}]" in text
        for key in type(section).model_fields:
            documented = f"\n{key} =" in text or f"[[{section_name}.{key}]]" in text
            assert documented, f"{section_name}.{key} is not documented"
    for key in WebhookSettings.model_fields:
        assert f"\n# {key} =" in text, f"alerts.webhook.{key} is not documented"
    for key in AgentSettings.model_fields:
        assert f"\n# {key} =" in text, f"agents.{key} is not documented"
    for key in CategorySettings.model_fields:
        assert f"\n# {key} =" in text, f"qa.category.{key} is not documented"
    for key in SinkSettings.model_fields:
        assert f"\n# {key} =" in text, f"alerts.sink.{key} is not documented"
    for key in ReportScheduleSettings.model_fields:
        assert f"\n# {key} =" in text, f"reports.schedule.{key} is not documented"
    for kind in (TelegramChannelSettings, SlackChannelSettings, WeComChannelSettings):
        for key in kind.model_fields:
            assert f"\n# {key} =" in text, f"{kind.__name__}.{key} is not documented"


def test_environment_overrides_the_file_with_typed_values(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[monitor]\nreply_seconds = 15\n[server]\nport = 9000\n", encoding="utf-8")
    settings = load_settings(
        config,
        environ={
            "REPLYWATCH_MONITOR__REPLY_SECONDS": "0.2",
            "REPLYWATCH_STORAGE__URL": "sqlite+aiosqlite:///x.db",
            "REPLYWATCH_AUTH__TOKENS": '[{token = "abcdefgh1", role = "admin"}]',
            "UNRELATED": "1",
        },
    )
    assert settings.monitor.reply_seconds == 0.2
    assert settings.server.port == 9000
    assert settings.storage.url == "sqlite+aiosqlite:///x.db"
    assert settings.auth.tokens[0].role == "admin"


@pytest.mark.parametrize(
    ("toml", "environ", "named"),
    [
        ("[monitor]\nreply_secs = 3\n", {}, "monitor.reply_secs"),
        ("[monitor]\nreply_seconds = -1\n", {}, "monitor.reply_seconds"),
        ("[monitor]\nwarn_ratio = 1.5\n", {}, "monitor.warn_ratio"),
        ("[servr]\nport = 1\n", {}, "servr"),
        ("", {"REPLYWATCH_SERVER__PORT": "many"}, "server.port"),
        ('[storage]\nurl = "mysql://x"\n', {}, "storage"),
        ('[[auth.tokens]]\ntoken = "abcdefghij"\nrole = "agent"\n', {}, "agent_id"),
        ('[[auth.tokens]]\ntoken = "abcdefghij"\nrole = "boss"\n', {}, "auth.tokens.0.role"),
        ('[[alerts.webhook]]\nurl = "ftp://x"\nsecret = "0123456789abcdef"\n', {}, "http"),
        ('[[alerts.webhook]]\nurl = "http://x"\nsecret = "short"\n', {}, "16 characters"),
        (
            '[[alerts.webhook]]\nurl = "http://x"\nsecret = "0123456789abcdef"\nkinds = ["x"]\n',
            {},
            "alerts.webhook.0.kinds.0",
        ),
        ("[alerts]\nmerge_overdue_seconds = -1\n", {}, "alerts.merge_overdue_seconds"),
        ('[kpi]\ntimezone = "Mars/Base"\n', {}, "unknown time zone"),
        ("[kpi]\nresponse_bands = [[40, 60], [25, 100]]\n", {}, "lowest first"),
        ('[[reports.schedule]]\nperiod = "day"\ncron = "0 8 * *"\n', {}, "5 fields"),
        ('[[reports.schedule]]\nperiod = "decade"\ncron = "0 8 * * *"\n', {}, "period"),
        ('[[channels]]\ntype = "fax"\nname = "f"\n', {}, "does not match"),
        ('[[alerts.sink]]\ntype = "webhook"\nurl = "http://x"\n', {}, "at least 16"),
        ('[hours]\nweekly = {monday = ["09:00-18:00"]}\n', {}, "unknown day"),
        ('[hours]\nweekly = {mon = ["9-18"]}\n', {}, "HH:MM-HH:MM"),
        ('[hours]\nweekly = {mon = ["22:00-02:00"]}\n', {}, "cross midnight"),
        ("[hours]\nweekly = {mon = []}\n", {}, "never open"),
        ('[hours]\ntimezone = "Mars/Olympus"\nweekly = {mon = ["09:00-18:00"]}\n', {}, "time zone"),
        ("[escalation]\nreassign_after_seconds = -1\n", {}, "escalation.reassign_after_seconds"),
        ('[[agents]]\nid = "a"\nname = "A"\n[[agents]]\nid = "a"\nname = "B"\n', {}, "twice"),
        ('[[alerts.sink]]\ntype = "wecom"\nurl = "http://x"\nsecret = "s"\n', {}, "no secret"),
        ('[[alerts.sink]]\ntype = "teams"\nurl = "http://x"\n', {}, "alerts.sink.0.type"),
        ('[[alerts.sink]]\ntype = "slack"\nurl = "ftp://x"\n', {}, "http:// or https://"),
        (
            '[[alerts.sink]]\ntype = "slack"\nurl = "http://x"\n'
            '[[alerts.sink]]\ntype = "slack"\nurl = "http://x"\n',
            {},
            "same name",
        ),
        (
            '[[channels]]\ntype = "wecom"\nname = "w"\ncorp_id = "c"\ncorp_secret = "s"\n'
            'token = "t"\nencoding_aes_key = "short"\n',
            {},
            "43 characters",
        ),
    ],
)
def test_a_bad_key_fails_loudly_naming_it(
    tmp_path: Path, toml: str, environ: dict[str, str], named: str
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(toml, encoding="utf-8")
    with pytest.raises(SettingsError) as error:
        load_settings(config, environ=environ)
    assert named in str(error.value)


def test_a_missing_or_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not found"):
        load_settings(tmp_path / "absent.toml", environ={})
    broken = tmp_path / "broken.toml"
    broken.write_text("[server\nport=1", encoding="utf-8")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(broken, environ={})


def test_a_webhook_secret_is_never_shown(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    secret = "do-not-print-this-secret"
    config.write_text(f'[[alerts.webhook]]\nurl = "http://x"\nsecret = "{secret}"\n')
    settings = load_settings(config, environ={})
    assert secret not in repr(settings)
    assert settings.alerts.webhook[0].secret.get_secret_value() == secret
