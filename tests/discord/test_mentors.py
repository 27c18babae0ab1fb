"""Mentor intros on Discord: bots cannot make group DMs, so each person gets a DM that
mentions (and may ping) only the other, with the feedback buttons working from the DM."""

from __future__ import annotations

import re

from tests.discord.conftest import ANA, LEE, SAM, StartPotluck, button_id, embed_text, is_ephemeral
from tests.fakes.discord_server import DEFAULT_CHANNEL_ID, FakeDiscord

DM_MESSAGES = rf"/channels/(?!{DEFAULT_CHANNEL_ID})\d+/messages"


async def test_intro_is_a_dm_to_each_that_mentions_the_other(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    # New DMs are paced (120 a minute: one every 0.5 s); the real scheduler wakes the outbox
    # when the second one is due, and the test waits for it on the stand-in.
    bot, _ = await start_potluck(seconds_per_destination=0, new_dms_per_minute=120)

    async def run(sub: str, options: dict[str, object], who: str) -> str:
        handle = await fake_discord.send_interaction(
            fake_discord.slash_interaction("mentor", options, subcommand=sub, user_id=who)
        )
        return embed_text((await handle.response()).json)

    assert "Welcome!" in await run("join", {"role": "mentor", "topics": "grant writing"}, LEE)
    assert "Welcome!" in await run("join", {"role": "mentee", "topics": "grants"}, SAM)
    assert "Only moderators" in await run("round", {}, SAM)
    assert "1 match" in await run("round", {"kind": "mentoring"}, ANA)  # moderator by role

    since = len(fake_discord.requests)
    bot.outbox.on_wake = lambda when: bot.scheduler.at("outbox-wake", when, bot.outbox.pump)
    bot.scheduler.start()
    bot.outbox.kick()
    first = await fake_discord.wait_for_request("POST", DM_MESSAGES, since=since)
    await fake_discord.wait_for_request(
        "POST", DM_MESSAGES, since=fake_discord.requests.index(first) + 1
    )
    bot.scheduler.pause()
    opened = [r for r in fake_discord.requests[since:] if r.path == "/users/@me/channels"]
    assert sorted(r.json["recipient_id"] for r in opened) == sorted([int(LEE), int(SAM)])
    dms = [
        r
        for r in fake_discord.requests[since:]
        if r.method == "POST" and re.fullmatch(DM_MESSAGES, r.path)
    ]
    by_reader = {
        str(o.json["recipient_id"]): d
        for o in opened
        for d in dms
        if d.path == f"/channels/{o.response['id']}/messages"
    }
    to_sam, to_lee = by_reader[SAM], by_reader[LEE]
    assert to_sam.json["allowed_mentions"] == {"parse": [], "users": [int(LEE)]}
    assert to_lee.json["allowed_mentions"] == {"parse": [], "users": [int(SAM)]}
    text = embed_text(to_sam.json)
    assert f"Meet your mentor: <@{LEE}>" in text and "you both listed grant writing" in text
    message = dict(to_sam.response)
    for label in ("We met", "Not yet", "Not a good fit"):
        button_id(message, label)

    handle = await fake_discord.send_interaction(
        fake_discord.button_interaction(
            button_id(message, "We met"),
            user_id=SAM,
            message=message,
            channel_id=message["channel_id"],
        )
    )
    answer = (await handle.response()).json
    assert "Wonderful" in embed_text(answer) and is_ephemeral(answer)
