"""Which time zone: the one rule for reading and showing times.

Callers list where a zone may come from, most specific first, and get the first one that names
a zone the IANA database knows:

    the zone given for this reading (an option, a reader's zone)
    -> the person's own (set with /timezone, else the platform's idea of it)
    -> the community's (set by a moderator, else the configured default)
    -> the event's (where it happens)
    -> UTC.

A source is a zone name, None, or anything with a `timezone` attribute (a Person, a
Community, a people row, an event view), so callers never write the fallback out themselves.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT = "UTC"


class HasZone(Protocol):
    @property
    def timezone(self) -> str | None: ...


ZoneSource = HasZone | str | None


@lru_cache(maxsize=1024)
def _known(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def known_zone(*sources: ZoneSource) -> str | None:
    """The first source naming a zone the IANA database knows, as its name; None if none
    does (a name that is not a zone, like "Mars/Base", is passed over)."""
    for source in sources:
        name = source if isinstance(source, str) or source is None else source.timezone
        if name and _known(name):
            return name
    return None


def zone_name(*sources: ZoneSource, default: str = DEFAULT) -> str:
    """The zone to use, as an IANA name: the first known one among `sources`, else
    `default` (UTC unless given)."""
    return known_zone(*sources) or default


def zone(*sources: ZoneSource, default: str = DEFAULT) -> ZoneInfo:
    """The zone to use, as a ZoneInfo (see `zone_name`)."""
    return ZoneInfo(zone_name(*sources, default=default))
