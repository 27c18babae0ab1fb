"""Events and RSVPs on Discord, end to end: the events cog through the real discord.py client."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.app import Potluck
from tests.discord.conftest import (
    KIM,
    LEE,
    OLU,
    SAM,
    DiscordWorld,
    StartPotluck,
    button_id,
    callback_message,
    embed_text,
    is_ephemeral,
)
from tests.fakes.discord_server import DEFAULT_CHANNEL_ID, FakeDiscord, RecordedRequest

CHANNEL_MESSAGES = rf"/channels/{DEFAULT_CHANNEL_ID}/messages"
DM_MESSAGES = rf"/channels/(?!{DEFAULT_CHANNEL_ID})\d+/messages"
NO_PINGS: dict[str, list[int]] = {"parse": [], "users": []}


async def start(start_potluck: StartPotluck) -> Potluck:
    # No gap between outbox messages to one channel: the card and its edits go out in one pass.
    bot, _ = await start_potluck(seconds_per_destination=0)
    return bot


async def create_event(fake: FakeDiscord, bot: Potluck, **options: Any) -> dict[str, Any]:
    """/event create by an organizer; returns the public card the outbox posted."""
    values = {"title": "Book club", "when": "tomorrow 18:00", **options}
    handle = await fake.send_interaction(
        fake.slash_interaction("event", values, subcommand="create", user_id=OLU)
    )
    answer = await handle.response()
    assert "Created!" in embed_text(answer.json), embed_text(answer.json)
    since = len(fake.requests)
    await bot.outbox.pump()
    posted = await fake.wait_for_request("POST", CHANNEL_MESSAGES, since=since)
    return dict(posted.response)


async def press(fake: FakeDiscord, card: dict[str, Any], label: str, who: str) -> RecordedRequest:
    handle = await fake.send_interaction(
        fake.button_interaction(
            button_id(card, label), user_id=who, message=card, channel_id=card["channel_id"]
        )
    )
    return await handle.response()


def field(message: dict[str, Any], name: str) -> str:
    embed = message["embeds"][0]
    return next(str(f["value"]) for f in embed.get("fields", []) if f["name"] == name)


async def test_event_create_shows_the_card_then_posts_it(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot = await start(start_potluck)
    handle = await fake_discord.send_interaction(
        fake_discord.slash_interaction(
            "event",
            {
                "title": "Book club",
                "when": "tomorrow 18:00",
                "capacity": 10,
                "where": "Main branch, room 2",
            },
            subcommand="create",
            user_id=OLU,
        )
    )
    answer = await handle.response()
    assert answer.json["type"] == 4 and is_ephemeral(answer.json)
    card = callback_message(answer)
    embed = card["embeds"][0]
    assert embed["title"] == "☕ Book club"
    assert re.search(r"<t:\d+:F> \(<t:\d+:R>\)", embed["description"]), embed["description"]
    assert field(card, "Going") == "0 of 10 spots"
    labels = [b["label"] for row in card["components"] for b in row["components"]]
    assert labels == ["Going", "Maybe", "Can't go"]
    code = button_id(card, "Going").split(":")[1]
    assert button_id(card, "Going") == f"rsvp:{code}:yes"

    await bot.outbox.pump()
    posted = await fake_discord.wait_for_request("POST", CHANNEL_MESSAGES)
    assert posted.json["embeds"][0]["title"] == "☕ Book club"
    assert not int(posted.json.get("flags") or 0) & 64
    assert posted.json["allowed_mentions"] == NO_PINGS
    assert [c["custom_id"] for c in posted.json["components"][0]["components"]] == [
        f"rsvp:{code}:yes",
        f"rsvp:{code}:maybe",
        f"rsvp:{code}:no",
    ]


async def test_rsvp_button_updates_the_counts_on_the_card(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot = await start(start_potluck)
    card = await create_event(fake_discord, bot, capacity=10)
    answer = await press(fake_discord, card, "Going", SAM)
    assert answer.json["type"] == 4 and is_ephemeral(answer.json)
    assert "You're going to **Book club**" in embed_text(answer.json)

    since = len(fake_discord.requests)
    await bot.outbox.pump()
    edit = await fake_discord.wait_for_request(
        "PATCH", rf"{CHANNEL_MESSAGES}/{card['id']}", since=since
    )
    assert field(edit.json, "Going") == "1 of 10 spots"
    assert field(fake_discord.messages[card["id"]], "Going") == "1 of 10 spots"


async def test_rsvp_slash_command_with_autocomplete(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot = await start(start_potluck)
    card = await create_event(fake_discord, bot)
    code = button_id(card, "Going").split(":")[1]
    suggest = await fake_discord.send_interaction(
        fake_discord.autocomplete_interaction(
            "rsvp", {"event": "book"}, focused="event", user_id=SAM
        )
    )
    choices = (await suggest.response()).json["data"]["choices"]
    assert [c["value"] for c in choices] == [code]
    answer = await (
        await fake_discord.send_interaction(
            fake_discord.slash_interaction("rsvp", {"event": code, "answer": "maybe"}, user_id=SAM)
        )
    ).response()
    assert "Marked you as maybe for **Book club**" in embed_text(answer.json)


async def test_waitlist_promotion_tells_the_promoted_person(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot = await start(start_potluck)
    card = await create_event(fake_discord, bot, capacity=1)
    await press(fake_discord, card, "Going", SAM)
    waiting = await press(fake_discord, card, "Going", LEE)
    assert "waitlist at position 1" in embed_text(waiting.json)
    await press(fake_discord, card, "Can't go", SAM)

    since = len(fake_discord.requests)
    await bot.outbox.pump()
    opened = await fake_discord.wait_for_request("POST", r"/users/@me/channels", since=since)
    assert opened.json == {"recipient_id": int(LEE)}
    dm = await fake_discord.wait_for_request(
        "POST", rf"/channels/{opened.response['id']}/messages", since=since
    )
    assert dm.json["embeds"][0]["title"] == "🎟️ A spot opened up: Book club"
    assert "you moved up from the waitlist" in embed_text(dm.json)
    edit = await fake_discord.wait_for_request(
        "PATCH", rf"{CHANNEL_MESSAGES}/{card['id']}", since=since
    )
    assert field(edit.json, "Going").startswith("1 of 1 spot —")


async def test_promotion_with_closed_dms_mentions_the_person_once_in_the_channel(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot = await start(start_potluck)
    card = await create_event(fake_discord, bot, capacity=1)
    await press(fake_discord, card, "Going", SAM)
    await press(fake_discord, card, "Going", KIM)
    await press(fake_discord, card, "Can't go", SAM)
    fake_discord.fail_next(
        "POST",
        DM_MESSAGES,
        403,
        {"message": "Cannot send messages to this user", "code": 50007},
        times=100,
    )
    since = len(fake_discord.requests)
    await bot.outbox.pump()
    await bot.outbox.pump()
    posts = [
        r
        for r in fake_discord.requests[since:]
        if r.method == "POST" and r.path == f"/channels/{DEFAULT_CHANNEL_ID}/messages"
    ]
    assert len(posts) == 1
    assert posts[0].json["content"] == f"<@{KIM}>"
    assert posts[0].json["allowed_mentions"] == {"parse": [], "users": [int(KIM)]}
    assert "A spot opened up: Book club" in embed_text(posts[0].json)
    dms = [
        r
        for r in fake_discord.requests[since:]
        if r.method == "POST" and re.fullmatch(DM_MESSAGES, r.path)
    ]
    assert len(dms) == 1


async def test_bad_date_is_a_private_error(world: DiscordWorld) -> None:
    req = await world.run(
        "/event create", {"title": "Book club", "when": "the day after never"}, as_=OLU
    )
    assert req.json["type"] == 4 and is_ephemeral(req.json)
    assert req.json["data"]["embeds"][0]["color"] == 0xED4245
    assert "could not understand the date" in embed_text(req.json)
    assert not world.fake.calls("POST", CHANNEL_MESSAGES)


async def test_everyone_in_an_event_title_is_shown_not_pinged(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot = await start(start_potluck)
    card = await create_event(fake_discord, bot, title="@everyone free pizza @here")
    posted = fake_discord.calls("POST", CHANNEL_MESSAGES)[0]
    assert posted.json["allowed_mentions"] == NO_PINGS
    assert not posted.json.get("content")
    assert card["embeds"][0]["title"] == "☕ @\u200beveryone free pizza @\u200bhere"


async def test_event_card_buttons_work_after_a_restart(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    first_bot, first = await start_potluck(seconds_per_destination=0)
    card = await create_event(fake_discord, first_bot, capacity=5)
    await first.stop()

    second_bot, _ = await start_potluck(seconds_per_destination=0)
    await fake_discord.wait_until_identified(count=2)
    answer = await press(fake_discord, card, "Going", SAM)
    assert "You're going to **Book club**" in embed_text(answer.json)
    since = len(fake_discord.requests)
    await second_bot.outbox.pump()
    edit = await fake_discord.wait_for_request(
        "PATCH", rf"{CHANNEL_MESSAGES}/{card['id']}", since=since
    )
    assert field(edit.json, "Going") == "1 of 5 spots"


async def test_event_commands_are_synced_with_their_options(world: DiscordWorld) -> None:
    synced = {c["name"]: c for c in world.fake.synced_commands[world.fake.default_guild["id"]]}
    event = {o["name"]: o for o in synced["event"]["options"]}
    assert {"create", "list", "show", "edit", "cancel"} <= set(event)
    create = {o["name"]: o for o in event["create"]["options"]}
    assert create["title"]["required"] and create["title"]["max_length"] == 100
    assert create["when"]["type"] == 3 and create["when"]["required"]
    assert create["capacity"]["type"] == 4 and create["capacity"]["min_value"] == 1
    assert create["channel"]["type"] == 7
    assert [c["value"] for c in create["kind"]["choices"]] == [
        "meetup",
        "party",
        "conference",
        "advocacy",
    ]
    show = {o["name"]: o for o in event["show"]["options"]}
    assert show["id"]["autocomplete"] is True
    rsvp = {o["name"]: o for o in synced["rsvp"]["options"]}
    assert [c["value"] for c in rsvp["answer"]["choices"]] == ["yes", "maybe", "no", "clear"]
    edit = {o["name"]: o for o in event["edit"]["options"]}
    assert edit["capacity"]["type"] == 3  # text, so capacity:none can be typed
    assert rsvp["guests"]["max_value"] == 10
    # /event has commands for everyone, so the group is visible; its moderator-only
    # subcommands (/event feed, /event settings) are refused when they run.
    assert synced["event"]["default_member_permissions"] is None
    refused = await world.run("/event settings", {"reminders": "1h"}, as_=SAM)
    assert is_ephemeral(refused.json) and "moderator" in embed_text(refused.json).lower()
    allowed = await world.run(
        "/event settings",
        {"reminders": "1h"},
        as_=SAM,
        permissions=discord.Permissions(manage_guild=True).value,
    )
    assert "moderator" not in embed_text(allowed.json).lower()


async def test_event_plan_opens_a_dialog_that_creates_the_event(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot = await start(start_potluck)
    handle = await fake_discord.send_interaction(
        fake_discord.slash_interaction("event", {}, subcommand="plan", user_id=OLU)
    )
    dialog = await handle.response()
    assert dialog.json["type"] == 9
    assert dialog.json["data"]["custom_id"] == "form:event create"
    inputs = [
        c
        for row in dialog.json["data"]["components"]
        for c in row.get("components", [row])
        if "custom_id" in c
    ]
    assert [i["custom_id"] for i in inputs] == ["title", "when", "where", "capacity", "description"]

    submit = await fake_discord.send_interaction(
        fake_discord.modal_submit_interaction(
            "form:event create",
            {
                "title": "Zine swap",
                "when": "tomorrow 18:00",
                "where": "",
                "capacity": "12",
                "description": "",
            },
            user_id=OLU,
        )
    )
    answer = await submit.response()
    assert "Created!" in embed_text(answer.json), embed_text(answer.json)
    since = len(fake_discord.requests)
    await bot.outbox.pump()
    posted = await fake_discord.wait_for_request("POST", CHANNEL_MESSAGES, since=since)
    assert "Zine swap" in posted.response["embeds"][0]["title"]
    assert field(dict(posted.response), "Going").startswith("0 of 12")
