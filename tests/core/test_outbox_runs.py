"""The outbox sends a claimed batch in runs: one transaction starts a run's attempts, the
outcomes go in together afterwards, and a send that cannot begin within the run's window,
or after a Retry-After in the same run, goes back to the queue as it was claimed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import event, select

from bot.core.clock import ManualClock
from bot.core.delivery import Delivery, Destination, RetryLater
from bot.core.messages import Message
from bot.outbox import Outbox, Pacing
from bot.outbox_delivery import RUN_WINDOW
from storage.db import Database
from storage.models import OutboxRow


class Platform:
    """Records each call; `behave` runs first and may raise or move the clock."""

    def __init__(self, behave: Callable[[Delivery], None] | None = None) -> None:
        self.calls: list[Delivery] = []
        self.behave = behave

    async def deliver(self, item: Delivery) -> str | None:
        self.calls.append(item)
        if self.behave is not None:
            self.behave(item)
        return f"ref-{item.id}"


async def queue(outbox: Outbox, count: int, *, people: bool = True) -> None:
    async with outbox.db.transaction() as session:
        for i in range(count):
            to = Destination.person(f"p{i}") if people else Destination.channel("general")
            await outbox.enqueue(
                session, platform="console", destination=to, message=Message(text=[f"m{i}"])
            )


async def rows(database: Database) -> list[OutboxRow]:
    async with database.sessions() as session:
        return list((await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all())


async def test_fifty_due_reminders_cost_a_few_transactions_not_two_each(
    database: Database, clock: ManualClock
) -> None:
    outbox = Outbox(database, clock)
    platform = Platform()
    outbox.add_sender("console", platform, Pacing(per_destination_seconds=1.0))
    await queue(outbox, 50)
    began: list[object] = []

    def count(connection: object) -> None:
        began.append(connection)

    engine = database.engine.sync_engine
    event.listen(engine, "begin", count)
    try:
        assert await outbox.pump() == 50
    finally:
        event.remove(engine, "begin", count)
    assert len(platform.calls) == 50
    # Claim, start the run, record the outcomes with the next claim (which finds nothing).
    assert len(began) <= 4
    assert {r.status for r in await rows(database)} == {"sent"}


async def test_a_send_that_cannot_begin_within_the_window_goes_back_as_claimed(
    database: Database, clock: ManualClock
) -> None:
    began_late: list[timedelta] = []

    def slow(item: Delivery) -> None:
        began_late.append(clock.now() - item.first_attempt_at)  # its run started then
        clock.advance(seconds=RUN_WINDOW.total_seconds() * 2)

    outbox = Outbox(database, clock)
    platform = Platform(slow)
    outbox.add_sender("console", platform)
    await queue(outbox, 3)
    assert await outbox.pump() == 3
    # Each row was attempted once, and none was taken for one in doubt: the rows handed
    # back after the window were started but never sent.
    assert sorted(c.message.plain_text() for c in platform.calls) == ["m0", "m1", "m2"]
    assert all(late <= RUN_WINDOW for late in began_late)
    assert [c.maybe_sent for c in platform.calls] == [False, False, False]
    assert [r.attempts for r in await rows(database)] == [1, 1, 1]


async def test_a_platform_wide_retry_after_stops_the_rest_of_the_run(
    database: Database, clock: ManualClock
) -> None:
    def limited_once(item: Delivery) -> None:
        if len(platform.calls) == 1:
            raise RetryLater(30, "429", scope="platform")

    outbox = Outbox(database, clock)
    platform = Platform(limited_once)
    outbox.add_sender("console", platform)
    await queue(outbox, 3)
    await outbox.pump()
    assert len(platform.calls) == 1  # nobody else was called during the hold
    clock.advance(seconds=29)
    await outbox.pump()
    assert len(platform.calls) == 1
    clock.advance(seconds=1)
    await outbox.pump()
    assert sorted(c.message.plain_text() for c in platform.calls) == ["m0", "m0", "m1", "m2"]
    assert [c.maybe_sent for c in platform.calls] == [False, False, False, False]


async def test_a_run_s_turn_at_a_destination_holds_for_another_process_until_one_gap_after_the_send(
    database: Database, clock: ManualClock
) -> None:
    gap = Pacing(per_destination_seconds=2.0)
    first, second = Outbox(database, clock), Outbox(database, clock)
    first_platform, second_platform = Platform(), Platform()
    first.add_sender("console", first_platform, gap)
    second.add_sender("console", second_platform, gap)
    await queue(first, 2, people=False)
    await first.pump()  # m0 goes; m1 waits for the gap
    assert [c.message.plain_text() for c in first_platform.calls] == ["m0"]
    clock.advance(seconds=1.9)
    await second.pump()
    assert second_platform.calls == []
    clock.advance(seconds=0.1)  # one gap after m0 began, not a window later
    await second.pump()
    assert [c.message.plain_text() for c in second_platform.calls] == ["m1"]
