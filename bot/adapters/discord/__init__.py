"""Potluck on Discord: slash commands, buttons and modals through discord.py."""

from bot.adapters.discord.client import DiscordAdapter

__all__ = ["DiscordAdapter"]
