"""An edit rewrites the queued reminders; each person keeps the zone they were queued in (the
one their platform gave, e.g. a Slack profile), not the community's."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.clock import ManualClock
from bot.testing import Conversation
from tests.events.conftest import create

PARTY = '/event create title:"Winter party" when:"next friday 6pm" reminders:1h'


async def test_an_edit_keeps_each_persons_zone_for_their_reminders(
    chat: Conversation, clock: ManualClock
) -> None:
    chat.zones["sam"] = "Europe/Berlin"  # from the platform profile; never set with /timezone
    code = await create(chat, PARTY)
    await chat.say(f"/rsvp {code} yes", as_="sam")
    await chat.say(f"/rsvp {code} yes", as_="lee")
    await chat.say(f'/event edit id:{code} title:"Winter party!" when:"next friday 7pm"', as_="ana")
    clock.set(datetime(2026, 11, 27, 18, 0, tzinfo=UTC))
    sent = {d.destination.id: d.timezone for d in await chat.deliver() if d.kind == "reminder"}
    assert sent == {"sam": "Europe/Berlin", "lee": "UTC"}


async def test_a_zone_set_with_timezone_wins_over_the_queued_one(
    chat: Conversation, clock: ManualClock
) -> None:
    chat.zones["sam"] = "Europe/Berlin"
    code = await create(chat, PARTY)
    await chat.say(f"/rsvp {code} yes", as_="sam")
    await chat.say("/timezone set zone:Asia/Tokyo", as_="sam")
    await chat.say(f'/event edit id:{code} title:"Winter party!"', as_="ana")
    clock.set(datetime(2026, 11, 27, 17, 0, tzinfo=UTC))
    sent = {d.destination.id: d.timezone for d in await chat.deliver() if d.kind == "reminder"}
    assert sent == {"sam": "Asia/Tokyo"}
