"""Connecting to Discord and publishing the slash commands."""

from __future__ import annotations

import discord

from bot.adapters.discord.cli import bot_permissions, invite_url
from tests.discord.conftest import SAM, DiscordWorld, StartPotluck
from tests.fakes.discord_server import DEFAULT_GUILD_ID, FakeDiscord


async def test_connects_with_zlib_stream_and_guilds_intent_only(world: DiscordWorld) -> None:
    fake = world.fake
    await fake.wait_until_identified()
    assert fake.gateway_connections[0]["compress"] == "zlib-stream"
    assert fake.gateway_connections[0]["encoding"] == "json"
    identify = fake.identifies[0]
    assert identify["token"] == "test-token"
    # Only the guilds intent: nothing privileged to enable in the developer portal.
    assert identify["intents"] == discord.Intents(guilds=True).value
    assert world.adapter.client.is_ready()


async def test_commands_synced_to_the_guild_with_types_and_permissions(world: DiscordWorld) -> None:
    synced = {c["name"]: c for c in world.fake.synced_commands[DEFAULT_GUILD_ID]}
    # One top-level command per group, plain top-level commands as they are.
    assert {"help", "timezone", "privacy", "announce", "curate", "ponder", "note"} <= set(synced)
    assert world.fake.synced_commands.get(None) is None  # guild sync only, nothing global

    timezone = synced["timezone"]
    subs = {o["name"]: o for o in timezone["options"]}
    assert set(subs) == {"set", "show", "community"}
    assert all(o["type"] == 1 for o in subs.values())
    assert subs["set"]["options"] == [
        {
            "type": 3,
            "name": "zone",
            "description": "An IANA zone, like Europe/Berlin.",
            "required": True,
        }
    ]
    # /timezone set is for everyone, so the group is visible to everyone; /timezone community
    # is still checked when it runs.
    assert timezone["default_member_permissions"] is None

    announce = {o["name"]: o for o in synced["announce"]["options"]}
    assert synced["announce"]["default_member_permissions"] == str(
        discord.Permissions(manage_guild=True).value
    )
    assert synced["curate"]["default_member_permissions"] == str(
        discord.Permissions(manage_events=True).value
    )
    assert synced["announce"]["options"][0]["name"] == "title"  # required options first
    assert announce["title"]["type"] == 3 and announce["title"]["max_length"] == 100
    assert announce["kind"]["choices"] == [
        {"name": "talk", "value": "talk"},
        {"name": "party", "value": "party"},
    ]
    assert announce["seats"] == {
        "type": 4,
        "name": "seats",
        "description": "How many seats.",
        "required": False,
        "min_value": 1,
        "max_value": 5,
    }
    assert announce["host"]["type"] == 6
    assert announce["where"]["type"] == 7
    assert announce["loud"]["type"] == 5
    note_save = next(o for o in synced["note"]["options"] if o["name"] == "save")
    topic = next(o for o in note_save["options"] if o["name"] == "topic")
    assert topic["autocomplete"] is True and "choices" not in topic
    assert synced["help"]["options"][0]["name"] == "topic"


async def test_invite_url_asks_for_exactly_what_the_bot_uses() -> None:
    url = invite_url("123456789012345678")
    perms = bot_permissions()
    assert url == (
        "https://discord.com/oauth2/authorize?client_id=123456789012345678"
        f"&scope=bot+applications.commands&permissions={perms.value}"
    )
    # View Channel, Send Messages, Embed Links, Attach Files; nothing else.
    assert perms.value == (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) == 52224


async def test_configured_shards_each_identify_and_answer(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    _, adapter = await start_potluck(shard_count=2)
    await fake_discord.wait_until_identified(count=2)
    assert sorted(tuple(i["shard"]) for i in fake_discord.identifies) == [(0, 2), (1, 2)]
    assert isinstance(adapter.client, discord.AutoShardedClient)
    handle = await fake_discord.send_interaction(
        fake_discord.slash_interaction("timezone", {}, subcommand="show", user_id=SAM)
    )
    assert (await handle.response()).json["type"] == 4
