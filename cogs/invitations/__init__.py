"""Invitations: people invite each other to events by direct message, within limits that
keep every platform and every person from calling it spam."""

from __future__ import annotations

from bot.app import Potluck
from cogs.invitations.commands import InvitationsCog
from cogs.invitations.settings import InvitationsSettings


async def setup(bot: Potluck) -> None:
    bot.add_cog(InvitationsCog(bot, bot.cog_settings(InvitationsSettings, "invitations")))
