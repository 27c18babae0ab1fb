"""People promoted from the waitlist get the reminders of the date they were promoted for, as if
they had said yes with a spot free; waiting people get none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.clock import ManualClock
from bot.core.delivery import Delivery
from bot.core.messages import Message, Time
from bot.testing import Conversation
from tests.events.conftest import create, event_id, said

STORY = '/event create title:"Story time" when:"next tuesday 10am" repeat:weekly capacity:1'
PARTY = '/event create title:"Winter party" when:"next friday 6pm" capacity:1'
PARTY_START = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)  # the clock starts Monday 11-23 noon


def reminders(sent: list[Delivery], who: str) -> list[Delivery]:
    return [d for d in sent if d.kind == "reminder" and d.destination.id == who]


def starts(message: Message) -> list[datetime]:
    return [s.at for s in message.text if isinstance(s, Time)]


def next_dates(card: Message) -> list[datetime]:
    return [
        s.at for f in card.fields if f.name == "Repeats" for s in f.value if isinstance(s, Time)
    ]


async def test_a_person_promoted_for_one_date_gets_that_dates_reminders(
    chat: Conversation, clock: ManualClock
) -> None:
    card = await chat.say(STORY, as_="ana")
    code = event_id(card)
    first, second, _ = next_dates(card)
    on_second = f'date:"{second:%Y-%m-%d}"'
    await chat.say(f"/rsvp event:{code} answer:yes {on_second}", as_="sam")
    waiting = await chat.say(f"/rsvp event:{code} answer:yes {on_second}", as_="raj")
    assert "waitlist" in said(waiting)
    await chat.say(f"/rsvp event:{code} answer:no {on_second}", as_="sam")
    await chat.deliver()
    assert "A spot opened up" in said(chat.to("raj")[0].message)

    clock.set(first - timedelta(minutes=30))  # the first date: raj never answered it
    assert not reminders(await chat.deliver(), "raj")
    clock.set(second - timedelta(days=1))
    day_before = reminders(await chat.deliver(), "raj")
    clock.set(second - timedelta(hours=1))
    hour_before = reminders(await chat.deliver(), "raj")
    assert len(day_before) == 1 and len(hour_before) == 1
    assert {*starts(day_before[0].message), *starts(hour_before[0].message)} == {second}
    assert not reminders(chat.sent, "sam")  # sam said no: his reminders went with his spot


async def test_people_seated_by_a_raised_capacity_get_reminders_and_waiting_people_none(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY)
    for who in ("sam", "raj", "kim"):
        await chat.say(f"/rsvp {code} yes", as_=who)
    raised = await chat.say(f"/event edit id:{code} capacity:2", as_="ana")
    assert raised.accent == "success", said(raised)
    await chat.deliver()
    assert "A spot opened up" in said(chat.to("raj")[0].message)

    clock.set(PARTY_START - timedelta(days=1))
    sent = await chat.deliver()
    assert len(reminders(sent, "sam")) == 1 and len(reminders(sent, "raj")) == 1
    assert not reminders(sent, "kim")  # still on the waitlist


async def test_people_who_turned_reminders_off_get_none_when_answering_or_promoted(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY.replace("capacity:1", "capacity:2"))
    for who in ("lee", "raj"):
        await chat.say("/event reminders off", as_=who)
    answered = await chat.say(f"/rsvp {code} yes", as_="lee")
    assert "Your reminders are off" in said(answered)
    await chat.say(f"/rsvp {code} yes", as_="kim")
    await chat.say(f"/rsvp {code} yes", as_="raj")  # waits
    await chat.say(f"/rsvp {code} no", as_="kim")
    await chat.deliver()
    assert "A spot opened up" in said(chat.to("raj")[0].message)
    for before in (timedelta(days=1), timedelta(hours=1)):
        clock.set(PARTY_START - before)
        await chat.deliver()
    assert not [d for d in chat.sent if d.kind == "reminder"]


async def test_people_moved_back_by_a_lowered_capacity_lose_their_reminders(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY.replace("capacity:1", "capacity:2"))
    for who in ("sam", "raj"):
        await chat.say(f"/rsvp {code} yes", as_=who)
    lowered = await chat.say(f"/event edit id:{code} capacity:1", as_="ana")
    assert lowered.accent == "success", said(lowered)
    await chat.deliver()
    assert "waitlist" in said(chat.to("raj")[-1].message)

    clock.set(PARTY_START - timedelta(days=1))
    sent = await chat.deliver()
    assert len(reminders(sent, "sam")) == 1
    assert not reminders(sent, "raj")  # back on the waitlist: no seat to be reminded of
