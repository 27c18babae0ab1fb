"""Outbox rules at their edges: the retry schedule after an unexpected error, withdrawals that
never touch a row already sent, and a worker whose lease ran out handing nothing back."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.core.clock import ManualClock
from bot.core.delivery import Delivery, Destination, RetryLater
from bot.core.messages import Message
from bot.outbox import Outbox, Pacing
from bot.outbox_keys import KeyScope
from storage.db import Database
from storage.models import OutboxRow

REMINDER_KEY = KeyScope.of("event", 1).key("occ", 1795716000, "remind", 60, 7)


class Platform:
    """Records what it sends; `fail` makes every send raise it."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.sent: list[str] = []
        self.fail = fail
        self.calls = 0

    async def deliver(self, item: Delivery) -> str | None:
        self.calls += 1
        if self.fail is not None:
            raise self.fail
        self.sent.append(item.message.plain_text())
        return f"ref-{item.id}"


async def put(outbox: Outbox, text: str, **kwargs: object) -> None:
    async with outbox.db.transaction() as session:
        await outbox.enqueue(
            session,
            platform="console",
            destination=Destination.channel("general"),
            message=Message(text=[text]),
            **kwargs,  # type: ignore[arg-type]
        )


async def only_row(database: Database) -> OutboxRow:
    async with database.sessions() as session:
        return (await session.scalars(select(OutboxRow))).one()


async def test_an_unexpected_error_is_retried_after_5_then_10_then_20_seconds(
    database: Database, clock: ManualClock
) -> None:
    """The attempt itself is what counts: a row whose send may have landed keeps its place at
    the head of the queue and its destination waits instead, so watch when the platform is
    called again, one simulated second at a time."""
    platform = Platform(ConnectionError("down"))
    outbox = Outbox(database, clock)
    outbox.add_sender("console", platform, Pacing(backoff_seconds=5))
    await put(outbox, "hello")
    await outbox.pump()
    assert platform.calls == 1
    delays = []
    for attempt in range(2, 5):
        waited = 0
        while platform.calls < attempt:
            clock.advance(seconds=1)
            waited += 1
            await outbox.pump()
            assert waited <= 60, "never retried"
        delays.append(waited)
    assert delays == [5, 10, 20]


async def test_a_withdrawal_never_touches_a_row_already_sent(
    database: Database, clock: ManualClock
) -> None:
    platform = Platform()
    outbox = Outbox(database, clock)
    outbox.add_sender("console", platform)
    await put(outbox, "Reminder: Winter party", dedupe_key=REMINDER_KEY)
    await outbox.pump()
    async with database.transaction() as session:
        assert await outbox.withdraw_under(session, KeyScope.of("event", 1), reason="moved") == 0
    # The sent row keeps its key, so writing the same reminder again is still a no-op.
    await put(outbox, "Reminder: Winter party", dedupe_key=REMINDER_KEY)
    await outbox.pump()
    assert platform.sent == ["Reminder: Winter party"]
    assert (await only_row(database)).status == "sent"


async def test_a_worker_whose_lease_ran_out_does_not_hand_back_a_row_another_is_sending(
    database: Database, clock: ManualClock
) -> None:
    """Worker a is told to wait (429) only after its lease ran out; by then worker b has
    taken the row over and is sending it. a must not put the row back: it would be sent
    a second time once b finished."""
    b_holding, b_release = asyncio.Event(), asyncio.Event()
    b_sent: list[int] = []
    b_runs: list[asyncio.Future[int]] = []

    class SlowToFail:
        def __init__(self) -> None:
            self.calls = 0

        async def deliver(self, item: Delivery) -> str | None:
            self.calls += 1
            if self.calls == 1:
                clock.advance(seconds=121)  # the call outlived a's 120-second lease
                b_runs.append(asyncio.ensure_future(b.pump()))
                await b_holding.wait()
                raise RetryLater(30, "rate limited")
            return f"a-{item.id}"

    class Holding:
        async def deliver(self, item: Delivery) -> str | None:
            b_sent.append(item.id)
            b_holding.set()
            await b_release.wait()
            return f"b-{item.id}"

    a = Outbox(database, clock, lease_seconds=120, worker_id="a")
    b = Outbox(database, clock, lease_seconds=120, worker_id="b")
    a_platform = SlowToFail()
    a.add_sender("console", a_platform)
    b.add_sender("console", Holding())
    await put(a, "You're in!")
    await a.pump()
    b_release.set()
    await asyncio.gather(*b_runs)

    clock.advance(minutes=5)
    await a.pump()
    await b.pump()
    assert len(b_sent) == 1 and a_platform.calls == 1  # sent once, by b
    row = await only_row(database)
    assert (row.status, row.claimed_by) == ("sent", "b")
