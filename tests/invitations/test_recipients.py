"""What recipients decide: off, block, quiet hours and digests in their own zone, and their
answers to an invitation; complaints past the threshold pause the inviter and alert the
moderators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.adapters.discord.render import view_for
from bot.adapters.slack.render import blocks
from bot.core.clock import ManualClock
from bot.testing import Conversation
from tests.invitations.conftest import delivered, meet, said, setup_event, statuses


async def test_quiet_hours_that_start_when_they_end_are_refused(chat: Conversation) -> None:
    reply = await chat.say("/invites quiet from:22:00 to:22:00", as_="ben")
    assert reply.ephemeral and reply.accent == "danger", said(reply)
    assert "both 22:00" in said(reply) and "/invites quiet from:22:00 to:08:00" in said(reply)
    assert "Quiet hours:" not in said(reply)


async def test_quiet_hours_hold_an_invitation_until_their_morning(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await setup_event(chat, "ben")
    await chat.say("/timezone set zone:Asia/Tokyo", as_="ben")  # 12:00 UTC is 21:00 there
    reply = await chat.say("/invites quiet from:20:00 to:07:30", as_="ben")
    assert "Quiet hours: 20:00 to 07:30 your time (Asia/Tokyo)" in said(reply)
    reply = await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    assert "ben: queued for their quiet hours, until" in said(reply)
    assert await delivered(chat) == []
    clock.set(datetime(2026, 11, 23, 22, 29, tzinfo=UTC))  # 07:29 in Tokyo
    assert await delivered(chat) == []
    clock.set(datetime(2026, 11, 23, 22, 30, tzinfo=UTC))  # 07:30 in Tokyo
    (dm,) = await delivered(chat)
    assert dm.destination.id == "ben"
    sent = await chat.say("/invites sent", as_="ana")
    assert "delivered" in said(sent)


async def test_a_digest_gathers_invitations_at_their_hour(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await setup_event(chat, "ben", "cat")
    await chat.say("/timezone set zone:America/New_York", as_="ben")  # 07:00 there
    other = await setup_event(chat, organizer="cat")
    reply = await chat.say("/invites digest every:daily at:18:00", as_="ben")
    assert "every day at 18:00 your time" in said(reply)
    first = await chat.say(f'/invite event:{code} people:"@ben" note:"hi"', as_="ana")
    assert "ben: queued for their digest" in said(first)
    await chat.say(f'/invite event:{other} people:"@ben"', as_="cat")
    assert await delivered(chat, "invitation-digest") == []
    assert [status for *_, status in await statuses(chat)] == ["queued", "queued"]
    clock.set(datetime(2026, 11, 23, 23, 0, tzinfo=UTC))  # 18:00 in New York
    (digest,) = await delivered(chat, "invitation-digest")
    assert [status for *_, status in await statuses(chat)] == ["delivered", "delivered"]
    assert digest.destination.id == "ben"
    assert digest.message.title == "Your invitations (2)"
    assert 'from ana: "hi"' in said(digest.message) and "from cat" in said(digest.message)


async def test_off_on_and_show(chat: Conversation) -> None:
    code = await setup_event(chat, "ben", "cat")
    await chat.say("/invites block person:@cat", as_="ben")
    await chat.say("/invites quiet from:22:00 to:08:00", as_="ben")
    shown = said(await chat.say("/invites show", as_="ben"))
    assert "Invitations: on" in shown and "22:00 to 08:00" in shown and "Blocked: cat." in shown
    await chat.say("/invites off", as_="ben")
    assert "Invitations: off" in said(await chat.say("/invites show", as_="ben"))
    reply = await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    assert "ben: not sent, has turned invitations off" in said(reply)
    await chat.say("/invites on", as_="ben")
    reply = await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    assert "ben: queued to send" in said(reply)
    unblocked = await chat.say("/invites unblock person:@cat", as_="ben")
    assert "cat can invite you again" in said(unblocked)


async def test_not_interested_is_a_decline_not_a_complaint(chat: Conversation) -> None:
    code = await setup_event(chat, "ben")
    await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    (dm,) = await delivered(chat)
    reply = await chat.press(dm.message, "Not interested", as_="ben")
    assert "not this time" in said(reply)
    assert "declined" in said(await chat.say("/invites sent", as_="ana"))
    log = await chat.say("/modlog kind:invite.complaint", as_="mod")
    assert "Nothing in the log matches" in said(log)


async def test_no_more_from_blocks_the_inviter_at_once(chat: Conversation) -> None:
    code = await setup_event(chat, "ben")
    other = await setup_event(chat, organizer="ana")
    await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    (dm,) = await delivered(chat)
    others = await chat.press(dm.message, "No more from", as_="cat")
    assert "isn't yours" in said(others)
    reply = await chat.press(dm.message, "No more from", as_="ben")
    assert "no more invitations from ana" in said(reply)
    again = await chat.say(f'/invite event:{other} people:"@ben"', as_="ana")
    assert "ben: not sent, doesn't take invitations from you" in said(again)
    log = said(await chat.say("/modlog kind:invite.complaint", as_="mod"))
    assert "by ben about ana: no more from" in log


async def test_complaints_past_the_threshold_pause_the_inviter_and_alert_moderators(
    chat: Conversation,
) -> None:
    people = [f"p{i}" for i in range(5)]
    code = await setup_event(chat, *people)
    await meet(chat, "mod")
    await chat.say("/limits show", as_="mod")  # a moderator Potluck has seen
    await chat.say(f'/invite event:{code} people:"{" ".join("@" + p for p in people)}"', as_="ana")
    dms = await delivered(chat)
    for dm, choice in zip(dms[:2], ["No more from", "No invitations at all"], strict=True):
        await chat.press(dm.message, choice, as_=dm.destination.id)
    assert await delivered(chat, "invite-notice") == []
    await chat.press(dms[2].message, "No more from", as_=dms[2].destination.id)
    sent = await chat.deliver()
    (notice,) = [d for d in sent if d.kind == "invite-notice"]
    assert notice.destination.id == "ana"
    assert "3 of your last 5 invitations were answered with a complaint" in said(notice.message)
    alerts = [d for d in sent if d.kind == "mod-alert"]
    assert sorted(a.destination.id for a in alerts) == ["librarian", "mod"]
    assert "ana: 3 of their last 5 invitations drew complaints" in said(alerts[0].message)
    assert "/limits resume person:@ana" in said(alerts[0].message)
    later = await setup_event(chat, "zoe", organizer="ana")
    reply = await chat.say(f'/invite event:{later} people:"@zoe"', as_="ana")
    assert "zoe: not sent, your invitations are paused (3 of your last 5" in said(reply)
    log = said(await chat.say("/modlog kind:invite.auto-pause", as_="mod"))
    assert "`invite.auto-pause` by Potluck about ana: 3 of their last 5" in log
    # Moderators read the pause in the third person wherever they see it.
    shown = said(await chat.say("/limits show person:@ana", as_="mod"))
    assert "3 of their last 5 invitations were answered" in shown and "your" not in shown, shown
    refused = said(await chat.say("/modlog kind:invite.blocked", as_="mod"))
    assert "ana's invitations are paused (3 of their last 5" in refused, refused


async def test_alerts_go_to_the_alerts_channel_when_configured(chat: Conversation) -> None:
    chat.bot.cog("invitations").recipients.alerts.settings.alerts_channel = "mod-room"
    people = [f"p{i}" for i in range(3)]
    code = await setup_event(chat, *people)
    await chat.say(f'/invite event:{code} people:"@p0 @p1 @p2"', as_="ana")
    for dm in await delivered(chat):
        await chat.press(dm.message, "No invitations at all", as_=dm.destination.id)
    (alert,) = await delivered(chat, "mod-alert")
    assert alert.destination.kind == "channel" and alert.destination.id == "mod-room"


async def test_no_invitations_at_all_withdraws_pending_ones(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await setup_event(chat, "ben")
    other = await setup_event(chat, organizer="cat")
    await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    (dm,) = await delivered(chat)
    await chat.say("/invites quiet from:00:00 to:23:59", as_="ben")
    queued = await chat.say(f'/invite event:{other} people:"@ben"', as_="cat")
    assert "queued for their quiet hours" in said(queued)
    await chat.press(dm.message, "No invitations at all", as_="ben")
    clock.advance(timedelta(days=1))
    assert await delivered(chat) == []
    assert "withdrawn" in said(await chat.say("/invites sent", as_="cat"))


async def test_a_digest_hour_is_never_changed_silently(chat: Conversation) -> None:
    await meet(chat, "ben")
    for typed, hour in (("07:30", "07"), ("23:45", "23"), ("7:05pm", "19")):
        reply = await chat.say(f"/invites digest every:weekly at:{typed}", as_="ben")
        text = said(reply)
        assert reply.accent == "danger" and "on the hour" in text, text
        assert f"/invites digest every:weekly at:{hour}:00" in text, text
    shown = said(await chat.say("/invites show", as_="ben"))
    assert "Invitations: on, each as it comes." in shown, shown
    ok = said(await chat.say("/invites digest every:weekly at:07:00", as_="ben"))
    assert "every Monday at 07:00 your time" in ok, ok


async def test_off_and_on_keep_a_digest_and_every_off_ends_it(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await setup_event(chat, "ben")
    await chat.say("/invites digest every:daily at:18:00", as_="ben")
    await chat.say("/invites off", as_="ben")
    on = said(await chat.say("/invites on", as_="ben"))
    assert "on again, in one message every day at 18:00 your time" in on, on
    assert "/invites digest every:off" in on, on
    reply = said(await chat.say(f'/invite event:{code} people:"@ben"', as_="ana"))
    assert "ben: queued for their digest" in reply, reply
    ended = said(await chat.say("/invites digest every:off", as_="ben"))
    assert ended == "Your digest has ended: invitations come each as it comes.", ended
    assert "Invitations: on, each as it comes." in said(await chat.say("/invites show", as_="ben"))
    again = said(await chat.say("/invites digest every:off", as_="ben"))
    assert "You had no digest" in again, again
    with_at = said(await chat.say("/invites digest every:off at:09:00", as_="ben"))
    assert "/invites digest every:off alone" in with_at, with_at
    # With invitations on, /invites on still ends a digest, and says so.
    await chat.say("/invites digest every:weekly", as_="ben")
    assert "Your digest has ended" in said(await chat.say("/invites on", as_="ben"))


async def test_quiet_hours_can_be_removed_over_the_default(chat: Conversation) -> None:
    chat.bot.cog("invitations").settings.quiet_from = "00:00"
    chat.bot.cog("invitations").settings.quiet_to = "23:59"  # always quiet, by default
    code = await setup_event(chat, "ben", "cat", "dee")
    shown = said(await chat.say("/invites show", as_="ben"))
    assert "Quiet hours: 00:00 to 23:59" in shown and "/invites quiet off" in shown, shown
    for who, typed in (("ben", "/invites quiet off"), ("cat", "/invites quiet from:none")):
        reply = said(await chat.say(typed, as_=who))
        assert reply == "Quiet hours: none; invitations may come at any hour.", reply
        assert "Quiet hours: none." in said(await chat.say("/invites show", as_=who))
    reply = said(await chat.say(f'/invite event:{code} people:"@ben @cat @dee"', as_="ana"))
    assert "ben: queued to send" in reply and "cat: queued to send" in reply, reply
    assert "dee: queued for their quiet hours" in reply, reply
    half = said(await chat.say("/invites quiet from:22:00", as_="ben"))
    assert "`to:` is missing" in half and "/invites quiet off" in half, half
    mixed = said(await chat.say("/invites quiet from:off to:08:00", as_="ben"))
    assert "/invites quiet off alone" in mixed, mixed


async def test_a_digest_offers_every_choice_of_an_invitation(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await setup_event(chat, "ben", "cat")
    other = await setup_event(chat, organizer="cat")
    await chat.say("/invites digest every:daily at:18:00", as_="ben")
    await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    await chat.say(f'/invite event:{other} people:"@ben"', as_="cat")
    clock.set(datetime(2026, 11, 23, 18, 0, tzinfo=UTC))
    (digest,) = await delivered(chat, "invitation-digest")
    assert [b.label for b in digest.message.buttons] == [
        "Going: Winter party",
        "Not interested: Winter party",
        "No more from ana",
        "Going: Winter party",
        "Not interested: Winter party",
        "No more from cat",
        "No invitations at all",
    ]
    assert f"/rsvp event:{code} answer:yes" in said(digest.message)
    blocked = await chat.press(digest.message, "No more from cat", as_="ben")
    assert "no more invitations from cat" in said(blocked), said(blocked)
    assert "/invites unblock person:@cat" in said(blocked), said(blocked)
    declined = await chat.press(digest.message, "Not interested", as_="ben")
    assert "not this time" in said(declined), said(declined)
    assert "Blocked: cat." in said(await chat.say("/invites show", as_="ben"))
    assert "declined" in said(await chat.say("/invites sent", as_="ana"))


async def test_a_long_digest_keeps_to_the_platforms_button_limits(
    chat: Conversation, clock: ManualClock
) -> None:
    inviters = [f"i{n}" for n in range(10)]
    await meet(chat, "ben", *inviters)
    await chat.say("/limits set per_recipient_week:20", as_="mod")
    await chat.say("/invites digest every:daily at:18:00", as_="ben")
    codes = []
    for who in inviters:
        code = await setup_event(chat, organizer=who)
        codes.append(code)
        reply = said(await chat.say(f'/invite event:{code} people:"@ben"', as_=who))
        assert "queued for their digest" in reply, reply
    clock.set(datetime(2026, 11, 23, 18, 0, tzinfo=UTC))
    (digest,) = await delivered(chat, "invitation-digest")
    labels = [b.label for b in digest.message.buttons]
    assert len(labels) == 25 and labels[-1] == "No invitations at all", labels
    assert labels.count("No more from i7") == 1 and "No more from i8" not in labels, labels
    text = said(digest.message)
    assert "The buttons answer the first 8" in text, text
    assert f"/rsvp event:{codes[8]} answer:yes" in text, text
    # Within both platforms' limits: Discord's 5 rows of 5, Slack's 25 per actions block.
    view = view_for(digest.message)
    assert view is not None and len(view.children) == 25
    assert {getattr(item, "row", None) for item in view.children} == {0, 1, 2, 3, 4}
    (actions,) = [b for b in blocks(digest.message) if b["type"] == "actions"]
    assert len({e["action_id"] for e in actions["elements"]}) == 25
