"""Time zones named inside a typed time: "6pm ET", "18:00 Europe/Berlin", "18:00 +0200".

An abbreviation or zone word names a real zone, and the time is read through that zone's rules
for its date, so "2pm ET" in July is 2pm EDT (UTC-4) and "2pm EST" in July is too: people
write EST all year round for New York time. The table below maps the words English speakers
use to CLDR's representative ("golden") zone of each metazone; when the person's own zone
shares that metazone ("CET" typed by someone in Berlin), their own zone is used instead, so
"MST" typed in Phoenix stays Arizona time. Ambiguous abbreviations are read the way English
speakers use them most: CST is US Central (not China), IST is India (not Israel or Ireland),
AST is Atlantic (not Arabia), BST is British Summer Time.

Offsets ("+0200", "UTC+2", "-05:00") and abbreviations not in the table are found by
dateparser's own zone reader and kept as fixed offsets. A zone goes at the end of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

Kind = Literal["generic", "standard", "daylight"]

# word -> (IANA zone, which part of the year the word names)
ZONE_WORDS: dict[str, tuple[str, Kind]] = {
    "utc": ("UTC", "generic"),
    "gmt": ("UTC", "generic"),
    "z": ("UTC", "generic"),
    "zulu": ("UTC", "generic"),
    "et": ("America/New_York", "generic"),
    "est": ("America/New_York", "standard"),
    "edt": ("America/New_York", "daylight"),
    "eastern": ("America/New_York", "generic"),
    "ct": ("America/Chicago", "generic"),
    "cst": ("America/Chicago", "standard"),
    "cdt": ("America/Chicago", "daylight"),
    "central": ("America/Chicago", "generic"),
    "mt": ("America/Denver", "generic"),
    "mst": ("America/Denver", "standard"),
    "mdt": ("America/Denver", "daylight"),
    "mountain": ("America/Denver", "generic"),
    "pt": ("America/Los_Angeles", "generic"),
    "pst": ("America/Los_Angeles", "standard"),
    "pdt": ("America/Los_Angeles", "daylight"),
    "pacific": ("America/Los_Angeles", "generic"),
    "akst": ("America/Anchorage", "standard"),
    "akdt": ("America/Anchorage", "daylight"),
    "alaska": ("America/Anchorage", "generic"),
    "hst": ("Pacific/Honolulu", "standard"),
    "hawaii": ("Pacific/Honolulu", "generic"),
    "ast": ("America/Halifax", "standard"),
    "adt": ("America/Halifax", "daylight"),
    "atlantic": ("America/Halifax", "generic"),
    "nst": ("America/St_Johns", "standard"),
    "ndt": ("America/St_Johns", "daylight"),
    "newfoundland": ("America/St_Johns", "generic"),
    "bst": ("Europe/London", "daylight"),
    "uk": ("Europe/London", "generic"),
    "british": ("Europe/London", "generic"),
    "ist": ("Asia/Kolkata", "standard"),
    "india": ("Asia/Kolkata", "generic"),
    "wet": ("Europe/Lisbon", "standard"),
    "west": ("Europe/Lisbon", "daylight"),
    "cet": ("Europe/Paris", "generic"),
    "cest": ("Europe/Paris", "daylight"),
    "eet": ("Europe/Bucharest", "generic"),
    "eest": ("Europe/Bucharest", "daylight"),
    "msk": ("Europe/Moscow", "generic"),
    "jst": ("Asia/Tokyo", "standard"),
    "kst": ("Asia/Seoul", "standard"),
    "hkt": ("Asia/Hong_Kong", "standard"),
    "sgt": ("Asia/Singapore", "standard"),
    "aet": ("Australia/Sydney", "generic"),
    "aest": ("Australia/Sydney", "standard"),
    "aedt": ("Australia/Sydney", "daylight"),
    "acst": ("Australia/Adelaide", "standard"),
    "acdt": ("Australia/Adelaide", "daylight"),
    "awst": ("Australia/Perth", "standard"),
    "nzst": ("Pacific/Auckland", "standard"),
    "nzdt": ("Pacific/Auckland", "daylight"),
    "sast": ("Africa/Johannesburg", "standard"),
}

# Names written before "time" ("Central European Summer Time" -> central european), each
# standing for the abbreviation of the same zone in ZONE_WORDS.
_LONG_NAMES = {
    "eastern": "et",
    "central": "ct",
    "mountain": "mt",
    "pacific": "pt",
    "alaska": "alaska",
    "hawaii": "hawaii",
    "atlantic": "atlantic",
    "newfoundland": "newfoundland",
    "british": "british",
    "india": "india",
    "greenwich mean": "gmt",
    "coordinated universal": "utc",
    "universal": "utc",
    "western european": "wet",
    "central european": "cet",
    "eastern european": "eet",
    "moscow": "msk",
    "japan": "jst",
    "korean": "kst",
    "australian eastern": "aet",
    "new zealand": "nzst",
    "south africa": "sast",
}


@dataclass(frozen=True, slots=True)
class NamedZone:
    """A zone found in typed text: `tz` to read the time with; `name` the IANA zone when a
    real zone was named (None for a bare offset); `written` as it was typed; `kind` says
    whether the word names standard or daylight time only."""

    tz: tzinfo
    name: str | None
    written: str
    kind: Kind = "generic"

    def note(self, at: datetime) -> str | None:
        """Why the offset at `at` (UTC) differs from the one the word names, if it does:
        "EST is read as New York time, which is EDT (UTC-04:00) on that date"."""
        if self.name is None or self.kind == "generic":
            return None
        local = at.astimezone(self.tz)
        in_daylight = bool(local.dst())
        if in_daylight == (self.kind == "daylight"):
            return None
        return (
            f"{self.written} is read as {_place(self.name)} time, which is "
            f"{local.tzname()} ({_offset_text(local.utcoffset())}) on that date."
        )


def _place(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def _offset_text(offset: timedelta | None) -> str:
    minutes = int((offset or timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@lru_cache(maxsize=1)
def zone_names() -> dict[str, str]:
    """Lowercased IANA name -> canonical name, for the zones people pick (no "Etc/" ones)."""
    names = {z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV"))}
    names |= {"UTC"}
    return {z.lower(): z for z in names}


@lru_cache(maxsize=1024)
def is_zone(name: str) -> bool:
    """Whether `name` is an IANA zone this machine's tz database knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


