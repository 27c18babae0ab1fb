"""Queued transactions: works given one key run one after another, and those waiting together
share one transaction (see `QueuedTransactions.run`); with hooks run once right before a
commit and rows written in one executemany when the transaction next needs them.

`Database` owns one `QueuedTransactions` and its sessions are `QueueSession`s; callers use
`Database.queued`, `Database.before_commit` and `Database.write_later`.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session

from storage import prepared

T = TypeVar("T")
# Most queued works one transaction carries: it holds its connection (SQLite's only one)
# while they run, under a millisecond each.
BATCH = 100
_WRITES = prepared.WRITES  # connection.info key: statements other than SELECT sent on it
_BEFORE_COMMIT = "potluck_before_commit"  # session.info key: {key: hook}
_LATER = prepared.LATER  # session.info key: {statement: [rows]}


class QueueSession(Session):
    """The sessions `Database` makes: rows given to `write_later` are written before any
    statement the session executes (its "do_orm_execute" event)."""


@event.listens_for(QueueSession, "do_orm_execute")
def _write_first(state: ORMExecuteState) -> None:
    later = state.session.info.pop(_LATER, None)
    for statement, rows in (later or {}).items():
        state.session.execute(statement, rows)


def before_commit(
    session: AsyncSession, key: Hashable, hook: Callable[[], Awaitable[object]]
) -> None:
    """Run `hook()` in the session's transaction right before it commits, once: of the hooks
    given with the same key, only the last one given runs (the card edit after a batch of
    RSVPs is written once, with the newest counts)."""
    session.info.setdefault(_BEFORE_COMMIT, {})[key] = hook


def write_later(session: AsyncSession, statement: Any, row: dict[str, Any]) -> None:
    """Write `row` with `statement` (an INSERT built once) right before the next statement
    the session executes, or before its commit, with the other rows given for the same
    statement since, in one executemany (one trip for a whole batch of answers). Rows are
    written in the order given, statement by statement."""
    prepared.write_later(session, statement, row)


async def finish(session: AsyncSession) -> None:
    """What a transaction of ours does before its commit: the `before_commit` hooks, then
    the rows still waiting for `write_later`."""
    hooks = session.info.pop(_BEFORE_COMMIT, None)
    for hook in (hooks or {}).values():
        await hook()
    if _LATER not in session.info:
        return
    driver = await prepared.sqlite_driver(session)
    if driver is not None:  # they go with the COMMIT
        await prepared.send_waiting(session, driver)
        return
    later = session.info.pop(_LATER, None)
    for statement, rows in (later or {}).items():
        await session.execute(statement, rows)


def count_writes(engine: AsyncEngine) -> None:
    """Count the statements other than SELECT each connection sends (in connection.info),
    so a queued work that failed can be told to have written nothing."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _count(conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip()[:6].upper() != "SELECT":
            conn.info[_WRITES] = conn.info.get(_WRITES, 0) + 1


class _GiveUp(Exception):
    """A queued work raised after writing: its shared transaction is rolled back."""


@dataclass(slots=True)
class _Queued:
    work: Callable[[AsyncSession], Coroutine[Any, Any, Any]]
    future: asyncio.Future[Any]
    context: contextvars.Context = field(default_factory=contextvars.copy_context)


class QueuedTransactions:
    """The queues of one database's sessions (see `run`)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self._queues: dict[Hashable, deque[_Queued]] = {}  # key -> works not started yet
        self._draining: set[asyncio.Task[None]] = set()

    async def run(
        self, queue: Hashable, work: Callable[[AsyncSession], Coroutine[Any, Any, T]]
    ) -> T:
        """Run `work(session)` in a transaction after every earlier work given the same
        `queue` key in this process, in the order they were given; return what it returned,
        once its transaction has committed, or raise what it raised.

        Works that are waiting together share one transaction (up to BATCH of them, one
        after another), so a burst pays for one BEGIN, one COMMIT and one run of each
        `before_commit` hook, not one per work. A work that raises having left nothing
        (no statement but SELECT sent, no change pending in the session, no hook or row
        given) gets its exception and the others go on. One that raises after writing, or a
        failed commit, rolls the shared transaction back and every work of it runs again
        alone, in a transaction of its own: so a work must keep all it changes in the
        session (it may run twice). Each work runs in the context (context variables) of
        its caller. A caller cancelled while its work waits cancels the work; once the
        work has started, it finishes and commits regardless."""
        item = _Queued(work, asyncio.get_running_loop().create_future())
        waiting = self._queues.get(queue)
        if waiting is None:
            waiting = self._queues[queue] = deque()
            task = asyncio.create_task(self._drain(queue, waiting))
            self._draining.add(task)
            task.add_done_callback(self._draining.discard)
        waiting.append(item)
        return await item.future  # type: ignore[no-any-return]

    async def _drain(self, queue: Hashable, waiting: deque[_Queued]) -> None:
        batch: list[_Queued] = []
        try:
            while waiting:
                batch = [waiting.popleft() for _ in range(min(len(waiting), BATCH))]
                batch = [item for item in batch if not item.future.done()]
                if len(batch) == 1 or not await self._together(batch):
                    for item in batch:
                        await self._alone(item)
        finally:
            del self._queues[queue]
            for item in [*batch, *waiting]:  # only when this task itself was cancelled
                item.future.cancel()

    async def _together(self, batch: list[_Queued]) -> bool:
        """Run the works in one transaction and settle their futures after the commit.
        False, with nothing settled and everything rolled back, when the transaction must be
        given up (a work raised after writing, or the commit failed)."""
        outcomes: list[tuple[_Queued, Any, BaseException | None]] = []
        try:
            async with self.sessions() as session, session.begin():
                info = (await session.connection()).info
                for item in batch:
                    if item.future.done():
                        continue
                    before = _footprint(session, info)
                    try:
                        result = await _run_in(item, session)
                    except Exception as exc:
                        if _footprint(session, info) != before:
                            raise _GiveUp from exc
                        outcomes.append((item, None, exc))
                    else:
                        outcomes.append((item, result, None))
                await finish(session)
        except Exception:
            return False
        for item, result, failure in outcomes:
            _settle(item.future, result, failure)
        return True

    async def _alone(self, item: _Queued) -> None:
        if item.future.done():
            return
        try:
            async with self.sessions() as session, session.begin():
                result = await _run_in(item, session)
                await finish(session)
        except Exception as exc:
            _settle(item.future, None, exc)
        else:
            _settle(item.future, result, None)


def _footprint(session: AsyncSession, info: dict[Any, Any]) -> tuple[object, ...]:
    """What a work may have left in the transaction: statements written, changes pending in
    the session, hooks and rows given for later."""
    hooks = session.info.get(_BEFORE_COMMIT, {})
    return (
        info.get(_WRITES, 0),
        len(session.new),
        len(session.dirty),
        len(session.deleted),
        tuple((key, id(hook)) for key, hook in hooks.items()),
        session.info.get(prepared.GIVEN_LATER, 0),
    )


async def _run_in(item: _Queued, session: AsyncSession) -> Any:
    """The work, run as a task in its caller's context."""
    return await asyncio.create_task(item.work(session), context=item.context)


def _settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)
