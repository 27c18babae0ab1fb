"""Outbox keys: one typed way to name rows, and withdrawal scopes derived from the same
definitions, so a scope reaches exactly the keys built from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.clock import ManualClock
from bot.core.delivery import Destination
from bot.core.messages import Message
from bot.outbox import Outbox
from bot.outbox_keys import KeyScope, OutboxKey
from cogs.events import keys
from storage.db import Database
from tests.core.test_outbox import Recorder, make_outbox

FRIDAY = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
SATURDAY = FRIDAY + timedelta(days=1)


def test_keys_keep_the_spelling_stored_in_the_outbox() -> None:
    friday = int(FRIDAY.timestamp())
    assert str(keys.reminder(12, FRIDAY, 60, 7)) == f"event:12:occ:{friday}:remind:60:7"
    assert str(keys.reminder(12, FRIDAY, 60, "channel")).endswith(":remind:60:channel")
    assert str(keys.card(12)) == "event:12:card"
    assert str(keys.card_edit(12)) == "event:12:card-edit"
    assert str(keys.notice(12, "moved", 3, 7)) == "event:12:moved:3:7"
    assert str(keys.party_too_big(12, FRIDAY, 7, 4)) == f"too-big:12:{friday}:7:4"


@pytest.mark.parametrize("bad", ["", "a:b"])
def test_a_part_cannot_be_empty_or_hold_the_separator(bad: str) -> None:
    with pytest.raises(ValueError):
        KeyScope.of("event", bad)
    with pytest.raises(ValueError):
        KeyScope.of("event").key(bad)


def test_a_key_must_fit_the_outbox_column() -> None:
    with pytest.raises(ValueError):
        KeyScope.of("event").key("x" * 200)
    with pytest.raises(ValueError):
        KeyScope.of("event").key(datetime(2026, 1, 1))  # naive: which moment?


async def put(outbox: Outbox, key: OutboxKey, due: datetime) -> None:
    async with outbox.db.transaction() as session:
        await outbox.enqueue(
            session,
            platform="console",
            destination=Destination.person("sam"),
            message=Message(text=[str(key)]),
            due_at=due,
            dedupe_key=key,
        )


async def test_withdrawing_a_scope_reaches_exactly_the_keys_built_from_it(
    database: Database, clock: ManualClock
) -> None:
    sender = Recorder()
    outbox = make_outbox(database, clock, sender)
    later = clock.now() + timedelta(hours=1)
    written = [
        keys.reminder(1, FRIDAY, 60, 7),
        keys.reminder(1, SATURDAY, 60, 7),
        keys.reminder(12, FRIDAY, 60, 7),  # another event whose id starts the same
        keys.reminder(1, FRIDAY, 60, "channel"),
        keys.card(1),
        keys.party_too_big(1, FRIDAY, 7, 4),
    ]
    for key in written:
        await put(outbox, key, later)
    async with database.transaction() as session:
        one_date = await outbox.withdraw_under(session, keys.reminders_on(1, FRIDAY), reason="x")
        all_dates = await outbox.withdraw_under(session, keys.reminders_of(1), reason="x")
    assert (one_date, all_dates) == (2, 1)
    clock.advance(hours=2)
    await outbox.pump()
    assert sorted(sender.texts()) == sorted(
        str(k) for k in (keys.reminder(12, FRIDAY, 60, 7), keys.card(1), written[-1])
    )


async def test_a_scope_ends_at_its_last_part(database: Database, clock: ManualClock) -> None:
    outbox = make_outbox(database, clock, Recorder())
    later = clock.now() + timedelta(hours=1)
    await put(outbox, keys.card(1), later)
    await put(outbox, keys.card(12), later)
    async with database.transaction() as session:
        assert await outbox.withdraw_under(session, keys.event_scope(1), reason="x") == 1


async def test_exact_withdrawal_releases_the_key_for_a_new_row(
    database: Database, clock: ManualClock
) -> None:
    sender = Recorder()
    outbox = make_outbox(database, clock, sender)
    key = keys.reminder(1, FRIDAY, 60, 7)
    await put(outbox, key, clock.now() + timedelta(hours=1))
    async with database.transaction() as session:
        assert await outbox.withdraw(session, key, reason="answer changed") == 1
        assert await outbox.withdraw(session, key, reason="again") == 0
    await put(outbox, key, clock.now() + timedelta(hours=2))
    clock.advance(hours=3)
    await outbox.pump()
    assert sender.texts() == [str(key)]


async def test_wildcards_in_a_scope_are_plain_text(database: Database, clock: ManualClock) -> None:
    # LIKE reads "_" as any one character and "%" as anything: a scope must not.
    outbox = make_outbox(database, clock, Recorder())
    later = clock.now() + timedelta(hours=1)
    await put(outbox, KeyScope.of("too_big").key(1), later)
    await put(outbox, KeyScope.of("tooXbig").key(1), later)
    await put(outbox, KeyScope.of("100%").key(1), later)
    await put(outbox, KeyScope.of("1000").key(1), later)
    async with database.transaction() as session:
        assert await outbox.withdraw_under(session, KeyScope.of("too_big"), reason="x") == 1
        assert await outbox.withdraw_under(session, KeyScope.of("100%"), reason="x") == 1
        assert await outbox.withdraw_under(session, KeyScope.of("tooXbig"), reason="x") == 1
