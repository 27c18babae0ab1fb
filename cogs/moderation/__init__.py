"""Moderation: limits on invitations, pauses, alerts and the audit log."""

from __future__ import annotations

from bot.app import Potluck
from cogs.moderation.commands import ModerationCog
from cogs.moderation.settings import ModerationSettings


async def setup(bot: Potluck) -> None:
    bot.add_cog(ModerationCog(bot, bot.cog_settings(ModerationSettings, "moderation")))
