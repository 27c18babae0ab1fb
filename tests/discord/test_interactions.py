"""Slash commands, buttons, dialogs and autocomplete, as people on Discord use them."""

from __future__ import annotations

import re

import discord

from tests.discord.conftest import (
    ANA,
    OLU,
    SAM,
    DiscordWorld,
    StartPotluck,
    button_id,
    callback_message,
    embed_text,
    is_ephemeral,
)
from tests.fakes.discord_server import DEFAULT_CHANNEL_ID, FakeDiscord

MANAGE_GUILD = discord.Permissions(manage_guild=True).value
MANAGE_EVENTS = discord.Permissions(manage_events=True).value
NO_PINGS: dict[str, list[int]] = {"parse": [], "users": []}


async def test_timezone_set_answers_privately_with_a_local_time(world: DiscordWorld) -> None:
    req = await world.run("/timezone set", {"zone": "Europe/Berlin"})
    assert req.json["type"] == 4
    assert is_ephemeral(req.json)
    text = embed_text(req.json)
    assert "Your time zone is now **Europe/Berlin**" in text
    assert re.search(r"<t:\d+:t>", text), text  # shown in the reader's own clock
    shown = await world.run("/timezone show")
    assert "Europe/Berlin" in embed_text(shown.json)


async def test_bad_input_gets_a_private_error(world: DiscordWorld) -> None:
    req = await world.run("/timezone set", {"zone": "Nowhere/Atlantis"})
    assert is_ephemeral(req.json)
    text = embed_text(req.json)
    assert "is not a time zone I know" in text
    assert req.json["data"]["embeds"][0]["color"] == 0xED4245
    assert req.json["data"]["allowed_mentions"] == NO_PINGS


async def test_moderator_command_refused_for_a_member(world: DiscordWorld) -> None:
    refused = await world.run("/timezone community", {"zone": "America/Chicago"}, as_=SAM)
    assert is_ephemeral(refused.json)
    assert "moderator" in embed_text(refused.json).lower()
    shown = await world.run("/timezone show", as_=SAM)
    assert "Community time zone: **UTC**" in embed_text(shown.json)

    # The Moderator role (by name) is enough; so is Discord's Manage Server permission.
    by_role = await world.run("/timezone community", {"zone": "America/Chicago"}, as_=ANA)
    assert not is_ephemeral(by_role.json)
    assert "America/Chicago" in embed_text(by_role.json)
    by_permission = await world.run(
        "/timezone community", {"zone": "Asia/Tokyo"}, as_=SAM, permissions=MANAGE_GUILD
    )
    assert "Asia/Tokyo" in embed_text(by_permission.json)


async def test_organizer_level_from_role_name_or_manage_events(world: DiscordWorld) -> None:
    assert "Curated" in embed_text((await world.run("/curate", as_=OLU)).json)
    assert "Curated" in embed_text(
        (await world.run("/curate", as_=SAM, permissions=MANAGE_EVENTS)).json
    )
    refused = await world.run("/curate", as_=SAM)
    assert is_ephemeral(refused.json) and "Curated" not in embed_text(refused.json)


async def test_everyone_in_user_text_does_not_ping(world: DiscordWorld) -> None:
    req = await world.run(
        "/announce", {"title": "@everyone free cake <@&500000000000000001>", "host": SAM}, as_=ANA
    )
    body = req.json["data"]
    assert req.json["type"] == 4 and not is_ephemeral(req.json)
    assert body["allowed_mentions"] == NO_PINGS
    title = body["embeds"][0]["title"]
    assert "@\u200beveryone" in title and "<@&500000000000000001>" not in title
    assert not body.get("content")


async def test_the_bot_pings_only_the_person_it_means_to(world: DiscordWorld) -> None:
    req = await world.run(
        "/announce",
        {
            "title": "Talk",
            "host": SAM,
            "loud": True,
            "seats": 3,
            "kind": "talk",
            "where": DEFAULT_CHANNEL_ID,
        },
        as_=ANA,
    )
    body = req.json["data"]
    assert body["allowed_mentions"] == {"parse": [], "users": [int(SAM)]}
    assert body["content"] == f"<@{SAM}>"
    assert (
        f"A talk with 3 seats hosted by <@{SAM}> in channel {DEFAULT_CHANNEL_ID}."
        in (body["embeds"][0]["description"])
    )


async def test_buttons_work_and_replace_the_message_they_are_on(world: DiscordWorld) -> None:
    req = await world.run("/privacy forget", as_=SAM)
    assert is_ephemeral(req.json)
    card = callback_message(req)
    rows = req.json["data"]["components"]
    assert [b["custom_id"].split(":")[0] for b in rows[0]["components"]] == [
        "privacy-forget",
        "privacy-keep",
    ]
    press = await world.press(card, "Keep my data", as_=SAM)
    answer = await press.response()
    assert answer.json["type"] == 7, answer.json  # UPDATE_MESSAGE: the clicked message is replaced
    assert "Nothing was deleted." in embed_text(answer.json)
    assert answer.json["data"]["components"] == []


