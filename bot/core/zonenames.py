"""Reading a zone someone names in a `zone:` option or in the config file: the one reader of
/timezone set, /timezone community, /event create zone: and `bot.timezone`.

A zone name ("Europe/Berlin", "Etc/GMT+5"), a city ("new york") or a spelled-out zone word
("Eastern") is taken; old names are stored as the zone tzdata links them to; an abbreviation
("EST", "CET") is refused with the zone it stands for (see bot.core.zonewords for the table);
an offset ("UTC+2", "GMT-5", "+05:30") is refused with a place's zone at that offset and
the fixed-offset "Etc/GMT" zone, where tzdata has one.
"""

from __future__ import annotations

import difflib
import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

from bot.core.cityzones import city_zone, close_cities
from bot.core.errors import BadOption
from bot.core.zonewords import (
    _LONG_NAMES,
    _REGIONS,
    ZONE_WORDS,
    is_zone,
    zone_cities,
    zone_for_word,
    zone_names,
)

# The System V names tzdata keeps for old systems, and the zones they have been links to since
# tzdata 2024b (its NEWS: "EST5EDT ... are now links to America/New_York ..."). They are
# stored as the zone they stand for, which every reader's calendar knows.
LEGACY_ZONES = {
    "est5edt": "America/New_York",
    "cst6cdt": "America/Chicago",
    "mst7mdt": "America/Denver",
    "pst8pdt": "America/Los_Angeles",
}


# Zone words spelled out in full: each names a whole zone with its daylight saving, so it is
# taken as that zone. Abbreviations ("EST", "CET", "ET") are refused with the zone instead.
SPELLED_OUT = frozenset(w for w in _LONG_NAMES if " " not in w and w in ZONE_WORDS)


def resolve_zone(text: str) -> str:
    """The IANA zone for a `zone:` option, the one reader of /timezone set, /timezone
    community and /event create: a zone name ("Europe/Berlin", "Etc/GMT+5"), a city
    ("berlin", "new york") or a zone word spelled out ("Eastern"). Old names are stored as
    the zone they are a link to in tzdata ("US/Eastern", "Japan", "EST5EDT" ->
    America/New_York, Asia/Tokyo; see `canonical_zone`). Raises BadOption for an
    abbreviation ("EST", "CET"), naming the zone it stands for (a fixed abbreviation does not
    say whether daylight saving applies), and for anything else with close zone names."""
    cleaned = "_".join(text.strip().split())
    lowered = cleaned.lower()
    zones = zone_names()
    if lowered in zones:
        return canonical_zone(zones[lowered])
    word = zone_for_word(lowered)
    if word is not None and (lowered in SPELLED_OUT or word[0] == "UTC"):
        return word[0]  # "GMT", "Z", "Zulu" are UTC: no daylight saving to leave out
    if word is not None:
        raise BadOption(
            f"`{text.strip()}` is an abbreviation, not a zone. Did you mean {word[0]}?",
            hint=f"Type zone:{word[0]}: a zone name keeps that place's clock all year, "
            "summer time included.",
        )
    if lowered in zone_cities():
        return canonical_zone(zone_cities()[lowered])
    if lowered in LEGACY_ZONES:
        return LEGACY_ZONES[lowered]
    if lowered in _one_word_zones():
        return canonical_zone(_one_word_zones()[lowered])
    offset = read_offset(cleaned)
    if offset is not None:
        raise BadOption(offset_advice(text.strip(), offset))
    if _OFFSET.fullmatch(cleaned):
        raise BadOption(
            f"`{text.strip()}` is no offset any clock keeps: offsets run from UTC-12 to UTC+14.",
            hint="Type the zone of the place you mean, like zone:Pacific/Kiritimati (UTC+14).",
        )
    city = city_zone(cleaned)
    if city is not None:
        return canonical_zone(city)
    suggestions = suggest_zones(cleaned)
    hint = ("Did you mean " + ", ".join(suggestions) + "?") if suggestions else ""
    raise BadOption(
        f"`{text}` is not a time zone I know.",
        hint=(hint + " " if hint else "")
        + "Use a zone name like zone:Europe/Berlin or zone:America/Chicago.",
    )


@lru_cache(maxsize=1)
def _all_links() -> dict[str, str]:
    """Every old zone name -> the zone it links to, from tzdata's `tzdata.zi` ("L target
    name" lines): "Asia/Calcutta" -> "Asia/Kolkata", "US/Eastern" -> "America/New_York"."""
    try:
        source = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi")
        lines = source.read_text(encoding="utf-8").splitlines()
    except (ModuleNotFoundError, OSError):
        return {}
    return {
        parts[2]: parts[1] for parts in map(str.split, lines) if len(parts) == 3 and parts[0] == "L"
    }