_REGIONS = frozenset(
    ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe")
) | {"Indian", "Pacific"}


@lru_cache(maxsize=1)
def zone_cities() -> dict[str, str]:
    """Lowercased city ("new_york") -> IANA zone ("America/New_York"). Where an old alias
    shares the last part ("US/Eastern", "Canada/Eastern"), the zone of a region wins."""
    ordered = sorted(
        (z for z in zone_names().values() if "/" in z),
        key=lambda z: (z.split("/", 1)[0] in _REGIONS, z),
    )
    return {z.rsplit("/", 1)[-1].lower(): z for z in ordered}


def zone_for_word(word: str, home: str | None = None) -> tuple[str, Kind] | None:
    """The zone an abbreviation or zone word stands for ("est" -> America/New_York), using
    `home` instead when it keeps the same clock (the same CLDR metazone); None if unknown."""
    found = ZONE_WORDS.get(word.strip().lower())
    if found is None:
        return None
    zone, kind = found
    if home and home != zone and _metazone(home) is not None and _metazone(home) == _metazone(zone):
        return home, kind
    return zone, kind


@lru_cache(maxsize=512)
def _metazone(zone: str) -> str | None:
    from babel.core import get_global  # imported lazily: the CLDR tables load on first use

    canonical = get_global("zone_aliases").get(zone, zone)
    found = get_global("meta_zones").get(canonical)
    return str(found) if found else None


