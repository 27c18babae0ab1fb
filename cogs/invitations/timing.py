"""When a recipient's invitation may arrive: quiet hours and digests, in their own zone.

Pure functions over aware datetimes; every result is UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.core.errors import BadOption

DigestEvery = Literal["daily", "weekly"]
_CLOCK = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)


def parse_clock(text: str, option: str) -> time:
    """ "22:00", "7", "7:30", "10pm" -> a time of day. Raises BadOption saying what to type
    (`option` "at" is a digest's hour; any other, quiet hours)."""
    match = _CLOCK.match(text)
    if match is None:
        raise BadOption(
            f"`{option}:` must be a time of day like {'09:00' if option == 'at' else '22:00'}, "
            f"not {text!r}.",
            hint="Like /invites digest every:daily at:09:00"
            if option == "at"
            else "Like /invites quiet from:22:00 to:08:00, or /invites quiet off for none",
        )
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    half = (match.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise BadOption(
                f"`{option}:` {text!r} is not a time of day.", hint="Like 10pm or 22:00"
            )
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise BadOption(f"`{option}:` {text!r} is not a time of day.", hint="Like 22:00 or 08:00")
    return time(hour, minute)


def clock_text(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def quiet_until(now: datetime, zone: ZoneInfo, start: time, end: time) -> datetime | None:
    """When the recipient's quiet hours (`start` to `end`, local, may cross midnight) end, if
    `now` falls inside them; else None. Equal start and end mean no quiet hours."""
    if start == end:
        return None
    local = now.astimezone(zone)
    at = local.time().replace(tzinfo=None)
    crosses = start > end
    inside = (at >= start or at < end) if crosses else (start <= at < end)
    if not inside:
        return None
    day = local.date()
    if at >= end:  # the end is tomorrow (only when the window crosses midnight)
        day = day + timedelta(days=1)
    return _local(day, end, zone)


def next_digest(now: datetime, zone: ZoneInfo, every: DigestEvery, hour: int) -> datetime:
    """The next digest after `now`: daily at `hour` local time, or weekly on Mondays."""
    local = now.astimezone(zone)
    day = local.date()
    for _ in range(9):
        if every == "daily" or day.weekday() == 0:
            candidate = _local(day, time(hour), zone)
            if candidate > now:
                return candidate
        day = day + timedelta(days=1)
    raise AssertionError("a digest day is always within 8 days")  # pragma: no cover


def _local(day: object, at: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time as UTC; a time skipped by a DST change moves forward."""
    naive = datetime.combine(day, at)  # type: ignore[arg-type]
    aware = naive.replace(tzinfo=zone)
    # A wall time in a spring-forward gap does not survive the round trip: take the later one.
    back = aware.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != naive:
        aware = naive.replace(tzinfo=zone, fold=1)
    return aware.astimezone(UTC)


def held_until(
    now: datetime,
    zone: ZoneInfo,
    digest: tuple[DigestEvery, int] | None,
    quiet: tuple[str, str] | None,
) -> tuple[datetime | None, Literal["digest", "quiet hours"] | None]:
    """When an invitation written at `now` (UTC) may reach a recipient: at their next
    `digest` (every, hour in `zone`) when they have one, else at the end of their `quiet`
    hours ("HH:MM" start and end in `zone`) when `now` falls inside them, else (None, None):
    at once. Returns the time (UTC) and why it waits."""
    if digest is not None:
        return next_digest(now, zone, digest[0], digest[1]), "digest"
    if quiet is not None and quiet[0] and quiet[1]:
        until = quiet_until(now, zone, parse_clock(quiet[0], "from"), parse_clock(quiet[1], "to"))
        if until is not None:
            return until, "quiet hours"
    return None, None
