"""Calendar output: the .ics file and the subscribable feed parse back as RFC 5545 with the
right zone, rule and status."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import aiohttp
from icalendar import Calendar

from bot.app import Potluck
from bot.core.messages import Link
from bot.core.types import Level
from bot.testing import Conversation
from tests.events.conftest import create, said


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


async def test_ics_file_of_a_repeating_event(chat: Conversation) -> None:
    chat.zones["ana"] = "America/Chicago"
    code = await create(
        chat,
        '/event create title:"Chapter meetup; monthly" '
        'when:"2027-02-09 18:00" repeat:"monthly on the 2nd tuesday" '
        'where:https://meet.example.org/c description:"Bring ideas"',
    )
    reply = await chat.say(f"/event ics id:{code}", as_="sam")
    (file,) = reply.files
    assert file.filename == f"chapter-meetup-monthly-{code}.ics"
    assert file.content_type == "text/calendar"
    cal = parse(file.content)
    (event,) = cal.walk("VEVENT")
    assert str(event["summary"]) == "Chapter meetup; monthly"
    assert event["dtstart"].dt == datetime(2027, 2, 9, 18, 0, tzinfo=ZoneInfo("America/Chicago"))
    assert event["dtstart"].params["TZID"] == "America/Chicago"
    assert event["rrule"].to_ical() == b"FREQ=MONTHLY;BYDAY=2TU"
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["url"]) == "https://meet.example.org/c"
    assert "dtstamp" in event and str(event["uid"]).endswith("@potluck")
    assert "Bring ideas" in str(event["description"])
    zones = [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")]
    assert zones == ["America/Chicago"]
    again = parse((await chat.say(f"/event ics id:{code}", as_="lee")).files[0].content)
    assert str(again.walk("VEVENT")[0]["uid"]) == str(event["uid"])  # stable UID


async def test_feed_over_http_includes_cancellations(bot: Potluck, chat: Conversation) -> None:
    chat.levels["mod"] = Level.MODERATOR
    keep = await create(chat, '/event create title:"Book swap" when:"next friday 6pm"')
    drop = await create(chat, '/event create title:"Picnic" when:"next saturday noon"')
    await chat.say(f'/event cancel id:{drop} reason:"Rain"', as_="ana")
    assert "Only moderators" in said(await chat.say("/event feed", as_="sam"))
    reply = await chat.say("/event feed", as_="mod")
    url = next(s.url for s in reply.text if isinstance(s, Link))
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert path.startswith("calendar/") and path.endswith(".ics")
    elsewhere = Conversation.attach(bot, community_id="other", levels={"mod": Level.MODERATOR})
    await create(elsewhere, '/event create title:"Secret meeting" when:"tomorrow 9am"')

    (port,) = await bot.web.start([("127.0.0.1", 0)])
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/{path}") as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/calendar")
            cal = parse(await response.read())
        events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
        assert set(events) == {"Book swap", "Picnic"}  # not the other community's
        assert str(events["Picnic"]["status"]) == "CANCELLED"
        assert str(events["Book swap"]["status"]) == "CONFIRMED"
        assert keep in str(events["Book swap"]["description"])
        async with http.get(f"http://127.0.0.1:{port}/calendar/not-a-secret.ics") as response:
            assert response.status == 404
        reset = await chat.say("/event feed reset:yes", as_="mod")
        new_url = next(s.url for s in reset.text if isinstance(s, Link))
        assert new_url != url
        async with http.get(f"http://127.0.0.1:{port}/{path}") as response:
            assert response.status == 404  # the old address stops working