def find_zone(text: str, home: str | None = None) -> tuple[str, NamedZone | None]:
    """Split a zone off the end of `text`: ("tomorrow 6pm", NamedZone(America/New_York)) for
    "tomorrow 6pm ET". Zone words, IANA names ("Europe/Berlin"), zone cities ("New York")
    and offsets ("+0200", "UTC+2") are understood; `text` comes back unchanged with None
    when it names no zone."""
    words = text.split()
    for size in (5, 4, 3, 2, 1):
        if len(words) <= size:
            continue  # the zone cannot be all there is
        tail = [w.strip(",.()").lower() for w in words[-size:]]
        found = _named(tail, home)
        if found is not None:
            rest = words[:-size]
            if len(rest) > 1 and rest[-1].lower() in ("in", "at"):
                rest = rest[:-1]  # "6pm in Berlin"
            return " ".join(rest), NamedZone(
                tz=ZoneInfo(found[0]), name=found[0], written=" ".join(words[-size:]), kind=found[1]
            )
    return _inside(words, home) or _offset(text)


_CLOCK_WORD = re.compile(
    r"\d(?:am|pm|a\.m\.|p\.m\.)?$|^(?:am|pm|a\.m\.|p\.m\.|noon|midnight)$", re.I
)


def _inside(words: list[str], home: str | None) -> tuple[str, NamedZone] | None:
    """A zone inside the text rather than at its end ("2pm ET tomorrow"): taken right after
    a clock time, or anywhere when written as an upper-case zone word ("ET", "CEST")."""
    for start in range(len(words) - 1):
        for size in (5, 4, 3, 2, 1):
            end = start + size
            if end >= len(words):
                continue
            span = words[start:end]
            lead = start - 1 if start > 1 and words[start - 1].lower() in ("in", "at") else start
            after_clock = start > 0 and _CLOCK_WORD.search(words[lead - 1].strip(",."))
            shouted = size == 1 and span[0].strip(",.()").isupper() and len(span[0]) > 1
            if not (after_clock or shouted):
                continue
            found = _named([w.strip(",.()").lower() for w in span], home)
            if found is None:
                continue
            rest = words[: lead if after_clock else start] + words[end:]
            return " ".join(rest), NamedZone(
                tz=ZoneInfo(found[0]), name=found[0], written=" ".join(span), kind=found[1]
            )
    return None


def _named(tail: list[str], home: str | None) -> tuple[str, Kind] | None:
    if tail[-1] == "time" and len(tail) > 1:
        words = tail[:-1]
        kind: Kind = "generic"
        if words[-1] in ("standard", "daylight", "summer") and len(words) > 1:
            kind = "standard" if words[-1] == "standard" else "daylight"
            words = words[:-1]
        word = _LONG_NAMES.get(" ".join(words))
        zone = zone_for_word(word, home) if word else None
        return (zone[0], kind) if zone else None
    if len(tail) == 1 and tail[0] in ZONE_WORDS:
        return zone_for_word(tail[0], home)
    joined = "_".join(tail)
    if joined in zone_names():
        return zone_names()[joined], "generic"
    if joined in zone_cities() and not joined.isdigit():
        return zone_cities()[joined], "generic"
    if len(tail) == 1 and tail[0] in _LONG_NAMES:  # "6pm Eastern"
        return zone_for_word(_LONG_NAMES[tail[0]], home)
    return None


def _offset(text: str) -> tuple[str, NamedZone | None]:
    from dateparser.timezone_parser import pop_tz_offset_from_string

    rest, found = pop_tz_offset_from_string(text, as_offset=True)
    if found is None:
        return text, None
    offset = found.utcoffset(datetime.now(UTC).replace(tzinfo=None))
    if offset is None or not rest.strip():
        return text, None
    kept = rest.rstrip()
    written = text[len(kept) :].strip() if text.startswith(kept) else ""
    return rest.strip(), NamedZone(
        tz=timezone(offset), name=None, written=written or _offset_text(offset)
    )
