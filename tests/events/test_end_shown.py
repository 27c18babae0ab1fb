"""The end of an event is shown: the card has an "Ends" line (in the reader's zone) with the
length, and an edit of `ends:` says how long the event now lasts, so a Tokyo event that
became 20 hours long by a misread `ends:` is noticed."""

from __future__ import annotations

from bot.testing import Conversation
from tests.events.conftest import create, said


async def test_the_card_shows_when_the_event_ends(chat: Conversation) -> None:
    code = await create(
        chat, '/event create title:Swap when:"2027-03-02 18:00" ends:"2027-03-02 21:00"'
    )
    card = await chat.say(f"/event show id:{code}", as_="sam")
    assert "Ends: " in said(card) and "(3 hours)" in said(card), said(card)


async def test_an_edit_of_ends_says_the_new_length(chat: Conversation) -> None:
    chat.zones["ana"] = "Asia/Tokyo"
    code = await create(chat, '/event create title:Swap when:"tomorrow 6pm" ends:"tomorrow 8pm"')
    reply = await chat.say(f'/event edit id:{code} ends:"tomorrow 11pm"', as_="ana")
    assert reply.accent == "success", said(reply)
    assert "It now lasts 5 hours." in said(reply), said(reply)
    assert "(5 hours)" in said(reply)
