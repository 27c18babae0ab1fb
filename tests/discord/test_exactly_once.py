"""Exactly once at Discord's edge: every message carries its row's nonce, so a send repeated
after a lost answer or a crash is shown once; new DMs share one budget across processes and
stop for a cool-down on error 40003."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select, update

from bot.app import Potluck
from bot.core.delivery import Destination, delivery_key
from bot.core.messages import Message
from bot.pacing import NewDMPause, invalid_requests_key
from storage.models import OutboxRow, PaceRow
from tests.discord.conftest import LEE, SAM, StartPotluck
from tests.discord.test_outbox_sender import CHANNEL_MESSAGES, enqueue, rows
from tests.fakes.discord_server import DEFAULT_CHANNEL_ID, FakeDiscord

OPEN_DM = r"/users/@me/channels"


async def test_every_message_carries_its_rows_nonce(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot, _ = await start_potluck(seconds_per_destination=0)
    for text in ("Book club at 7", "Bring a book"):
        await enqueue(bot, Destination.channel(DEFAULT_CHANNEL_ID), Message(text=[text]))
    await bot.outbox.pump()
    posts = fake_discord.calls("POST", CHANNEL_MESSAGES)
    assert [(p.json["nonce"], p.json["enforce_nonce"]) for p in posts] == [
        (delivery_key(r.id, r.created_at), True) for r in await rows(bot)
    ]


async def test_a_lost_answer_is_repeated_with_the_same_nonce_and_shown_once(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot, _ = await start_potluck()
    # Discord made the message but the answer was a 502: discord.py tries again by itself.
    fake_discord.fail_next("POST", CHANNEL_MESSAGES, 502, after=True)
    await enqueue(bot, Destination.channel(DEFAULT_CHANNEL_ID), Message(text=["Book club at 7"]))
    await bot.outbox.pump()
    posts = fake_discord.calls("POST", CHANNEL_MESSAGES)
    assert len(posts) == 2 and posts[0].json["nonce"] == posts[1].json["nonce"]
    assert len(fake_discord.ledger.created) == 1 and fake_discord.ledger.repeats == 1
    (row,) = await rows(bot)
    assert row.status == "sent"
    assert row.sent_ref == f"{DEFAULT_CHANNEL_ID}:{fake_discord.ledger.created[0].message_id}"


async def test_a_send_cut_off_by_a_crash_is_shown_once_after_the_restart(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot, _ = await start_potluck(seconds_per_destination=0)
    held = fake_discord.hold_answers(lambda r: r.method == "POST" and r.path == CHANNEL_MESSAGES)
    await enqueue(bot, Destination.channel(DEFAULT_CHANNEL_ID), Message(text=["Book club at 7"]))
    sending = asyncio.create_task(bot.outbox.pump())
    await held.wait_held()  # Discord made the message; the process dies before the answer
    sending.cancel()
    held.release()
    await asyncio.gather(sending, return_exceptions=True)
    (row,) = await rows(bot)
    assert row.status == "claimed" and row.maybe_sent
    await lease_ran_out(bot)

    restarted, _ = await start_potluck(seconds_per_destination=0)
    await restarted.outbox.pump()
    posts = fake_discord.calls("POST", CHANNEL_MESSAGES)
    assert len(posts) == 2 and posts[0].json["nonce"] == posts[1].json["nonce"]
    assert len(fake_discord.ledger.created) == 1
    (row,) = await rows(restarted)
    assert row.status == "sent"


async def lease_ran_out(bot: Potluck) -> None:
    async with bot.db.transaction() as session:
        await session.execute(
            update(OutboxRow).values(lease_until=bot.clock.now() - timedelta(seconds=1))
        )


async def test_error_40003_pauses_new_dms_once_and_people_already_dmed_still_get_theirs(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    bot, adapter = await start_potluck(seconds_per_destination=0)
    alerts: list[NewDMPause] = []

    async def alert(pause: NewDMPause) -> None:
        alerts.append(pause)

    bot.outbox.on_new_dms_paused.append(alert)
    # The bot has DMed SAM before (another day, another process).
    dm = fake_discord.dm_channel_with(SAM)["id"]
    await bot.outbox.direct_messages.opened("discord", SAM, dm, None)
    fake_discord.fail_next(
        "POST",
        OPEN_DM,
        403,
        {"message": "You are opening direct messages too fast.", "code": 40003},
    )
    for person in (LEE, SAM):
        await enqueue(bot, Destination.person(person), Message(text=["Book club at 7"]))
    started = bot.clock.now()
    await bot.outbox.pump()
    await bot.outbox.pump()

    assert len(alerts) == 1 and "too fast" in alerts[0].reason
    assert alerts[0].until >= bot.clock.now() + timedelta(minutes=14)
    to_lee, to_sam = await rows(bot)
    assert (to_sam.status, to_lee.status) == ("sent", "pending")
    assert to_lee.due_at == alerts[0].until and to_lee.attempts == 0
    assert len(fake_discord.calls("POST", OPEN_DM)) == 1  # the refused one, never again
    await adapter.invalid_requests.counted()  # the 403 counts toward the invalid requests
    async with bot.db.sessions() as session:
        meter = await session.scalar(
            select(PaceRow.tat).where(PaceRow.key == invalid_requests_key("discord"))
        )
    assert meter is not None and meter > started


async def test_two_processes_share_one_new_dm_budget(
    start_potluck: StartPotluck, fake_discord: FakeDiscord
) -> None:
    first, _ = await start_potluck(new_dms_per_minute=1, seconds_per_destination=0)
    second, _ = await start_potluck(new_dms_per_minute=1, seconds_per_destination=0)
    for person in (SAM, LEE):
        await enqueue(first, Destination.person(person), Message(text=["Book club at 7"]))
    await asyncio.gather(first.outbox.pump(), second.outbox.pump())
    assert len(fake_discord.calls("POST", OPEN_DM)) == 1
    sent, waiting = sorted(await rows(first), key=lambda r: r.status != "sent")
    assert (sent.status, waiting.status) == ("sent", "pending")
    assert waiting.due_at >= first.clock.now() + timedelta(seconds=55)

    # A person another process has DMed costs no budget: the message goes at once.
    dmed = sent.destination_id
    await enqueue(second, Destination.person(dmed), Message(text=["See you there"]))
    await second.outbox.pump()
    assert len(fake_discord.calls("POST", OPEN_DM)) == 1
    assert [r.status for r in await rows(second)].count("sent") == 2
