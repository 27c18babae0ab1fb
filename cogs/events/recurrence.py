"""Repeating events: reading what people type into an RRULE, and expanding it in local time.

Occurrences are expanded on naive wall-clock times in the event's zone and only then given the
zone, so "every 2nd Tuesday at 18:00" stays at 18:00 local across daylight-saving changes.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from bot.core.errors import BadOption
from bot.core.inflection import joined
from bot.core.wallclock import clock_change
from cogs.events.rrule_parts import check_parts, interval_limit

REPEAT_EXAMPLES = (
    '"weekly", "every 2 weeks", "monthly on the 2nd tuesday", "monthly on the last day", '
    '"monthly", "daily", or an RRULE like "FREQ=WEEKLY;BYDAY=TU"'
)

_DAYS = {
    "mo": "MO",
    "mon": "MO",
    "monday": "MO",
    "tu": "TU",
    "tue": "TU",
    "tues": "TU",
    "tuesday": "TU",
    "we": "WE",
    "wed": "WE",
    "wednesday": "WE",
    "th": "TH",
    "thu": "TH",
    "thur": "TH",
    "thurs": "TH",
    "thursday": "TH",
    "fr": "FR",
    "fri": "FR",
    "friday": "FR",
    "sa": "SA",
    "sat": "SA",
    "saturday": "SA",
    "su": "SU",
    "sun": "SU",
    "sunday": "SU",
}
_ORDINALS = {
    "1st": 1,
    "first": 1,
    "2nd": 2,
    "second": 2,
    "3rd": 3,
    "third": 3,
    "4th": 4,
    "fourth": 4,
    "5th": 5,
    "fifth": 5,
    "last": -1,
}
_UNITS = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
_SIMPLE = {
    "daily": "FREQ=DAILY",
    "every day": "FREQ=DAILY",
    "weekly": "FREQ=WEEKLY",
    "every week": "FREQ=WEEKLY",
    "biweekly": "FREQ=WEEKLY;INTERVAL=2",
    "fortnightly": "FREQ=WEEKLY;INTERVAL=2",
    "every other week": "FREQ=WEEKLY;INTERVAL=2",
    "monthly": "FREQ=MONTHLY",
    "every month": "FREQ=MONTHLY",
    "yearly": "FREQ=YEARLY",
    "annually": "FREQ=YEARLY",
    "every year": "FREQ=YEARLY",
}
_NO_REPEAT = {"no", "none", "never", "off", "once", "-"}
_ALLOWED_FREQ = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}


def parse_repeat(text: str) -> str | None:
    """An RRULE (without "RRULE:") for what was typed; None for "never"; BadOption otherwise."""
    cleaned = " ".join(text.strip().lower().replace(",", " , ").split()).replace(" , ", ", ")
    if cleaned in _NO_REPEAT:
        return None
    if cleaned.upper().startswith(("FREQ=", "RRULE:")):
        return _raw_rule(text.strip())
    rule = _SIMPLE.get(cleaned) or _phrase(cleaned)
    if rule is None:
        raise BadOption(
            f"I could not understand the repeat rule `{text}`.",
            hint=f"Try {REPEAT_EXAMPLES}; or repeat:never.",
        )
    return rule


_MONTHLY = r"(?:monthly|every month) on (?:the )?"
_OF_MONTH = r"(?: of (?:the|each|every) month)?"
_WEEKDAYS = "MO,TU,WE,TH,FR"


def _phrase(text: str) -> str | None:
    # "monthly on the last day", "every month on the 2nd to last day (of the month)"
    match = re.fullmatch(_MONTHLY + r"(?:(\w+)(?: to)? )?last day" + _OF_MONTH, text)
    if match:
        back = _ORDINALS.get(match.group(1) or "1st")
        if back is None or back < 1:
            return None
        return f"FREQ=MONTHLY;BYMONTHDAY={-back}"
    # "monthly on the last weekday", "monthly on the first working day"
    match = re.fullmatch(_MONTHLY + r"(\w+) (?:weekday|working day|business day)" + _OF_MONTH, text)
    if match and match.group(1) in _ORDINALS:
        return f"FREQ=MONTHLY;BYDAY={_WEEKDAYS};BYSETPOS={_ORDINALS[match.group(1)]}"
    # "every 2 weeks", "every 3 days"
    match = re.fullmatch(r"every (\d+) (day|week|month|year)s?", text)
    if match:
        interval = int(match.group(1)) if len(match.group(1)) < 10 else 10**9
        freq = _UNITS[match.group(2)]
        interval_limit(freq, interval, text)
        return f"FREQ={freq}" + (f";INTERVAL={interval}" if interval > 1 else "")
    # "monthly on the 2nd tuesday", "every month on the last friday"
    match = re.fullmatch(_MONTHLY + r"(\w+) (\w+)" + _OF_MONTH, text)
    if match and match.group(1) in _ORDINALS and match.group(2).rstrip("s") in _DAYS:
        return f"FREQ=MONTHLY;BYDAY={_ORDINALS[match.group(1)]}{_DAYS[match.group(2).rstrip('s')]}"
    # "monthly on the 15th"
    match = re.fullmatch(_MONTHLY + r"(\d{1,2})(?:st|nd|rd|th)?" + _OF_MONTH, text)
    if match and 1 <= int(match.group(1)) <= 31:
        return f"FREQ=MONTHLY;BYMONTHDAY={int(match.group(1))}"
    # "weekly on tuesday", "every week on mon, wed", "every tuesday"
    match = re.fullmatch(r"(?:(?:weekly|every week) on|every) ([\w ,]+)", text)
    if match:
        days = [d.strip().rstrip("s") for d in re.split(r"[ ,]+(?:and )?", match.group(1))]
        days = [d for d in days if d and d != "and"]
        if days and all(d in _DAYS for d in days):
            return "FREQ=WEEKLY;BYDAY=" + ",".join(dict.fromkeys(_DAYS[d] for d in days))
    return None


def _raw_rule(text: str) -> str:
    rule = text.strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    rule = rule.upper().replace(" ", "")
    freq = re.search(r"(?:^|;)FREQ=(\w+)", rule)
    if freq is None or freq.group(1) not in _ALLOWED_FREQ:
        raise BadOption(
            f"The rule `{text}` must repeat daily, weekly, monthly or yearly.",
            hint=f"Try {REPEAT_EXAMPLES}.",
        )
    check_parts(rule, text.strip())
    try:
        _rule(rule, datetime(2026, 1, 1, 18, 0))
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise BadOption(
            f"The RRULE `{text}` is not valid: {exc}.", hint=f"Try {REPEAT_EXAMPLES}."
        ) from None
    return rule


def _rule(rule: str, local_start: datetime) -> rrule:
    """The dateutil rule on naive local times; an UNTIL in UTC is read as local too."""
    fixed = re.sub(r"UNTIL=(\d{8}T\d{6})Z", r"UNTIL=\1", rule)
    parsed = rrulestr(fixed, dtstart=local_start, cache=True)
    assert isinstance(parsed, rrule)
    return parsed


@lru_cache(maxsize=512)
def _cached_rule(rule: str, local_start: datetime) -> rrule:
    return _rule(rule, local_start)


def _series(rule: str, start: datetime, zone: str) -> tuple[rrule, datetime]:
    """The rule expanded from `start` and its first date as a naive local time. dateutil
    drops the microseconds of DTSTART, so they are dropped here too: otherwise the first
    date (11:29:57.000) falls before the start (11:29:57.250) and a series typed as
    "in 2 hours" began a period late."""
    local = local_naive(start, zone).replace(microsecond=0)
    return _cached_rule(rule, local), local


def local_naive(at: datetime, zone: str) -> datetime:
    return at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def to_utc(local: datetime, zone: str) -> datetime:
    """A naive wall-clock time in `zone` as an aware UTC moment (fold=0 on a repeated hour)."""
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def first_on_or_after(rule: str, start: datetime, zone: str) -> datetime | None:
    """The first occurrence at or after `start` (UTC): the series' real first date, since
    "monthly on the 2nd tuesday" starting on a Friday begins on the next 2nd Tuesday.
    BadOption when its clock time does not exist on that date (the night clocks jump
    forward): a series keeps the clock time of its first date, so it cannot start there."""
    series, first = _series(rule, start, zone)
    local = series.after(first, inc=True)
    if local is None:
        return None
    if local != first and clock_change(local, ZoneInfo(zone)) == "skipped":
        clock = f"{local.hour}:{local.minute:02d}"
        at = to_utc(local, zone)
        raise BadOption(
            f"The first date of that rule, {_day(at, zone)}, is at {clock}, which does not "
            f"exist that night in {zone} (clocks jump forward).",
            hint=f"Give when: a date after {_day(at, zone)}, or a time clocks do not skip, "
            f"like {(local.hour + 1) % 24}:{local.minute:02d}.",
        )
    return to_utc(local, zone)


def occurrences(
    rule: str | None,
    start: datetime,
    zone: str,
    *,
    after: datetime,
    skip: Collection[datetime] = (),
) -> Iterator[datetime]:
    """Occurrence starts (UTC) of a series, in order, strictly after `after`; dates in `skip`
    (cancelled one at a time) are left out."""
    if rule is None:
        if start > after and start not in skip:
            yield start
        return
    series, _ = _series(rule, start, zone)
    cursor = local_naive(after, zone)
    while True:
        local = series.after(cursor)
        if local is None:
            return
        at = to_utc(local, zone)
        if at > after and at not in skip:
            yield at
        cursor = local


def next_occurrences(
    rule: str | None,
    start: datetime,
    zone: str,
    *,
    after: datetime,
    count: int,
    skip: Collection[datetime] = (),
) -> list[datetime]:
    found: list[datetime] = []
    for at in occurrences(rule, start, zone, after=after, skip=skip):
        found.append(at)
        if len(found) >= count:
            break
    return found


def last_started(
    rule: str | None, start: datetime, zone: str, *, now: datetime, skip: Collection[datetime] = ()
) -> datetime | None:
    """The most recent occurrence that has already started, if any (cancelled dates do not
    count: nothing was held then)."""
    if rule is None:
        return start if start <= now and start not in skip else None
    series, _ = _series(rule, start, zone)
    local = series.before(local_naive(now, zone), inc=True)
    while local is not None and to_utc(local, zone) in skip:
        local = series.before(local)
    return to_utc(local, zone) if local is not None else None


def on_day(
    rule: str | None, start: datetime, zone: str, day: date, where: ZoneInfo
) -> datetime | None:
    """The occurrence (UTC) that falls on calendar `day` as seen in `where`, if any: one
    lookup, not a walk through every date before it."""
    first = datetime.combine(day, time.min, tzinfo=where).astimezone(UTC)
    last = datetime.combine(day + timedelta(days=1), time.min, tzinfo=where).astimezone(UTC)
    if rule is None:
        return start if first <= start < last else None
    series, _ = _series(rule, start, zone)
    local = series.after(local_naive(first, zone), inc=True)
    if local is None:
        return None
    at = to_utc(local, zone)
    return at if at < last else None


def is_occurrence(
    rule: str | None, start: datetime, zone: str, at: datetime, skip: Collection[datetime] = ()
) -> bool:
    """Whether `at` (UTC) is one of the event's dates: answers kept for any other moment
    belong to a date an edit removed, or one cancelled on its own."""
    if at in skip:
        return False
    if rule is None:
        return at == start
    local = local_naive(at, zone)
    found = _series(rule, start, zone)[0].after(local, inc=True)
    return found == local


def describe(rule: str | None) -> str | None:
    """A short English description of the rules people usually type."""
    if rule is None:
        return None
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    freq = parts.get("FREQ", "")
    interval = int(parts.get("INTERVAL", "1") or 1)
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}.get(freq)
    if unit is None:
        return rule
    base = f"every {unit}" if interval == 1 else f"every {interval} {unit}s"
    names = _DAY_NAMES
    ords = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last"}
    byday = parts.get("BYDAY")
    setpos = parts.get("BYSETPOS")
    if setpos and byday == _WEEKDAYS and set(parts) <= {"FREQ", "INTERVAL", "BYDAY", "BYSETPOS"}:
        position = int(setpos) if setpos.lstrip("-").isdigit() else 0
        return f"{base} on the {ords[position]} weekday" if position in ords else rule
    extra = set(parts) - {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY"}
    if extra:
        return rule
    if byday:
        days = []
        for item in byday.split(","):
            match = re.fullmatch(r"([+-]?\d+)?(MO|TU|WE|TH|FR|SA|SU)", item)
            if match is None:
                return rule
            n = int(match.group(1)) if match.group(1) else None
            if n is not None and n not in ords:
                return rule
            days.append(f"the {ords[n]} {names[match.group(2)]}" if n else names[match.group(2)])
        return f"{base} on {', '.join(days)}"
    if "BYMONTHDAY" in parts:
        day = parts["BYMONTHDAY"]
        if day == "-1":
            return f"{base} on the last day"
        if day.startswith("-") and day[1:].isdigit() and int(day[1:]) in ords:
            return f"{base} on the {ords[int(day[1:])]} to last day"
        return f"{base} on day {day}"
    return base


# One period of each frequency, in days, at its longest (a month of 31 days, a leap year).
_PERIOD_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}
_PLAIN_PARTS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYSETPOS", "UNTIL", "COUNT", "WKST"}


def schedule_warnings(rule: str | None, start: datetime, zone: str) -> list[str]:
    """What an organizer should hear about a new series before trusting it, as sentences:
    that the rule skips months (monthly from the 31st, "the 5th friday") or years (yearly
    from 29 February), and that its first date is more than one period after the start
    typed in `when:` (`start`, UTC). Dates are written in `zone`. An empty list when the
    rule meets every period from its start; rules that filter months on purpose (BYMONTH,
    BYYEARDAY...) are not warned about. Pure: no clock, no storage."""
    if rule is None:
        return []
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    freq = parts.get("FREQ", "")
    interval_text = parts.get("INTERVAL", "1")
    interval = int(interval_text) if interval_text.isdigit() and int(interval_text) > 0 else 1
    first = first_on_or_after(rule, start, zone)
    if first is None:
        return []
    warnings: list[str] = []
    period = _PERIOD_DAYS.get(freq, 0) * interval
    if period and first - start > timedelta(days=period):
        days = (first - start).days
        warnings.append(
            f"The first date is {_day(first, zone)}, {days} days after the date in `when:`."
        )
    if freq in ("MONTHLY", "YEARLY") and set(parts) <= _PLAIN_PARTS:
        skipped = _skipped_periods(rule, first, zone, freq, interval)
        if skipped:
            what = "months" if freq == "MONTHLY" else "years"
            advice = _advice(parts, first, zone) if freq == "MONTHLY" else ""
            warnings.append(
                f"This rule skips {what} that have no such date (the next: "
                f"{_listing(skipped)}).{advice}"
            )
    return warnings


CLOCK_NOTES_DAYS = 366  # a repeat rule's dates checked for clock changes: its first year
CLOCK_NOTES_MAX = 4  # notes at most, soonest first (two a year where clocks change)


def clock_change_notes(
    rule: str | None, start: datetime, zone: str, *, noted: datetime | None = None
) -> list[str]:
    """Sentences for the dates in a series' first year (from `start`, UTC) whose clock time
    the zone skips or repeats: "On Sunday 14 March 2027, 2:30 does not exist in
    America/New_York (clocks jump forward); that date moves to 3:30." and "On Sunday
    7 November 2027, 1:30 happens twice in America/New_York (clocks go back); that date is
    the first, at 1:30 EDT." The date `noted` (UTC) is passed over: its reading said so
    already. At most CLOCK_NOTES_MAX; none for a zone without daylight saving. Pure: no
    clock, no storage."""
    if rule is None:
        return []
    tz = ZoneInfo(zone)
    series, local_first = _series(rule, start, zone)
    last = local_first + timedelta(days=CLOCK_NOTES_DAYS)
    notes: list[str] = []
    for local in series.xafter(local_first, inc=True):
        if local > last or len(notes) >= CLOCK_NOTES_MAX:
            break
        change = clock_change(local, tz)
        if change is None:
            continue
        at = to_utc(local, zone)
        if at == noted:
            continue
        clock = f"{local.hour}:{local.minute:02d}"
        if change == "skipped":
            moved = local_naive(at, zone)
            notes.append(
                f"On {_day(at, zone)}, {clock} does not exist in {zone} (clocks jump forward); "
                f"that date moves to {moved.hour}:{moved.minute:02d}."
            )
        else:
            notes.append(
                f"On {_day(at, zone)}, {clock} happens twice in {zone} (clocks go back); "
                f"that date is the first, at {clock} {at.astimezone(tz).tzname()}."
            )
    return notes


def _skipped_periods(rule: str, first: datetime, zone: str, freq: str, interval: int) -> list[str]:
    """The first few months (or years) a rule passes over, as "February 2027" (or "2027")."""
    series, local_first = _series(rule, first, zone)
    dates = list(itertools.islice(series.xafter(local_first, inc=True), 25))
    skipped: list[str] = []
    for before, after in itertools.pairwise(dates):
        if freq == "MONTHLY":
            step = (after.year * 12 + after.month) - (before.year * 12 + before.month)
            for k in range(interval, step, interval):
                index = before.year * 12 + before.month - 1 + k
                skipped.append(f"{_MONTH_NAMES[index % 12]} {index // 12}")
        else:
            skipped += [str(y) for y in range(before.year + interval, after.year, interval)]
        if len(skipped) >= 3:
            break
    return skipped[:3]


def _advice(parts: dict[str, str], first: datetime, zone: str) -> str:
    """The phrase that meets every month instead: the last day, or the last weekday named."""
    fifth = re.fullmatch(r"\+?5(MO|TU|WE|TH|FR|SA|SU)", parts.get("BYDAY", ""))
    if fifth and "BYSETPOS" not in parts:
        name = _DAY_NAMES[fifth.group(1)].lower()
        return f' Use "monthly on the last {name}" to meet every month.'
    if "BYDAY" in parts or "BYSETPOS" in parts:
        return ""
    day = parts.get("BYMONTHDAY")
    late = (int(day) if day and day.isdigit() else local_naive(first, zone).day) >= 29
    return ' Use "monthly on the last day" to meet every month.' if late else ""


_DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}


_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _day(at: datetime, zone: str) -> str:
    local = at.astimezone(ZoneInfo(zone))
    return f"{local:%A} {local.day} {_MONTH_NAMES[local.month - 1]} {local.year}"


def _listing(items: list[str]) -> str:
    return joined(items)
