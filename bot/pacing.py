"""Pacing shared by every bot process, kept in the database.

Three things limit how fast Potluck sends, and all of them live in the `pacing` table so that
N processes on one PostgreSQL together keep what one process would:

- the gap between two messages to one destination (a channel or a person);
- the budget of *new* direct-message conversations per community per minute, the line
  platforms' anti-spam watches (Discord's error 40003, then quarantine). A person the bot has
  a DM channel with (the `dm_channels` table) costs nothing;
- holds: a Retry-After on a destination or on the whole platform, a cool-down of new DMs after
  a 40003, and a meter of Discord's invalid requests (10,000 per 10 minutes, then an IP ban).

Each key is a GCRA with no burst (one timestamp per key, see bot/core/gcra.py) taken by one
conditional UPDATE, so concurrent processes can never overshoot.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import gcra
from bot.core.clock import Clock
from storage.db import Database
from storage.models import OutboxRow
from storage.repositories import pacing as repo

log = logging.getLogger("potluck.pacing")

MINUTE = timedelta(minutes=1)
# How long new DMs stop after a platform says they are opened too fast. Discord publishes no
# threshold or duration for its DM spam check; 15 minutes is well past the short windows
# people report, and a quarantined bot can still message people it has DMed before.
DEFAULT_DM_COOLDOWN = timedelta(minutes=15)
# Waiting entries older than this are not counted ahead of a newcomer in the new-DM queue.
QUEUE_HORIZON = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Pacing:
    """How fast one platform may be sent to.

    per_destination_seconds: smallest gap between two messages to one channel or person.
    backoff_seconds: first retry delay after an unexpected error (doubles each attempt).
    new_dms_per_minute: new direct-message conversations per community per minute (None: no
        budget, e.g. the console).
    invalid_requests: a meter of requests the platform counts against the bot (Discord's
        401/403/429), or None.
    """

    per_destination_seconds: float = 0.0
    backoff_seconds: float = 5.0
    new_dms_per_minute: int | None = None
    invalid_requests: gcra.Meter | None = None


# -- keys (one function per kind, so every process builds the same strings) -----------------


destination_key = repo.destination_key


def platform_hold_key(platform: str) -> str:
    return f"hold:{platform}"


def invalid_requests_key(platform: str) -> str:
    return f"invalid:{platform}"


def new_dm_key(platform: str, community_id: int | None) -> str:
    return f"newdm:{platform}:{community_id if community_id is not None else '-'}"


def new_dm_pause_key(platform: str) -> str:
    """On Discord the spam check counts the bot's account, not a guild, so one 40003 pauses new
    DMs in every community of the platform."""
    return f"newdm-pause:{platform}"


@dataclass(frozen=True, slots=True)
class RunTurn:
    """One send's turn in a run (`Pacer.take_run`): `ok`, or `ready_at` (UTC), when its
    destination and platform next allow a send. `key` is the destination's pacing key;
    `reserved` the TAT written for a destination with a gap (None without one)."""

    ok: bool
    ready_at: datetime
    key: str
    reserved: datetime | None = None


class Pacer:
    """Destination gaps, Retry-After holds and error meters, shared through the database."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def gates(self, platform: str, pacing: Pacing) -> list[gcra.Gate]:
        gates = [gcra.Gate(platform_hold_key(platform))]
        if pacing.invalid_requests is not None:
            meter = pacing.invalid_requests
            gates.append(gcra.Gate(invalid_requests_key(platform), meter.tolerance))
        return gates

    async def take(
        self,
        session: AsyncSession,
        *,
        platform: str,
        destination_kind: str,
        destination_id: str,
        pacing: Pacing,
        now: datetime,
    ) -> gcra.Turn:
        """One send's turn at a destination, in the caller's transaction: `ok` (the gap is
        taken for every process), or `ready_at` (UTC), when the destination, the platform's
        holds and its invalid-request meter next allow a send."""
        return await repo.take(
            session,
            destination_key(platform, destination_kind, destination_id),
            now=now,
            interval=timedelta(seconds=pacing.per_destination_seconds),
            gates=self.gates(platform, pacing),
        )

    async def take_run(
        self,
        session: AsyncSession,
        wanted: Sequence[tuple[str, str, str, Pacing]],
        *,
        now: datetime,
        window: timedelta,
    ) -> list[RunTurn]:
        """Turns for a run of sends that all begin within `window` of `now`, one for each
        (platform, destination kind, destination id, pacing) in order, in the caller's
        transaction: the keys are read in one statement and the gaps taken in another.

        A destination without a gap needs only its holds and its platform's gates open, so
        every send of the run to it may go. A destination with a gap gets one turn per run,
        reserved until `now + window + gap` for every process: the next send there waits a
        full gap whichever moment of the window this one goes out at. `turns_used` then
        brings each reservation back to its send's own moment."""
        keys = [destination_key(platform, kind, key_id) for platform, kind, key_id, _ in wanted]
        gates = {platform: self.gates(platform, pacing) for platform, _, _, pacing in wanted}
        needed = set(keys) | {g.key for platform_gates in gates.values() for g in platform_gates}
        found = await repo.tats(session, sorted(needed))
        decided: list[RunTurn | None] = []
        reserve: dict[str, datetime] = {}
        for (platform, _, _, pacing), key in zip(wanted, keys, strict=True):
            gap = timedelta(seconds=pacing.per_destination_seconds)
            ready = gcra.ready_at(
                now, found.get(key), (g.ready_at(found.get(g.key)) for g in gates[platform])
            )
            if ready > now:
                decided.append(RunTurn(ok=False, ready_at=ready, key=key))
            elif gap <= timedelta(0):
                decided.append(RunTurn(ok=True, ready_at=now, key=key))
            elif key in reserve:  # a second send there waits for the first one's gap
                decided.append(RunTurn(ok=False, ready_at=now + gap, key=key))
            else:
                reserve[key] = now + window + gap
                decided.append(None)
        granted = await repo.reserve(session, reserve, now=now) if reserve else set()
        turns = []
        for turn, key, (_, _, _, pacing) in zip(decided, keys, wanted, strict=True):
            if turn is None:
                if key in granted:
                    turn = RunTurn(ok=True, ready_at=now, key=key, reserved=reserve[key])
                else:  # another process took it since it was read
                    gap = timedelta(seconds=pacing.per_destination_seconds)
                    turn = RunTurn(ok=False, ready_at=now + gap, key=key)
            turns.append(turn)
        return turns

    async def turns_used(
        self, session: AsyncSession, used: Sequence[tuple[RunTurn, datetime]]
    ) -> None:
        """In the caller's transaction: each reserved turn of `take_run` with the moment (UTC)
        its destination may be sent to again, one gap after its send began. A reservation
        another process has moved since (a hold) is left as it is."""
        await repo.move_back(
            session, [(t.key, t.reserved, until) for t, until in used if t.reserved is not None]
        )

    async def hold(
        self, *, platform: str, destination_kind: str, destination_id: str, until: datetime
    ) -> None:
        """Nobody sends to this destination before `until` (UTC; a 429's Retry-After). A hold
        only ever moves later."""
        async with self.db.transaction() as session:
            await repo.hold(
                session, destination_key(platform, destination_kind, destination_id), until
            )

    async def hold_in(self, session: AsyncSession, row: OutboxRow, until: datetime) -> None:
        """`hold` for an outbox row's destination, in the caller's transaction."""
        key = destination_key(row.platform, row.destination_kind, row.destination_id)
        await repo.hold(session, key, until)

    async def hold_platform(self, platform: str, until: datetime) -> None:
        """Nobody sends to the platform before `until` (UTC; a global 429)."""
        async with self.db.transaction() as session:
            await repo.hold(session, platform_hold_key(platform), until)

    async def count_invalid(self, platform: str, meter: gcra.Meter, events: int = 1) -> None:
        """Add `events` invalid requests to the platform's meter; sends stop while it is over
        its tolerance (see `gcra.Meter`)."""
        async with self.db.transaction() as session:
            tat = await repo.meter_add(
                session, invalid_requests_key(platform), meter, now=self.clock.now(), events=events
            )
        blocked = meter.blocked_until(tat, self.clock.now())
        if blocked is not None:
            log.warning("%s: too many invalid requests; sends wait until %s", platform, blocked)

    async def prune(self, older_than: timedelta = timedelta(days=1)) -> int:
        """Delete keys idle for `older_than`; returns how many. Run hourly by the bot."""
        async with self.db.transaction() as session:
            return await repo.prune(session, self.clock.now() - older_than)


