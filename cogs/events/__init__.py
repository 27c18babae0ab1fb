"""Events and RSVPs: meetups, parties, conferences and advocacy outings people show up to."""

from __future__ import annotations

from bot.app import Potluck
from cogs.events.commands import EventsCog
from cogs.events.settings import EventsSettings


async def setup(bot: Potluck) -> None:
    settings = bot.cog_settings(EventsSettings, "events")
    cog = EventsCog(bot, settings)
    bot.add_cog(cog)
    if settings.calendar_feed:
        bot.web.add_route("GET", "/calendar/{secret}.ics", cog.calendar_feed)
