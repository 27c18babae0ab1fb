"""The claim's queries read what they need, not every due row, even before PostgreSQL has
statistics on a freshly filled outbox (a new database, or a burst of reminders): with only
the collapse key indexed, the check for superseded rows looked later rows up by status and
due time and read every due row for each pending one, seconds per claim at a few thousand."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text

from bot.core.clock import ManualClock
from bot.core.delivery import Destination
from bot.core.messages import Message
from bot.outbox import Outbox, Outgoing
from bot.outbox_keys import KeyScope
from storage.db import Database
from storage.repositories.outbox import drop_superseded

REMINDERS = 2000


@pytest.fixture
def database(migrated_database: Database) -> Database:
    """These tests read the planner's statistics and change a table's storage parameters:
    a schema of its own, made by the real migrations."""
    return migrated_database


@contextmanager
def plans(database: Database) -> Iterator[list[str]]:
    """Statements run inside are explained instead of run; yields the plans' lines."""
    engine = database.engine.sync_engine
    explain = "EXPLAIN QUERY PLAN " if database.is_sqlite else "EXPLAIN "
    lines: list[str] = []

    def before(*args: Any) -> tuple[str, Any]:
        statement, parameters = args[2], args[3]
        return explain + statement, parameters

    def after(*args: Any) -> None:
        lines.extend(str(row[-1]) for row in args[1].fetchall())

    event.listen(engine, "before_cursor_execute", before, retval=True)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield lines
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


async def test_a_later_row_is_looked_up_by_collapse_key_and_due_time(
    database: Database, clock: ManualClock
) -> None:
    """2,000 reminders and 2,000 invitations due: PostgreSQL, with no statistics yet, then
    took the due rows as the way to the later ones (and read them all for each reminder)."""
    outbox = Outbox(database, clock)
    scope = KeyScope.of("event", 1)
    invitations = [
        Outgoing(
            platform="console",
            destination=Destination.person(f"p{n}"),
            kind="invitation",
            dedupe_key=KeyScope.of("invite").key(n),
        )
        for n in range(REMINDERS)
    ]
    reminders = [
        Outgoing(
            platform="console",
            destination=Destination.person(f"p{n}"),
            kind="reminder",
            dedupe_key=scope.key("remind", n),
            collapse_key=scope.key("date", n),
        )
        for n in range(REMINDERS)
    ]
    # Messages of a realistic size: the planner guesses the row count from the pages.
    message = Message(text=["A reminder of about the size of a real one. " * 20])
    async with database.transaction() as session:
        if not database.is_sqlite:  # no statistics until the check, whenever it runs
            await session.execute(text("ALTER TABLE outbox SET (autovacuum_enabled = false)"))
        await outbox.enqueue_many(session, message, reminders + invitations)
    clock.advance(seconds=10)
    async with database.transaction() as session:
        with plans(database) as lines:
            await drop_superseded(session, clock.now())
    assert "ix_outbox_collapse_due" in "\n".join(lines), "\n".join(lines)