async def test_someone_elses_button_is_refused_privately(world: DiscordWorld) -> None:
    card = callback_message(await world.run("/privacy forget", as_=SAM))
    press = await world.press(card, "Yes, delete", as_=OLU)
    answer = await press.response()
    assert answer.json["type"] == 4 and is_ephemeral(answer.json)
    assert "belongs to someone else" in embed_text(answer.json)


async def test_old_buttons_still_work_after_a_restart(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    _, first = await start_potluck()
    handle = await fake_discord.send_interaction(
        fake_discord.slash_interaction("privacy", {}, subcommand="forget", user_id=SAM)
    )
    card = callback_message(await handle.response())
    await first.stop()

    _, second = await start_potluck()
    assert second is not first
    await fake_discord.wait_until_identified(count=2)
    press = await fake_discord.send_interaction(
        fake_discord.button_interaction(button_id(card, "Yes, delete"), user_id=SAM, message=card)
    )
    answer = await press.response()
    assert answer.json["type"] == 7, answer.json
    assert "everything else Potluck stored about you here are deleted" in embed_text(answer.json)


async def test_slow_handler_is_deferred_then_edited(world: DiscordWorld) -> None:
    world.adapter.router.defer_after = 0.05
    board = world.bot.cog("board")
    handle = await world.slash("/ponder")
    deferred = await handle.response()
    assert deferred.json["type"] == 5  # "Potluck is thinking…", in time for Discord
    board.release.set()
    # The reply is public: it replaces the private placeholder as a follow-up.
    followup = await handle.followup()
    assert "Here is what I think." in embed_text(followup.json)
    assert not int(followup.json.get("flags") or 0) & 64
    assert followup.json["allowed_mentions"] == NO_PINGS
    await world.fake.wait_for_request("DELETE", rf"/webhooks/\d+/{handle.token}/messages/@original")


async def test_slow_private_reply_edits_the_placeholder(world: DiscordWorld) -> None:
    world.adapter.router.defer_after = 0.0  # acknowledge everything first
    handle = await world.slash("/timezone show")
    deferred = await handle.response()
    assert deferred.json == {"type": 5, "data": {"flags": 64}}
    edit = await handle.original_edit()
    assert "Community time zone" in embed_text(edit.json)
    assert edit.json["allowed_mentions"] == NO_PINGS


async def test_form_opens_a_dialog_whose_submit_runs_the_command(world: DiscordWorld) -> None:
    req = await world.run("/note open")
    assert req.json["type"] == 9
    modal = req.json["data"]
    assert modal["custom_id"] == "form:note save"
    assert modal["title"] == "New note"
    inputs = [c for row in modal["components"] for c in row.get("components", [row])]
    assert {i["custom_id"] for i in inputs if "custom_id" in i} >= {"text", "topic"}

    submit = await world.fake.send_interaction(
        world.fake.modal_submit_interaction(
            "form:note save", {"text": "Bring *snacks*", "topic": ""}, user_id=SAM
        )
    )
    answer = await submit.response()
    assert answer.json["type"] == 4
    assert "Saved a note: Bring \\*snacks\\*" in embed_text(answer.json)


async def test_autocomplete_offers_the_cogs_suggestions(world: DiscordWorld) -> None:
    payload = world.fake.autocomplete_interaction(
        "note", {"text": "x", "topic": "C"}, focused="topic", subcommand="save", user_id=SAM
    )
    handle = await world.fake.send_interaction(payload)
    answer = await handle.response()
    assert answer.json == {
        "type": 8,
        "data": {
            "choices": [
                {"name": "Cataloguing", "value": "cataloguing"},
                {"name": "Comics", "value": "comics"},
            ]
        },
    }


async def test_commands_work_in_direct_messages(world: DiscordWorld) -> None:
    req = await world.run("/timezone show", dm=True, as_=SAM)
    assert "Community time zone" in embed_text(req.json)
    refused = await world.run("/timezone community", {"zone": "Asia/Tokyo"}, dm=True, as_=ANA)
    assert is_ephemeral(refused.json)


async def test_files_are_attachments(world: DiscordWorld) -> None:
    req = await world.run("/privacy export", as_=SAM)
    assert is_ephemeral(req.json)
    (file,) = req.files
    assert file.filename == "potluck-my-data.json"
    assert b'"community"' in file.data
    assert req.json["data"]["attachments"][0]["filename"] == "potluck-my-data.json"


async def test_slow_button_is_acknowledged_then_its_message_edited(world: DiscordWorld) -> None:
    card = callback_message(await world.run("/privacy forget", as_=SAM))
    world.adapter.router.defer_after = 0.0
    press = await world.press(card, "Keep my data", as_=SAM)
    ack = await press.response()
    assert ack.json == {"type": 6}  # the message stays as it is until the answer is ready
    edit = await press.original_edit()
    assert "Nothing was deleted." in embed_text(edit.json)
    assert world.fake.messages[card["id"]]["components"] == []
