"""Potluck on Slack: slash commands, Block Kit, buttons, modals and the outbox sender."""

from bot.adapters.slack.app import SlackAdapter

__all__ = ["SlackAdapter"]
