"""What /event edit suggests can be pasted as it is: the event's own short code (never a
title with spaces left unquoted) and a whole example value (never a placeholder); empty
values are refused rather than clearing a capacity or a deadline without a word."""

from __future__ import annotations

import re

import pytest

from bot.core.messages import Button, Message
from bot.core.types import Level
from bot.testing import Conversation
from tests.events.conftest import create, said


@pytest.mark.parametrize(
    ("option", "example"),
    [
        ("title", 'title:"Winter party"'),
        ("when", 'when:"saturday 7pm"'),
        ("zone", "zone:America/New_York"),
    ],
)
async def test_an_empty_value_suggests_the_event_code_and_a_real_value(
    chat: Conversation, option: str, example: str
) -> None:
    code = await create(chat, '/event create title:"Two words" when:"next friday 6pm"')
    reply = await chat.say(f'/event edit id:"Two words" {option}:""', as_="ana")
    text = said(reply)
    assert reply.accent != "success", text
    assert f"/event edit id:{code} {example}" in text, text
    assert "id:Two words" not in text and "…" not in text


async def test_nothing_to_change_names_the_event_being_edited(chat: Conversation) -> None:
    code = await create(chat, '/event create title:"Two words" when:"next friday 6pm"')
    text = said(await chat.say('/event edit id:"Two words"', as_="ana"))
    assert "Nothing to change" in text and f"/event edit id:{code} when:" in text, text
    assert "k3f9" not in text


@pytest.mark.parametrize(("option", "kept"), [("capacity", "30"), ("deadline", "RSVP by")])
async def test_an_empty_capacity_or_deadline_is_refused_not_cleared(
    chat: Conversation, option: str, kept: str
) -> None:
    code = await create(
        chat, '/event create title:Cc when:"next friday 6pm" capacity:30 deadline:"thursday noon"'
    )
    reply = await chat.say(f'/event edit id:{code} {option}:""', as_="ana")
    text = said(reply)
    assert reply.accent != "success", text
    assert f"`{option}:` can't be empty" in text and f"{option}:none" in text, text
    assert kept in said(await chat.say(f"/event show id:{code}", as_="ana"))
    # `none` still clears.
    cleared = await chat.say(f"/event edit id:{code} {option}:none", as_="ana")
    assert cleared.accent == "success", said(cleared)


async def test_clearing_a_capacity_that_is_not_there_changes_nothing(chat: Conversation) -> None:
    code = await create(chat, '/event create title:Cc when:"next friday 6pm"')
    reply = await chat.say(f"/event edit id:{code} capacity:none", as_="ana")
    text = said(reply)
    assert reply.accent != "success" and "Updated" not in text, text
    assert "Nothing to change: “Cc” has no capacity" in text
    # Together with a real change, the change is made and only it is named.
    both = said(await chat.say(f"/event edit id:{code} capacity:none title:Dd", as_="ana"))
    assert "Updated title." in both, both


async def test_invite_examples_name_the_event_typed(chat: Conversation) -> None:
    code = await create(chat, '/event create title:"Two words" when:"next friday 6pm"')
    text = said(await chat.say('/invite event:"Two words" people:ann', as_="ana"))
    assert f'Like /invite event:{code} people:"@ann @ben"' in text, text
    both = said(await chat.say("/invite event:Door", as_="ana"))
    # ana is no organizer, so the example names people, not a role (see tests/invitations).
    assert '/invite event:Door people:"@ann @ben"' in both and "k3f9" not in both, both


async def test_an_old_button_suggests_the_command_for_its_own_event(chat: Conversation) -> None:
    code = await create(chat, '/event create title:Door when:"next friday 6pm"')
    # A button from an older card, whose answer word this version no longer takes.
    going = Button(label="Going", action="rsvp", value=f"{code}:going")
    old = Message(text=["card"], buttons=[going])
    text = said(await chat.press(old, "Going", as_="sam"))
    assert "no longer works" in text and f"/rsvp event:{code} answer:yes" in text, text
    assert "<id>" not in text


@pytest.mark.parametrize("where", ["settings", "edit"])
async def test_empty_reminders_are_refused_and_none_means_no_reminders(
    chat: Conversation, where: str
) -> None:
    chat.levels["mod"] = Level.MODERATOR
    code = await create(chat, '/event create title:Rr when:"next friday 6pm"')
    command = "/event settings" if where == "settings" else f"/event edit id:{code}"
    blanks = ['reminders:""', 'reminders:" "'] + (['remind_in:""'] if where == "settings" else [])
    for blank in blanks:
        reply = await chat.say(f"{command} {blank}", as_="mod")
        text = said(reply)
        assert reply.accent != "success" and "can't be empty" in text, text
        if "reminders" in blank:
            assert "reminders:none for no reminders" in text, text
    if where == "settings":  # nothing changed: the defaults still remind
        assert "1 day before and 1 hour before" in said(await chat.say(command, as_="mod"))
    off = said(await chat.say(f"{command} reminders:none", as_="mod"))
    if where == "settings":
        assert off == "New events send no reminders.", off
        assert said(await chat.say(command, as_="mod")) == off
    else:
        assert "Updated reminders" in off, off


@pytest.mark.parametrize(
    ("line", "option"),
    [
        ("/event cancel id:Feed", "id"),
        ("/event show id:Feed", "id"),
        ("/event edit id:Feed capacity:9", "id"),
        ("/event attendees id:Feed", "id"),
        ("/rsvp Feed yes", "event"),
        ("/rsvp event:Feed answer:maybe", "event"),
        ('/invite event:Feed people:"@sam"', "event"),
    ],
)
async def test_an_ambiguous_title_is_answered_with_the_option_that_was_typed(
    chat: Conversation, line: str, option: str
) -> None:
    codes = [
        await create(chat, f'/event create title:"Feed the {what}" when:"next friday 6pm"')
        for what in ("ducks", "cats")
    ]
    await chat.say("/timezone show", as_="sam")  # sam has used Potluck here once
    text = said(await chat.say(line, as_="ana"))
    assert "matches several events" in text, text
    shown = re.search(r"Use the event id, like (\w+):(\w+)\.", text)
    assert shown is not None and shown[1] == option and shown[2] in codes, text
    # The hint can be followed as it is.
    typed = line.replace(f"{option}:Feed", f"{option}:{shown[2]}").replace(
        " Feed ", f" {shown[2]} "
    )
    assert "has no option" not in said(await chat.say(typed, as_="ana"))
