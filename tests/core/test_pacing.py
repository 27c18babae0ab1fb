"""Pacing shared through the database: several processes (here: several engines on one
database) racing for the same destination, budget or cool-down never overshoot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from itertools import pairwise

import pytest

from bot.core import gcra
from bot.core.clock import ManualClock
from bot.pacing import DirectMessages, Pacer, Pacing, invalid_requests_key, new_dm_key
from storage.db import Database
from storage.models import CommunityRow
from storage.repositories import pacing as repo

GAP = Pacing(per_destination_seconds=2.0)


@pytest.fixture
async def other_process(database: Database) -> AsyncIterator[Database]:
    """A second engine on the same database, as another bot process would have."""
    other = Database(database.url, schema=database.schema)
    try:
        yield other
    finally:
        await other.dispose()


async def take_turn(db: Database, clock: ManualClock, destination: str = "C1") -> gcra.Turn:
    async with db.transaction() as session:
        return await Pacer(db, clock).take(
            session,
            platform="slack",
            destination_kind="channel",
            destination_id=destination,
            pacing=GAP,
            now=clock.now(),
        )


async def test_racing_processes_get_one_turn_per_gap(
    database: Database, other_process: Database, clock: ManualClock
) -> None:
    turns = await asyncio.gather(*(take_turn(db, clock) for db in [database, other_process] * 10))
    assert sum(t.ok for t in turns) == 1
    assert {t.ready_at for t in turns if not t.ok} == {clock.now() + timedelta(seconds=2)}
    assert (await take_turn(database, clock, "C2")).ok  # another destination is not held up

    sent = 1
    for _ in range(40):  # 10 s of both processes asking every 250 ms
        clock.advance(seconds=0.25)
        turns = await asyncio.gather(take_turn(database, clock), take_turn(other_process, clock))
        sent += sum(t.ok for t in turns)
    assert sent == 6  # at 0, 2, 4, 6, 8 and 10 s: never two within a gap


async def test_a_retry_after_holds_every_process_and_never_shortens(
    database: Database, other_process: Database, clock: ManualClock
) -> None:
    pacer = Pacer(database, clock)
    until = clock.now() + timedelta(seconds=30)
    await pacer.hold(platform="slack", destination_kind="channel", destination_id="C1", until=until)
    await Pacer(other_process, clock).hold(
        platform="slack", destination_kind="channel", destination_id="C1", until=until - 20 * S
    )
    turn = await take_turn(other_process, clock)
    assert not turn.ok and turn.ready_at == until
    clock.advance(seconds=30)
    assert (await take_turn(other_process, clock)).ok


async def test_a_global_rate_limit_holds_every_destination(
    database: Database, clock: ManualClock
) -> None:
    await Pacer(database, clock).hold_platform("slack", clock.now() + 10 * S)
    turns = [await take_turn(database, clock, f"C{n}") for n in range(3)]
    assert [t.ok for t in turns] == [False, False, False]
    clock.advance(seconds=10)
    assert (await take_turn(database, clock, "C9")).ok


async def test_too_many_invalid_requests_stop_sends_to_that_platform(
    database: Database, clock: ManualClock
) -> None:
    meter = gcra.Meter(limit=100, window=timedelta(minutes=10))
    pacing = Pacing(invalid_requests=meter)
    pacer = Pacer(database, clock)

    async def may_send() -> bool:
        async with database.transaction() as session:
            turn = await pacer.take(
                session,
                platform="discord",
                destination_kind="channel",
                destination_id="1",
                pacing=pacing,
                now=clock.now(),
            )
        return turn.ok

    await pacer.count_invalid("discord", meter, 40)
    assert await may_send()  # 40 of a budget of 80 (the safety share of 100)
    await pacer.count_invalid("discord", meter, 41)
    assert not await may_send()
    async with database.sessions() as session:
        tat = (await repo.tats(session, [invalid_requests_key("discord")]))["invalid:discord"]
    clock.set(tat - meter.tolerance)
    assert await may_send()


async def test_a_cool_down_is_started_once_among_racing_processes(
    database: Database, other_process: Database, clock: ManualClock
) -> None:
    books = [DirectMessages(db, clock) for db in (database, other_process) * 3]
    results = await asyncio.gather(*(b.pause_new("discord", None, "40003") for b in books))
    started = [pause for _, pause in results if pause is not None]
    assert len(started) == 1
    assert started[0].until == clock.now() + timedelta(minutes=15)
    assert {until for until, _ in results} == {started[0].until}


async def community(database: Database) -> int:
    async with database.transaction() as session:
        row = CommunityRow(platform="discord", external_id="guild", name="Guild", settings={})
        session.add(row)
        await session.flush()
        return row.id


async def test_new_dms_are_one_budget_for_every_process(
    database: Database, other_process: Database, clock: ManualClock
) -> None:
    guild = await community(database)
    books = [DirectMessages(db, clock) for db in (database, other_process)]
    for book in books:
        book.limits["discord"] = 6  # one every 10 s
    start = clock.now()
    come_back = {(n, f"u{p}-{n}"): start for n in range(2) for p in range(5)}
    opened: list[float] = []
    first_waits: list[float] = []
    for _ in range(70):  # one simulated minute and a bit, each person asking when told to
        for (n, user), when in sorted(come_back.items(), key=lambda kv: kv[1]):
            if when > clock.now():
                continue
            wait = await books[n].reserve_new("discord", guild, user)
            if wait == 0:
                opened.append((clock.now() - start).total_seconds())
                await books[n].opened("discord", user, f"dm-{user}", guild)
                del come_back[(n, user)]
            else:
                if when == start:
                    first_waits.append(wait)
                come_back[(n, user)] = clock.now() + timedelta(seconds=wait)
        clock.advance(seconds=1)
    assert len(opened) == 7 and opened[0] == 0  # at 0, 10, 20, ... 60 s
    assert min(b - a for a, b in pairwise(opened)) >= 10
    # Every process knows the channels opened by the other one.
    assert await books[1].channel("discord", "u0-0") == "dm-u0-0"
    # The people waiting were told to come back one interval after another, not all at once.
    assert sorted(first_waits) == pytest.approx([10 * k for k in range(1, 10)], abs=0.1)


async def test_a_pause_keeps_new_dms_waiting_in_every_community(
    database: Database, clock: ManualClock
) -> None:
    guild = await community(database)
    book = DirectMessages(database, clock)
    book.limits["discord"] = 60
    until, pause = await book.pause_new("discord", guild, "40003")
    assert pause is not None
    assert await book.reserve_new("discord", guild, "u1") == pytest.approx(15 * 60)
    assert await book.reserve_new("discord", None, "u2") >= 15 * 60
    clock.set(until)
    assert await book.reserve_new("discord", guild, "u1") == 0.0
    async with database.sessions() as session:
        assert await repo.tats(session, [new_dm_key("discord", guild)])


async def test_idle_keys_are_pruned(database: Database, clock: ManualClock) -> None:
    await take_turn(database, clock, "C1")
    clock.advance(days=2)
    await take_turn(database, clock, "C2")
    assert await Pacer(database, clock).prune() == 1


S = timedelta(seconds=1)