class InvalidRequests:
    """Counts a platform's invalid requests (Discord: every 401, 403 and non-shared 429) into
    the shared meter, batching those that arrive while a write is under way."""

    def __init__(self, pacer: Pacer, platform: str, meter: gcra.Meter) -> None:
        self.pacer = pacer
        self.platform = platform
        self.meter = meter
        self.pending = 0
        self._flushing: asyncio.Task[None] | None = None

    def note(self, events: int = 1) -> None:
        self.pending += events
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self.flush())

    async def counted(self) -> None:
        """Wait until every invalid request noted so far is in the database."""
        if self._flushing is not None:
            await asyncio.shield(self._flushing)

    async def flush(self) -> None:
        while self.pending:
            events, self.pending = self.pending, 0
            try:
                await self.pacer.count_invalid(self.platform, self.meter, events)
            except Exception:
                log.exception("could not count %d invalid %s requests", events, self.platform)
                return


@dataclass(frozen=True, slots=True)
class NewDMPause:
    """New direct messages stopped on a platform (e.g. Discord error 40003), until `until`
    (UTC). `community_id` is the community whose message ran into it."""

    platform: str
    community_id: int | None
    until: datetime
    reason: str


class DirectMessages:
    """Which people the bot has a DM channel with, and the budget of new ones.

    `limits` maps a platform to its new DMs per community per minute; `limit_for`, when set,
    overrides it per community (moderators' settings)."""

    def __init__(
        self, db: Database, clock: Clock, *, cooldown: timedelta = DEFAULT_DM_COOLDOWN
    ) -> None:
        self.db = db
        self.clock = clock
        self.cooldown = cooldown
        self.cooldowns: dict[str, timedelta] = {}  # per platform, else `cooldown`
        self.limits: dict[str, int] = {}
        self.limit_for: Callable[[str, int | None], int | None] | None = None
        self._known: dict[tuple[str, str], str] = {}

    def per_minute(self, platform: str, community_id: int | None) -> int | None:
        if self.limit_for is not None:
            custom = self.limit_for(platform, community_id)
            if custom is not None:
                return custom
        return self.limits.get(platform)

    async def channel(self, platform: str, user_id: str) -> str | None:
        """The DM channel with a person, if any process has opened one."""
        known = self._known.get((platform, user_id))
        if known is not None:
            return known
        async with self.db.sessions() as session:
            found = await repo.dm_channel(session, platform, user_id)
        if found:
            self._known[(platform, user_id)] = found
        return found

    async def reserve_new(self, platform: str, community_id: int | None, user_id: str) -> float:
        """Spend one new DM of the community's budget now: 0.0, or the seconds this person
        should wait (their place in the queue included) before asking again."""
        per_minute = self.per_minute(platform, community_id)
        now = self.clock.now()
        pause = gcra.Gate(new_dm_pause_key(platform))
        interval = timedelta(0) if per_minute is None else gcra.interval_for(per_minute, MINUTE)
        async with self.db.transaction() as session:
            turn = await repo.take(
                session,
                new_dm_key(platform, community_id),
                now=now,
                interval=interval,
                gates=[pause],
            )
            if turn.ok:
                return 0.0
            position = await repo.queue_position(
                session,
                platform=platform,
                community_id=community_id,
                user_id=user_id,
                now=now,
                horizon=QUEUE_HORIZON,
            )
        wait = gcra.queued(turn.ready_at, now, position, interval)
        return max(wait.total_seconds(), 0.01)

    async def opened(
        self, platform: str, user_id: str, channel_id: str, community_id: int | None
    ) -> None:
        """Remember a DM channel for every process (right after opening it, before sending)."""
        self._known[(platform, user_id)] = channel_id
        async with self.db.transaction() as session:
            await repo.remember_dm_channel(
                session,
                platform=platform,
                user_id=user_id,
                channel_id=channel_id,
                community_id=community_id,
                now=self.clock.now(),
            )

    async def pause_new(
        self, platform: str, community_id: int | None, reason: str
    ) -> tuple[datetime, NewDMPause | None]:
        """Stop new DMs on the platform for the cool-down. Returns when they may start again,
        and the pause if this call started it (None when another process already had)."""
        now = self.clock.now()
        until = now + self.cooldowns.get(platform, self.cooldown)
        key = new_dm_pause_key(platform)
        async with self.db.transaction() as session:
            started = await repo.open_hold(session, key, now=now, until=until)
            if not started:
                until = (await repo.tats(session, [key])).get(key, until)
        if not started:
            return until, None
        log.warning("%s: new direct messages paused until %s: %s", platform, until, reason)
        return until, NewDMPause(platform, community_id, until, reason)

    def forget_cached(self, platform: str, user_id: str) -> None:
        self._known.pop((platform, user_id), None)


NewDMPauseHook = Callable[[NewDMPause], Awaitable[None]]
