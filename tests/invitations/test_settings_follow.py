"""A recipient's waiting invitations follow their settings: a digest moved (its hour, its
zone) or ended, quiet hours changed, invitations turned off and on again."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.adapters.slack.render import mrkdwn
from bot.core.clock import ManualClock
from bot.testing import Conversation
from tests.invitations.conftest import delivered, meet, said, setup_event

# The tests' clock starts on Monday 23 Nov 2026, 12:00 UTC.
NEXT_MONDAY = datetime(2026, 11, 30, tzinfo=UTC)


async def _weekly_digest_with_one(chat: Conversation) -> str:
    """ben (zone UTC) takes a weekly digest at 10:00 and ana invites him: it waits for
    Monday 30 Nov, 10:00 UTC. Returns the event's code."""
    code = await setup_event(chat, "ben")
    await chat.say("/timezone set zone:UTC", as_="ben")
    await chat.say("/invites digest every:weekly at:10:00", as_="ben")
    reply = said(await chat.say(f'/invite event:{code} people:"@ben"', as_="ana"))
    assert "ben: queued for their digest" in reply, reply
    return code


async def test_a_digest_moved_to_another_hour_takes_its_invitations(
    chat: Conversation, clock: ManualClock
) -> None:
    await _weekly_digest_with_one(chat)
    moved = said(await chat.say("/invites digest at:15:00", as_="ben"))
    assert "every Monday at 15:00 your time" in moved, moved  # the cadence stays weekly
    # 15:00 on a Monday is still ahead today: the invitation moves to it, not to the 30th.
    sent = await chat.say("/invites sent", as_="ana")
    assert "Mon 23 Nov 2026, 15:00 UTC" in mrkdwn(sent.text, ZoneInfo("UTC")), sent.text
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    (digest,) = await delivered(chat, "invitation-digest")
    assert "Winter party" in said(digest.message)
    clock.set(NEXT_MONDAY.replace(hour=10))
    assert await delivered(chat, "invitation-digest") == []


async def test_a_digest_follows_a_new_zone(chat: Conversation, clock: ManualClock) -> None:
    await _weekly_digest_with_one(chat)
    await chat.say("/invites digest at:15:00", as_="ben")
    # 15:00 IST is 09:30 UTC, already past today: the digest moves to Monday the 30th.
    await chat.say("/timezone set zone:Asia/Kolkata", as_="ben")
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    assert await delivered(chat, "invitation-digest") == []
    clock.set(NEXT_MONDAY.replace(hour=9, minute=30))
    (digest,) = await delivered(chat, "invitation-digest")
    assert "Winter party" in said(digest.message)


async def test_an_ended_digest_sends_its_invitations_as_they_come(
    chat: Conversation, clock: ManualClock
) -> None:
    await _weekly_digest_with_one(chat)
    await chat.say("/invites digest every:off", as_="ben")
    (dm,) = await delivered(chat)
    assert dm.destination.id == "ben" and "Winter party" in said(dm.message)
    clock.set(NEXT_MONDAY.replace(hour=10))
    assert await delivered(chat, "invitation-digest") == []


async def test_an_ended_digest_still_keeps_quiet_hours(
    chat: Conversation, clock: ManualClock
) -> None:
    await _weekly_digest_with_one(chat)
    await chat.say("/invites quiet from:11:00 to:20:00", as_="ben")
    await chat.say("/invites digest every:off", as_="ben")
    assert await delivered(chat) == []
    clock.set(datetime(2026, 11, 23, 20, 0, tzinfo=UTC))
    (dm,) = await delivered(chat)
    assert dm.destination.id == "ben"


async def test_invitations_waiting_while_off_come_after_on(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await setup_event(chat, "ben")
    await chat.say("/timezone set zone:UTC", as_="ben")
    await chat.say("/invites quiet from:11:00 to:20:00", as_="ben")
    reply = said(await chat.say(f'/invite event:{code} people:"@ben"', as_="ana"))
    assert "ben: queued for their quiet hours" in reply, reply
    off = said(await chat.say("/invites off", as_="ben"))
    assert "waiting for you wait" in off and "/invites on" in off, off
    clock.set(datetime(2026, 11, 23, 21, 0, tzinfo=UTC))
    assert await delivered(chat) == []
    assert "waiting, not sent yet" in said(await chat.say("/invites sent", as_="ana"))
    await chat.say("/invites on", as_="ben")
    (dm,) = await delivered(chat)
    assert dm.destination.id == "ben" and "Winter party" in said(dm.message)


async def test_repeated_quiet_off_says_already_and_hints_are_whole_commands(
    chat: Conversation,
) -> None:
    await meet(chat, "ben")
    await chat.say("/invites quiet from:22:00 to:08:00", as_="ben")
    first = said(await chat.say("/invites quiet off", as_="ben"))
    assert first.startswith("Quiet hours: none"), first
    again = said(await chat.say("/invites quiet off", as_="ben"))
    assert "You had no quiet hours" in again, again
    hint = said(await chat.say("/invites digest at:07:30", as_="ben"))
    assert hint.endswith("Like /invites digest at:07:00") or "digest at:07:00`" in hint, hint
    assert " or at:" not in hint, hint


async def test_a_blocked_inviter_leaves_the_digest(chat: Conversation, clock: ManualClock) -> None:
    code = await setup_event(chat, "ben", "cat")
    other = await setup_event(chat, organizer="cat")
    await chat.say("/timezone set zone:UTC", as_="ben")
    await chat.say("/invites digest every:daily at:18:00", as_="ben")
    await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    await chat.say(f'/invite event:{other} people:"@ben"', as_="cat")
    await chat.say("/invites block person:@cat", as_="ben")
    clock.set(datetime(2026, 11, 23, 18, 0, tzinfo=UTC))
    (digest,) = await delivered(chat, "invitation-digest")
    assert "from ana" in said(digest.message) and "from cat" not in said(digest.message)


async def test_no_invitations_at_all_says_the_waiting_ones_were_withdrawn(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await setup_event(chat, "ben")
    await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    (dm,) = await delivered(chat)
    reply = said(await chat.press(dm.message, "No invitations at all", as_="ben"))
    assert "withdrawn and will not come" in reply and "/invites on" in reply, reply
    assert "undoes it" not in reply, reply


async def test_an_event_over_while_off_is_not_sent_after_on(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await setup_event(chat, "ben")
    await chat.say("/timezone set zone:UTC", as_="ben")
    await chat.say("/invites quiet from:11:00 to:20:00", as_="ben")
    await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    await chat.say("/invites off", as_="ben")
    clock.set(datetime(2026, 12, 5, 12, 0, tzinfo=UTC))  # the party was Friday the 27th
    await chat.say("/invites on", as_="ben")
    assert await delivered(chat) == []
    assert "withdrawn" in said(await chat.say("/invites sent", as_="ana"))
