"""/timezone set with a city that is no zone name, an old link name, GMT and an offset no
clock keeps: what a person types and what is stored, read back with /timezone show."""

from __future__ import annotations

import pytest

from bot.core.zonenames import _all_links, _country_zones, resolve_zone
from bot.testing import Conversation
from tests.events.conftest import said


async def test_big_cities_that_are_no_zone_name_find_their_zone(chat: Conversation) -> None:
    """Mumbai was answered "Did you mean Asia/Dubai", Beijing "Europe/Berlin?", Delhi
    "Australia/LHI": GeoNames' cities give each its zone, old names (Bombay) included."""
    for typed, zone in (
        ("Mumbai", "Asia/Kolkata"),
        ("Bombay", "Asia/Kolkata"),
        ("Delhi", "Asia/Kolkata"),
        ("Beijing", "Asia/Shanghai"),
        ("são paulo", "America/Sao_Paulo"),
        ("Ho Chi Minh City", "Asia/Ho_Chi_Minh"),
        ("NYC", "America/New_York"),  # a big city's short name
    ):
        reply = await chat.say(f"/timezone set zone:{typed}", as_=f"ana-{typed}")
        assert reply.accent == "success", (typed, said(reply))
        assert f"now {zone}" in said(reply), said(reply)
        assert zone in said(await chat.say("/timezone show", as_=f"ana-{typed}"))


@pytest.mark.parametrize("typed", ["ab", "xy", "de"])
async def test_two_letters_typed_by_mistake_find_no_city(chat: Conversation, typed: str) -> None:
    """ "ab" was taken as Asia/Aden (a small town's other name): short names count only as a
    big city's capitals."""
    reply = await chat.say(f"/timezone set zone:{typed}", as_="ana")
    assert reply.accent != "success" and "not a time zone" in said(reply), said(reply)


async def test_old_link_names_are_stored_as_their_current_name(chat: Conversation) -> None:
    """Buenos Aires was stored as America/Buenos_Aires and Calcutta as Asia/Calcutta."""
    for typed, zone, old in (
        ("Buenos Aires", "America/Argentina/Buenos_Aires", "America/Buenos_Aires"),
        ("Calcutta", "Asia/Kolkata", "Asia/Calcutta"),
        ("Asia/Calcutta", "Asia/Kolkata", "Asia/Calcutta"),
        ("Asia/Saigon", "Asia/Ho_Chi_Minh", "Asia/Saigon"),
        ("Europe/Kiev", "Europe/Kyiv", "Europe/Kiev"),
    ):
        reply = await chat.say(f"/timezone set zone:{typed}", as_="ana")
        assert f"now {zone}" in said(reply), said(reply)
        shown = said(await chat.say("/timezone show", as_="ana"))
        assert zone in shown and old not in shown, shown
    oslo = await chat.say("/timezone set zone:Europe/Oslo", as_="ana")
    assert "now Europe/Oslo." in said(oslo)  # Norway's own zone in zone.tab, though a link


def test_every_link_resolves_to_a_zone_that_is_no_link() -> None:
    """Each of tzdata's links that is no country's own zone resolves to a zone that is itself
    no link (nor an old name of one)."""
    links = _all_links()
    for old in links:
        if old in _country_zones() or links[old].startswith("Etc/") or "/" not in old:
            continue
        stored = resolve_zone(old)
        assert stored not in links, (old, stored)


async def test_gmt_is_utc(chat: Conversation) -> None:
    """GMT is an IANA name (Etc/GMT) and was refused as an abbreviation."""
    for typed in ("GMT", "gmt", "Z"):
        reply = await chat.say(f"/timezone set zone:{typed}", as_="ana")
        assert reply.accent == "success", said(reply)
        assert "now UTC" in said(reply), said(reply)


@pytest.mark.parametrize("typed", ["UTC+15", "UTC-13", "+16:00"])
async def test_an_offset_no_clock_keeps_says_the_range(chat: Conversation, typed: str) -> None:
    """UTC+15 was answered "Did you mean UTC?"."""
    reply = await chat.say(f"/timezone set zone:{typed}", as_="ana")
    assert reply.accent == "danger", said(reply)
    assert "offsets run from UTC-12 to UTC+14" in said(reply), said(reply)
    assert "Did you mean UTC?" not in said(reply)


async def test_a_misspelt_big_city_is_suggested_first(chat: Conversation) -> None:
    """Mumbai misspelt was offered Africa/Juba only: a city of a million people or more that
    is spelled close comes first."""
    reply = await chat.say("/timezone set zone:Mumbia", as_="ana")
    assert reply.accent == "danger", said(reply)
    assert "Did you mean Asia/Kolkata" in said(reply), said(reply)
