"""``[[channels]]`` entries: one IM platform each (validated with the rest of the
settings in :mod:`bot.settings`)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, SecretStr, model_validator

from bot.settings.base import Section

ChannelName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


class TelegramChannelSettings(Section):
    """A ``[[channels]]`` of type ``telegram``: a bot customers write to."""

    type: Literal["telegram"]
    name: ChannelName
    bot_token: SecretStr
    #: Sent by Telegram in ``X-Telegram-Bot-Api-Secret-Token`` (set it with setWebhook).
    secret_token: SecretStr
    api_base: str = "https://api.telegram.org"

    @model_validator(mode="after")
    def _valid_secret(self) -> TelegramChannelSettings:
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", self.secret_token.get_secret_value()):
            raise ValueError("secret_token: 16-256 characters of A-Z, a-z, 0-9, _ and -")
        return self


class SlackChannelSettings(Section):
    """A ``[[channels]]`` of type ``slack``: Slack (Connect) channels where customers write;
    each thread is a conversation."""

    type: Literal["slack"]
    name: ChannelName
    signing_secret: SecretStr
    bot_token: SecretStr
    #: Slack channel ids (C...) whose messages ReplyWatch follows.
    channels: list[str] = Field(min_length=1)
    #: Slack user id -> agent id: these users are the team; everyone else is a customer.
    agents: dict[str, str] = Field(default_factory=dict)
    api_base: str = "https://slack.com/api"


class WeComChannelSettings(Section):
    """A ``[[channels]]`` of type ``wecom``: WeCom customer service (微信客服)."""

    type: Literal["wecom"]
    name: ChannelName
    corp_id: str = Field(min_length=1, max_length=64)
    #: The secret of the 微信客服 application (for access tokens).
    corp_secret: SecretStr
    #: Callback Token and EncodingAESKey, as set on the callback URL.
    token: SecretStr
    encoding_aes_key: SecretStr
    #: Accounts (open_kfid) synced at start and every poll_seconds even without callbacks.
    open_kfids: list[str] = Field(default_factory=list)
    #: servicer_userid -> agent id, for agents answering in the WeCom client (default: same).
    agents: dict[str, str] = Field(default_factory=dict)
    poll_seconds: float = Field(default=60.0, gt=0)
    api_base: str = "https://qyapi.weixin.qq.com"

    @model_validator(mode="after")
    def _valid_key(self) -> WeComChannelSettings:
        key = self.encoding_aes_key.get_secret_value()
        if not re.fullmatch(r"[A-Za-z0-9+/]{43}", key):
            raise ValueError("encoding_aes_key: 43 characters of base64 (as WeCom shows it)")
        return self


ChannelSettings = Annotated[
    TelegramChannelSettings | SlackChannelSettings | WeComChannelSettings,
    Field(discriminator="type"),
]
