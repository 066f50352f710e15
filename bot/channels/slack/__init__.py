"""Slack Events API channel."""

from bot.channels.slack.adapter import SlackChannel

__all__ = ["SlackChannel"]
