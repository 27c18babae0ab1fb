"""The outbox: written first, claimed once, sent once, never lost."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.core.clock import ManualClock
from bot.core.delivery import (
    Delivery,
    Destination,
    OpeningDMsTooFast,
    RetryLater,
    Undeliverable,
    delivery_key,
)
from bot.core.messages import Mention, Message, rich
from bot.outbox import Outbox, Pacing
from bot.outbox_keys import KeyScope
from bot.pacing import NewDMPause
from storage.db import Database
from storage.models import OutboxRow
from storage.repositories import outbox as repo

EVENT_1 = KeyScope.of("event", 1)
REMINDER = EVENT_1.key("remind", 60, 7)


class Recorder:
    """A platform that records what it was asked to send; `behave` can make it fail."""

    def __init__(self, behave: Callable[[Delivery], None] | None = None) -> None:
        self.sent: list[Delivery] = []
        self.behave = behave

    async def deliver(self, item: Delivery) -> str | None:
        if self.behave is not None:
            self.behave(item)
        self.sent.append(item)
        return f"ref-{item.id}"

    def texts(self) -> list[str]:
        return [d.message.plain_text() for d in self.sent]


def make_outbox(
    database: Database,
    clock: ManualClock,
    sender: Recorder,
    pacing: Pacing | None = None,
    **kwargs: object,
) -> Outbox:
    outbox = Outbox(database, clock, **kwargs)  # type: ignore[arg-type]
    outbox.add_sender("console", sender, pacing)
    return outbox


async def put(
    outbox: Outbox, text: str, *, to: Destination | None = None, **kwargs: object
) -> None:
    async with outbox.db.transaction() as session:
        await outbox.enqueue(
            session,
            platform="console",
            destination=to or Destination.channel("general"),
            message=Message(text=[text]),
            **kwargs,
        )  # type: ignore[arg-type]


async def statuses(database: Database) -> list[tuple[str, str]]:
    async with database.sessions() as session:
        rows = (await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all()
    return [(r.status, Message.model_validate_json(r.payload).plain_text()) for r in rows]


async def test_due_rows_are_sent_once_and_future_rows_wait(
    database: Database, clock: ManualClock
) -> None:
    sender = Recorder()
    outbox = make_outbox(database, clock, sender)
    await put(outbox, "now")
    await put(outbox, "tomorrow", due_at=clock.now() + timedelta(days=1))
    assert await outbox.pump() == 1
    assert await outbox.pump() == 0
    assert sender.texts() == ["now"]
    assert await outbox.next_due_at() == clock.now() + timedelta(days=1)
    clock.advance(days=1)
    await outbox.pump()
    assert sender.texts() == ["now", "tomorrow"]
    assert [s for s, _ in await statuses(database)] == ["sent", "sent"]


async def test_a_dedupe_key_is_written_once(database: Database, clock: ManualClock) -> None:
    sender = Recorder()
    outbox = make_outbox(database, clock, sender)
    await put(outbox, "reminder", dedupe_key=REMINDER)
    await put(outbox, "reminder", dedupe_key=REMINDER)
    await outbox.pump()
    await put(outbox, "reminder", dedupe_key=REMINDER)  # even after it was sent
    await outbox.pump()
    assert sender.texts() == ["reminder"]


async def test_withdrawn_rows_are_not_sent_and_free_their_key(
    database: Database, clock: ManualClock
) -> None:
    sender = Recorder()
    outbox = make_outbox(database, clock, sender)
    await put(
        outbox,
        "old time",
        dedupe_key=REMINDER,
        due_at=clock.now() + timedelta(hours=1),
    )
    async with database.transaction() as session:
        assert await outbox.withdraw_under(session, EVENT_1, reason="moved") == 1
    await put(
        outbox,
        "new time",
        dedupe_key=REMINDER,
        due_at=clock.now() + timedelta(hours=2),
    )
    clock.advance(hours=3)
    await outbox.pump()
    assert sender.texts() == ["new time"]


async def test_two_workers_never_send_the_same_row(database: Database, clock: ManualClock) -> None:
    sender = Recorder()
    first = make_outbox(database, clock, sender, batch_size=7)
    second = make_outbox(database, clock, sender, batch_size=7)
    for i in range(60):
        await put(first, f"m{i}")
    await asyncio.gather(first.pump(), second.pump(), first.pump(), second.pump())
    assert sorted(sender.texts()) == sorted(f"m{i}" for i in range(60))


async def test_a_claim_whose_worker_died_is_picked_up_after_its_lease(
    database: Database, clock: ManualClock
) -> None:
    sender = Recorder()
    survivor = make_outbox(database, clock, sender, lease_seconds=120)
    await put(survivor, "important")
    async with database.transaction() as session:  # a worker claims, then its process dies
        claimed = await repo.claim_due(
            session,
            now=clock.now(),
            worker="dead-worker",
            lease=timedelta(seconds=120),
            platforms=["console"],
            limit=10,
        )
    assert len(claimed) == 1
    assert await survivor.pump() == 0  # still leased: not sent twice
    clock.advance(seconds=121)
    assert await survivor.pump() == 1
    assert sender.texts() == ["important"]


async def test_retry_after_moves_the_row_without_losing_it(
    database: Database, clock: ManualClock
) -> None:
    calls = 0

    def rate_limited_once(item: Delivery) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RetryLater(30)

    sender = Recorder(rate_limited_once)
    outbox = make_outbox(database, clock, sender)
    await put(outbox, "hello")
    await outbox.pump()
    assert sender.sent == []
    assert await outbox.next_due_at() == clock.now() + timedelta(seconds=30)
    clock.advance(seconds=29)
    await outbox.pump()
    assert sender.sent == []
    clock.advance(seconds=1)
    await outbox.pump()
    assert sender.texts() == ["hello"]


async def test_pacing_spaces_messages_to_one_destination(
    database: Database, clock: ManualClock
) -> None:
    sender = Recorder()
    outbox = make_outbox(database, clock, sender, Pacing(per_destination_seconds=1.0))
    for i in range(3):
        await put(outbox, f"m{i}")
    await put(outbox, "elsewhere", to=Destination.channel("random"))
    await outbox.pump()
    assert sender.texts() == ["m0", "elsewhere"]
    clock.advance(seconds=1)
    await outbox.pump()
    clock.advance(seconds=1)
    await outbox.pump()
    assert sender.texts() == ["m0", "elsewhere", "m1", "m2"]


async def test_closed_dms_fall_back_to_one_channel_mention(
    database: Database, clock: ManualClock
) -> None:
    def dms_closed(item: Delivery) -> None:
        if item.destination.kind == "person":
            raise Undeliverable("Cannot send messages to this user")

    sender = Recorder(dms_closed)
    outbox = make_outbox(database, clock, sender)
    await put(outbox, "You are in!", to=Destination.person("sam"), fallback_channel_id="general")
    for _ in range(3):
        await outbox.pump()
        clock.advance(minutes=10)
    assert len(sender.sent) == 1
    fallback = sender.sent[0]
    assert fallback.destination == Destination.channel("general")
    assert fallback.message.mentioned_user_ids == ["sam"]
    assert "You are in!" in fallback.message.plain_text()


async def test_expired_rows_are_dropped_not_sent(database: Database, clock: ManualClock) -> None:
    sender = Recorder()
    outbox = make_outbox(database, clock, sender)
    start = clock.now() + timedelta(hours=1)
    await put(outbox, "starts soon", due_at=clock.now(), expires_at=start)
    await put(outbox, "too late", due_at=clock.now(), expires_at=clock.now())
    await outbox.pump()
    assert sender.texts() == ["starts soon"]
    assert [s for s, _ in await statuses(database)] == ["sent", "dropped"]


async def test_edits_wait_for_the_original_and_coalesce(
    database: Database, clock: ManualClock
) -> None:
    sender = Recorder()
    outbox = make_outbox(database, clock, sender)
    await put(outbox, "card v1", dedupe_key=EVENT_1.key("card"))
    for n in (2, 3, 4):
        await put(
            outbox, f"card v{n}", edit_of=EVENT_1.key("card"), coalesce_key=EVENT_1.key("edit")
        )
    await outbox.pump()
    clock.advance(seconds=5)
    await outbox.pump()
    assert sender.texts() == ["card v1", "card v4"]
    assert sender.sent[1].edit_ref == f"ref-{sender.sent[0].id}"


async def test_a_failing_platform_is_retried_with_backoff_then_given_up(
    database: Database, clock: ManualClock
) -> None:
    def broken(item: Delivery) -> None:
        raise ConnectionError("platform down")

    sender = Recorder(broken)
    outbox = make_outbox(database, clock, sender, Pacing(backoff_seconds=1))
    await put(outbox, "hello")
    for _ in range(12):
        await outbox.pump()
        clock.advance(minutes=10)
    async with database.sessions() as session:
        row = (await session.scalars(select(OutboxRow))).one()
    assert row.status == "failed" and row.attempts == 8
    assert "platform down" in (row.last_error or "")


async def test_mentions_survive_the_round_trip_through_the_table(
    database: Database, clock: ManualClock
) -> None:
    sender = Recorder()
    outbox = make_outbox(database, clock, sender)
    async with database.transaction() as session:
        await outbox.enqueue(
            session,
            platform="console",
            destination=Destination.person("sam"),
            message=Message(text=rich("Hi ", Mention(user_id="sam"))),
            timezone="Europe/Berlin",
        )
    await outbox.pump()
    assert sender.sent[0].message.mentioned_user_ids == ["sam"]
    assert sender.sent[0].timezone == "Europe/Berlin"


async def test_closing_mid_pass_hands_unsent_rows_back(
    database: Database, clock: ManualClock
) -> None:
    closing: list[asyncio.Task[None]] = []

    def close_after_first(item: Delivery) -> None:
        if not closing:
            closing.append(asyncio.ensure_future(outbox.close()))

    sender = Recorder(close_after_first)
    outbox = make_outbox(database, clock, sender)
    for i in range(3):
        await put(outbox, f"m{i}")
    await outbox.pump()
    await closing[0]
    assert sender.texts() == ["m0"]
    restarted_sender = Recorder()
    restarted = make_outbox(database, clock, restarted_sender)
    await restarted.pump()  # no lease to wait out: the rows were handed back
    assert restarted_sender.texts() == ["m1", "m2"]


async def test_a_slow_batch_never_sends_a_row_another_worker_took_over(
    database: Database, clock: ManualClock
) -> None:
    sent: list[str] = []

    class SlowPlatform:
        """Each send waits out a long rate limit; meanwhile another process pumps."""

        def __init__(self, other: Outbox | None) -> None:
            self.other = other

        async def deliver(self, item: Delivery) -> str | None:
            sent.append(item.message.plain_text())
            clock.advance(seconds=50)
            if self.other is not None:
                await self.other.pump()
            return None

    other = Outbox(database, clock, lease_seconds=120)
    other.add_sender("console", SlowPlatform(None))
    first = Outbox(database, clock, lease_seconds=120)
    first.add_sender("console", SlowPlatform(other))
    for i in range(5):
        await put(first, f"m{i}")
    await first.pump()
    assert sorted(sent) == [f"m{i}" for i in range(5)]  # each exactly once


class Crash(BaseException):
    """The process dies in the middle of a platform call (nothing of ours runs after it)."""


async def row_of(database: Database) -> OutboxRow:
    async with database.sessions() as session:
        return (await session.scalars(select(OutboxRow))).one()


async def test_a_send_cut_off_by_a_crash_is_checked_by_the_next_worker(
    database: Database, clock: ManualClock
) -> None:
    def dies(item: Delivery) -> None:
        raise Crash

    dead = make_outbox(database, clock, Recorder(dies), lease_seconds=60)
    await put(dead, "Book club at 7")
    with pytest.raises(Crash):
        await dead.pump()
    crashed = await row_of(database)
    assert crashed.status == "claimed" and crashed.maybe_sent

    survivor_sender = Recorder()
    survivor = make_outbox(database, clock, survivor_sender, lease_seconds=60)
    assert await survivor.pump() == 0  # still leased
    clock.advance(seconds=61)
    assert await survivor.pump() == 1
    (retry,) = survivor_sender.sent
    assert retry.maybe_sent and retry.first_attempt_at == crashed.first_attempt_at
    assert retry.key == delivery_key(crashed.id, crashed.created_at)


async def test_a_first_attempt_and_a_refused_one_are_not_in_doubt(
    database: Database, clock: ManualClock
) -> None:
    calls: list[Delivery] = []

    def rate_limited_once(item: Delivery) -> None:
        calls.append(item)
        if len(calls) == 1:
            raise RetryLater(5, "429")

    outbox = make_outbox(database, clock, Recorder(rate_limited_once))
    await put(outbox, "hello")
    await outbox.pump()
    assert not (await row_of(database)).maybe_sent  # the platform said no: nothing landed
    clock.advance(seconds=5)
    await outbox.pump()
    assert [c.maybe_sent for c in calls] == [False, False]
    assert calls[0].key == calls[1].key != ""


async def test_a_lost_answer_is_retried_soon_and_in_doubt(
    database: Database, clock: ManualClock
) -> None:
    calls: list[Delivery] = []

    def answer_lost_once(item: Delivery) -> None:
        calls.append(item)
        if len(calls) == 1:
            raise TimeoutError("no answer")

    outbox = make_outbox(database, clock, Recorder(answer_lost_once), Pacing(backoff_seconds=60))
    await put(outbox, "hello")
    await outbox.pump()
    row = await row_of(database)
    assert row.status == "pending" and row.maybe_sent
    # Soon enough for Discord's nonce window, whatever the configured backoff.
    assert row.due_at <= clock.now() + timedelta(seconds=20)
    clock.advance(seconds=20)
    await outbox.pump()
    assert [c.maybe_sent for c in calls] == [False, True]
    assert (await row_of(database)).status == "sent"


async def test_a_rate_limited_destination_holds_every_process(
    database: Database, clock: ManualClock
) -> None:
    def limited(item: Delivery) -> None:
        raise RetryLater(30, "429", scope="destination")

    first = make_outbox(database, clock, Recorder(limited))
    await put(first, "first")
    await first.pump()
    other_sender = Recorder()
    other = make_outbox(database, clock, other_sender)
    await put(other, "second")
    await put(other, "elsewhere", to=Destination.channel("random"))
    await other.pump()
    assert other_sender.texts() == ["elsewhere"]
    clock.advance(seconds=30)
    await other.pump()
    assert sorted(other_sender.texts()) == ["elsewhere", "first", "second"]


async def test_a_new_dm_pause_is_announced_once_and_keeps_rows_queued(
    database: Database, clock: ManualClock
) -> None:
    def too_fast(item: Delivery) -> None:
        if item.destination.kind == "person":
            raise OpeningDMsTooFast("You are opening direct messages too fast")

    announced: list[NewDMPause] = []

    async def alert(pause: NewDMPause) -> None:
        announced.append(pause)

    senders = [Recorder(too_fast), Recorder(too_fast)]
    outboxes = [make_outbox(database, clock, s) for s in senders]
    for outbox in outboxes:
        outbox.on_new_dms_paused.append(alert)
    await put(outboxes[0], "to ann", to=Destination.person("ann"))
    await put(outboxes[0], "to ben", to=Destination.person("ben"))
    await put(outboxes[0], "in the channel")
    await asyncio.gather(*(o.pump() for o in outboxes))
    assert len(announced) == 1
    assert announced[0].until == clock.now() + timedelta(minutes=15)
    assert [s for s, _ in await statuses(database)] == ["pending", "pending", "sent"]
    async with database.sessions() as session:
        rows = (await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all()
    assert rows[0].due_at == announced[0].until and rows[0].attempts == 0


async def test_a_row_in_doubt_keeps_its_place_at_the_head_of_the_queue(
    database: Database, clock: ManualClock
) -> None:
    """Its retry must come within Discord's nonce window even behind a backlog."""
    failed: list[str] = []

    def answer_lost_once(item: Delivery) -> None:
        text = item.message.plain_text()
        if text == "in doubt" and not failed:
            failed.append(text)
            raise TimeoutError("no answer")

    sender = Recorder(answer_lost_once)
    outbox = make_outbox(database, clock, sender, Pacing(backoff_seconds=5), batch_size=1)
    await put(outbox, "in doubt")
    await outbox.pump()
    start = clock.now()
    for n in range(4):  # a backlog that fell due after it, before its retry
        due = start + timedelta(seconds=n + 1)
        await put(outbox, f"later {n}", to=Destination.channel(f"c{n}"), due_at=due)
    clock.advance(seconds=2)
    await outbox.pump()
    assert sender.texts() == ["later 0", "later 1"]  # its own destination is held meanwhile
    clock.advance(seconds=4)
    await outbox.pump()
    assert sender.texts()[2] == "in doubt"
    assert sorted(sender.texts()[3:]) == ["later 2", "later 3"]


