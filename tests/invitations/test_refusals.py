"""What an inviter and the moderators are told when an invitation is refused or opted out
of: the pause first, counts that agree with their nouns, role posts in the log, and one
complaint per invitation however often its buttons are pressed."""

from __future__ import annotations

from bot.core.messages import Code, Time
from bot.core.types import Level
from bot.testing import Conversation
from tests.invitations.conftest import delivered, meet, said, setup_event


async def test_a_paused_inviter_hears_of_the_pause_first_and_no_budget(
    chat: Conversation,
) -> None:
    code = await setup_event(chat, "ann", "cat")
    await chat.say('/limits pause person:@ann reason:"too eager"', as_="mod")
    reply = said(await chat.say(f'/invite event:{code} people:"@dee @cat"', as_="ann"))
    assert "dee: not sent, your invitations are paused (too eager)" in reply, reply
    assert "cat: not sent, your invitations are paused (too eager)" in reply, reply
    assert "isn't a member" not in reply and "You can invite" not in reply, reply


async def test_limit_refusals_agree_in_number(chat: Conversation) -> None:
    code = await setup_event(chat, "ann", "ben", "cat")
    await chat.say("/limits set person:@ann per_inviter_hour:1", as_="mod")
    reply = said(await chat.say(f'/invite event:{code} people:"@ben @cat"', as_="ann"))
    assert "cat: not sent, you have invited 1 person in an hour, the limit" in reply, reply
    log = said(await chat.say("/modlog kind:invite.blocked", as_="mod"))
    assert "ann invited 1 person in an hour" in log and "1 people" not in log, log


async def test_role_posts_are_logged_with_role_and_event_and_refusals_too(
    chat: Conversation,
) -> None:
    code = await setup_event(chat, "ben")
    await chat.say("/limits set role_posts_day:1", as_="mod")
    ok = await chat.say(f"/invite event:{code} role:@volunteers", as_="mod")
    assert ok.accent == "success", said(ok)
    refused = await chat.say(f"/invite event:{code} role:@readers", as_="mod")
    text = said(refused)
    assert refused.accent == "danger" and "made its 1 role invitation for today" in text
    # The time is a Time segment, shown in each reader's zone and style like other refusals.
    assert "The next can go" in text and any(isinstance(t, Time) for t in refused.text), text
    log = said(await chat.say("/modlog kind:invite.", as_="mod"))
    assert "`invite.role` by mod: @volunteers to Winter party" in log, log
    assert "`invite.blocked` by mod: @readers to Winter party: 1 role post a day" in log, log


async def test_pressing_an_opt_out_again_is_one_complaint(chat: Conversation) -> None:
    code = await setup_event(chat, "ben")
    await chat.say(f'/invite event:{code} people:"@ben"', as_="sam")
    (dm,) = await delivered(chat)
    for choice in ("No more from", "No more from", "No more from", "No invitations at all"):
        await chat.press(dm.message, choice, as_="ben")
    log = said(await chat.say("/modlog kind:invite.complaint", as_="mod"))
    assert log.count("invite.complaint") == 1, log
    await meet(chat, "mod")
    shown = said(await chat.say("/invites show", as_="ben"))
    assert "Invitations: off" in shown and "Blocked: sam" in shown, shown


async def test_a_paused_organizer_posts_no_role_invitation(chat: Conversation) -> None:
    chat.levels["ana"] = Level.ORGANIZER
    code = await setup_event(chat, "ben")
    await chat.say('/limits pause person:@ana reason:"too eager"', as_="mod")
    refused = await chat.say(f"/invite event:{code} role:@volunteers", as_="ana")
    text = said(refused)
    assert refused.accent == "danger" and "Your invitations are paused (too eager)" in text
    assert any(isinstance(t, Time) for t in refused.text), text
    assert await delivered(chat, "invitation-role") == []
    log = said(await chat.say("/modlog kind:invite.blocked", as_="mod"))
    assert "by ana: @volunteers to Winter party: ana's invitations are paused" in log, log


