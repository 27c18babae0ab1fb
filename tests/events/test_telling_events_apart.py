"""Replies that point at an event: a suggested command runs as typed (no `<id>` to fill in),
and events that share a title are told apart by their dates."""

from __future__ import annotations

import re

from bot.app import Potluck
from bot.core.messages import Code
from bot.testing import Conversation
from tests.events.conftest import create, said

PLACEHOLDER = re.compile(r"<[a-z][a-z _-]*>")


async def test_the_list_suggests_a_command_that_runs_as_typed(chat: Conversation) -> None:
    """The list's footer said "Details: `/event show id:<id>`", which answered "There is no
    event `<id>` here."; it names a real event now."""
    code = await create(chat, '/event create title:"Book club" when:"2027-01-08 18:00"')
    listing = await chat.say("/event list", as_="sam")
    suggested = [seg.text for seg in listing.footer if isinstance(seg, Code)]
    assert suggested == [f"/event show id:{code}"], said(listing)
    assert not PLACEHOLDER.search(said(listing)), said(listing)
    shown = await chat.say(suggested[0], as_="sam")
    assert shown.accent != "danger" and "Book club" in said(shown), said(shown)


async def test_events_of_one_title_are_told_apart_by_date(chat: Conversation) -> None:
    """ "Book club (ke4d); Book club (gzxb)" could not be told apart."""
    first = await create(chat, '/event create title:"Book club" when:"2027-01-08 18:00"')
    second = await create(chat, '/event create title:"Book club" when:"2027-02-12 19:30"')
    both = await chat.say('/rsvp event:"Book club" answer:yes', as_="sam")
    assert both.accent == "danger", said(both)
    assert f"Book club, Fri 8 Jan 2027 18:00 ({first})" in said(both), said(both)
    assert f"Book club, Fri 12 Feb 2027 19:30 ({second})" in said(both), said(both)


async def test_autocomplete_tells_events_of_one_title_apart(
    bot: Potluck, chat: Conversation
) -> None:
    first = await create(chat, '/event create title:"Book club" when:"2027-01-08 18:00"')
    second = await create(chat, '/event create title:"Book club" when:"2027-02-12 19:30"')
    offered = await bot.dispatcher.suggest(chat.actor("sam"), "rsvp", "event", "book")
    assert offered == [
        (f"Book club, Fri 8 Jan 2027 18:00 ({first})", first),
        (f"Book club, Fri 12 Feb 2027 19:30 ({second})", second),
    ]
    long = await create(chat, f'/event create title:"{"A" * 100}" when:"2027-03-02 18:00"')
    (label, _), *_ = await bot.dispatcher.suggest(chat.actor("sam"), "rsvp", "event", long)
    assert len(label) <= 100 and label.endswith(f", Tue 2 Mar 2027 18:00 ({long})"), label
