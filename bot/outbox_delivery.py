"""Sending one claimed outbox row: its pacing turn, the platform call, and the outcome.

Before each platform call one transaction takes the destination's turn (shared pacing, see
bot/pacing.py) and records that the message may land from now on (`maybe_sent`). That same
transaction records the outcome of the row sent before it, so a burst of sends costs one
transaction each, and each outcome is in the database before the next platform call (a
crash leaves at most one row in doubt, as it would between the call and its own record).

After the call: sent; refused for a while (Retry-After, a budget: the row waits, and so does
its destination or platform for every process); never deliverable (closed DMs: failed, with a
one-time channel fallback); or unknown (the answer was lost: retried soon with the same
idempotency key, at the head of the queue, so Discord still remembers the nonce and Slack's
history is searched first).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
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
from bot.core.telemetry import Telemetry
from bot.pacing import DirectMessages, NewDMPauseHook, Pacer, Pacing
from storage.db import Database
from storage.models import OutboxRow
from storage.repositories import outbox as repo

log = logging.getLogger("potluck.outbox")

MAX_ATTEMPTS = 8
# A retry after an unknown outcome comes soon, so it still falls in Discord's nonce window.
MAYBE_SENT_BACKOFF_CAP = timedelta(seconds=20)


class _ClaimLost(Exception):
    """Another worker took the row over: roll back and send nothing."""


class RowDelivery:
    """The delivering half of the outbox (bot/outbox.py composes it with the writing half)."""

    db: Database
    clock: Clock
    lease: timedelta
    worker_id: str
    senders: dict[str, Sender]
    pacing: dict[str, Pacing]
    pacer: Pacer
    direct_messages: DirectMessages
    on_new_dms_paused: list[NewDMPauseHook]
    telemetry: Telemetry
    _waiting: dict[tuple[str, str, str], int]
    # Outcomes not yet in the database: (row id, column values), oldest first.
    _outcomes: list[tuple[int, dict[str, object]]]

    async def _fallback(self, row: OutboxRow, item: Delivery) -> None:
        raise NotImplementedError

    async def _deliver(self, row: OutboxRow) -> None:
        now = self.clock.now()
        if row.expires_at is not None and row.expires_at <= now:
            self._outcomes.append(
                (row.id, {"status": "dropped", "last_error": "expired before it could be sent"})
            )
            return
        edit_ref: str | None = None
        if row.edit_of is not None:
            await self._record_outcomes()  # the original may be one of this batch's rows
            async with self.db.sessions() as session:
                original = await repo.find_by_key(session, row.edit_of)
            if original is None or original.status in ("failed", "dropped"):
                await self._settle(row, status="dropped", last_error="original message missing")
                return
            if original.status != "sent":
                await self._release(
                    row,
                    now + timedelta(seconds=2),
                    "original not sent yet",
                    count_attempt=False,
                    surely_unsent=True,
                )
                return
            edit_ref = original.sent_ref
        pacing = self.pacing.get(row.platform, Pacing())
        if not await self._take_turn(row, pacing, now):
            return
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
            first_attempt_at=row.first_attempt_at or now,
        )
        try:
            ref = await self.senders[row.platform].deliver(item)
        except OpeningDMsTooFast as exc:
            self.telemetry.delivery(row.platform, "dms_too_fast")
            until = await self._pause_new_dms(row, str(exc))
            await self._release(row, until, str(exc), count_attempt=False, surely_unsent=True)
            return
        except RetryLater as exc:
            if exc.scope != "row":  # the platform's Retry-After, not our own budget
                self.telemetry.delivery(row.platform, "rate_limited")
            until = self.clock.now() + timedelta(seconds=exc.seconds)
            if exc.scope == "destination":
                await self.pacer.hold(
                    platform=row.platform,
                    destination_kind=row.destination_kind,
                    destination_id=row.destination_id,
                    until=until,
                )
            elif exc.scope == "platform":
                await self.pacer.hold_platform(row.platform, until)
            await self._release(row, until, str(exc), count_attempt=False, surely_unsent=True)
            return
        except Undeliverable as exc:
            log.info("outbox row %s undeliverable: %s", row.id, exc)
            await self._settle(row, status="failed", last_error=str(exc))
            await self._fallback(row, item)
            return
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
            return
        self.telemetry.delivery(row.platform, "sent")
        # Recorded with the next transaction (the next row's turn, or the end of the batch).
        self._outcomes.append(
            (
                row.id,
                {
                    "status": "sent",
                    "sent_ref": ref,
                    "sent_at": self.clock.now(),
                    "last_error": None,
                },
            )
        )

    async def _take_turn(self, row: OutboxRow, pacing: Pacing, now: datetime) -> bool:
        """In one transaction: take the destination's pacing turn and mark the row as an
        attempt that may land. False when the row waits for its turn (put back, due when the
        turn comes) or was taken over by another worker meanwhile."""
        destination = dict(
            platform=row.platform,
            destination_kind=row.destination_kind,
            destination_id=row.destination_id,
        )
        try:
            async with self._recording() as session:
                if pacing.per_destination_seconds <= 0 and await repo.start_attempt(
                    session,
                    row.id,
                    self.worker_id,
                    now=now,
                    lease_until=now + self.lease,
                    unless_held=self.pacer.open_until(**destination, pacing=pacing, now=now),
                ):
                    return True  # no gap to take and nothing held: one statement
                turn = await self.pacer.take(session, **destination, pacing=pacing, now=now)
                if not turn.ok:
                    # Rows of this batch to the same destination queue up one gap apart.
                    dest = (row.platform, row.destination_kind, row.destination_id)
                    place = self._waiting.get(dest, 0)
                    self._waiting[dest] = place + 1
                    gap = timedelta(seconds=pacing.per_destination_seconds)
                    due = turn.ready_at + gap * place
                    if row.maybe_sent:  # keeps its place; its destination waits instead
                        await self.pacer.hold_in(session, row, turn.ready_at)
                        due = row.due_at
                    await repo.settle(
                        session, row.id, self.worker_id, **self._release_values(row, due, "paced")
                    )
                    return False
                if not await repo.start_attempt(
                    session, row.id, self.worker_id, now=now, lease_until=now + self.lease
                ):
                    raise _ClaimLost
        except _ClaimLost:
            log.info("outbox row %s was taken over by another worker", row.id)
            return False
        return True

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
        async with self._recording() as session:
            ok = await repo.settle(session, row.id, self.worker_id, **values)
        if not ok:
            log.warning("outbox row %s was reclaimed by another worker before settling", row.id)
        return ok

    @asynccontextmanager
    async def _recording(self) -> AsyncIterator[AsyncSession]:
        """A transaction that first records the outcomes still held (`_outcomes`); they are
        let go once it commits, and kept for the next one if it rolls back."""
        held = self._outcomes[:]
        async with self.db.transaction() as session:
            if held:
                updated = await repo.settle_many(session, self.worker_id, held)
                if updated is not None and updated < len(held):
                    log.warning(
                        "%d of outbox rows %s were reclaimed by another worker before settling",
                        len(held) - updated,
                        [row_id for row_id, _ in held],
                    )
            yield session
        del self._outcomes[: len(held)]

    async def _record_outcomes(self) -> None:
        """Write the outcomes still held, in one transaction (none when there are none)."""
        if self._outcomes:
            async with self._recording():
                pass
