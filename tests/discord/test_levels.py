"""Who may do what on Discord, from the member's roles and the permissions Discord computes for
the interaction: Manage Events or the Organizer role make an organizer, never a moderator."""

from __future__ import annotations

import discord

from tests.discord.conftest import OLU, SAM, DiscordWorld, embed_text, is_ephemeral

MANAGE_EVENTS = discord.Permissions(manage_events=True).value
# What Discord sends for someone with Manage Events plus the everyday permissions of a member.
MEMBER_WITH_MANAGE_EVENTS = (
    discord.Permissions(
        view_channel=True, send_messages=True, use_application_commands=True, manage_events=True
    )
).value


async def test_manage_events_makes_an_organizer_not_a_moderator(world: DiscordWorld) -> None:
    for permissions in (MANAGE_EVENTS, MEMBER_WITH_MANAGE_EVENTS):
        curated = await world.run("/curate", as_=SAM, permissions=permissions)
        assert "Curated" in embed_text(curated.json)  # organizer-only: allowed
        refused = await world.run(
            "/timezone community", {"zone": "Asia/Tokyo"}, as_=SAM, permissions=permissions
        )
        assert is_ephemeral(refused.json)
        assert "moderator" in embed_text(refused.json).lower()
    shown = await world.run("/timezone show", as_=SAM)
    assert "Community time zone: **UTC**" in embed_text(shown.json)


async def test_the_organizer_role_makes_an_organizer_not_a_moderator(world: DiscordWorld) -> None:
    assert "Curated" in embed_text((await world.run("/curate", as_=OLU)).json)
    refused = await world.run("/timezone community", {"zone": "Asia/Tokyo"}, as_=OLU)
    assert is_ephemeral(refused.json) and "moderator" in embed_text(refused.json).lower()
    shown = await world.run("/timezone show", as_=OLU)
    assert "Community time zone: **UTC**" in embed_text(shown.json)