async def test_a_claim_takes_no_more_than_its_batch(database: Database, clock: ManualClock) -> None:
    """On PostgreSQL a locking IN-subquery could be run once per updated row and claim every
    due row at once, leaving the rest of a slow batch to expire in a live process's hands."""
    outbox = make_outbox(database, clock, Recorder())
    for i in range(30):
        await put(outbox, f"m{i}", to=Destination.channel(f"c{i % 9}"))
    async with database.transaction() as session:
        claimed = await repo.claim_due(
            session,
            now=clock.now(),
            worker="w",
            lease=timedelta(seconds=60),
            platforms=["console"],
            limit=7,
        )
    assert [Message.model_validate_json(r.payload).plain_text() for r in claimed] == [
        f"m{i}" for i in range(7)
    ]
    assert Counter(s for s, _ in await statuses(database)) == {"claimed": 7, "pending": 23}


async def test_a_row_in_doubt_waits_out_a_platform_hold_without_spinning(
    database: Database, clock: ManualClock
) -> None:
    calls: list[Delivery] = []

    def lost_then_global_limit(item: Delivery) -> None:
        calls.append(item)
        if len(calls) == 1:
            raise TimeoutError("no answer")

    outbox = make_outbox(
        database, clock, Recorder(lost_then_global_limit), Pacing(backoff_seconds=1)
    )
    await put(outbox, "in doubt")
    await outbox.pump()
    await outbox.pacer.hold_platform("console", clock.now() + timedelta(seconds=30))
    clock.advance(seconds=1)
    assert await outbox.pump() == 1  # refused by the hold, put back once
    assert await outbox.pump() == 0  # then left alone until the hold ends
    clock.advance(seconds=30)
    await outbox.pump()
    assert [c.maybe_sent for c in calls] == [False, True]