async def test_refusing_yourself_suggests_someone_else(chat: Conversation) -> None:
    code = await setup_event(chat, "ben", "sam")
    reply = said(await chat.say("/invites block person:@ben", as_="ben"))
    assert "can't block yourself" in reply and "@ben" not in reply, reply
    assert "/invites block person:@" in reply, reply
    reply = said(await chat.say(f"/invite event:{code} people:@sam", as_="sam"))
    assert "that's you" in reply and "people:@sam" not in reply, reply


async def test_turning_invitations_on_twice_says_already_on(chat: Conversation) -> None:
    await meet(chat, "ben")
    await chat.say("/invites off", as_="ben")
    assert "on again" in said(await chat.say("/invites on", as_="ben"))
    twice = said(await chat.say("/invites on", as_="ben"))
    assert "already on" in twice and "again" not in twice, twice


async def test_people_everyone_is_refused_as_a_mention_of_everyone(chat: Conversation) -> None:
    code = await setup_event(chat, "ben")
    chat.levels["ana"] = Level.ORGANIZER  # may invite a role, so is told to
    for everyone in ("@everyone", "@here", "<!channel>"):
        reply = await chat.say(f'/invite event:{code} people:"{everyone}"', as_="ana")
        text = said(reply)
        assert reply.accent == "danger" and "never pings everyone" in text, text
        assert "isn't a member" not in text and "role:@" in text, text


async def test_invite_and_invites_sent_use_the_same_words(chat: Conversation) -> None:
    code = await setup_event(chat, "ben")
    invited = said(await chat.say(f"/invite event:{code} people:@ben", as_="ana"))
    assert "ben: queued to send" in invited, invited
    listed = said(await chat.say("/invites sent", as_="ana"))
    assert "queued to send" in listed, listed


async def test_everyone_suggests_only_what_the_inviter_may_send(chat: Conversation) -> None:
    code = await setup_event(chat, "ben", "sam")
    chat.levels["ana"] = Level.ORGANIZER
    member = said(await chat.say('/invite event:Winter people:"@everyone @here"', as_="sam"))
    assert f'/invite event:{code} people:"@ann @ben"' in member, member
    assert "role:" not in member and "k3f9" not in member, member
    organizer = said(await chat.say('/invite event:Winter people:"@everyone"', as_="ana"))
    assert f"/invite event:{code} role:@volunteers" in organizer, organizer
    many = " ".join(f"@p{n}" for n in range(26))
    too_many = said(await chat.say(f'/invite event:Winter people:"{many}"', as_="sam"))
    assert "at most 25" in too_many and "role" not in too_many, too_many
    too_many = said(await chat.say(f'/invite event:Winter people:"{many}"', as_="ana"))
    assert f"/invite event:{code} role:@volunteers" in too_many, too_many
    neither = said(await chat.say("/invite event:Winter", as_="sam"))
    assert f'/invite event:{code} people:"@ann @ben"' in neither, neither
    assert "role:" not in neither, neither


async def test_a_suggested_unblock_works_as_written(chat: Conversation) -> None:
    code = await setup_event(chat, "ben")
    await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    (dm,) = await delivered(chat)
    reply = await chat.press(dm.message, "No more from", as_="ben")
    (suggested,) = [s.text for s in reply.text if isinstance(s, Code)]
    assert suggested == "/invites unblock person:@ana", said(reply)
    assert "ana can invite you again" in said(await chat.say(suggested, as_="ben"))


async def test_invites_sent_says_when_the_event_was_cancelled(chat: Conversation) -> None:
    code = await setup_event(chat, "ben")
    await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    await delivered(chat)
    await chat.say(f'/event cancel id:{code} reason:"Rain"', as_="ana")
    listed = said(await chat.say("/invites sent", as_="ana"))
    assert "delivered; the event was cancelled" in listed, listed
