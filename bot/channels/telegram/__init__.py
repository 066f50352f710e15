"""Telegram Bot API channel."""

from bot.channels.telegram.adapter import TelegramChannel

__all__ = ["TelegramChannel"]
