"""The Slack outbox sender: channel posts, DMs, edits, pacing, 429 Retry-After, and messages
that can never be delivered."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.app import Potluck
from bot.core.clock import ManualClock
from bot.core.delivery import Destination
from bot.core.messages import Mention, Message, Time, rich
from bot.outbox_keys import KeyScope
from storage.models import OutboxRow
from tests.fakes.slack_server import FakeSlack
from tests.slack.conftest import GENERAL, SAM, SlackDriver, shown

CARDS = KeyScope.of("card")


async def enqueue(
    bot: Potluck, destination: Destination, message: Message, **kwargs: object
) -> None:
    async with bot.db.transaction() as session:
        await bot.outbox.enqueue(
            session, platform="slack", destination=destination, message=message, **kwargs
        )  # type: ignore[arg-type]


async def rows(bot: Potluck) -> list[OutboxRow]:
    async with bot.db.sessions() as session:
        return list((await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all())


async def test_a_429_is_retried_after_retry_after_with_nothing_lost(
    slack: SlackDriver, fake: FakeSlack, bot: Potluck, clock: ManualClock
) -> None:
    await enqueue(bot, Destination.channel(GENERAL), Message(text=["Book club moved to 7pm"]))
    fake.fail_next("chat.postMessage", 429, {"Retry-After": "7"})

    await bot.outbox.pump()

    [row] = await rows(bot)
    assert row.status == "pending"
    assert row.due_at == clock.now() + timedelta(seconds=7)
    assert [c.status for c in fake.calls("chat.postMessage")] == [429]

    await bot.outbox.pump()  # not due yet: nothing is sent early
    assert len(fake.calls("chat.postMessage")) == 1

    clock.advance(seconds=7)
    await bot.outbox.pump()

    [row] = await rows(bot)
    sent = fake.calls("chat.postMessage")[-1]
    assert sent.status == 200 and "Book club moved to 7pm" in shown(sent)
    assert row.status == "sent" and row.sent_ref == f"{GENERAL}:{sent.response['ts']}"


async def test_one_message_per_second_per_channel_and_other_channels_are_not_held_up(
    slack: SlackDriver, fake: FakeSlack, bot: Potluck, clock: ManualClock
) -> None:
    for n in range(3):
        await enqueue(bot, Destination.channel(GENERAL), Message(text=[f"general {n}"]))
    await enqueue(bot, Destination.channel("C0OTHER001"), Message(text=["other"]))

    await bot.outbox.pump()
    assert [c.params["channel"] for c in fake.calls("chat.postMessage")] == [GENERAL, "C0OTHER001"]
    clock.advance(seconds=1)
    await bot.outbox.pump()
    clock.advance(seconds=1)
    await bot.outbox.pump()

    texts = [c.params["text"] for c in fake.calls("chat.postMessage")]
    assert texts == ["general 0", "other", "general 1", "general 2"]
    assert {r.status for r in await rows(bot)} == {"sent"}


async def test_direct_messages_open_the_dm_and_show_times_in_each_readers_zone(
    slack: SlackDriver, fake: FakeSlack, bot: Potluck
) -> None:
    at = datetime.fromisoformat("2026-12-04T18:00:00+00:00")
    message = Message(title="You're in!", text=rich("A place opened up for ", Time(at=at), "."))
    await enqueue(bot, Destination.person(SAM), message, timezone="Europe/Berlin")

    await bot.outbox.pump()

    assert fake.calls("conversations.open")[-1].params["users"] == SAM
    sent = fake.calls("chat.postMessage")[-1]
    assert sent.params["channel"] == fake.dm_channels[SAM]
    stamp = int(at.timestamp())
    assert f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|Fri 04 Dec 2026, 19:00 CET>" in shown(
        sent
    )


async def test_a_dm_that_cannot_be_delivered_falls_back_to_the_channel_once(
    slack: SlackDriver, fake: FakeSlack, bot: Potluck
) -> None:
    fake.fail_next("conversations.open", 200, error="cannot_dm_bot")
    await enqueue(
        bot,
        Destination.person(SAM),
        Message(text=["Your mentor match is ready"]),
        fallback_channel_id=GENERAL,
    )

    await bot.outbox.pump()
    await bot.outbox.pump()

    first, fallback = await rows(bot)
    assert first.status == "failed" and "cannot_dm_bot" in (first.last_error or "")
    assert fallback.status == "sent"
    [posted] = fake.calls("chat.postMessage")
    assert posted.params["channel"] == GENERAL
    assert f"<@{SAM}>" in shown(posted) and "Your mentor match is ready" in shown(posted)


async def test_an_edit_updates_the_message_it_refers_to(
    slack: SlackDriver, fake: FakeSlack, bot: Potluck, clock: ManualClock
) -> None:
    await enqueue(
        bot, Destination.channel(GENERAL), Message(text=["Going: 1"]), dedupe_key=CARDS.key(1)
    )
    await bot.outbox.pump()
    original = fake.calls("chat.postMessage")[-1]
    await enqueue(
        bot, Destination.channel(GENERAL), Message(text=["Going: 2"]), edit_of=CARDS.key(1)
    )
    clock.advance(seconds=1)
    await bot.outbox.pump()

    update = fake.calls("chat.update")[-1]
    assert update.params["channel"] == GENERAL
    assert update.params["ts"] == original.response["ts"]
    assert "Going: 2" in shown(update)


async def test_mentions_ping_only_the_person_named(
    slack: SlackDriver, fake: FakeSlack, bot: Potluck
) -> None:
    message = Message(text=rich(Mention(user_id=SAM, name="sam"), " is hosting <!channel> @here"))
    await enqueue(bot, Destination.channel(GENERAL), message)
    await bot.outbox.pump()

    posted = fake.calls("chat.postMessage")[-1]
    assert posted.params["text"] == f"<@{SAM}> is hosting &lt;!channel&gt; @here"
    assert "link_names" not in posted.params and "parse" not in posted.params
