"""aiosqlite with fewer trips to its thread.

aiosqlite runs every call on a thread of its own, and SQLAlchemy's adapter makes four calls
per SELECT (open a cursor, execute, fetch all, close) and three per write, plus one for
BEGIN, one for COMMIT and one for the pool's ROLLBACK when the connection comes back. Each
call is a queue put, a thread wake-up and a hand-back to the event loop; profiling
`bench/rsvp_burst.py` (py-spy, and counting calls) showed about 20 of them per RSVP, costing
more than SQLite's own work. `FastConnection` makes the same transaction with one call per
statement plus the COMMIT (6 for an RSVP):

- a statement's cursor work (execute, read every row, close) is one call;
- BEGIN is held back and sent in the same call as the transaction's first statement (it
  still waits there, on the thread, for another process's write, up to the busy timeout);
- COMMIT and ROLLBACK when no transaction is open (the pool's reset) make no call.

Statements stay on the thread: running them on the event loop's thread was tried and was
slower whenever another Python thread was busy (the stand-in Discord server in
`bench/discord_latency.py`, the rate limiter's timer): every sqlite3 call releases the GIL,
and getting it back can take a whole switch interval (5 ms).

Results are buffered, as SQLAlchemy's adapter does for every non-streaming cursor anyway
(nothing in Potluck streams results). Use it through `connect`, given to SQLAlchemy as
`async_creator`.
"""

from __future__ import annotations

import re
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

import aiosqlite

_BEGIN = re.compile(r"\s*BEGIN(\s+(DEFERRED|IMMEDIATE|EXCLUSIVE))?\s*;?\s*$", re.IGNORECASE)
_Outcome = tuple[Any, list[Any], int, int | None]


def _run(
    conn: sqlite3.Connection,
    sql: str,
    parameters: Any,
    many: bool = False,
    begin: str | None = None,
) -> _Outcome:
    """On aiosqlite's thread: the BEGIN held back, if any, then execute, read every row,
    close; (description, rows, rowcount, lastrowid)."""
    if begin is not None:
        conn.execute(begin)  # waits up to the busy timeout for another process's write
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class FastCursor:
    """The part of aiosqlite's Cursor that SQLAlchemy's adapter uses; results buffered."""

    arraysize = 1

    def __init__(self, connection: FastConnection) -> None:
        self._connection = connection
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> FastCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _keep(self, outcome: _Outcome) -> FastCursor:
        self.description, rows, self.rowcount, self.lastrowid = outcome
        self._rows = deque(rows)
        return self

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> FastCursor:
        return await self._connection._statement(self, sql, parameters or (), False)

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> FastCursor:
        return await self._connection._statement(self, sql, parameters, True)

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(len(self._rows), size or self.arraysize)
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> list[Any]:
        rows, self._rows = list(self._rows), deque()
        return rows

    async def nextset(self) -> None:
        return None

    async def close(self) -> None:
        self._rows.clear()


class FastConnection(aiosqlite.Connection):
    """An aiosqlite connection with one trip to its thread per statement, BEGIN riding
    along with the first statement, and no trip at all for COMMIT or ROLLBACK outside a
    transaction (see the module's notes)."""

    _begin: str | None = None  # a BEGIN not sent yet: it goes with the next statement

    def cursor(self) -> FastCursor:  # type: ignore[override]
        return FastCursor(self)

    async def _statement(
        self, cursor: FastCursor, sql: str, parameters: Any, many: bool
    ) -> FastCursor:
        conn = self._conn
        if _BEGIN.match(sql) and not parameters and not conn.in_transaction:
            self._begin = sql
            return cursor._keep((None, [], -1, None))
        begin, self._begin = self._begin, None
        return cursor._keep(await self._execute(_run, conn, sql, parameters, many, begin))

    async def commit(self) -> None:
        await self._end(sqlite3.Connection.commit)

    async def rollback(self) -> None:
        await self._end(sqlite3.Connection.rollback)

    async def _end(self, end: Callable[[sqlite3.Connection], None]) -> None:
        """COMMIT or ROLLBACK: nothing to send when no transaction was opened (a BEGIN with
        no statement after it, or the pool's rollback of every connection it gets back)."""
        self._begin = None
        conn = self._conn
        if conn.in_transaction:
            await self._execute(end, conn)


async def connect(database: str, **kwargs: Any) -> FastConnection:
    """Open `database` (a path, ":memory:" or a "file:" URI with uri=True) with sqlite3's
    keyword arguments (timeout in seconds, check_same_thread, uri). The worker thread is a
    daemon, as SQLAlchemy's own aiosqlite connect makes it, so a forgotten connection never
    keeps the process alive."""
    connector: Callable[[], sqlite3.Connection] = partial(sqlite3.connect, database, **kwargs)
    connection = FastConnection(connector, iter_chunk_size=64)
    connection._thread.daemon = True
    await connection
    return connection
