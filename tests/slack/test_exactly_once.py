"""Exactly once at Slack's edge: every post names its outbox row in message metadata, and a
row whose earlier attempt may have landed is looked for in the channel history first."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.app import Potluck
from bot.core.clock import ManualClock
from bot.core.delivery import Destination, delivery_key
from bot.core.messages import Message
from tests.fakes.slack_server import FakeSlack
from tests.slack.conftest import ANA, GENERAL, SAM, SlackDriver
from tests.slack.test_outbox import enqueue, rows


async def test_every_post_names_its_row_and_a_first_attempt_looks_nowhere(
    slack: SlackDriver, fake: FakeSlack, bot: Potluck
) -> None:
    await enqueue(bot, Destination.channel(GENERAL), Message(text=["Book club at 7"]))
    await bot.outbox.pump()
    (post,) = fake.calls("chat.postMessage")
    (row,) = await rows(bot)
    assert post.json_param("metadata") == {
        "event_type": "potluck_outbox",
        "event_payload": {"key": delivery_key(row.id, row.created_at), "row": row.id},
    }
    assert fake.calls("conversations.history") == []


async def test_a_lost_answer_is_found_in_the_history_and_not_posted_again(
    slack: SlackDriver, fake: FakeSlack, bot: Potluck, clock: ManualClock
) -> None:
    fake.fail_next("chat.postMessage", 500, error="internal_error", after=True)
    await enqueue(bot, Destination.channel(GENERAL), Message(text=["Book club at 7"]))
    first_attempt = clock.now()
    await bot.outbox.pump()
    (row,) = await rows(bot)
    assert row.status == "pending" and row.maybe_sent
    # Meanwhile people talked: the message is on the second page of the channel's history.
    for n in range(250):
        chatter = {"type": "message", "user": ANA, "text": f"chatter {n}"}
        fake.history[GENERAL].append({**chatter, "ts": f"{first_attempt.timestamp() + n:.6f}"})

    clock.advance(seconds=20)
    await bot.outbox.pump()
    lookups = fake.calls("conversations.history")
    assert len(lookups) == 2  # two pages of 200, newest first
    assert lookups[0].params["include_all_metadata"] in ("1", "true")
    oldest = float(lookups[0].params["oldest"])
    assert (first_attempt - timedelta(minutes=5)).timestamp() <= oldest
    assert oldest <= first_attempt.timestamp()
    assert len(fake.calls("chat.postMessage")) == 1 and len(fake.ledger.created) == 1
    (row,) = await rows(bot)
    assert row.status == "sent"
    assert row.sent_ref == f"{GENERAL}:{fake.ledger.created[0].message_id}"


async def test_a_crash_mid_send_is_found_after_the_lease_ran_out(
    slack: SlackDriver, fake: FakeSlack, bot: Potluck, clock: ManualClock
) -> None:
    held = fake.hold_answers(lambda c: c.method == "chat.postMessage")
    await enqueue(bot, Destination.person(SAM), Message(text=["Book club at 7"]))
    sending = asyncio.create_task(bot.outbox.pump())
    await held.wait_held()  # Slack posted it; the process dies before the answer
    sending.cancel()
    held.release()
    await asyncio.gather(sending, return_exceptions=True)
    clock.advance(seconds=bot.outbox.lease.total_seconds() + 1)

    await bot.outbox.pump()  # (the same database, as another process would see it)
    assert len(fake.calls("conversations.history")) == 1
    assert len(fake.calls("chat.postMessage")) == 1
    assert len(fake.calls("conversations.open")) == 1  # the DM channel was remembered
    (row,) = await rows(bot)
    assert row.status == "sent"


async def test_an_attempt_that_never_landed_is_posted_once(
    slack: SlackDriver, fake: FakeSlack, bot: Potluck, clock: ManualClock
) -> None:
    fake.fail_next("chat.postMessage", 500, error="internal_error")  # refused before posting
    await enqueue(bot, Destination.channel(GENERAL), Message(text=["Book club at 7"]))
    await bot.outbox.pump()
    clock.advance(seconds=20)
    await bot.outbox.pump()
    assert len(fake.calls("conversations.history")) == 1
    assert [c.status for c in fake.calls("chat.postMessage")] == [500, 200]
    assert len(fake.history[GENERAL]) == 1
    assert [r.status for r in await rows(bot)] == ["sent"]


async def test_people_already_dmed_cost_no_new_dm_budget(
    slack: SlackDriver, fake: FakeSlack, bot: Potluck, clock: ManualClock
) -> None:
    for person in (SAM, ANA, SAM):
        await enqueue(bot, Destination.person(person), Message(text=["Book club at 7"]))
    slack.adapter.bot.outbox.direct_messages.limits["slack"] = 1
    await bot.outbox.pump()
    assert [c.params["users"] for c in fake.calls("conversations.open")] == [SAM]
    clock.advance(seconds=60)
    await bot.outbox.pump()
    assert [c.params["users"] for c in fake.calls("conversations.open")] == [SAM, ANA]
    assert [r.status for r in await rows(bot)] == ["sent", "sent", "sent"]


async def test_a_dropped_connection_after_slack_posted_is_not_posted_again(
    slack: SlackDriver, fake: FakeSlack, bot: Potluck, clock: ManualClock
) -> None:
    """slack_sdk would retry such a call by itself; the outbox looks first instead."""
    fake.fail_next("chat.postMessage", 0, after=True)  # posted, then the connection drops
    await enqueue(bot, Destination.channel(GENERAL), Message(text=["Book club at 7"]))
    await bot.outbox.pump()
    assert len(fake.calls("chat.postMessage")) == 1
    clock.advance(seconds=20)
    await bot.outbox.pump()
    assert len(fake.calls("conversations.history")) == 1
    assert len(fake.history[GENERAL]) == 1
    assert [r.status for r in await rows(bot)] == ["sent"]
