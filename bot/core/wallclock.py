"""Wall-clock times that a zone skips or repeats at a daylight-saving change: 2:30 on the
night clocks jump from 2:00 to 3:00 never happens, and 1:30 on the night they go back from
2:00 to 1:00 happens twice (PEP 495's `fold`)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta, tzinfo

from bot.core.errors import BadOption

_MONTHS = calendar.month_name


def clock_change(wall: datetime, tz: tzinfo) -> str | None:
    """What the zone does to the naive local time `wall`: "skipped" when clocks jump over
    it (it is read an hour late), "twice" when clocks go back over it (fold=0, the first, is
    taken), None for an ordinary time. No error: for dates a repeat rule makes."""
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    back = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return "twice" if back == wall else "skipped"


def wall_clock_check(wall: datetime, tz: tzinfo) -> str | None:
    """For a naive local `wall` time in `tz`: BadOption naming the gap when the zone skips it
    ("2:30 does not exist on 14 March 2027 in America/Chicago: clocks jump from 2:00 to 3:00;
    try 3:00 or 3:30"); a note when it happens twice (the first is taken, fold=0); None
    otherwise."""
    name = getattr(tz, "key", str(tz))
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    before, after = first.utcoffset(), second.utcoffset()
    if before is None or after is None or before == after:
        return None
    back = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if back == wall:  # it exists: a repeated hour
        return (
            f"{_clock(wall)} happens twice on {_day(wall)} in {name} (clocks go back); "
            f"I took the first, {first.tzname()}."
        )
    jump = abs(after - before)
    start = wall
    for _ in range(int(jump / timedelta(minutes=1)) + 1):
        earlier = start - timedelta(minutes=1)
        if (
            earlier.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
            != earlier
        ):
            start = earlier
        else:
            break
    end = start + jump
    tries = " or ".join(dict.fromkeys([_clock(end), _clock(wall + jump)]))
    raise BadOption(
        f"{_clock(wall)} does not exist on {_day(wall)} in {name}: clocks jump from "
        f"{_clock(start)} to {_clock(end)}; try {tries}.",
        hint=f"Type a time outside {_clock(start)}–{_clock(end)}, like {_clock(end)}.",
    )


def _clock(at: datetime) -> str:
    return f"{at.hour}:{at.minute:02d}"


def _day(at: datetime) -> str:
    return f"{at.day} {_MONTHS[at.month]} {at.year}"
