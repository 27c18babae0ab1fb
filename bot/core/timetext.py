"""Understanding the times people type: "next friday 6pm", "tomorrow at noon", "5.12. 18:00",
"2pm ET", "90m".

dateparser reads the words ("next friday", "in 2 hours"); before it does, the zone at the end
is split off (bot.core.zonewords), numeric dates are written out in the person's order
(bot.core.dateorder), and every clock time is checked, so a time that cannot exist is refused
by name instead of being dropped by the parser.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.dateorder import check_calendar_dates, date_order, rewrite_numeric_dates
from bot.core.errors import BadOption
from bot.core.wallclock import wall_clock_check
from bot.core.zonewords import find_zone

_DURATION_PART = re.compile(
    r"(\d+(?:\.\d+)?)\s*(y|yrs?|years?|w|wk|wks|weeks?|d|days?|h|hrs?|hours?|m|mins?|minutes?)"
    r"(?![a-z])",
    re.I,
)
_UNIT_MINUTES = {"y": 365 * 24 * 60, "w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}
# The longest duration read at all: 10 years. Every command's own limit is shorter; this one
# keeps "9999 years" from overflowing a date (datetime ends in year 9999).
MAX_DURATION = timedelta(days=3650)

_MIDNIGHT = re.compile(r"\bmidnight\b", re.IGNORECASE)
_MIDNIGHT_ALONE = re.compile(r"(?:at\s+)?midnight", re.IGNORECASE)  # the coming one already
_TIME_OF_DAY = re.compile(
    r"\d\s*(am|pm|a\.m\.|p\.m\.)|\d:\d\d|\b(noon|midday|midnight|morning|afternoon|evening"
    r"|tonight|now)\b|\bin\s+\d+(\.\d+)?\s*(m|min|mins|minutes?|h|hrs?|hours?|d|days?|w|weeks?)\b",
    re.I,
)
# A clock time with am/pm ("6pm", "6:30 p.m.") and one in 24-hour form ("18:30"); the digit
# groups are wide on purpose so that "25:00" or "6:75pm" is caught and refused by name.
_CLOCK_12 = re.compile(
    r"(?<![\w:.])(\d{1,3})(?::(\d{1,3}))?(?::(\d{1,3}))?\s*(a\.?m\.?|p\.?m\.?)(?![a-z])", re.I
)
_CLOCK_24 = re.compile(r"(?<![\w:.])(\d{1,3}):(\d{1,3})(?::(\d{1,3}))?(?![\w:])", re.I)
_ISO_T = re.compile(r"(\d)T(\d)")
MAX_DATE_LENGTH = 200
MIN_YEAR = 1900  # nothing anyone plans is older; earlier zones had offsets in seconds
# Dates are taken up to the end of the year this many years ahead: a community plans months
# ahead, a yearly gathering a few years; 9999 is a typo, not a plan.
YEARS_AHEAD = 10
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# A period with no day in it ("next month 6pm"): dateparser would quietly take today's day
# of that period, so it is refused unless the text also names a day ("the 5th of next month").
_PERIOD = re.compile(r"\b(?:next|this|coming)\s+(week|month|year)\b", re.I)
_A_DAY = re.compile(
    r"\d|\b(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
    r"|today|tomorrow|tonight)",
    re.I,
)
# "next month on the 3rd": dateparser reads "next month" alone and drops the day and the time
# after it (30 Dec 09:31 for "next month on the 3rd 6pm"), but reads "the 3rd of next month".
_PERIOD_THEN_DAY = re.compile(
    r"\b(next|this|coming)\s+month,?\s+(?:on\s+)?(?:the\s+)?(\d{1,2}(?:st|nd|rd|th))\b", re.I
)
# A day of the month written as an ordinal ("the 3rd"), checked against what was read.
_NEXT = {"next": "next", "coming": "next"}
_ORDINAL_DAY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b", re.I)
_TIME_WORDS = re.compile(r"\b(?:at|noon|midday|midnight|morning|afternoon|evening)\b", re.I)
# Counted backwards: "in -5 minutes", "5 minutes ago".
_BACKWARDS = re.compile(r"\bin\s*[-\u2212]\s*\d|\bago\b", re.I)

EXAMPLE_DAYS_AHEAD = 10  # the example date in hints: always ahead, never a day gone by


def date_examples(now: datetime, zone: ZoneInfo | None = None) -> str:
    """The dates hints suggest, the numeric one computed from `now` (as seen in `zone`) so it
    is always in the future: '"next friday 6pm", "tomorrow at noon" or "2026-12-09 18:00"'."""
    day = (now.astimezone(zone) if zone else now).date() + timedelta(days=EXAMPLE_DAYS_AHEAD)
    return f'"next friday 6pm", "tomorrow at noon" or "{day.isoformat()} 18:00"'


class DurationOutOfRange(BadOption):
    """A duration that was read but is zero or longer than MAX_DURATION."""


class NotADuration(BadOption):
    """Text that is no duration at all ("forever"); an option's error names the option in
    its example (for:"2 days")."""


def parse_duration(text: str) -> timedelta:
    """'90m', '1h30m', '2 hours', '1.5h', '3 days', '1 year' (365 days) -> timedelta; a bare
    number means minutes. Raises BadOption for text it cannot read, DurationOutOfRange (a
    BadOption) for zero or more than MAX_DURATION (10 years)."""
    cleaned = text.strip().lower()
    if re.fullmatch(r"\d+", cleaned):
        minutes = float(cleaned)
    else:
        pos = 0
        minutes = 0.0
        for match in _DURATION_PART.finditer(cleaned):
            if cleaned[pos : match.start()].strip(" ,and"):
                break
            minutes += float(match.group(1)) * _UNIT_MINUTES[match.group(2)[0].lower()]
            pos = match.end()
        if pos == 0 or cleaned[pos:].strip():
            raise NotADuration(
                f"`{text}` is not a duration.",
                hint='Try "2 days", "90m", "1h30m" or "2 hours".',
            )
    if minutes <= 0:
        raise DurationOutOfRange(
            "A duration must be longer than zero.", hint='Try "90m" or "2 hours".'
        )
    if minutes > MAX_DURATION.total_seconds() / 60:
        raise DurationOutOfRange(
            f"`{text}` is too long: a duration can be at most {MAX_DURATION.days // 365} years.",
            hint='Try "3 days" or "6 weeks".',
        )
    return timedelta(minutes=minutes)


@dataclass(frozen=True, slots=True)
class TimeReading:
    """How a typed time was read.

    `at` is the moment, aware and in UTC, on a whole minute. `zone` is the IANA zone the text
    named ("6pm ET" -> "America/New_York"), or None when it named none (or only an offset like
    "+0200"), so an event can adopt the zone its organizer wrote. `notes` say how an ambiguous
    date or zone word was read ("I read 4/12 as 4 December (day first)..."), for the reply.
    `text` is what was typed, so a caller can read it again in another zone.
    """

    at: datetime
    zone: str | None = None
    notes: tuple[str, ...] = ()
    text: str = ""


def prepare() -> None:
    """Load dateparser and the CLDR tables now (about a second once per process, most of it
    dateparser's language data) so the first person who types a date is not the one who
    waits, past Discord's 3-second window on a busy machine."""
    read_time("tomorrow 6pm CET", now=datetime.now(UTC), zone=ZoneInfo("UTC"), locale="en-US")


def parse_when(text: str, *, now: datetime, zone: ZoneInfo, need_time: bool = True) -> datetime:
    """A moment typed in natural language, read in `zone`, returned in UTC (whole minutes);
    `read_time` without the reading's notes. Raises BadOption as `read_time` does."""
    return read_time(text, now=now, zone=zone, need_time=need_time).at


def read_time(
    text: str,
    *,
    now: datetime,
    zone: ZoneInfo,
    locale: str | None = None,
    need_time: bool = True,
) -> TimeReading:
    """Read a time as people type it: "next friday 6pm", "5.12. 18:00", "4/12 6pm",
    "tomorrow 6 pm CET", "2026-12-04 18:00 +0200", "in 2 hours".

    The text is read in `zone` (the person's) unless it names a zone or offset at its end
    (see bot.core.zonewords). Numeric dates follow bot.core.dateorder: dots are day.month,
    slashes follow `locale` (a platform locale such as "en-US"; None: the country of `zone`).
    With `need_time`, a day without a time of day is refused rather than taken as midnight.
    Seconds are dropped: events start on a minute. Raises BadOption, naming the value, for
    an impossible clock time ("25:00", "13pm", "6:75pm", "24:00"), a date that does not
    exist, a year more than YEARS_AHEAD (10) after this one, or text that is not a date;
    never returns "now" for a time it could not read.
    """
    import dateparser  # imported lazily: it is slow to import and only needed here

    examples = date_examples(now, zone)

    cleaned = " ".join(text.strip().split())
    if not cleaned:
        raise BadOption("The date is empty.", hint=f"Try {examples}.")
    if len(cleaned) > MAX_DATE_LENGTH:
        raise BadOption(
            f"That date is {len(cleaned)} characters long; a date needs at most {MAX_DATE_LENGTH}.",
            hint=f"Try {examples}.",
        )
    if cleaned.isdigit():
        raise BadOption(
            f"`{text}` alone could be a day, a month or an hour.",
            hint=f"Write a day and a time, like {examples}.",
        )
    body, named = find_zone(_ISO_T.sub(r"\1 \2", cleaned), home=zone.key)
    tz = named.tz if named is not None else zone
    check_calendar_dates(body)
    body, notes = rewrite_numeric_dates(body, date_order(locale, zone.key))
    body = _PERIOD_THEN_DAY.sub(
        lambda m: f"the {m.group(2)} of {_NEXT.get(m.group(1).lower(), 'this')} month", body
    )
    clock = _typed_clock(body, text)
    local_now = now.astimezone(tz).replace(tzinfo=None)
    settings = {
        "TIMEZONE": getattr(tz, "key", "UTC"),
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": local_now,
    }
    last_year = now.astimezone(zone).year + YEARS_AHEAD
    out_of_range = BadOption(
        f"`{text}` is outside the dates I can work with: I take dates until the end of "
        f"{last_year}.",
        hint=f"Try {examples}.",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = dateparser.parse(body, settings=settings, languages=["en"])  # type: ignore[arg-type]
        except (OverflowError, ValueError):
            raise out_of_range from None
    if parsed is None:
        raise BadOption(f"I could not understand the date `{text}`.", hint=f"Try {examples}.")
    _refuse_unplaced(body, text, examples, need_time)
    if need_time and not _TIME_OF_DAY.search(body):
        raise BadOption(
            f"`{text}` has no time of day.",
            hint=f'Add one, like "{cleaned} 6pm" or "{cleaned} at noon".',
        )
    _refuse_dropped(body, text, parsed, clock, examples)
    if _MIDNIGHT_ALONE.fullmatch(body):
        # Plain "midnight" is the coming one: the end of today, 00:00 tomorrow (dateparser
        # gives the midnight that began today, already past).
        parsed = datetime.combine(local_now.date() + timedelta(days=1), time(0))
    elif _MIDNIGHT.search(body) and parsed.time() == time(0):
        # "friday midnight" is the night from Friday to Saturday, as most people mean it (and
        # as `ends:` reads it), not the first minute of Friday. "12am" and "00:00" stay the
        # start of the day they name.
        day = parsed.date()
        parsed += timedelta(days=1)
        start_ahead = day > local_now.date()  # the start of `day` has not passed yet
        notes.append(
            f"Read “{text}” as the end of {day:%A} {day.day} {day:%B} (00:00 on {parsed:%A})"
            + (f"; for the start of {day:%A} write “{day:%A} 12am”." if start_ahead else ".")
        )
    today = _WEEKDAYS[local_now.weekday()]
    lowered = body.lower()
    if (
        today in lowered
        and "next" not in lowered
        and (parsed.date() - local_now.date()).days == 7
        and parsed - timedelta(days=7) > local_now
    ):
        # "friday 6pm" typed on a Friday morning means tonight, not next week.
        parsed -= timedelta(days=7)
    # Interpret the wall-clock time in the zone (fold=0 picks the first of a repeated hour).
    if parsed.year < MIN_YEAR:
        raise out_of_range
    if parsed.year > last_year:
        raise BadOption(
            f"`{text}` is more than {YEARS_AHEAD} years ahead: I take dates from now until the "
            f"end of {last_year}.",
            hint=f"Try {examples}.",
        )
    try:
        at = parsed.replace(second=0, microsecond=0, tzinfo=tz).astimezone(UTC)
    except (OverflowError, ValueError):  # 9999 shifted past the calendar's edge
        raise out_of_range from None
    wall = parsed.replace(second=0, microsecond=0)
    # Only a typed clock time can fall in a gap; "in 2 hours" is counted on the real clock.
    fold_note = wall_clock_check(wall, tz) if clock is not None else None
    if fold_note:
        notes.append(fold_note)
    # Old local mean times had offsets in seconds (Berlin was UTC+0:53:28 before 1893).
    at = at.replace(second=0)
    zone_note = named.note(at) if named is not None else None
    return TimeReading(
        at=at,
        zone=named.name if named is not None else None,
        notes=(*notes, *([zone_note] if zone_note else [])),
        text=text,
    )


def _refuse_unplaced(body: str, text: str, examples: str, need_time: bool) -> None:
    """BadOption for a time to come counted backwards ("in -5 minutes", "2 hours ago"), and
    for a week, month or year named without a day of it ("next month 6pm"), which
    dateparser would read as today's day of that period without a word."""
    if need_time and _BACKWARDS.search(body):
        raise BadOption(f"`{text}` is in the past.", hint=f"Give a time to come, like {examples}.")
    period = _PERIOD.search(body)
    if period is None:
        return
    rest = _TIME_WORDS.sub(" ", _CLOCK_24.sub(" ", _CLOCK_12.sub(" ", _PERIOD.sub(" ", body))))
    if _A_DAY.search(rest):
        return
    which, unit = period.group(0).lower(), period.group(1).lower()
    like = {
        "week": f'"{which.replace("week", "friday")} 6pm"',
        "month": f'"the 14th of {which} 6pm"',
    }.get(unit, examples)
    raise BadOption(f"`{text}` names no day: which day of {which}?", hint=f"Give one, like {like}.")


def _refuse_dropped(
    body: str, text: str, parsed: datetime, clock: tuple[int, int] | None, examples: str
) -> None:
    """BadOption naming the part dateparser left out of its reading (it reads what it can
    and drops the rest without a word): a day of the month written as an ordinal ("3rd")
    that is not the day read, or a clock time ("6pm") that is not the time read. Never falls
    back to "now" for a part it could not place."""
    days = _ORDINAL_DAY.findall(body)
    if len(days) == 1 and parsed.day != int(days[0]):
        day = _ORDINAL_DAY.search(body)
        assert day is not None
        raise BadOption(
            f"I could not place the day `{day.group(0)}` in `{text}`.",
            hint=f'Write the day first, like "the {day.group(0)} of next month 6pm".',
        )
    if clock is not None and (parsed.hour, parsed.minute) != clock:
        typed = _CLOCK_12.search(body) or _CLOCK_24.search(body)
        part = f" `{typed.group(0).strip()}`" if typed else ""
        raise BadOption(
            f"I read a date in `{text}` but could not fit its time of day{part} to it.",
            hint=f"Try {examples}.",
        )


def _typed_clock(body: str, text: str) -> tuple[int, int] | None:
    """The one clock time written in `body` as (hour, minute) in 24-hour form, or None when
    there is none; BadOption naming the value for an impossible one or for two of them."""
    found: list[tuple[int, int]] = []
    spans: list[tuple[int, int]] = []
    for match in _CLOCK_12.finditer(body):
        hour, minute, second, half = match.groups()
        if (
            not 1 <= int(hour) <= 12
            or not _minutes_ok(minute)
            or not _minutes_ok(second)
            or len(hour) > 2
        ):
            raise _not_a_time(match.group(0).strip())
        h = int(hour) % 12 + (12 if half.lower().startswith("p") else 0)
        found.append((h, int(minute or 0)))
        spans.append(match.span())
    for match in _CLOCK_24.finditer(body):
        if any(start <= match.start() < end for start, end in spans):
            continue
        hour, minute, second = match.groups()
        if int(hour) > 23 or len(hour) > 2 or not _minutes_ok(minute) or not _minutes_ok(second):
            raise _not_a_time(match.group(0).strip())
        found.append((int(hour), int(minute)))
    if len(found) > 1:
        raise BadOption(
            f"`{text}` has more than one time of day.",
            hint='Give one start, like "friday 6pm"; give the end with ends: or duration:.',
        )
    return found[0] if found else None


def _minutes_ok(part: str | None) -> bool:
    return part is None or (len(part) == 2 and int(part) <= 59)


def _not_a_time(token: str) -> BadOption:
    return BadOption(
        f"`{token}` is not a time of day.",
        hint="Hours go from 0 to 23 (or 1 to 12 with am/pm) and minutes from 00 to 59, "
        'like "18:30" or "6:30pm". For midnight at the end of a day write "friday midnight" '
        '(read as 00:00 on Saturday) or "saturday 00:00".',
    )
