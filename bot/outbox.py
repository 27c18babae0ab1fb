"""The outbox: every message the bot sends unprompted is a row first.

Rows are claimed atomically with a lease, sent through the platform's sender, and marked sent.
A process that dies mid-send leaves a claim whose lease runs out, so another pass (or another
process) picks it up: nothing is lost. Claims are exclusive, so two processes never send the
same row. Pacing per destination and Retry-After both move a row's due time forward instead of
sleeping, so one slow destination never holds up the others.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.delivery import Delivery, Destination, RetryLater, Sender, Undeliverable
from bot.core.messages import Mention, Message, rich
from bot.outbox_keys import KeyScope, OutboxKey, fallback_key
from storage.db import Database
from storage.models import OutboxRow
from storage.repositories import outbox as repo

log = logging.getLogger("potluck.outbox")

MAX_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class Pacing:
    """How fast one platform may be sent to."""

    per_destination_seconds: float = 0.0  # gap between two messages to the same destination
    backoff_seconds: float = 5.0  # first retry delay after an unexpected error (doubles)


def _text(key: OutboxKey | None) -> str | None:
    return None if key is None else str(key)


class Outbox:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        lease_seconds: float = 120.0,
        batch_size: int = 50,
        worker_id: str | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.lease = timedelta(seconds=lease_seconds)
        self.batch_size = batch_size
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.senders: dict[str, Sender] = {}
        self.pacing: dict[str, Pacing] = {}
        self._last_sent: dict[tuple[str, str, str], datetime] = {}
        self._lock = asyncio.Lock()
        self._again = False
        self._closing = False
        self.on_wake: Callable[[datetime], None] | None = None

    def add_sender(self, platform: str, sender: Sender, pacing: Pacing | None = None) -> None:
        self.senders[platform] = sender
        self.pacing[platform] = pacing or Pacing()

    # -- writing ---------------------------------------------------------------------------

    async def enqueue(
        self,
        session: AsyncSession,
        *,
        platform: str,
        destination: Destination,
        message: Message,
        community_id: int | None = None,
        kind: str = "message",
        due_at: datetime | None = None,
        expires_at: datetime | None = None,
        dedupe_key: OutboxKey | None = None,
        coalesce_key: OutboxKey | None = None,
        edit_of: OutboxKey | None = None,
        fallback_channel_id: str | None = None,
        timezone: str | None = None,
    ) -> None:
        """Write a row in the caller's transaction, so it exists exactly when the change that
        caused it does. `dedupe_key` makes a second enqueue a no-op (even after the first was
        sent); `coalesce_key` replaces a still-pending row (the newest card edit wins);
        `edit_of` names the row whose posted message this one edits. Times are UTC;
        `due_at` defaults to now, and a row still unsent at `expires_at` is dropped."""
        values: dict[str, object] = dict(
            platform=platform,
            community_id=community_id,
            kind=kind,
            destination_kind=destination.kind,
            destination_id=destination.id,
            fallback_channel_id=fallback_channel_id,
            timezone=timezone,
            payload=message.model_dump_json(),
            due_at=due_at or self.clock.now(),
            expires_at=expires_at,
            dedupe_key=_text(dedupe_key),
            coalesce_key=_text(coalesce_key),
            edit_of=_text(edit_of),
            status="pending",
            attempts=0,
            created_at=self.clock.now(),
        )
        if coalesce_key is not None:
            replaced = await repo.replace_pending(
                session, str(coalesce_key), payload=values["payload"], due_at=values["due_at"]
            )
            if replaced:
                return
        await repo.insert(session, **values)

    async def withdraw(self, session: AsyncSession, *keys: OutboxKey, reason: str) -> int:
        """Withdraw the pending rows with these exact keys, releasing the keys so the same
        rows can be written again later. Returns how many were withdrawn."""
        if not keys:
            return 0
        return await repo.drop_pending(session, keys=[str(k) for k in keys], reason=reason)

    async def withdraw_under(self, session: AsyncSession, scope: KeyScope, *, reason: str) -> int:
        """Withdraw every pending row whose key was built from `scope` (or a narrower one)."""
        return await repo.drop_pending(session, prefix=scope.prefix, reason=reason)

    async def withdraw_addressed(
        self, session: AsyncSession, *, community_id: int, person_id: str, kind: str, reason: str
    ) -> int:
        """Withdraw the pending rows of one `kind` addressed to a person (their platform id),
        e.g. every reminder when they turn reminders off."""
        return await repo.drop_pending(
            session, community_id=community_id, person_id=person_id, kind=kind, reason=reason
        )

    async def forget_person(
        self, session: AsyncSession, *, community_id: int, person_id: str
    ) -> int:
        """Delete every row of the community addressed to the person (their platform id), sent
        or not, and every row that mentions them (the channel posts made for their
        undeliverable direct messages among them). Run it after the cogs have rewritten the
        rows that name them among others (a channel reminder). Returns how many rows were
        deleted."""
        return await repo.delete_about_person(session, community_id, person_id)

    def kick(self) -> None:
        """Something was enqueued: ask for a delivery pass now."""
        if self._lock.locked():
            self._again = True
        elif self.on_wake is not None:
            self.on_wake(self.clock.now())

    # -- delivering ------------------------------------------------------------------------

    async def pump(self) -> int:
        """Deliver everything due now; return how many rows were settled.

        A pass requested while another runs is not lost: the running pass goes round again.
        """
        if not self.senders or self._closing:
            return 0
        if self._lock.locked():
            self._again = True
            return 0
        total = 0
        async with self._lock:
            self._again = True
            while self._again:
                self._again = False
                while True:
                    async with self.db.transaction() as session:
                        rows = await repo.claim_due(
                            session,
                            now=self.clock.now(),
                            worker=self.worker_id,
                            lease=self.lease,
                            platforms=list(self.senders),
                            limit=self.batch_size,
                        )
                    for row in rows:
                        if self._closing:  # hand unsent rows back for the next start
                            await self._release(row, row.due_at, "shutdown", count_attempt=False)
                        else:
                            await self._deliver(row)
                            total += 1
                    if len(rows) < self.batch_size or self._closing:
                        break
                # Inside the lock, so close() also waits for this query (a pass must not
                # outlive the database); a kick meanwhile goes round again.
                if not self._closing:
                    await self._schedule_next()
        return total

    async def close(self) -> None:
        """Stop taking new passes and let the running one finish its row, so no send is
        cut off between the platform call and its record."""
        self._closing = True
        async with self._lock:
            pass

    async def next_due_at(self) -> datetime | None:
        async with self.db.sessions() as session:
            return await repo.next_due_at(session, list(self.senders))

    async def _schedule_next(self) -> None:
        if self.on_wake is None:
            return
        nxt = await self.next_due_at()
        if nxt is not None:
            self.on_wake(nxt)

    async def _deliver(self, row: OutboxRow) -> None:
        now = self.clock.now()
        if row.expires_at is not None and row.expires_at <= now:
            await self._settle(row, status="dropped", last_error="expired before it could be sent")
            return
        if row.lease_until is not None and now >= row.lease_until - self.lease / 2:
            # Earlier rows of this batch were slow (rate limits): renew the claim before
            # sending, or skip the row if another worker has taken it over meanwhile.
            async with self.db.transaction() as session:
                renewed = await repo.settle(
                    session, row.id, self.worker_id, lease_until=now + self.lease
                )
            if not renewed:
                return
        pacing = self.pacing.get(row.platform, Pacing())
        dest_key = (row.platform, row.destination_kind, row.destination_id)
        last = self._last_sent.get(dest_key)
        if last is not None and pacing.per_destination_seconds > 0:
            ready = last + timedelta(seconds=pacing.per_destination_seconds)
            if ready > now:
                await self._release(row, ready, "paced", count_attempt=False)
                return
        edit_ref: str | None = None
        if row.edit_of is not None:
            async with self.db.sessions() as session:
                original = await repo.find_by_key(session, row.edit_of)
            if original is None or original.status in ("failed", "dropped"):
                await self._settle(row, status="dropped", last_error="original message missing")
                return
            if original.status != "sent":
                await self._release(
                    row, now + timedelta(seconds=2), "original not sent yet", count_attempt=False
                )
                return
            edit_ref = original.sent_ref
        item = Delivery(
            id=row.id,
            platform=row.platform,
            kind=row.kind,
            destination=Destination(row.destination_kind, row.destination_id),  # type: ignore[arg-type]
            message=Message.model_validate_json(row.payload),
            timezone=row.timezone,
            attempts=row.attempts,
            edit_ref=edit_ref,
        )
        try:
            ref = await self.senders[row.platform].deliver(item)
        except RetryLater as exc:
            await self._release(
                row, now + timedelta(seconds=exc.seconds), str(exc), count_attempt=False
            )
            return
        except Undeliverable as exc:
            log.info("outbox row %s undeliverable: %s", row.id, exc)
            await self._settle(row, status="failed", last_error=str(exc))
            await self._fallback(row, item)
            return
        except Exception as exc:
            log.exception("outbox row %s failed (attempt %s)", row.id, row.attempts)
            if row.attempts >= MAX_ATTEMPTS:
                await self._settle(row, status="failed", last_error=repr(exc))
            else:
                delay = pacing.backoff_seconds * 2 ** (row.attempts - 1)
                await self._release(row, now + timedelta(seconds=delay), repr(exc))
            return
        self._last_sent[dest_key] = self.clock.now()
        await self._settle(
            row, status="sent", sent_ref=ref, sent_at=self.clock.now(), last_error=None
        )

    async def _fallback(self, row: OutboxRow, item: Delivery) -> None:
        """A direct message that cannot be delivered is posted once in the fallback channel,
        mentioning the person, instead of being retried."""
        if row.destination_kind != "person" or not row.fallback_channel_id:
            return
        original = item.message
        message = original.model_copy(
            update={
                "text": rich(
                    Mention(user_id=row.destination_id),
                    " I could not send you a direct message, so here it is:\n",
                    *original.text,
                )
            }
        )
        async with self.db.transaction() as session:
            await self.enqueue(
                session,
                platform=row.platform,
                destination=Destination.channel(row.fallback_channel_id),
                message=message,
                community_id=row.community_id,
                kind=f"{row.kind}-fallback",
                dedupe_key=fallback_key(row.id),
                timezone=row.timezone,
            )
        self.kick()

    async def _release(
        self, row: OutboxRow, due_at: datetime, reason: str, *, count_attempt: bool = True
    ) -> None:
        await self._settle(
            row,
            status="pending",
            due_at=due_at,
            last_error=reason,
            claimed_by=None,
            lease_until=None,
            attempts=row.attempts if count_attempt else row.attempts - 1,
        )

    async def _settle(self, row: OutboxRow, **values: object) -> bool:
        async with self.db.transaction() as session:
            ok = await repo.settle(session, row.id, self.worker_id, **values)
        if not ok:
            log.warning("outbox row %s was reclaimed by another worker before settling", row.id)
        return ok
