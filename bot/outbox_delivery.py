"""Sending claimed outbox rows in runs: their pacing turns, the platform calls, the outcomes.

A claimed batch goes out in runs of rows whose sends all begin within `RUN_WINDOW`. Before a
run, one transaction takes the turns of its destinations (shared pacing, see bot/pacing.py)
and records that its messages may land from now on (`maybe_sent`); then the platform calls
are made one after the other, and their outcomes are recorded together in the next
transaction (the next run's, the next claim's, or at the end of the pass, one executemany).
So a burst of due rows costs a few transactions, not two per row. A process that dies
mid-run leaves the run's rows claimed and in doubt: after their lease they are sent again
with the same idempotency key, or looked for first (see bot/core/delivery.py). A run is as
long as sends have lately been taking to fill its window, and a row whose send could not
begin within it is handed back unsent, so the turns and holds a run read are never more
than a window old at a send.

After each call: sent; refused for a while (Retry-After, a budget: the row waits, and so does
its destination or platform for every process); never deliverable (closed DMs: failed, with a
one-time channel fallback); or unknown (the answer was lost: retried soon with the same
idempotency key, at the head of the queue, so Discord still remembers the nonce and Slack's
history is searched first).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.delivery import (
    Delivery,
    Destination,
    OpeningDMsTooFast,
    RetryLater,
    Sender,
    Undeliverable,
    delivery_key,
)
from bot.core.messages import Message
from bot.core.telemetry import Telemetry, log_context
from bot.pacing import (
    DirectMessages,
    NewDMPauseHook,
    Pacer,
    Pacing,
    RunTurn,
    platform_hold_key,
)
from storage.db import Database
from storage.models import OutboxRow
from storage.repositories import outbox as repo

log = logging.getLogger("potluck.outbox")

MAX_ATTEMPTS = 8
# A retry after an unknown outcome comes soon, so it still falls in Discord's nonce window.
MAYBE_SENT_BACKOFF_CAP = timedelta(seconds=20)
# The outcomes after which a row is never sent again.
FINAL = ("sent", "failed", "dropped")

SettledHook = Callable[[AsyncSession, OutboxRow, str], Awaitable[None]]
"""Run when delivering a row of one kind ends it ("sent", "failed", or "dropped" when it expired
or lost its original), with the row and that status, in the transaction that records the
outcome: what it writes is committed exactly when the outcome is. Withdrawals do not run it."""
# Every send of a run begins within this of the run's start: how old the holds it read may be
# at a send, and how much longer than its gap a destination may wait until the run's record
# brings its turn back to the send's own moment. No longer than the smallest gap the
# platforms are paced at (Discord's 0.5 s between two messages to one person or channel).
RUN_WINDOW = timedelta(seconds=0.5)
# Weight of the latest send in the running average that sizes runs.
SEND_TIME_WEIGHT = 0.2


class RowDelivery:
    """The delivering half of the outbox (bot/outbox.py composes it with the writing half)."""

    db: Database
    clock: Clock
    lease: timedelta
    worker_id: str
    batch_size: int
    senders: dict[str, Sender]
    pacing: dict[str, Pacing]
    pacer: Pacer
    direct_messages: DirectMessages
    on_new_dms_paused: list[NewDMPauseHook]
    on_settled: dict[str, SettledHook]
    telemetry: Telemetry
    _closing: bool
    _waiting: dict[tuple[str, str, str], int]
    # Outcomes not yet in the database: (row id, column values), oldest first; and the
    # reserved turns used by sends meanwhile, with when their destination is free again.
    _outcomes: list[tuple[OutboxRow, dict[str, object]]]
    _turns_used: list[tuple[RunTurn, datetime]]
    _send_seconds: float  # recent wall time per send (0: none yet), sizes the runs

    async def _fallback(self, row: OutboxRow, item: Delivery) -> None:
        raise NotImplementedError

    # -- a batch, run by run -----------------------------------------------------------------

    async def _deliver_batch(self, rows: list[OutboxRow], deadline: datetime) -> tuple[int, bool]:
        """Send a claimed batch in runs. Returns how many rows were settled or put back to
        wait, and whether any were handed back unsent (a stop, the batch's `deadline`, or a
        run that overran its window)."""
        done, handed_back = 0, False
        queue = rows
        while queue:
            await asyncio.sleep(0)  # let a stop asked for meanwhile take effect
            if self._closing or self.clock.now() >= deadline:
                await self._hand_back(queue, "shutdown" if self._closing else "batch took long")
                return done, True
            length = self._run_length(queue)
            run, queue = queue[:length], queue[length:]
            left = await self._send_run(run, deadline)
            done += len(run) - len(left)
            if left:
                reason = "shutdown" if self._closing else "run took long"
                await self._hand_back(left, reason)
                handed_back = True
        return done, handed_back

    def _run_length(self, queue: list[OutboxRow]) -> int:
        """As many rows as recent sends say will begin within most of a run's window, up to
        an edit of a message the run posts first: the edit needs the post's reference."""
        length = len(queue)
        if self._send_seconds > 0:
            length = max(1, int(0.8 * RUN_WINDOW.total_seconds() / self._send_seconds))
        posted: set[str] = set()
        for n, row in enumerate(queue[:length]):
            if row.edit_of is not None and row.edit_of in posted:
                return n
            if row.dedupe_key is not None:
                posted.add(row.dedupe_key)
        return length

    async def _send_run(self, run: list[OutboxRow], deadline: datetime) -> list[OutboxRow]:
        """Start a run's attempts together, then send them one by one. Returns the rows
        started but not sent (a stop, the window or deadline passed, or a Retry-After for
        their platform or destination in this run): the caller hands them back."""
        now = self.clock.now()
        ready: list[tuple[OutboxRow, str | None]] = []
        for row in run:
            go, edit_ref = await self._check(row, now)
            if go:
                ready.append((row, edit_ref))
        started = await self._start_run(ready, now) if ready else []
        stopped: set[str] = set()
        for n, (row, edit_ref, turn) in enumerate(started):
            if n:
                await asyncio.sleep(0)
            at = self.clock.now()
            # The first send always goes (a run that took its whole window to start must
            # still make progress); the others only within the window.
            late = at >= deadline or (n > 0 and at > now + RUN_WINDOW)
            if self._closing or late or {turn.key, platform_hold_key(row.platform)} & stopped:
                return [r for r, _, _ in started[n:]]
            began = time.perf_counter()
            with log_context(row.platform, row.community_id):
                held = await self._send(row, edit_ref, turn, now)
            if held is not None:
                stopped.add(held)
            took = time.perf_counter() - began
            if self._send_seconds <= 0:
                self._send_seconds = took
            else:
                self._send_seconds += SEND_TIME_WEIGHT * (took - self._send_seconds)
        return []

    async def _check(self, row: OutboxRow, now: datetime) -> tuple[bool, str | None]:
        """Before a row's turn: drop it once expired; an edit waits for its original, and
        carries the original's platform reference. Returns (send it, the edit reference)."""
        if row.expires_at is not None and row.expires_at <= now:
            self._outcomes.append(
                (row, {"status": "dropped", "last_error": "expired before it could be sent"})
            )
            return False, None
        if row.edit_of is None:
            return True, None
        await self._record_outcomes()  # the original may have gone out in this batch
        async with self.db.sessions() as session:
            original = await repo.find_by_key(session, row.edit_of)
        if original is None or original.status in ("failed", "dropped"):
            await self._settle(row, status="dropped", last_error="original message missing")
            return False, None
        if original.status != "sent":
            await self._release(
                row,
                now + timedelta(seconds=2),
                "original not sent yet",
                count_attempt=False,
                surely_unsent=True,
            )
            return False, None
        return True, original.sent_ref

    async def _start_run(
        self, ready: list[tuple[OutboxRow, str | None]], now: datetime
    ) -> list[tuple[OutboxRow, str | None, RunTurn]]:
        """In one transaction: take the run's turns and mark the rows that got one as
        attempts that may land; put the others back, due when their turn comes. Returns the
        rows started, in order (not those another worker has taken over meanwhile)."""
        wanted = [
            (
                r.platform,
                r.destination_kind,
                r.destination_id,
                self.pacing.get(r.platform, Pacing()),
            )
            for r, _ in ready
        ]
        async with self._recording() as session:
            turns = await self.pacer.take_run(session, wanted, now=now, window=RUN_WINDOW)
            started = await repo.start_attempts(
                session,
                [row.id for (row, _), turn in zip(ready, turns, strict=True) if turn.ok],
                self.worker_id,
                now=now,
                lease_until=now + self.lease,
            )
            waiting = []
            for (row, _), turn, (*_, pacing) in zip(ready, turns, wanted, strict=True):
                if turn.ok:
                    continue
                # Rows of this batch to the same destination queue up one gap apart.
                dest = (row.platform, row.destination_kind, row.destination_id)
                place = self._waiting.get(dest, 0)
                self._waiting[dest] = place + 1
                due = turn.ready_at + timedelta(seconds=pacing.per_destination_seconds) * place
                if row.maybe_sent:  # keeps its place; its destination waits instead
                    await self.pacer.hold_in(session, row, turn.ready_at)
                    due = row.due_at
                waiting.append((row.id, self._release_values(row, due, "paced")))
            await repo.settle_many(session, self.worker_id, waiting)
        out = []
        for (row, edit_ref), turn in zip(ready, turns, strict=True):
            if row.id in started:
                out.append((row, edit_ref, turn))
            elif turn.ok:
                log.info("outbox row %s was taken over by another worker", row.id)
        return out

    # -- one row -----------------------------------------------------------------------------

    def _pacing_of(self, row: OutboxRow) -> Pacing:
        return self.pacing.get(row.platform, Pacing())

    async def _send(
        self, row: OutboxRow, edit_ref: str | None, turn: RunTurn, started: datetime
    ) -> str | None:
        """One platform call and its outcome. Returns the pacing key this run must stop
        sending to (a Retry-After for the destination or the whole platform), else None."""
        pacing = self._pacing_of(row)
        if turn.reserved is not None:
            gap = timedelta(seconds=pacing.per_destination_seconds)
            self._turns_used.append((turn, self.clock.now() + gap))
        item = Delivery(
            id=row.id,
            platform=row.platform,
            kind=row.kind,
            destination=Destination(row.destination_kind, row.destination_id),  # type: ignore[arg-type]
            message=Message.model_validate_json(row.payload),
            timezone=row.timezone,
            attempts=row.attempts,
            edit_ref=edit_ref,
            key=delivery_key(row.id, row.created_at),
            community_id=row.community_id,
            maybe_sent=row.maybe_sent,
            first_attempt_at=row.first_attempt_at or started,
        )
        try:
            ref = await self.senders[row.platform].deliver(item)
        except OpeningDMsTooFast as exc:
            self.telemetry.delivery(row.platform, "dms_too_fast")
            until = await self._pause_new_dms(row, str(exc))
            await self._release(row, until, str(exc), count_attempt=False, surely_unsent=True)
            return None
        except RetryLater as exc:
            if exc.scope != "row":  # the platform's Retry-After, not our own budget
                self.telemetry.delivery(row.platform, "rate_limited")
            until = self.clock.now() + timedelta(seconds=exc.seconds)
            held = None
            if exc.scope == "destination":
                await self.pacer.hold(
                    platform=row.platform,
                    destination_kind=row.destination_kind,
                    destination_id=row.destination_id,
                    until=until,
                )
                held = turn.key
            elif exc.scope == "platform":
                await self.pacer.hold_platform(row.platform, until)
                held = platform_hold_key(row.platform)
            await self._release(row, until, str(exc), count_attempt=False, surely_unsent=True)
            return held
        except Undeliverable as exc:
            log.info("outbox row %s undeliverable: %s", row.id, exc)
            await self._settle(row, status="failed", last_error=str(exc))
            await self._fallback(row, item)
            return None
        except Exception as exc:
            log.exception("outbox row %s failed (attempt %s)", row.id, row.attempts)
            self.telemetry.delivery(row.platform, "retry")
            if row.attempts >= MAX_ATTEMPTS:
                await self._settle(row, status="failed", last_error=repr(exc))
            else:
                # The platform may have taken it: `maybe_sent` stays set for the next attempt.
                delay = timedelta(seconds=pacing.backoff_seconds * 2 ** (row.attempts - 1))
                delay = min(delay, MAYBE_SENT_BACKOFF_CAP)
                await self._release(row, self.clock.now() + delay, repr(exc))
            return None
        self.telemetry.delivery(row.platform, "sent")
        sent: dict[str, object] = {
            "status": "sent",
            "sent_ref": ref,
            "sent_at": self.clock.now(),
            "last_error": None,
        }
        self._outcomes.append((row, sent))
        return None

    # -- recording ---------------------------------------------------------------------------

    async def _pause_new_dms(self, row: OutboxRow, reason: str) -> datetime:
        until, pause = await self.direct_messages.pause_new(row.platform, row.community_id, reason)
        if pause is not None:
            for hook in self.on_new_dms_paused:
                try:
                    await hook(pause)
                except Exception:
                    log.exception("a new-DM pause hook failed")
        return until

    async def _release(
        self,
        row: OutboxRow,
        due_at: datetime,
        reason: str,
        *,
        count_attempt: bool = True,
        surely_unsent: bool = False,
    ) -> None:
        """Put a claimed row back until `due_at`. `surely_unsent`: the platform refused this
        attempt, so `maybe_sent` goes back to what it was before it.

        A row that may have landed must be sent again soon (Discord forgets a nonce after a
        few minutes), so it keeps its place at the head of the queue and its destination is
        held until `due_at` instead: claims skip a held destination."""
        in_doubt = row.maybe_sent or not surely_unsent
        if in_doubt and due_at > row.due_at:
            await self.pacer.hold(
                platform=row.platform,
                destination_kind=row.destination_kind,
                destination_id=row.destination_id,
                until=due_at,
            )
            due_at = row.due_at
        values = self._release_values(row, due_at, reason, count_attempt=count_attempt)
        if surely_unsent:
            values["maybe_sent"] = row.maybe_sent
        await self._settle(row, **values)

    @staticmethod
    def _release_values(
        row: OutboxRow, due_at: datetime, reason: str, *, count_attempt: bool = False
    ) -> dict[str, object]:
        return dict(
            status="pending",
            due_at=due_at,
            last_error=reason,
            claimed_by=None,
            lease_until=None,
            attempts=row.attempts if count_attempt else row.attempts - 1,
        )

    async def _settle(self, row: OutboxRow, **values: object) -> bool:
        status = values.get("status")
        hook = self.on_settled.get(row.kind) if status in FINAL else None
        async with self._recording() as session:
            ok = await repo.settle(session, row.id, self.worker_id, **values)
            if ok and hook is not None:
                await hook(session, row, str(status))
        if not ok:
            log.warning("outbox row %s was reclaimed by another worker before settling", row.id)
        return ok

    @asynccontextmanager
    async def _recording(self) -> AsyncIterator[AsyncSession]:
        """A transaction that first records what is still held (`_outcomes`, `_turns_used`);
        it is let go once the transaction commits, and kept for the next one if it rolls
        back."""
        outcomes, turns = self._outcomes[:], self._turns_used[:]
        async with self.db.transaction() as session:
            if outcomes:
                by_id = [(row.id, values) for row, values in outcomes]
                updated = await repo.settle_many(session, self.worker_id, by_id)
                if updated is not None and updated < len(outcomes):
                    log.warning(
                        "%d of outbox rows %s were reclaimed by another worker before settling",
                        len(outcomes) - updated,
                        [row_id for row_id, _ in by_id],
                    )
                await self._run_settled_hooks(session, outcomes)
            if turns:
                await self.pacer.turns_used(session, turns)
            yield session
        del self._outcomes[: len(outcomes)]
        del self._turns_used[: len(turns)]

    async def _run_settled_hooks(
        self, session: AsyncSession, outcomes: list[tuple[OutboxRow, dict[str, object]]]
    ) -> None:
        """`on_settled` for the final outcomes just recorded in `session`, of the rows this
        worker really settled (not those another worker took over meanwhile)."""
        hooked = [
            (row, str(values["status"]))
            for row, values in outcomes
            if values.get("status") in FINAL and row.kind in self.on_settled
        ]
        if not hooked:
            return
        mine = await repo.settled_by(session, self.worker_id, [row.id for row, _ in hooked])
        for row, status in hooked:
            if row.id in mine:
                await self.on_settled[row.kind](session, row, status)

    async def _record_outcomes(self) -> None:
        """Write what is still held, in one transaction (none when nothing is)."""
        if self._outcomes or self._turns_used:
            async with self._recording():
                pass

    async def _hand_back(self, rows: list[OutboxRow], reason: str) -> None:
        """Claimed rows not sent go back to the queue for any worker, as they were claimed."""
        async with self._recording() as session:
            was = [(row.id, row.maybe_sent, row.first_attempt_at) for row in rows]
            await repo.hand_back(session, was, self.worker_id, reason)