@lru_cache(maxsize=1)
def _country_zones() -> frozenset[str]:
    """The zones tzdata's `zone.tab` lists for a country, links among them: "Europe/Oslo"
    (Norway's zone, a link to Europe/Berlin since 2022) is listed, "Asia/Calcutta" is not."""
    try:
        source = resources.files("tzdata").joinpath("zoneinfo", "zone.tab")
        lines = source.read_text(encoding="utf-8").splitlines()
    except (ModuleNotFoundError, OSError):
        return frozenset()
    return frozenset(parts[2] for parts in (line.split("\t") for line in lines) if len(parts) >= 3)


@lru_cache(maxsize=1)
def _links() -> dict[str, str]:
    """Every old name -> its current name ("Asia/Calcutta" -> "Asia/Kolkata", "US/Eastern"
    -> "America/New_York", "America/Buenos_Aires" -> "America/Argentina/Buenos_Aires").
    Kept as they are: a link that is a country's own zone in `zone.tab` ("Europe/Oslo" ->
    Europe/Berlin is Norway's zone, a place people pick by name), and links to "Etc/" zones
    ("UTC" keeps its short name)."""
    countries = _country_zones()
    return {
        old: new
        for old, new in _all_links().items()
        if not new.startswith("Etc/") and old not in countries
    }


def canonical_zone(name: str) -> str:
    """`name`, or the zone it is an old name for ("US/Eastern" -> "America/New_York")."""
    return _links().get(name, name)


@lru_cache(maxsize=1)
def _one_word_zones() -> dict[str, str]:
    """Lowercased -> IANA spelling of the zone names without a region ("Japan", "NZ") and
    of the fixed-offset "Etc/" zones ("Etc/GMT+5")."""
    return {
        z.lower(): z
        for z in available_timezones()
        if ("/" not in z or z.startswith("Etc/")) and z != "localtime"
    }


def suggest_zones(text: str, limit: int = 3) -> list[str]:
    """Up to `limit` zone names close to `text`: just the zone an abbreviation stands for
    ("EST" -> America/New_York), else close spellings of zone names, then of the cities in
    zone names and of the cities of a million people or more ("Mumbia" -> Asia/Kolkata),
    likest first."""
    zones = zone_names()
    lowered = text.lower().replace(" ", "_")
    found: list[str] = []
    word = zone_for_word(lowered)
    if word is not None and word[0] in zones.values():
        return [word[0]]  # spelling neighbours of "EST" (Australia/West...) only mislead
    for match in difflib.get_close_matches(lowered, list(zones), n=limit, cutoff=0.6):
        if zones[match] not in found:
            found.append(zones[match])
    city = lowered.rsplit("/", 1)[-1]
    by_city = zone_cities()
    cities = [
        (difflib.SequenceMatcher(None, city, match).ratio(), by_city[match])
        for match in difflib.get_close_matches(city, list(by_city), n=limit, cutoff=0.6)
    ]
    if "/" not in lowered:  # a misspelt big city ("Mumbia"), as close as a zone's city
        cities += close_cities(city, limit)
    for _likeness, zone in sorted(cities, key=lambda pair: -pair[0]):
        if zone not in found:
            found.append(zone)
    if not found:
        region = lowered.split("/", 1)[0]
        found = [z for z in zones.values() if z.lower().startswith(region + "/")][:limit]
    return found[:limit] or ["Europe/Berlin", "America/New_York", "Asia/Tokyo"]


def old_name_note(typed: str, name: str) -> str:
    """What to add after the stored zone: " (EST5EDT is its old name)" when an old name was
    stored as its zone, or how an "Etc/GMT" zone's sign reads (POSIX counts it backwards)."""
    cleaned = typed.strip()
    if name.startswith("Etc/GMT") and name[7:8] in "+-" and name[7:]:
        sign = "-" if name[7] == "+" else "+"
        return f" (that is UTC{sign}{name[8:]}: the Etc/GMT names count the sign backwards)"
    lowered = "_".join(cleaned.split()).lower()
    old = lowered in LEGACY_ZONES or lowered in {link.lower() for link in _links()}
    return f" ({cleaned} is its old name)" if old else ""


# "UTC+2", "GMT-5", "utc + 05:30", "+0530", "-5": an offset from UTC, as people write one.
_OFFSET = re.compile(r"(?:utc|gmt|z)?_?([+\-\u2212])_?(\d{1,2})(?:[:.h]?(\d{2}))?", re.IGNORECASE)


def read_offset(text: str) -> timedelta | None:
    """The offset from UTC that `text` writes ("UTC+2" -> +2:00, "+05:30" -> +5:30, "GMT-5"
    -> -5:00; "GMT+2" as people mean it, not POSIX's reversed sign), or None when `text` is
    no offset. Offsets run from UTC-12 to UTC+14, as the world's clocks do (tzdata)."""
    found = _OFFSET.fullmatch("_".join(text.strip().split()))
    if found is None:
        return None
    sign, hours, minutes = found.group(1), int(found.group(2)), int(found.group(3) or 0)
    if minutes >= 60:
        return None
    offset = timedelta(hours=hours, minutes=minutes) * (1 if sign == "+" else -1)
    return offset if timedelta(hours=-12) <= offset <= timedelta(hours=14) else None


