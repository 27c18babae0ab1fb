"""/privacy forget leaves what moderators decided about a person, and what their limits
count, where it was: a pause, their own limits and the invitations they sent are kept by
platform id, so forgetting is no way around a limit."""

from __future__ import annotations

import json

from bot.testing import Conversation
from tests.invitations.conftest import said, setup_event


async def forget(chat: Conversation, who: str) -> None:
    ask = await chat.say("/privacy forget", as_=who)
    assert "deleted" in said(await chat.press(ask, "Yes", as_=who))


async def test_a_pause_and_limits_outlive_the_forget_of_the_inviter(chat: Conversation) -> None:
    code = await setup_event(chat, "ann", "sam")
    await chat.say('/limits pause person:@sam for:"2 days" reason:"spam"', as_="mod")
    await chat.say("/limits set person:@sam per_inviter_hour:1", as_="mod")
    mine = json.loads((await chat.say("/privacy export", as_="sam")).files[0].content)
    assert "even after /privacy forget" in mine["invitations"]["moderation_kept"], mine
    await forget(chat, "sam")
    reply = said(await chat.say(f'/invite event:{code} people:"@ann"', as_="sam"))
    assert "ann: not sent, your invitations are paused (spam)" in reply, reply
    shown = said(await chat.say("/limits show person:@sam", as_="mod"))
    assert "Paused until" in shown and "spam" in shown, shown
    assert "per_inviter_hour: 1" in shown, shown
    await chat.say("/limits resume person:@sam", as_="mod")
    sent = said(await chat.say(f'/invite event:{code} people:"@ann"', as_="sam"))
    assert "ann: queued to send" in sent and "You can invite 0 more people this hour" in sent, sent


async def test_a_forgotten_inviter_gets_no_quota_back(chat: Conversation) -> None:
    code = await setup_event(chat, "ann", "ben", "sam")
    await chat.say("/limits set per_event:2", as_="mod")
    first = said(await chat.say(f'/invite event:{code} people:"@ann"', as_="sam"))
    assert "You can invite 9 more people this hour" in first, first
    await forget(chat, "sam")
    second = said(await chat.say(f'/invite event:{code} people:"@ben"', as_="sam"))
    assert "You can invite 8 more people this hour" in second, second
    assert "left this hour: 8" in said(await chat.say("/limits show person:@sam", as_="mod"))
    full = said(await chat.say(f'/invite event:{code} people:"@ana"', as_="ben"))
    assert "this event has had its 2 invitations (the limit)" in full, full


async def test_the_export_after_forget_shows_what_forget_kept(chat: Conversation) -> None:
    code = await setup_event(chat, "ann", "ben", "sam")
    await chat.say(f'/invite event:{code} people:"@ann @ben"', as_="sam")
    await chat.say("/limits set person:@sam per_inviter_hour:5", as_="mod")
    await chat.say('/limits pause person:@sam reason:"spam"', as_="mod")
    await forget(chat, "sam")
    kept = json.loads((await chat.say("/privacy export", as_="sam")).files[0].content)
    mine = kept["invitations"]
    # The tally the limits go on counting: when, which event (code and title), a complaint
    # or not, and never to whom.
    assert [(t["event_id"], t["event"], t["complaint"]) for t in mine["invitations_sent_kept"]] == [
        (code, "Winter party", False),
        (code, "Winter party", False),
    ], mine
    assert not any("ann" in json.dumps(t) for t in mine["invitations_sent_kept"])
    assert mine["limits_set_for_you"] == {"per_inviter_hour": 5}, mine
    assert mine["pause_reason"] == "spam" and "paused_until" in mine, mine
    assert "even after /privacy forget" in mine["moderation_kept"], mine
    shown = said(await chat.say("/limits show person:@sam", as_="mod"))
    assert "left this hour: 3" in shown, shown  # the same two invitations, counted


async def test_the_export_names_events_by_code_and_title(chat: Conversation) -> None:
    code = await setup_event(chat, "ann", "sam")
    await chat.say(f'/invite event:{code} people:"@ann"', as_="sam")
    sent = json.loads((await chat.say("/privacy export", as_="sam")).files[0].content)
    got = json.loads((await chat.say("/privacy export", as_="ann")).files[0].content)
    (out,) = sent["invitations"]["invitations_sent"]
    (into,) = got["invitations"]["invitations_received"]
    assert (out["event_id"], out["event"]) == (code, "Winter party"), out
    assert (into["event_id"], into["event"]) == (code, "Winter party"), into
