"""WeCom customer service (微信客服) channel."""

from bot.channels.wecom.adapter import WeComChannel

__all__ = ["WeComChannel"]
