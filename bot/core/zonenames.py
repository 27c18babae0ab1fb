"""Reading a zone someone names in a `zone:` option or in the config file: the one reader of
/timezone set, /timezone community, /event create zone: and `bot.timezone`.

A zone name ("Europe/Berlin", "Etc/GMT+5"), a city ("new york") or a spelled-out zone word
("Eastern") is taken; old names are stored as the zone tzdata links them to; an abbreviation
("EST", "CET") is refused with the zone it stands for (see bot.core.zonewords for the table).
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from importlib import resources
from zoneinfo import available_timezones

from bot.core.errors import BadOption
from bot.core.zonewords import (
    _LONG_NAMES,
    _REGIONS,
    ZONE_WORDS,
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
    if word is not None and lowered in SPELLED_OUT:
        return word[0]
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
    suggestions = suggest_zones(cleaned)
    hint = ("Did you mean " + ", ".join(suggestions) + "?") if suggestions else ""
    raise BadOption(
        f"`{text}` is not a time zone I know.",
        hint=(hint + " " if hint else "")
        + "Use a zone name like zone:Europe/Berlin or zone:America/Chicago.",
    )


@lru_cache(maxsize=1)
def _links() -> dict[str, str]:
    """Old zone name -> the zone it links to, from tzdata's `tzdata.zi` ("L target name"
    lines), for the old names outside the geographic regions only ("US/Eastern", "Japan"):
    a link inside a region ("Europe/Oslo" -> Europe/Berlin) is a place of its own that people
    pick by name, and links to "Etc/" zones ("UTC") keep their short name."""
    try:
        source = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi")
        lines = source.read_text(encoding="utf-8").splitlines()
    except (ModuleNotFoundError, OSError):
        return {}
    links: dict[str, str] = {}
    for line in lines:
        parts = line.split()
        if (
            len(parts) == 3
            and parts[0] == "L"
            and not parts[1].startswith("Etc/")
            and parts[2].split("/", 1)[0] not in _REGIONS
        ):
            links[parts[2]] = parts[1]
    return links


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
    ("EST" -> America/New_York), else close spellings of zone names and cities."""
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
    for match in difflib.get_close_matches(city, list(by_city), n=limit, cutoff=0.6):
        if by_city[match] not in found:
            found.append(by_city[match])
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
