"""Which time zone: the first source naming a zone the IANA database knows wins; a name it does
not know (a platform profile can carry anything) is passed over, never used."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core import zones


@dataclass
class Holder:
    timezone: str | None


def test_an_unknown_name_falls_through_to_the_next_source() -> None:
    person, community = Holder("Mars/Base"), Holder("Europe/Berlin")
    assert zones.zone_name(None, person, community) == "Europe/Berlin"
    assert zones.zone(person, "", community) == ZoneInfo("Europe/Berlin")


def test_the_first_known_source_wins_and_utc_is_last() -> None:
    assert zones.zone_name("America/Chicago", Holder("Europe/Berlin")) == "America/Chicago"
    assert zones.zone_name(Holder(None), "Mars/Base") == "UTC"
    assert zones.known_zone(Holder("Mars/Base")) is None
    assert zones.zone_name("Mars/Base", default="Asia/Tokyo") == "Asia/Tokyo"
