"""Calendar files across daylight-saving changes and far into the future: a 2-hour event lasts
2 hours on the night the clocks change, the zone rules do not stop in 2037, and a cancelled
event does not ask for an RSVP."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.tz import tzical
from icalendar import Calendar

from bot.testing import Conversation
from cogs.events.vtimezone import vtimezone
from tests.events.conftest import create, said

CHICAGO = ZoneInfo("America/Chicago")


async def ics(chat: Conversation, code: str) -> Calendar:
    reply = await chat.say(f"/event ics id:{code}", as_="sam")
    return Calendar.from_ical(reply.files[0].content)


@pytest.mark.parametrize(
    ("when", "end_zone"),
    [
        ("2027-03-14 1:00am", "America/Chicago"),  # clocks go forward at 2:00: ends 4:00 CDT
        ("2027-03-13 11:30pm", "America/Chicago"),
        # Clocks go back at 2:00: the end is the second 1:30, which only UTC can name.
        ("2027-11-07 12:30am", None),
    ],
)
async def test_a_two_hour_event_lasts_two_hours_when_the_clocks_change(
    chat: Conversation, when: str, end_zone: str | None
) -> None:
    chat.zones["ana"] = "America/Chicago"
    code = await create(chat, f'/event create title:"Late shift" when:"{when}" duration:2h')
    (event,) = (await ics(chat, code)).walk("VEVENT")
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=2)
    assert event["dtend"].params.get("TZID") == end_zone
    assert event["dtstart"].params["TZID"] == "America/Chicago"


def _offsets_agree(cal_bytes: bytes, zone: str, years: range) -> list[str]:
    """Where a calendar app reading the VTIMEZONE (dateutil's RFC 5545 reader) disagrees with
    the tz database, in January and July of each year."""
    tz = tzical(io.StringIO(cal_bytes.decode())).get(zone)
    wrong = []
    for year in years:
        for month in (1, 7):
            at = datetime(year, month, 15, 12, 0)
            expected = at.replace(tzinfo=ZoneInfo(zone)).utcoffset()
            if at.replace(tzinfo=tz).utcoffset() != expected:
                wrong.append(f"{year}-{month:02d}")
    return wrong


async def test_the_zone_rules_in_a_calendar_file_do_not_stop_in_2037(chat: Conversation) -> None:
    chat.zones["ana"] = "America/Chicago"
    code = await create(
        chat, '/event create title:"Story time" when:"2026-12-01 10:00" repeat:weekly'
    )
    reply = await chat.say(f"/event ics id:{code}", as_="sam")
    body = reply.files[0].content
    (zone,) = Calendar.from_ical(body).walk("VTIMEZONE")
    assert str(zone["tzid"]) == "America/Chicago"
    assert _offsets_agree(body, "America/Chicago", range(2027, 2100)) == []


@pytest.mark.parametrize(
    "zone",
    [
        "America/Chicago",
        "Europe/Berlin",
        "Europe/Dublin",  # "negative" daylight saving in the tz data
        "Australia/Sydney",  # southern hemisphere
        "Pacific/Chatham",  # a 45-minute offset
        "Asia/Kolkata",  # no daylight saving
        "America/Sao_Paulo",  # daylight saving abolished
        "Africa/Casablanca",  # Ramadan changes: no yearly rule, a list of dates instead
        "America/Nuuk",  # changes at 01:00 UTC, which is the evening before in Nuuk
    ],
)
def test_every_kind_of_zone_agrees_with_the_tz_database_for_decades(zone: str) -> None:
    cal = Calendar()
    cal.add("prodid", "-//test//EN")
    cal.add("version", "2.0")
    cal.add_component(vtimezone(zone, date(2026, 11, 1)))
    years = (
        range(2027, 2080)
        if zone not in ("Africa/Casablanca", "America/Nuuk")
        else range(2027, 2070)
    )
    assert _offsets_agree(cal.to_ical(), zone, years) == []


async def test_a_cancelled_events_calendar_file_does_not_ask_for_an_rsvp(
    chat: Conversation,
) -> None:
    code = await create(chat, '/event create title:"Picnic" when:"next saturday noon"')
    (before,) = (await ics(chat, code)).walk("VEVENT")
    assert f"/rsvp event:{code}" in str(before["description"])
    await chat.say(f'/event cancel id:{code} reason:"Rain"', as_="ana")
    (event,) = (await ics(chat, code)).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    assert "/rsvp" not in str(event["description"]) and "RSVP" not in str(event["description"])
    assert "Cancelled: Rain" in str(event["description"])
    assert "cancelled" in said(await chat.say(f"/event show id:{code}", as_="sam")).lower()
