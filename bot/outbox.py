"""The outbox: every message the bot sends unprompted is a row first.

Rows are claimed atomically with a lease, sent through the platform's sender, and marked sent.
A process that dies mid-send leaves a claim whose lease runs out, so another pass (or another
process) picks it up: nothing is lost. Claims are exclusive, so two processes never send the
same row, and a row whose earlier attempt may have reached the platform is sent with the same
idempotency key (Discord's nonce) or looked for first (Slack's message metadata), so it is not
shown twice either. Pacing per destination, the new-DM budget and Retry-After are shared by
every process through the database (bot/pacing.py) and move a row's due time forward instead
of sleeping, so one slow destination never holds up the others.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.delivery import Delivery, Destination, Sender
from bot.core.messages import Mention, Message, rich
from bot.core.telemetry import NoTelemetry, Telemetry
from bot.outbox_delivery import MAX_ATTEMPTS, RowDelivery, SettledHook
from bot.outbox_keys import KeyScope, OutboxKey, fallback_key
from bot.pacing import DirectMessages, NewDMPauseHook, Pacer, Pacing, RunTurn
from storage.db import Database
from storage.models import OutboxRow
from storage.repositories import outbox as repo
from storage.repositories import outbox_later as repo_later

log = logging.getLogger("potluck.outbox")

__all__ = ["MAX_ATTEMPTS", "Outbox", "Outgoing", "Pacing"]

# Discord returns the message it already made for a repeated nonce "within the last few
# minutes" (its exact window is not published). A crashed send is retried at most a lease
# plus one poll after it started, so the default lease keeps that well inside two minutes.
DEFAULT_LEASE_SECONDS = 60.0
# When every due row waits for its destination's pace, look again this soon.
PACED_RECHECK = timedelta(seconds=0.25)


def _text(key: OutboxKey | None) -> str | None:
    return None if key is None else str(key)


class Outgoing(NamedTuple):
    """One row of `Outbox.enqueue_many`: `enqueue`'s arguments."""

    platform: str
    destination: Destination
    community_id: int | None = None
    kind: str = "message"
    due_at: datetime | None = None
    expires_at: datetime | None = None
    dedupe_key: OutboxKey | None = None
    fallback_channel_id: str | None = None
    timezone: str | None = None
    collapse_key: OutboxKey | None = None
    message: Message | None = None  # this row's own message, else the shared one
    payload: str | None = None  # this row's own message already as JSON (model_dump_json)


