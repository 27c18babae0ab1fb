"""Invitations on Discord, through the real discord.py client and the stand-in: a DM with the
card and its buttons, a "No more from" click, a role post that pings only that role, and a
closed DM that is reported, never posted."""

from __future__ import annotations

import re
from typing import Any

from bot.app import Potluck
from tests.discord.conftest import (
    ANA,
    KIM,
    OLU,
    ORGANIZER_ROLE,
    SAM,
    StartPotluck,
    embed_text,
    is_ephemeral,
)
from tests.discord.test_events import CHANNEL_MESSAGES, DM_MESSAGES, create_event, press, start
from tests.fakes.discord_server import FakeDiscord


async def slash(fake: FakeDiscord, command: str, options: dict[str, Any], who: str) -> str:
    words = command.split()
    handle = await fake.send_interaction(
        fake.slash_interaction(
            words[0], options, subcommand=words[1] if len(words) > 1 else None, user_id=who
        )
    )
    answer = await handle.response()
    assert is_ephemeral(answer.json)
    return embed_text(answer.json)


async def invited(fake: FakeDiscord, bot: Potluck, who: str) -> dict[str, Any]:
    """Run the outbox; the invitation DM `who` got."""
    since = len(fake.requests)
    await bot.outbox.pump()
    opened = await fake.wait_for_request("POST", r"/users/@me/channels", since=since)
    assert opened.json == {"recipient_id": int(who)}
    dm = await fake.wait_for_request(
        "POST", rf"/channels/{opened.response['id']}/messages", since=since
    )
    return dict(dm.response)


async def test_an_invitation_dm_and_a_no_more_from_click(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot = await start(start_potluck)
    card = await create_event(fake_discord, bot)
    code = card["components"][0]["components"][0]["custom_id"].split(":")[1]
    await slash(fake_discord, "invites show", {}, SAM)  # sam is known here
    answer = await slash(
        fake_discord, "invite", {"event": code, "people": f"<@{SAM}>", "note": "Join us"}, OLU
    )
    assert "sam**: queued to send" in answer
    dm = await invited(fake_discord, bot, SAM)
    embed = dm["embeds"][0]
    assert embed["title"].startswith("You're invited: ☕ Book club")
    assert "olu** invites you" in embed["description"] and "Join us" in embed["description"]
    labels = [b["label"] for row in dm["components"] for b in row["components"]]
    assert labels == [
        "Going",
        "Maybe",
        "Can't go",
        "Not interested",
        "No more from olu",
        "No invitations at all",
    ]
    assert dm.get("mentions", []) == []
    clicked = await press(fake_discord, dm, "No more from", SAM)
    assert is_ephemeral(clicked.json)
    assert "no more invitations from olu" in embed_text(clicked.json)
    again = await slash(fake_discord, "invites show", {}, SAM)
    assert "Blocked: olu." in again


async def test_a_role_post_pings_only_that_role(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot = await start(start_potluck)
    card = await create_event(fake_discord, bot)
    code = card["components"][0]["components"][0]["custom_id"].split(":")[1]
    refused = await slash(
        fake_discord, "invite", {"event": code, "role": f"<@&{ORGANIZER_ROLE}>"}, SAM
    )
    assert "Only organizers can invite a role" in refused
    answer = await slash(
        fake_discord, "invite", {"event": code, "role": f"<@&{ORGANIZER_ROLE}>"}, ANA
    )
    assert "it mentions that role and nobody else" in answer
    since = len(fake_discord.requests)
    await bot.outbox.pump()
    post = await fake_discord.wait_for_request("POST", CHANNEL_MESSAGES, since=since)
    assert post.json["allowed_mentions"] == {
        "parse": [],
        "users": [],
        "roles": [int(ORGANIZER_ROLE)],
    }
    assert post.json["content"] == f"<@&{ORGANIZER_ROLE}>"
    assert not any(re.fullmatch(DM_MESSAGES, r.path) for r in fake_discord.requests[since:])


async def test_closed_dms_are_reported_to_the_inviter_and_never_posted(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot = await start(start_potluck)
    card = await create_event(fake_discord, bot)
    code = card["components"][0]["components"][0]["custom_id"].split(":")[1]
    await slash(fake_discord, "invites show", {}, KIM)
    fake_discord.fail_next(
        "POST", DM_MESSAGES, 403, {"message": "Cannot send messages to this user", "code": 50007}
    )
    await slash(fake_discord, "invite", {"event": code, "people": f"<@{KIM}>"}, OLU)
    since = len(fake_discord.requests)
    await bot.outbox.pump()
    await fake_discord.wait_for_request("POST", DM_MESSAGES, since=since)
    await bot.outbox.pump()
    posts = [
        r
        for r in fake_discord.requests[since:]
        if r.method == "POST" and r.path == CHANNEL_MESSAGES
    ]
    assert posts == []
    sent = await slash(fake_discord, "invites sent", {}, OLU)
    assert "couldn't reach kim: their DMs are closed" in sent
