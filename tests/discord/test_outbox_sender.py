"""What Potluck sends unprompted on Discord: channel posts, edits and direct messages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import Potluck
from bot.core.delivery import Destination
from bot.core.messages import Mention, Message, Time, rich
from bot.outbox_keys import KeyScope
from storage.models import OutboxRow
from tests.discord.conftest import KIM, LEE, SAM, StartPotluck, embed_text
from tests.fakes.discord_server import DEFAULT_CHANNEL_ID, FakeDiscord

# Any channel but the guild's #general: the DM channels the stand-in opens.
DM_MESSAGES = rf"/channels/(?!{DEFAULT_CHANNEL_ID})\d+/messages"
CHANNEL_MESSAGES = rf"/channels/{DEFAULT_CHANNEL_ID}/messages"

CARDS = KeyScope.of("card")


async def enqueue(
    bot: Potluck, destination: Destination, message: Message, **kwargs: object
) -> None:
    async with bot.db.transaction() as session:
        await bot.outbox.enqueue(
            session, platform="discord", destination=destination, message=message, **kwargs
        )  # type: ignore[arg-type]


async def rows(bot: Potluck) -> list[OutboxRow]:
    async with bot.db.sessions() as session:
        return list((await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all())


async def test_direct_message_opens_a_dm_channel_and_pings_nobody(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot, _ = await start_potluck(seconds_per_destination=0)
    starts = bot.clock.now() + timedelta(hours=1)
    for text in ("Book club starts ", "Bring your book "):
        await enqueue(
            bot,
            Destination.person(SAM),
            Message(title="Reminder", text=rich(text, Time(at=starts, style="relative"))),
        )
    assert await bot.outbox.pump() == 2
    opened = fake_discord.calls("POST", r"/users/@me/channels")
    assert [r.json for r in opened] == [{"recipient_id": int(SAM)}]  # opened once, then reused
    dm_id = opened[0].response["id"]
    posts = fake_discord.calls("POST", rf"/channels/{dm_id}/messages")
    assert len(posts) == 2
    assert f"Book club starts <t:{int(starts.timestamp())}:R>" in embed_text(posts[0].json)
    assert posts[0].json["allowed_mentions"] == {"parse": [], "users": []}
    assert [r.status for r in await rows(bot)] == ["sent", "sent"]
    assert (await rows(bot))[0].sent_ref == f"{dm_id}:{posts[0].response['id']}"


async def test_closed_dms_fall_back_to_one_channel_mention(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot, _ = await start_potluck()
    fake_discord.fail_next(
        "POST",
        DM_MESSAGES,
        403,
        {"message": "Cannot send messages to this user", "code": 50007},
        times=100,
    )
    await enqueue(
        bot,
        Destination.person(KIM),
        Message(title="You're in!", text=["A seat opened up for Book club."]),
        fallback_channel_id=DEFAULT_CHANNEL_ID,
        kind="promotion",
    )
    await bot.outbox.pump()
    fallback = await fake_discord.wait_for_request("POST", CHANNEL_MESSAGES)
    assert fallback.json["content"] == f"<@{KIM}>"
    assert fallback.json["allowed_mentions"] == {"parse": [], "users": [int(KIM)]}
    assert "I could not send you a direct message" in embed_text(fallback.json)
    assert "A seat opened up for Book club." in embed_text(fallback.json)

    # No retry storm: more passes send nothing more.
    await bot.outbox.pump()
    await bot.outbox.pump()
    assert len(fake_discord.calls("POST", DM_MESSAGES)) == 1
    assert len(fake_discord.calls("POST", CHANNEL_MESSAGES)) == 1
    assert [(r.kind, r.status) for r in await rows(bot)] == [
        ("promotion", "failed"),
        ("promotion-fallback", "sent"),
    ]


async def test_new_dm_channels_are_paced_per_minute(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot, _ = await start_potluck(new_dms_per_minute=1)
    before = bot.clock.now()
    for person in (SAM, LEE):
        await enqueue(bot, Destination.person(person), Message(text=["Hello"]))
    await bot.outbox.pump()
    assert len(fake_discord.calls("POST", r"/users/@me/channels")) == 1
    assert len(fake_discord.calls("POST", DM_MESSAGES)) == 1
    first, second = await rows(bot)
    assert first.status == "sent"
    assert second.status == "pending" and second.attempts == 0
    assert second.due_at >= before + timedelta(seconds=55)  # put back, not slept on


async def test_channel_post_then_edit_of_the_same_message(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot, _ = await start_potluck(seconds_per_destination=0)
    await enqueue(
        bot,
        Destination.channel(DEFAULT_CHANNEL_ID),
        Message(title="Book club", text=["2 going"]),
        dedupe_key=CARDS.key(1),
    )
    await enqueue(
        bot,
        Destination.channel(DEFAULT_CHANNEL_ID),
        Message(title="Book club", text=["3 going, ", Mention(user_id=SAM)]),
        dedupe_key=CARDS.key(1, "v2"),
        edit_of=CARDS.key(1),
    )
    await bot.outbox.pump()
    post = await fake_discord.wait_for_request("POST", CHANNEL_MESSAGES)
    mid = post.response["id"]
    edit = await fake_discord.wait_for_request("PATCH", rf"{CHANNEL_MESSAGES}/{mid}")
    assert "3 going" in embed_text(edit.json)
    assert edit.json["allowed_mentions"] == {"parse": [], "users": [int(SAM)]}
    assert fake_discord.messages[mid]["embeds"][0]["description"].startswith("3 going")


async def test_long_rate_limit_puts_the_row_back(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot, _ = await start_potluck()
    fake_discord.fail_next(
        "POST",
        CHANNEL_MESSAGES,
        429,
        {"message": "You are being rate limited.", "retry_after": 45.0, "global": False},
    )
    before = bot.clock.now()
    await enqueue(bot, Destination.channel(DEFAULT_CHANNEL_ID), Message(text=["Hello"]))
    await bot.outbox.pump()
    assert len(fake_discord.calls("POST", CHANNEL_MESSAGES)) == 1
    (row,) = await rows(bot)
    assert row.status == "pending"
    assert row.due_at >= before + timedelta(seconds=44)
