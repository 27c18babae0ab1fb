"""Queued transactions (`Database.queued`): works given one key run in order, those waiting
together share one transaction, and a failing work never takes the others' changes with it
nor leaves its own behind."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import CommunityRow

QUEUE = ("test", 1)


class Refused(Exception):
    """What a work raises before it writes (like a command refused for bad input)."""


def add(name: str, log: list[str], *, fail: type[Exception] | None = None, after_write=False):  # type: ignore[no-untyped-def]
    """A work that inserts a community named `name` (raising `fail` before or after)."""

    async def work(session: AsyncSession) -> str:
        log.append(name)
        if fail is not None and not after_write:
            raise fail(name)
        await session.execute(
            insert(CommunityRow).values(platform="console", external_id=name, name=name)
        )
        if fail is not None:
            raise fail(name)
        return name.upper()

    return work


async def names(db: Database) -> list[str]:
    async with db.sessions() as session:
        rows = await session.scalars(select(CommunityRow.external_id).order_by(CommunityRow.id))
        return list(rows)


def count_commits(db: Database) -> list[int]:
    commits = [0]

    @event.listens_for(db.engine.sync_engine, "commit")
    def _commit(_conn: Any) -> None:
        commits[0] += 1

    return commits


async def test_works_waiting_together_run_in_order_and_commit_once(database: Database) -> None:
    commits = count_commits(database)
    log: list[str] = []
    results = await asyncio.gather(*(database.queued(QUEUE, add(f"c{i}", log)) for i in range(5)))
    assert results == ["C0", "C1", "C2", "C3", "C4"]
    assert log == ["c0", "c1", "c2", "c3", "c4"]
    assert await names(database) == log
    assert commits[0] == 1


async def test_a_work_refused_before_writing_leaves_the_others_in_the_same_transaction(
    database: Database,
) -> None:
    commits = count_commits(database)
    log: list[str] = []
    results = await asyncio.gather(
        database.queued(QUEUE, add("a", log)),
        database.queued(QUEUE, add("b", log, fail=Refused)),
        database.queued(QUEUE, add("c", log)),
        return_exceptions=True,
    )
    assert results[0] == "A" and results[2] == "C"
    assert isinstance(results[1], Refused)
    assert log == ["a", "b", "c"]  # nobody ran twice
    assert await names(database) == ["a", "c"]
    assert commits[0] == 1


async def test_a_work_failing_after_writing_is_rolled_back_and_the_others_run_again_alone(
    database: Database,
) -> None:
    log: list[str] = []
    results = await asyncio.gather(
        database.queued(QUEUE, add("a", log)),
        database.queued(QUEUE, add("b", log, fail=RuntimeError, after_write=True)),
        database.queued(QUEUE, add("c", log)),
        return_exceptions=True,
    )
    assert results[0] == "A" and results[2] == "C"
    assert isinstance(results[1], RuntimeError)
    assert await names(database) == ["a", "c"]  # b's insert went with its failure, once each
    assert log == ["a", "b", "a", "b", "c"]  # together until b failed, then one by one


async def test_a_failure_at_the_commit_runs_every_work_again_alone(database: Database) -> None:
    log: list[str] = []

    async def duplicate(session: AsyncSession) -> str:
        log.append("dup")
        Database.before_commit(
            session,
            "dup",
            lambda: session.execute(
                insert(CommunityRow).values(platform="console", external_id="a", name="again")
            ),
        )
        return "DUP"

    results = await asyncio.gather(
        database.queued(QUEUE, add("a", log)),
        database.queued(QUEUE, duplicate),
        return_exceptions=True,
    )
    # Together, the hook's insert collides with a's at the commit; alone, a commits first and
    # the duplicate's own transaction fails.
    assert results[0] == "A"
    assert isinstance(results[1], Exception)
    assert log == ["a", "dup", "a", "dup"]
    assert await names(database) == ["a"]


async def test_the_last_hook_given_for_a_key_runs_once_before_the_commit(
    database: Database,
) -> None:
    ran: list[str] = []

    def answer(name: str):  # type: ignore[no-untyped-def]
        async def work(session: AsyncSession) -> None:
            async def hook() -> None:
                ran.append(name)
                total = await session.scalar(select(func.count()).select_from(CommunityRow))
                ran.append(f"{total} rows")

            await session.execute(
                insert(CommunityRow).values(platform="console", external_id=name, name=name)
            )
            Database.before_commit(session, "card", hook)

        return work

    await asyncio.gather(*(database.queued(QUEUE, answer(n)) for n in ("x", "y", "z")))
    assert ran == ["z", "3 rows"]
    ran.clear()
    async with database.transaction() as session:
        await answer("w")(session)
    assert ran == ["w", "4 rows"]


async def test_a_caller_cancelled_while_waiting_never_runs_its_work(database: Database) -> None:
    log: list[str] = []
    first = asyncio.ensure_future(database.queued(QUEUE, add("a", log)))
    second = asyncio.ensure_future(database.queued(QUEUE, add("b", log)))
    second.cancel()
    assert await first == "A"
    with pytest.raises(asyncio.CancelledError):
        await second
    assert log == ["a"]
    assert await names(database) == ["a"]


COMMUNITIES = CommunityRow.__table__.insert()


def add_later(name: str, log: list[str], *, fail: bool = False):  # type: ignore[no-untyped-def]
    """A work that gives a community's row to `write_later` (raising after, with `fail`)."""

    async def work(session: AsyncSession) -> int:
        log.append(name)
        row = dict(platform="console", external_id=name, name=name, settings={})
        Database.write_later(session, COMMUNITIES, row)
        if fail:
            raise Refused(name)
        return 0

    return work


async def test_rows_written_later_are_there_for_the_next_statement_and_the_commit(
    database: Database,
) -> None:
    statements: list[str] = []

    @event.listens_for(database.engine.sync_engine, "before_cursor_execute")
    def _seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement.split()[0].upper())

    async def count_them(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(CommunityRow)) or 0)

    log: list[str] = []
    results = await asyncio.gather(
        database.queued(QUEUE, add_later("a", log)),
        database.queued(QUEUE, add_later("b", log)),
        database.queued(QUEUE, count_them),
        database.queued(QUEUE, add_later("c", log)),
    )
    assert results[2] == 2  # a and b were written, in one statement, before the count
    assert await names(database) == ["a", "b", "c"]  # c at the commit
    assert [s for s in statements if s == "INSERT"] == ["INSERT", "INSERT"]


async def test_a_work_that_gave_rows_and_failed_takes_them_back(database: Database) -> None:
    log: list[str] = []
    results = await asyncio.gather(
        database.queued(QUEUE, add_later("a", log)),
        database.queued(QUEUE, add_later("b", log, fail=True)),
        database.queued(QUEUE, add_later("c", log)),
        return_exceptions=True,
    )
    assert results[0] == 0 and results[2] == 0 and isinstance(results[1], Refused)
    assert await names(database) == ["a", "c"]
    assert log == ["a", "b", "a", "b", "c"]