def offset_text(offset: timedelta) -> str:
    """ "UTC+2", "UTC-5", "UTC+5:30", "UTC+0" """
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def fixed_zone(offset: timedelta) -> str | None:
    """The tzdata zone that keeps `offset` all year: "UTC" for +0, else "Etc/GMT-2" for
    UTC+2 (POSIX, and so the Etc names, count the sign backwards); None when tzdata has none
    (only whole hours from UTC-12 to UTC+14 have one, so not +5:30)."""
    if not offset:
        return "UTC"
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    name = f"Etc/GMT{-hours:+d}"
    return name if not rest and name in available_timezones() else None


@lru_cache(maxsize=2)
def _clock_sizes(year: int) -> dict[tuple[timedelta | None, ...], int]:
    """How many places' zones (regions only, no old names) keep each clock in `year`: a
    clock is the zone's offset on the 15th of every month."""
    sizes: dict[tuple[timedelta | None, ...], int] = {}
    for name in zone_names().values():
        if name.split("/", 1)[0] in _REGIONS and name not in _all_links():
            clock = _clock(name, year)
            sizes[clock] = sizes.get(clock, 0) + 1
    return sizes


def _clock(name: str, year: int) -> tuple[timedelta | None, ...]:
    place = ZoneInfo(name)
    return tuple(
        datetime(year, m, 15, 12, tzinfo=UTC).astimezone(place).utcoffset() for m in range(1, 13)
    )


def places_at(offset: timedelta, now: datetime | None = None, limit: int = 2) -> list[str]:
    """Up to `limit` places' zones at `offset`, one for each kind of clock: those at it now
    first, then those at it for part of the year (summer or winter time); among them the
    clocks most places keep first. The places are CLDR's Windows zone mapping (one
    representative zone for each of the world's ~140 clocks), under their current tzdata
    names ("Asia/Calcutta" -> "Asia/Kolkata")."""
    from babel.core import get_global

    now = now or datetime.now(UTC)
    sizes = _clock_sizes(now.year)
    known = _link_counts()
    worded = {zone for zone, _kind in ZONE_WORDS.values()}
    found: dict[tuple[timedelta | None, ...], tuple[bool, int, bool, int, str]] = {}
    for mapped in get_global("windows_zone_mapping").values():
        name = _all_links().get(mapped, mapped)
        if mapped.startswith("Etc/") or not is_zone(name):
            continue
        clock = _clock(name, now.year)
        at_now = now.astimezone(ZoneInfo(name)).utcoffset() == offset
        if not at_now and offset not in clock:
            continue
        # The clocks most places keep first; for each clock, a zone the zone words stand
        # for ("ET": America/New_York), else the one most old names lead to.
        rank = (not at_now, -sizes.get(clock, 0), name not in worded, -known.get(name, 0), name)
        if clock not in found or rank < found[clock]:
            found[clock] = rank
    return [rank[-1] for rank in sorted(found.values())][:limit]


@lru_cache(maxsize=1)
def _link_counts() -> dict[str, int]:
    """How many old names tzdata links to each zone ("Japan" -> Asia/Tokyo counts one)."""
    counts: dict[str, int] = {}
    for target in _all_links().values():
        counts[target] = counts.get(target, 0) + 1
    return counts


def offset_advice(typed: str, offset: timedelta) -> str:
    """The one line /timezone set answers to an offset: a place's zone, which follows that
    place's clock changes, and the fixed zone that keeps the offset all year if tzdata has
    one ("Etc/GMT-2" for UTC+2, its sign reversed), else that no fixed zone keeps it."""
    written = offset_text(offset)
    places = " or ".join(f"zone:{p}" for p in places_at(offset))
    fixed = fixed_zone(offset)
    reversed_sign = (
        " (the Etc names reverse the sign)" if fixed and fixed.startswith("Etc/") else ""
    )
    head = f"`{typed}` is an offset, not a time zone"
    if fixed is None:
        place = places or "zone:Europe/Berlin or zone:America/Chicago"
        return (
            f"{head}, and no fixed zone keeps {written}: type the zone of the place you mean, "
            f"like {place}, which follows its clock changes."
        )
    if not places:
        return f"{head}: type zone:{fixed}, which keeps {written} all year{reversed_sign}."
    return (
        f"{head}: type a place's zone, like {places}, which follows its clock changes, or "
        f"zone:{fixed} for {written} all year{reversed_sign}."
    )
