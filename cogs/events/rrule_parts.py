"""The range of every part of an RRULE typed in `repeat:` (RFC 5545, section 3.3.10), checked
before dateutil sees the rule: INTERVAL=0 makes dateutil loop forever, a negative one raises
ValueError and a huge one OverflowError, so each part is read here with a friendly refusal
naming the part and what to type instead."""

from __future__ import annotations

import re
from datetime import datetime
from typing import NoReturn

from dateutil.rrule import rrulestr

from bot.core.errors import BadOption

# The longest gap between two dates of a series we accept, per frequency: about a year (every
# 52 weeks, 12 months), and 10 years for yearly rules. COUNT is bounded so a series stays
# something one can list.
MAX_INTERVAL = {"DAILY": 366, "WEEKLY": 52, "MONTHLY": 12, "YEARLY": 10}
MAX_COUNT = 1000
_UNIT = {"DAILY": "days", "WEEKLY": "weeks", "MONTHLY": "months", "YEARLY": "years"}
_WEEKDAY = r"(MO|TU|WE|TH|FR|SA|SU)"
# (lowest, highest, zero allowed) for each numeric BYxxx list, from RFC 5545.
_RANGES = {
    "BYMONTH": (1, 12, False),
    "BYMONTHDAY": (-31, 31, False),
    "BYYEARDAY": (-366, 366, False),
    "BYWEEKNO": (-53, 53, False),
    "BYSETPOS": (-366, 366, False),
}
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_KNOWN = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST", *_RANGES, *_TIME_PARTS}
_HINT = 'Try "FREQ=WEEKLY;INTERVAL=2;COUNT=10", "every 2 weeks" or "monthly on the 2nd tuesday".'


def interval_limit(freq: str, interval: int, typed: str) -> None:
    """BadOption unless 1 <= `interval` <= MAX_INTERVAL[freq] (`freq` like "WEEKLY")."""
    most = MAX_INTERVAL[freq]
    if 1 <= interval <= most:
        return
    unit = _UNIT[freq]
    raise BadOption(
        f"`{typed}`: INTERVAL must be between 1 and {most} for {freq.lower()} rules "
        f"(every 1 to {most} {unit}); {interval} is out of range.",
        hint=f'Type a gap of 1 to {most} {unit}, e.g. "every 2 {unit}", or a longer unit '
        '(or a phrase like "monthly on the 2nd tuesday").',
    )


def check_parts(rule: str, typed: str) -> None:
    """Refuse (BadOption) an RRULE body like "FREQ=DAILY;INTERVAL=2" whose parts are unknown,
    repeated, or out of range, or that asks for a time of day (the time comes from `when:`).
    `typed` is what the person wrote, quoted back in the message. Returns None when fine."""
    parts: dict[str, str] = {}
    for item in rule.split(";"):
        name, equals, value = item.partition("=")
        if not equals or not value:
            _refuse(typed, f"`{item or ';'}` is not a NAME=VALUE part")
        if name not in _KNOWN:
            _refuse(typed, f"{name} is not a part this bot understands")
        if name in parts:
            _refuse(typed, f"{name} is given twice")
        parts[name] = value
    freq = parts.get("FREQ", "")
    if "INTERVAL" in parts:
        interval_limit(freq, _number(parts["INTERVAL"], "INTERVAL", typed, signed=True), typed)
    if "COUNT" in parts:
        count = _number(parts["COUNT"], "COUNT", typed, signed=True)
        if not 1 <= count <= MAX_COUNT:
            _refuse(typed, f"COUNT must be between 1 and {MAX_COUNT}; {count} is out of range")
        if "UNTIL" in parts:
            _refuse(typed, "COUNT and UNTIL cannot both be given; keep one")
    if "UNTIL" in parts:
        _until(parts["UNTIL"], typed)
    _check_lists(parts, freq, typed)
    _meets_a_date(parts, typed)


def _check_lists(parts: dict[str, str], freq: str, typed: str) -> None:
    for name in _TIME_PARTS:
        if name in parts:
            raise BadOption(
                f"`{typed}`: {name} would move the time typed in `when:`; "
                "a series takes its time of day from `when:`.",
                hint=f'Remove {name} and put the time in when:, e.g. when:"tomorrow 18:05".',
            )
    for name, (low, high, _) in _RANGES.items():
        for value in parts.get(name, "").split(",") if name in parts else ():
            number = _number(value, name, typed, signed=True)
            if number == 0 or not low <= number <= high:
                _refuse(typed, f"{name} values must be {_span(low, high)}; {value} is not")
    for value in parts.get("BYDAY", "").split(",") if "BYDAY" in parts else ():
        match = re.fullmatch(r"([+-]?\d{1,2})?" + _WEEKDAY, value)
        top = 5 if freq == "MONTHLY" else 53
        if match is None or (match.group(1) and not 1 <= abs(int(match.group(1))) <= top):
            _refuse(typed, f"BYDAY values are days like MO or 2TU or -1FR (1 to {top}); {value}")
    if "WKST" in parts and re.fullmatch(_WEEKDAY, parts["WKST"]) is None:
        _refuse(typed, f"WKST must be a day like MO; {parts['WKST']} is not")


def _meets_a_date(parts: dict[str, str], typed: str) -> None:
    """Refuse rules whose filters meet no date at all ("BYMONTH=2;BYMONTHDAY=30"): dateutil
    would walk every day to the year 9999 looking. Checked on the yearly form of the filters,
    which holds the same dates and is walked a year at a time (a fraction of a second)."""
    filters = {k: v for k, v in parts.items() if k in ("BYMONTH", "BYMONTHDAY", "BYYEARDAY")}
    filters |= {k: v for k, v in parts.items() if k in ("BYWEEKNO", "BYDAY")}
    if not filters.keys() & {"BYMONTH", "BYWEEKNO", "BYYEARDAY"}:
        return
    body = ";".join(["FREQ=YEARLY", *(f"{k}={v}" for k, v in filters.items())])
    if rrulestr(body, dtstart=datetime(2026, 1, 1)).after(datetime(2026, 1, 1)) is None:
        _refuse(typed, "its BY parts together never meet a date (like 30 February)")


def _until(value: str, typed: str) -> None:
    match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?", value)
    try:
        if match is None:
            raise ValueError
        numbers = [int(g) for g in match.groups() if g is not None]
        datetime(*numbers)  # type: ignore[arg-type]
    except ValueError:
        _refuse(typed, f"UNTIL must be a date like 20271231 or 20271231T180000Z; {value} is not")
    if numbers[0] > 2200:
        _refuse(typed, "UNTIL must be before the year 2200")


def _number(value: str, name: str, typed: str, *, signed: bool = False) -> int:
    pattern = r"[+-]?\d{1,12}" if signed else r"\+?\d{1,12}"
    if re.fullmatch(pattern, value) is None:
        _refuse(typed, f"{name} must be a whole number; {value} is not")
    return int(value)


def _span(low: int, high: int) -> str:
    return f"1 to {high}" if low > 0 else f"1 to {high} or -1 to {low}"


def _refuse(typed: str, why: str) -> NoReturn:
    raise BadOption(f"The RRULE `{typed}` is not valid: {why}.", hint=_HINT)