class Outbox(RowDelivery):
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        batch_size: int = 50,
        worker_id: str | None = None,
        telemetry: Telemetry | None = None,
    ) -> None:
        self.db = db
        self.telemetry: Telemetry = telemetry or NoTelemetry()
        self.clock = clock
        self.lease = timedelta(seconds=lease_seconds)
        self.batch_size = batch_size
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.senders: dict[str, Sender] = {}
        self.pacing: dict[str, Pacing] = {}
        self.pacer = Pacer(db, clock)
        self.direct_messages = DirectMessages(db, clock)
        self._lock = asyncio.Lock()
        self._waiting: dict[tuple[str, str, str], int] = {}  # per destination, this batch
        self._outcomes: list[tuple[OutboxRow, dict[str, object]]] = []
        self._turns_used: list[tuple[RunTurn, datetime]] = []
        self._send_seconds = 0.0
        self._again = False
        self._closing = False
        self.on_wake: Callable[[datetime], None] | None = None
        # Run once per pause of new DMs (e.g. Discord error 40003), by the process that
        # started it: the moderation cog alerts moderators here.
        self.on_new_dms_paused: list[NewDMPauseHook] = []
        # Per row kind, run in the transaction that records a row's final outcome: the
        # invitations cog marks its invitations delivered or failed here.
        self.on_settled: dict[str, SettledHook] = {}

    def add_sender(self, platform: str, sender: Sender, pacing: Pacing | None = None) -> None:
        self.senders[platform] = sender
        self.pacing[platform] = pacing or Pacing()
        if self.pacing[platform].new_dms_per_minute is not None:
            self.direct_messages.limits[platform] = self.pacing[platform].new_dms_per_minute  # type: ignore[assignment]

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
        collapse_key: OutboxKey | None = None,
    ) -> None:
        """Write a row in the caller's transaction, so it exists exactly when the change that
        caused it does. `dedupe_key` makes a second enqueue a no-op (even after the first was
        sent); `coalesce_key` replaces a still-pending row (the newest card edit wins);
        `edit_of` names the row whose posted message this one edits; of rows sharing a
        `collapse_key` that are due together, only the latest is sent. Times are UTC;
        `due_at` defaults to now, and a row still unsent at `expires_at` is dropped."""
        values = self._values(
            platform=platform,
            destination=destination,
            payload=message.model_dump_json(),
            community_id=community_id,
            kind=kind,
            due_at=due_at,
            expires_at=expires_at,
            dedupe_key=dedupe_key,
            coalesce_key=coalesce_key,
            edit_of=edit_of,
            fallback_channel_id=fallback_channel_id,
            timezone=timezone,
            collapse_key=collapse_key,
        )
        if coalesce_key is not None and dedupe_key is None:
            await repo_later.replace_or_insert(session, values)
            return
        if coalesce_key is not None:
            replaced = await repo.replace_pending(
                session,
                str(coalesce_key),
                payload=str(values["payload"]),
                due_at=values["due_at"],  # type: ignore[arg-type]
            )
            if replaced:
                return
        await repo.insert(session, **values)

    async def enqueue_many(
        self, session: AsyncSession, message: Message | None, rows: Sequence[Outgoing]
    ) -> None:
        """Write many rows in the caller's transaction, in one executemany right before the
        session's next statement or its commit (with the rows other calls gave since): what
        `enqueue` does row by row, for the hundreds of reminders or invitations one command
        writes, or the reminders of a batch of answers. Each row carries its own `message`
        (or its `payload`, that message already serialised), or else they all carry `message`
        (serialised once). A row whose dedupe key exists is skipped. Coalescing and edits are
        `enqueue`'s alone. Raises ValueError for a row with no message at all."""
        shared = message.model_dump_json() if message is not None else None
        values = []
        for row in rows:
            fields = row._asdict()
            own: Message | None = fields.pop("message")
            payload: str | None = fields.pop("payload")
            if payload is None:
                payload = own.model_dump_json() if own is not None else shared
            if payload is None:
                raise ValueError("enqueue_many: a row without a message")
            values.append(self._values(payload=payload, **fields))
        repo.insert_many(session, values)

    def _values(
        self,
        *,
        platform: str,
        destination: Destination,
        payload: str,
        community_id: int | None = None,
        kind: str = "message",
        due_at: datetime | None = None,
        expires_at: datetime | None = None,
        dedupe_key: OutboxKey | None = None,
        coalesce_key: OutboxKey | None = None,
        edit_of: OutboxKey | None = None,
        fallback_channel_id: str | None = None,
        timezone: str | None = None,
        collapse_key: OutboxKey | None = None,
    ) -> dict[str, object]:
        now = self.clock.now()
        return dict(
            platform=platform,
            community_id=community_id,
            kind=kind,
            destination_kind=destination.kind,
            destination_id=destination.id,
            fallback_channel_id=fallback_channel_id,
            timezone=timezone,
            payload=payload,
            due_at=due_at or now,
            expires_at=expires_at,
            dedupe_key=_text(dedupe_key),
            coalesce_key=_text(coalesce_key),
            collapse_key=_text(collapse_key),
            edit_of=_text(edit_of),
            status="pending",
            attempts=0,
            created_at=now,
            maybe_sent=False,
        )

    async def withdraw(self, session: AsyncSession, *keys: OutboxKey, reason: str) -> int:
        """Withdraw the pending rows with these exact keys, releasing the keys so the same
        rows can be written again later. Returns how many were withdrawn."""
        if not keys:
            return 0
        return await repo.drop_pending(session, keys=[str(k) for k in keys], reason=reason)

    async def withdraw_later(self, session: AsyncSession, *keys: OutboxKey, reason: str) -> None:
        """`withdraw` without the count: on SQLite it goes to the database with the
        transaction's next statement or its COMMIT, in the same trip (a lone RSVP's
        reminders)."""
        await repo_later.drop_pending_later(session, [str(k) for k in keys], reason)

    async def withdraw_under(self, session: AsyncSession, scope: KeyScope, *, reason: str) -> int:
        """Withdraw every pending row whose key was built from `scope` (or a narrower one)."""
        return await repo.drop_pending(session, prefix=scope.prefix, reason=reason)

    async def pending_zones(self, session: AsyncSession, scope: KeyScope) -> dict[str, str]:
        """The zone each pending row under `scope` is rendered in, by the person it goes to
        (platform id): a rewrite keeps the zone a person's platform gave when it was queued."""
        return await repo.pending_zones(session, scope.prefix)

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
                    # The last outcomes of the batch before go in with this claim.
                    async with self._recording() as session:
                        rows = await repo.claim_due(
                            session,
                            now=self.clock.now(),
                            worker=self.worker_id,
                            lease=self.lease,
                            platforms=list(self.senders),
                            limit=self.batch_size,
                        )
                    self._waiting.clear()
                    # A batch gets half a lease: what is left then goes back to the queue, so
                    # no claim runs out in a live process and the claims of a dead one (due
                    # earlier) are taken over within about one lease.
                    deadline = self.clock.now() + self.lease / 2
                    done, handed_back = await self._deliver_batch(rows, deadline)
                    total += done
                    if self._closing or (len(rows) < self.batch_size and not handed_back):
                        break
                await self._record_outcomes()
                # Inside the lock, so close() also waits for this query (a pass must not
                # outlive the database); a kick meanwhile goes round again.
                if not self._closing:
                    await self._schedule_next(idle=total == 0)
        return total

    async def close(self, grace_seconds: float | None = None) -> bool:
        """Stop taking new passes and let the running one finish the row in hand (so no send
        is cut off between the platform call and its record) and hand back the rest of its
        batch. Waits at most `grace_seconds` (None: as long as it takes); False when the
        pass was still running then (its claims run out after one lease and another process
        takes them over)."""
        self._closing = True
        try:
            async with asyncio.timeout(grace_seconds):
                async with self._lock:
                    pass
        except TimeoutError:
            log.warning("stopping while an outbox pass still runs; its rows go back after a lease")
            return False
        return True

    async def next_due_at(self) -> datetime | None:
        async with self.db.sessions() as session:
            return await repo.next_due_at(session, list(self.senders))

    async def _schedule_next(self, *, idle: bool = False) -> None:
        if self.on_wake is None:
            return
        nxt = await self.next_due_at()
        if nxt is not None:
            if idle:  # due rows this pass left alone wait for their destination's pace
                nxt = max(nxt, self.clock.now() + PACED_RECHECK)
            self.on_wake(nxt)

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
