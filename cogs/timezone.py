"""/timezone: each person's own zone, so every time Potluck shows is in their local time."""

from __future__ import annotations

from bot.app import Potluck
from bot.core.commands import Cog, Option, command
from bot.core.messages import Bold, Code, Message, Time, rich
from bot.core.types import Invocation, Level
from bot.core.zonenames import old_name_note, resolve_zone


class TimezoneCog(Cog):
    name = "timezone"
    description = "Your time zone, so times show in your local time."

    def __init__(self, bot: Potluck) -> None:
        self.bot = bot

    @command(
        "timezone set",
        "Set your time zone.",
        options=[Option("zone", "An IANA zone, like Europe/Berlin.", required=True)],
        examples=["/timezone set zone:Europe/Berlin", "/timezone set zone:America/Chicago"],
    )
    async def set(self, inv: Invocation, zone: str) -> Message:
        name = resolve_zone(zone)
        await self.bot.identity.set_person_timezone(inv.person.id, name)
        # What waits for the person's local time follows the new zone (a cog's
        # `person_zone_changed`, like the invitations' digests and quiet hours).
        for cog in list(self.bot.registry.cogs.values()):
            follow = getattr(cog, "person_zone_changed", None)
            if follow is not None:
                await follow(inv.community, inv.person)
        return Message(
            text=rich(
                "Your time zone is now ",
                Bold(text=name),
                old_name_note(zone, name),
                ". It is ",
                Time(at=inv.now, style="time"),
                " there.",
            ),
            ephemeral=True,
            accent="success",
        )

    @command(
        "timezone show", "Show your time zone and the community's.", examples=["/timezone show"]
    )
    async def show(self, inv: Invocation) -> Message:
        mine = inv.person.timezone
        local = inv.now.astimezone(inv.zone).strftime("%H:%M")
        return Message(
            text=rich(
                "Your time zone: ",
                Bold(text=mine or f"not set (using {inv.community.timezone})"),
                f" — it is {local} there.\n",
                "Community time zone: ",
                Bold(text=inv.community.timezone),
                ".",
                None if mine else "\nSet yours with ",
                None if mine else Code(text="/timezone set zone:Europe/Berlin"),
            ),
            ephemeral=True,
        )

    @command(
        "timezone community",
        "Set the community's default time zone.",
        options=[Option("zone", "An IANA zone, like America/Chicago.", required=True)],
        level=Level.MODERATOR,
        examples=["/timezone community zone:America/Chicago"],
    )
    async def community(self, inv: Invocation, zone: str) -> Message:
        name = resolve_zone(zone)
        await self.bot.identity.set_community_timezone(inv.community.id, name)
        return Message(
            text=rich(
                "The community's time zone is now ", Bold(text=name), old_name_note(zone, name), "."
            ),
            accent="success",
        )


async def setup(bot: Potluck) -> None:
    bot.add_cog(TimezoneCog(bot))
