"""Rounds on a cadence, run exactly once across processes and restarts.

The database decides what is due: each schedule row has `next_run_at` (UTC). A process that
finds it due moves it to the next run with a conditional update (only if `next_run_at` is
still the value it read) and runs the round in that same transaction. The one process whose
update changed the row runs the round; a second process's update changes nothing, and a
process that dies before committing leaves the schedule due for the next one. Runs missed while
no process was up are not repeated: the round runs once and the next run is the first one in
the future.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.errors import BadOption
from bot.core.options import about_option
from bot.core.timetext import parse_duration
from bot.core.types import Community, Person
from bot.outbox import Outbox
from cogs.mentors.plans import RoundKind
from cogs.mentors.rounds import Rounds
from storage.db import Database
from storage.models import MentorScheduleRow
from storage.repositories import audit
from storage.repositories import mentors as repo
from storage.repositories.identity import IdentityStore

log = logging.getLogger("potluck.mentors")

STOP_WORDS = {"off", "stop", "never", "none", "no"}
# The cadence words the other commands take (digests, repeat rules), as the gaps they mean
# here; a month is not a fixed gap, so "monthly" is read as 4 weeks and said back that way.
CADENCE_WORDS = {
    "daily": "1 day",
    "weekly": "1 week",
    "fortnightly": "2 weeks",
    "biweekly": "2 weeks",
    "monthly": "4 weeks",
}
SHORTEST = timedelta(days=1)
LONGEST = timedelta(days=366)


def _when(iso: str) -> str:
    """A stored UTC instant as the log shows it: "2026-12-07 10:00 UTC"."""
    return f"{datetime.fromisoformat(iso):%Y-%m-%d %H:%M} UTC"


def schedule_summary(kind: str, before: dict[str, str] | None, after: dict[str, str] | None) -> str:
    """The /modlog words for a schedule change, from the values before and after it (each
    {"every": text as typed, "next_run_at": ISO UTC instant}, None for no schedule):
    "peers rounds every 4 weeks, next 2026-12-07 10:00 UTC (was every 2 weeks)", or
    "peers rounds stopped (were every 4 weeks)"."""
    if after is None:
        were = f" (were every {every_words(before['every'])})" if before else ""
        return f"{kind} rounds stopped{were}"
    text = f"{kind} rounds every {every_words(after['every'])}, next {_when(after['next_run_at'])}"
    if before is None:
        return text + " (new schedule)"
    if before["every"] != after["every"]:
        return text + f" (was every {every_words(before['every'])})"
    return text + f" (was next {_when(before['next_run_at'])})"


_ONE_UNIT = re.compile(r"(?:1|one|an?)\s+([a-z]+?)s?", re.IGNORECASE)


def every_words(text: str) -> str:
    """A cadence as typed, for "every …": "1 day" and "a week" read "day" and "week" (so
    nothing says "every 1 day"); anything else, like "4 weeks", as typed."""
    one = _ONE_UNIT.fullmatch(" ".join(text.split()))
    return one.group(1).lower() if one else text


def cadence_text(text: str) -> str:
    """A cadence as it is kept and said back: "weekly" -> "1 week", "monthly" -> "4 weeks"
    (`CADENCE_WORDS`); anything else with its spaces tidied."""
    tidy = " ".join(text.split())
    return CADENCE_WORDS.get(tidy.lower(), tidy)


def read_every(text: str) -> timedelta | None:
    """ "4 weeks" or "weekly" (`CADENCE_WORDS`) -> a gap; "off" -> None (stop the schedule).
    Raises BadOption for something unreadable, shorter than a day or longer than a year."""
    if text.strip().lower() in STOP_WORDS:
        return None
    text = cadence_text(text)
    try:
        every = parse_duration(text)
    except BadOption as exc:
        raise BadOption(
            about_option("every", exc.message),
            hint='Try every:weekly, every:"4 weeks" or every:off.',
        ) from None
    if not SHORTEST <= every <= LONGEST:
        raise BadOption("`every:` must be between 1 day and 1 year.", hint='Try every:"4 weeks".')
    return every


def next_run(due_at: datetime, every: timedelta, now: datetime) -> datetime:
    """The first run after `now` on the cadence `due_at + k * every` (k >= 1)."""
    if every <= timedelta(0):
        raise ValueError("every must be positive")
    steps = max(1, (now - due_at) // every + 1)
    return due_at + steps * every


def on_the_hour(moment: datetime) -> datetime:
    """`moment` rounded up to the next full hour (unchanged if already on one)."""
    top = moment.replace(minute=0, second=0, microsecond=0)
    return top if top == moment else top + timedelta(hours=1)


def first_run(
    at: datetime | None, every: timedelta, now: datetime, kept: datetime | None = None
) -> datetime:
    """When a schedule next runs after `/mentor schedule`: at `at` (the next such moment on
    the cadence if it is past); without `at`, on the earlier schedule's time (`kept`, its
    `next_run_at`, so changing only every: keeps the weekday and hour chosen before); with
    neither, one `every` from now rounded up to the full hour (never at an odd minute)."""
    anchor = at if at is not None else kept
    if anchor is None:
        return on_the_hour(now + every)
    return anchor if anchor > now else next_run(anchor, every, now)


@dataclass(frozen=True, slots=True)
class Due:
    """A schedule found due: its id, the due time it was read with (UTC), its period."""

    schedule_id: int
    due_at: datetime
    every: timedelta


class Schedules:
    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        clock: Clock,
        identity: IdentityStore,
        rounds: Rounds,
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.clock = clock
        self.identity = identity
        self.rounds = rounds

    async def set(
        self,
        community: Community,
        actor: Person,
        kind: RoundKind,
        every_text: str,
        at: datetime | None,
        channel_id: str,
    ) -> tuple[MentorScheduleRow | None, str]:
        """Create, change or (every:off) stop the community's schedule of `kind`; returns the
        schedule (None when stopped) and where its time came from: "at" (given), "kept" (the
        earlier schedule's time) or "hour" (none given: the full hour, see `first_run`).
        Recorded in the audit log as "mentor.schedule"."""
        every = read_every(every_text)
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await repo.schedule(session, community.id, kind.value)
            before = (
                {"every": row.every_text, "next_run_at": row.next_run_at.isoformat()}
                if row
                else None
            )
            if every is None:
                if row is None:
                    raise BadOption(f"There is no {kind.value} schedule to stop.")
                await session.delete(row)
                after = None
            else:
                kept = row.next_run_at if row is not None else None
                if row is None:
                    row = MentorScheduleRow(community_id=community.id, kind=kind.value)
                    session.add(row)
                row.every_seconds = int(every.total_seconds())
                row.every_text = cadence_text(every_text)[:100]
                row.next_run_at = first_run(at, every, now, kept)
                row.platform = community.platform
                row.channel_id = channel_id
                await session.flush()
                after = {"every": row.every_text, "next_run_at": row.next_run_at.isoformat()}
            await audit.record(
                session,
                community_id=community.id,
                at=now,
                kind="mentor.schedule",
                actor=audit.Party(actor.id, actor.display_name),
                detail={
                    "kind": kind.value,
                    "before": before,
                    "after": after,
                    "summary": schedule_summary(kind.value, before, after),
                },
            )
        timing = "at" if at is not None else "kept" if before is not None else "hour"
        return (row if every is not None else None), timing

    async def due(self, now: datetime) -> list[Due]:
        """The schedules due at `now`, as read (another process may claim them first)."""
        async with self.db.sessions() as session:
            return [
                Due(r.id, r.next_run_at, timedelta(seconds=r.every_seconds))
                for r in await repo.due_schedules(session, now)
            ]

    async def run_due(self) -> int:
        """Run every scheduled round that is due now; returns how many this process ran."""
        now = self.clock.now()
        ran = 0
        for item in await self.due(now):
            ran += await self.run_claimed(item, now)
        if ran:
            self.outbox.kick()
        return ran

    async def run_claimed(self, item: Due, now: datetime) -> int:
        """Claim one due schedule and run its round in the same transaction: 1 if this call
        ran it, 0 if another process had claimed it (or the round failed and stays due)."""
        try:
            async with self.db.transaction() as session:
                claimed = await repo.claim_schedule(
                    session, item.schedule_id, item.due_at, next_run(item.due_at, item.every, now)
                )
                if not claimed:
                    return 0
                row = await session.get(MentorScheduleRow, item.schedule_id)
                assert row is not None
                community = await self.identity.community_by_id(session, row.community_id)
                await self.rounds.run_in(
                    session,
                    community,
                    RoundKind(row.kind),
                    actor=None,
                    channel_id=row.channel_id,
                    schedule_id=item.schedule_id,
                )
            return 1
        except Exception:
            log.exception("scheduled round %s failed; it stays due", item.schedule_id)
            return 0
