"""Optional fields of an event can be cleared on edit: `capacity:none` lifts the limit (the
waitlist moves up), `deadline:none` keeps answers open until the start, `where:none` and an
empty `where:""` remove the place."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.clock import ManualClock
from bot.core.commands import CLEAR
from bot.testing import Conversation
from tests.events.conftest import create, said

PARTY = (
    '/event create title:"Winter party" when:"next friday 6pm" capacity:1 '
    'deadline:"thursday noon" where:"Room 2" description:"Bring a dish" script:"Say hi"'
)


async def test_capacity_none_lifts_the_limit_and_seats_the_waitlist(chat: Conversation) -> None:
    code = await create(chat, PARTY)
    await chat.say(f"/rsvp {code} yes", as_="sam")
    assert "waitlist" in said(await chat.say(f"/rsvp {code} yes", as_="lee"))
    edited = await chat.say(f"/event edit id:{code} capacity:none", as_="ana")
    assert edited.accent == "success" and "Updated capacity" in said(edited), said(edited)
    assert "Going: 2" in said(edited) and "spot" not in said(edited).split("Going: 2")[1][:8]
    await chat.deliver()
    assert "A spot opened up" in said(chat.to("lee")[-1].message)


async def test_deadline_none_keeps_answers_open_until_the_start(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY.replace("capacity:1", "capacity:10"))
    edited = await chat.say(f"/event edit id:{code} deadline:none", as_="ana")
    assert "Updated deadline" in said(edited) and "RSVP by" not in said(edited)
    clock.set(datetime(2026, 11, 27, 17, 0, tzinfo=UTC))  # after the old deadline
    assert "You're going" in said(await chat.say(f"/rsvp {code} yes", as_="sam"))


@pytest.mark.parametrize("value", ['""', "none", "None"])
async def test_where_none_or_empty_removes_the_place(chat: Conversation, value: str) -> None:
    code = await create(chat, PARTY)
    edited = await chat.say(f"/event edit id:{code} where:{value}", as_="ana")
    assert edited.accent == "success" and "Updated where" in said(edited), said(edited)
    assert "Room 2" not in said(await chat.say(f"/event show id:{code}", as_="sam"))


async def test_description_and_talking_points_can_be_cleared_together(chat: Conversation) -> None:
    code = await create(chat, PARTY)
    edited = await chat.say(f"/event edit id:{code} description:none script:none", as_="ana")
    shown = said(await chat.say(f"/event show id:{code}", as_="sam"))
    assert "Updated description, script" in said(edited)
    assert "Bring a dish" not in shown and "Say hi" not in shown and "Room 2" in shown


async def test_none_on_create_means_not_given(chat: Conversation) -> None:
    code = await create(
        chat, '/event create title:Swap when:"next friday 6pm" where:none deadline:none'
    )
    shown = said(await chat.say(f"/event show id:{code}", as_="sam"))
    assert "Where" not in shown and "RSVP by" not in shown


def test_clear_is_one_value() -> None:
    assert type(CLEAR)() is CLEAR and repr(CLEAR) == "CLEAR"


def test_discord_takes_none_for_a_clearable_number() -> None:
    from bot.adapters.discord.commands import INTEGER, STRING, option_payload
    from cogs.events.drafts import event_fields

    (capacity,) = [o for o in event_fields(required=False) if o.name == "capacity"]
    payload = option_payload(capacity)
    assert payload["type"] == STRING and "min_value" not in payload
    (on_create,) = [o for o in event_fields(required=True) if o.name == "capacity"]
    assert option_payload(on_create)["type"] == INTEGER


async def test_an_empty_title_in_an_edit_is_refused_with_what_to_type(chat: Conversation) -> None:
    code = await create(chat, '/event create title:Party when:"next friday 6pm"')
    for line in (f'/event edit id:{code} title:""', f'/event edit id:{code} title:"" capacity:9'):
        reply = await chat.say(line, as_="ana")
        assert reply.accent == "danger", said(reply)
        assert "`title:` can't be empty" in said(reply) and 'title:"Winter party"' in said(reply)
        assert "Nothing to change" not in said(reply)
    card = said(await chat.say(f"/event show id:{code}", as_="ana"))
    assert "Party" in card and "of 9 spots" not in card  # nothing half-changed
