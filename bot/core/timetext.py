"""Understanding the times people type: "next friday 6pm", "tomorrow at noon", "90m"."""

from __future__ import annotations

import re
import warnings
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.errors import BadOption

_DURATION_PART = re.compile(
    r"(\d+(?:\.\d+)?)\s*(w|wk|wks|weeks?|d|days?|h|hrs?|hours?|m|mins?|minutes?)(?![a-z])", re.I
)
_UNIT_MINUTES = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}

_TIME_OF_DAY = re.compile(
    r"\d\s*(am|pm|a\.m\.|p\.m\.)|\d:\d\d|\b(noon|midday|midnight|morning|afternoon|evening"
    r"|tonight|now)\b|\bin\s+\d+(\.\d+)?\s*(m|min|mins|minutes?|h|hrs?|hours?|d|days?|w|weeks?)\b",
    re.I,
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

DATE_EXAMPLES = '"next friday 6pm", "tomorrow at noon" or "2026-12-04 18:00"'


def parse_duration(text: str) -> timedelta:
    """'90m', '1h30m', '2 hours', '1.5h', '3 days' -> timedelta; a bare number means minutes."""
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
            raise BadOption(
                f"I could not read the duration `{text}`.",
                hint='Try "90m", "1h30m", "2 hours" or "3 days".',
            )
    if minutes <= 0:
        raise BadOption("A duration must be longer than zero.", hint='Try "90m" or "2 hours".')
    return timedelta(minutes=minutes)


def parse_when(text: str, *, now: datetime, zone: ZoneInfo, need_time: bool = True) -> datetime:
    """A moment typed in natural language, read in `zone`, returned in UTC. With
    `need_time`, a day without a time of day is refused rather than taken as midnight."""
    import dateparser  # imported lazily: it is slow to import and only needed here

    cleaned = " ".join(text.strip().split())
    if not cleaned:
        raise BadOption("The date is empty.", hint=f"Try {DATE_EXAMPLES}.")
    if cleaned.isdigit():
        raise BadOption(
            f"`{text}` alone could be a day, a month or an hour.",
            hint=f"Write a day and a time, like {DATE_EXAMPLES}.",
        )
    local_now = now.astimezone(zone).replace(tzinfo=None)
    settings = {
        "TIMEZONE": zone.key,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": local_now,
    }
    out_of_range = BadOption(
        f"`{text}` is outside the dates I can work with.", hint=f"Try {DATE_EXAMPLES}."
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = dateparser.parse(cleaned, settings=settings, languages=["en"])  # type: ignore[arg-type]
        except (OverflowError, ValueError):
            raise out_of_range from None
    if parsed is None:
        raise BadOption(f"I could not understand the date `{text}`.", hint=f"Try {DATE_EXAMPLES}.")
    if need_time and not _TIME_OF_DAY.search(cleaned):
        raise BadOption(
            f"`{text}` has no time of day.",
            hint=f'Add one, like "{cleaned} 6pm" or "{cleaned} at noon".',
        )
    today = _WEEKDAYS[local_now.weekday()]
    lowered = cleaned.lower()
    if (
        today in lowered
        and "next" not in lowered
        and (parsed.date() - local_now.date()).days == 7
        and parsed - timedelta(days=7) > local_now
    ):
        # "friday 6pm" typed on a Friday morning means tonight, not next week.
        parsed -= timedelta(days=7)
    # Interpret the wall-clock time in the zone (fold=0 picks the first of a repeated hour).
    try:
        return parsed.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))
    except (OverflowError, ValueError):  # year 1 or 9999 shifted past the calendar's edge
        raise out_of_range from None
