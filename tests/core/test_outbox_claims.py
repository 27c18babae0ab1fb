"""Exactly-once delivery under contention: eight outbox workers, each with its own worker id and
its own engine (its own connection pool, as separate processes would have), race for the same
200 due rows.

On PostgreSQL the claim's `FOR UPDATE SKIP LOCKED` and its conditional update are what keep
two workers from taking one row: claims that overlap read the same oldest rows, and without
them a worker that read a row before another worker's claim committed claims it again (the
test then sees about half the rows sent twice).
On SQLite every claim runs inside an IMMEDIATE transaction, which holds the database's one
write lock, so claims never overlap however the claim's SQL is written; the lock clause and
the condition make no difference there. What the SQLite run does check: eight engines
contending for that lock neither fail nor lose nor repeat a row (with deferred transactions
they fail with "database is locked"), and a row held by a sender that has not finished
(claimed, lease running) is not taken by another worker.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta

from sqlalchemy import func, select, text

from bot.core.clock import ManualClock
from bot.core.delivery import Delivery, Destination
from bot.core.messages import Message
from bot.outbox import Outbox
from storage.db import Database
from storage.models import OutboxRow
from tests.events.conftest import reopen

WORKERS = 8
ROWS = 200
BATCH = 5


class Platform:
    """Records every delivery. A worker's first send is held until every worker is holding a
    claimed batch (or has stopped), so each claim is made while others are still unsent."""

    def __init__(self) -> None:
        self.delivered: list[tuple[str, int]] = []
        self.holding: set[str] = set()
        self.stopped: set[str] = set()
        self.all_holding = asyncio.Event()
        self.release = asyncio.Event()

    def sender(self, worker: str) -> WorkerSender:
        return WorkerSender(self, worker)

    def stop(self, worker: str) -> None:
        self.stopped.add(worker)
        self._check()

    def _check(self) -> None:
        if len(self.holding | self.stopped) == WORKERS:
            self.all_holding.set()


class WorkerSender:
    def __init__(self, platform: Platform, worker: str) -> None:
        self.platform = platform
        self.worker = worker

    async def deliver(self, item: Delivery) -> str | None:
        self.platform.delivered.append((self.worker, item.id))
        if self.worker not in self.platform.holding:
            self.platform.holding.add(self.worker)
            self.platform._check()
            await self.platform.release.wait()
        return f"ref-{item.id}"


@asynccontextmanager
async def engines(database: Database, count: int) -> AsyncIterator[list[Database]]:
    """`count` Database objects over the same data, each with its own engine, connected."""
    async with AsyncExitStack() as stack:
        opened: list[Database] = []
        for _ in range(count):
            db = await reopen(database)
            stack.push_async_callback(db.dispose)
            async with db.engine.connect() as conn:  # warm the pool: the first claims race
                await conn.execute(text("SELECT 1"))
            opened.append(db)
        yield opened


async def claimed_by_worker(database: Database) -> dict[str, int]:
    async with database.sessions() as session:
        rows = await session.execute(
            select(OutboxRow.claimed_by, func.count())
            .where(OutboxRow.status == "claimed")
            .group_by(OutboxRow.claimed_by)
        )
        return {str(worker): int(n) for worker, n in rows.all()}


async def test_eight_workers_send_each_of_200_rows_exactly_once(
    database: Database, clock: ManualClock
) -> None:
    writer = Outbox(database, clock)
    async with database.transaction() as session:
        for i in range(ROWS):
            await writer.enqueue(
                session,
                platform="console",
                destination=Destination.channel(f"branch-{i % 13}"),
                message=Message(text=[f"notice {i}"]),
                due_at=clock.now() - timedelta(minutes=i % 7),
            )
    async with database.sessions() as session:
        ids = set((await session.scalars(select(OutboxRow.id))).all())
    assert len(ids) == ROWS

    platform = Platform()
    async with engines(database, WORKERS) as dbs, asyncio.timeout(120):  # a guard, not a wait
        runs = []
        for n, db in enumerate(dbs):
            outbox = Outbox(db, clock, batch_size=BATCH, worker_id=f"worker-{n}")
            outbox.add_sender("console", platform.sender(outbox.worker_id))
            run = asyncio.ensure_future(outbox.pump())
            run.add_done_callback(lambda _, w=outbox.worker_id: platform.stop(w))
            runs.append(run)
        await platform.all_holding.wait()
        first_claims = await claimed_by_worker(database)
        platform.release.set()
        settled = await asyncio.gather(*runs)

    sends = Counter(row_id for _, row_id in platform.delivered)
    twice = {row_id: n for row_id, n in sends.items() if n > 1}
    assert not twice, f"{len(twice)} rows were sent more than once"
    assert set(sends) == ids, f"{len(ids - set(sends))} rows were never sent"
    assert sum(settled) == ROWS
    # While all were holding, each worker held a batch of its own: claims are disjoint, none
    # waited on another worker's locks, and none took more than its batch.
    assert first_claims == {f"worker-{n}": BATCH for n in range(WORKERS)}
    async with database.sessions() as session:
        statuses = Counter((await session.scalars(select(OutboxRow.status))).all())
    assert statuses == {"sent": ROWS}
