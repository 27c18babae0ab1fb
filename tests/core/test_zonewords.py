"""The zone words people type, checked against CLDR's English names and the real zone rules."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.core import get_global
from hypothesis import given
from hypothesis import strategies as st

from bot.core.timetext import read_time
from bot.core.types import Level
from bot.core.zonewords import _LONG_NAMES, ZONE_WORDS, find_zone, zone_for_word
from bot.testing import Conversation
from tests.events.conftest import said

# English locales whose CLDR data names the zones of the table.
ENGLISH = ["en", "en_GB", "en_IN", "en_AU", "en_NZ", "en_CA", "en_ZA", "en_SG", "en_HK", "en_IE"]


def _cldr_names(zone: str) -> set[str]:
    metazone = get_global("meta_zones").get(zone)
    names: set[str] = set()
    for tag in ENGLISH:
        found = Locale.parse(tag).meta_zones.get(metazone) if metazone else None
        if not found:
            continue
        for width in ("short", "long"):
            for name in dict(found.get(width, {})).values():
                names.add(name.lower())
    return names


# Words CLDR does not list in English but tzdata uses as the zone's own abbreviation, and the
# names of UTC itself.
TZDATA_ONLY = {"msk", "jst", "kst"}
UTC_WORDS = {"utc", "gmt", "z", "zulu"}


@pytest.mark.parametrize("word", sorted(set(ZONE_WORDS) - TZDATA_ONLY - UTC_WORDS - {"uk"}))
def test_every_word_is_a_cldr_english_name_of_its_zone(word: str) -> None:
    """ "EST" is CLDR's short English name of America_Eastern, whose zone is New York;
    "eastern" starts its long name. A word mapped to the wrong zone fails here."""
    names = _cldr_names(ZONE_WORDS[word][0])
    assert word in names or word in {n.split(" ")[0] for n in names}, (word, sorted(names))


@pytest.mark.parametrize(
    "name", sorted(n for n, w in _LONG_NAMES.items() if ZONE_WORDS[w][0] != "UTC")
)
def test_every_long_name_is_how_cldr_spells_its_zone_in_english(name: str) -> None:
    """ "central european" starts CLDR's "Central European Standard Time", whose zone is the
    one the abbreviation it stands for (CET) names."""
    names = _cldr_names(ZONE_WORDS[_LONG_NAMES[name]][0])
    assert any(n.startswith(name + " ") for n in names), (name, sorted(names))


@pytest.mark.parametrize("word", sorted(TZDATA_ONLY))
def test_other_abbreviations_are_the_zones_own(word: str) -> None:
    zone = ZoneInfo(ZONE_WORDS[word][0])
    assert datetime(2027, 1, 1, tzinfo=UTC).astimezone(zone).tzname() == word.upper()


@pytest.mark.parametrize(
    ("word", "daylight"),
    [(w, kind == "daylight") for w, (_, kind) in ZONE_WORDS.items() if kind != "generic"],
)
def test_a_daylight_word_names_a_zone_with_daylight_saving(word: str, daylight: bool) -> None:
    zone = ZoneInfo(ZONE_WORDS[word][0])
    seasons = {
        bool(datetime(2027, month, 1, 12, tzinfo=UTC).astimezone(zone).dst()) for month in (1, 7)
    }
    assert (True in seasons) if daylight else (False in seasons), word


@given(
    word=st.sampled_from(sorted(ZONE_WORDS)),
    day=st.dates(min_value=datetime(2027, 1, 1).date(), max_value=datetime(2036, 12, 31).date()),
    hour=st.integers(0, 23),
)
def test_a_zone_word_reads_the_time_through_the_real_zone_on_that_date(
    word: str, day: object, hour: int
) -> None:
    zone = ZONE_WORDS[word][0]
    reading = read_time(
        f"{day} {hour}:30 {word}", now=datetime(2026, 11, 29, tzinfo=UTC), zone=ZoneInfo("UTC")
    )
    expected = datetime.fromisoformat(f"{day}T{hour:02d}:30").replace(tzinfo=ZoneInfo(zone))
    assert reading.at == expected.astimezone(UTC)
    assert reading.zone == zone


def test_words_and_places() -> None:
    assert zone_for_word("ET") == ("America/New_York", "generic")
    assert zone_for_word("Eastern") == ("America/New_York", "generic")
    assert zone_for_word("EST", home="America/Toronto") == ("America/Toronto", "standard")
    assert zone_for_word("CET", home="Europe/Berlin") == ("Europe/Berlin", "generic")
    assert zone_for_word("CET", home="America/Chicago") == ("Europe/Paris", "generic")
    assert zone_for_word("at") is None  # "tomorrow at 6pm" names no zone
    rest, named = find_zone("tomorrow 6pm eastern standard time")
    assert rest == "tomorrow 6pm" and named is not None and named.name == "America/New_York"
    assert find_zone("tomorrow at 6pm") == ("tomorrow at 6pm", None)
    assert find_zone("ET")[1] is None  # a zone alone is not a time


async def test_timezone_set_suggests_the_zone_an_abbreviation_stands_for(
    chat: Conversation,
) -> None:
    """Every abbreviation of the table is refused the same way by /timezone set and by
    /event create zone: (one reader), naming the zone it stands for, never as unknown."""
    for typed, (zone, _kind) in ZONE_WORDS.items():
        if typed in _LONG_NAMES or zone == "UTC":
            continue  # spelled-out words ("eastern") are zones; "UTC", "GMT" are IANA names
        for line in (
            f"/timezone set zone:{typed.upper()}",
            f'/event create title:Swap when:"2027-03-02 18:00" zone:{typed.upper()}',
        ):
            reply = await chat.say(line, as_=f"ana-{typed}")  # one person per word: no rate limit
            assert reply.accent == "danger", (line, said(reply))
            assert f"Did you mean {zone}?" in said(reply), said(reply)
            assert "not a time zone I know" not in said(reply) and "Australia/W" not in said(reply)
    reply = await chat.say("/timezone set zone:new york", as_="ana")
    assert "America/New_York" in said(reply) and reply.accent == "success", said(reply)


async def test_timezone_set_takes_the_old_iana_names(chat: Conversation) -> None:
    """System V names such as EST5EDT are in tzdata (links since 2024b): they are taken as
    the zone they stand for, and the reply says so; other one-word IANA names as they are."""
    for typed, zone in (
        ("EST5EDT", "America/New_York"),
        ("cst6cdt", "America/Chicago"),
        ("MST7MDT", "America/Denver"),
        ("PST8PDT", "America/Los_Angeles"),
    ):
        reply = await chat.say(f"/timezone set zone:{typed}", as_="ana")
        assert reply.accent == "success", said(reply)
        assert f"now {zone} ({typed} is its old name)" in said(reply)
        shown = await chat.say("/timezone show", as_="ana")
        assert zone in said(shown)
    for typed, zone in (("Japan", "Asia/Tokyo"), ("US/Eastern", "America/New_York")):
        old = await chat.say(f"/timezone set zone:{typed}", as_="ana")
        assert f"now {zone} ({typed} is its old name)" in said(old), said(old)
    eastern = await chat.say("/timezone set zone:Eastern", as_="ana")
    assert "now America/New_York." in said(eastern), said(eastern)  # not US/Eastern
    oslo = await chat.say("/timezone set zone:Europe/Oslo", as_="ana")
    assert "now Europe/Oslo." in said(oslo)  # a place of its own, though tzdata links it
    fixed = await chat.say("/timezone set zone:Etc/GMT+5", as_="ana")
    assert "now Etc/GMT+5 (that is UTC-5" in said(fixed), said(fixed)
    assert "Etc/GMT+5" in said(await chat.say("/timezone show", as_="ana"))
    community = await chat.say("/timezone community zone:EST5EDT", as_="mod", level=Level.MODERATOR)
    assert "America/New_York (EST5EDT is its old name)" in said(community), said(community)
    event = await chat.say(
        '/event create title:"Chapter meetup" when:"2027-01-05 18:00" zone:CST6CDT', as_="ana"
    )
    assert "Time zone: America/Chicago" in said(event), said(event)
