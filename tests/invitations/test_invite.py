"""Inviting people through the real command path: the private answer, the DM with its
buttons, each refusal with its wording."""

from __future__ import annotations

from datetime import timedelta

from bot.app import Potluck
from bot.core.clock import ManualClock
from bot.core.types import Level
from bot.testing import Conversation
from tests.invitations.conftest import delivered, said, setup_event


async def test_an_invitation_is_a_dm_with_the_card_and_three_more_buttons(
    chat: Conversation,
) -> None:
    code = await setup_event(chat, "ben")
    reply = await chat.say(f'/invite event:{code} people:"@ben" note:"Bring cocoa"', as_="ana")
    assert reply.ephemeral
    assert "ben: queued to send" in said(reply)
    (dm,) = await delivered(chat)
    assert dm.destination.kind == "person" and dm.destination.id == "ben"
    assert dm.kind == "invitation"
    text = said(dm.message)
    assert "You're invited" in text and "ana invites you" in text and "Bring cocoa" in text
    labels = [b.label for b in dm.message.buttons]
    assert labels == [
        "Going",
        "Maybe",
        "Can't go",
        "Not interested",
        "No more from ana",
        "No invitations at all",
    ]
    answer = await chat.press(dm.message, "Going", as_="ben")
    assert answer.accent == "success"
    sent = await chat.say(f"/invites sent event:{code}", as_="ana")
    assert "ben" in said(sent) and "answered: going" in said(sent)


async def test_each_refusal_says_why_and_nothing_is_sent(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await setup_event(chat, "ben", "cat", "dan", "eve")
    await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    await chat.say(f"/rsvp {code} yes", as_="cat")
    await chat.say("/invites off", as_="dan")
    await chat.say("/invites block person:@ana", as_="eve")
    await chat.deliver()
    clock.advance(timedelta(hours=2))
    reply = await chat.say(
        f'/invite event:{code} people:"@ben @cat @dan @eve @zed @ana"', as_="ana"
    )
    text = said(reply)
    assert "ben: not sent, already invited on 2026-11-23" in text
    assert "cat: not sent, is already going" in text
    assert "dan: not sent, has turned invitations off" in text
    assert "eve: not sent, doesn't take invitations from you" in text
    assert "zed: not sent, isn't a member of this community" in text
    assert "ana: not sent, that's you" in text
    assert reply.accent == "danger"
    assert await delivered(chat) == []


async def test_the_hourly_limit_says_how_many_are_left_and_when(chat: Conversation) -> None:
    names = [f"p{i}" for i in range(12)]
    code = await setup_event(chat, *names)
    await chat.say("/limits set per_inviter_hour:10", as_="mod")
    first = await chat.say(f'/invite event:{code} people:"@p0 @p1 @p2 @p3 @p4 @p5"', as_="ana")
    assert "You can invite 4 more people this hour" in said(first)
    second = await chat.say(f'/invite event:{code} people:"@p6 @p7 @p8 @p9 @p10 @p11"', as_="ana")
    text = said(second)
    assert text.count(": queued to send") == 4
    assert "p10: not sent, you have invited 10 people in an hour, the limit; possible again" in text
    assert "You can invite 0 more people this hour; the next after" in text
    assert len(await delivered(chat)) == 10


async def test_daily_event_and_recipient_limits(chat: Conversation, clock: ManualClock) -> None:
    code = await setup_event(chat, "ben", "cat", "dan")
    other = await setup_event(chat, organizer="ana")
    await chat.say("/limits set per_inviter_day:2 per_event:1 per_recipient_week:1", as_="mod")
    reply = await chat.say(f'/invite event:{code} people:"@ben @cat"', as_="ana")
    assert "cat: not sent, this event has had its 1 invitation (the limit)" in said(reply)
    reply = await chat.say(f'/invite event:{other} people:"@ben"', as_="ana")
    assert "ben: not sent, has had 1 invitation this week, the most anyone gets" in said(reply)
    reply = await chat.say(f'/invite event:{other} people:"@cat"', as_="ana")
    assert "cat: queued to send" in said(reply)
    third = await setup_event(chat, organizer="ana")
    reply = await chat.say(f'/invite event:{third} people:"@dan"', as_="ana")
    assert "dan: not sent, you have invited 2 people in a day, the limit" in said(reply)


async def test_limits_per_person_and_role_override_the_community(chat: Conversation) -> None:
    code = await setup_event(chat, "ben", "cat", "dan")
    await chat.say("/limits set role:member per_inviter_hour:1", as_="mod")
    await chat.say("/limits set person:@ana per_inviter_hour:2", as_="mod")
    reply = await chat.say(f'/invite event:{code} people:"@ben @cat @dan"', as_="ana")
    assert said(reply).count(": queued to send") == 2
    reply = await chat.say(f'/invite event:{code} people:"@dan"', as_="ben")
    assert "dan: queued to send" in said(reply)


async def test_inviting_needs_people_or_a_role(chat: Conversation) -> None:
    code = await setup_event(chat, "ben")
    chat.levels["ana"] = Level.ORGANIZER
    reply = await chat.say(f"/invite event:{code}", as_="ana")
    assert "Give either `people:` or `role:`" in said(reply)
    reply = await chat.say(f'/invite event:{code} people:"ben"', as_="ana")
    assert "must be mentions like @ann @ben" in said(reply)


async def test_a_role_post_mentions_only_that_role_and_is_limited_per_day(
    chat: Conversation, bot: Potluck
) -> None:
    from bot.core.messages import Mention, RoleMention

    code = await setup_event(chat)
    refused = await chat.say(f"/invite event:{code} role:@volunteers", as_="ben")
    assert "Only organizers can invite a role" in said(refused)
    await chat.say("/limits set role_posts_day:1", as_="mod")
    ok = await chat.say(f"/invite event:{code} role:@volunteers", as_="mod")
    assert ok.accent == "success"
    (post,) = await delivered(chat, "invitation-role")
    assert post.destination.kind == "channel"
    assert post.message.mentioned_role_ids == ["volunteers"]
    assert post.message.mentioned_user_ids == []
    assert [s for s in post.message.text if isinstance(s, RoleMention | Mention)] == [
        RoleMention(role_id="volunteers", name="volunteers")
    ]
    again = await chat.say(f"/invite event:{code} role:@volunteers", as_="mod")
    assert "@volunteers was already invited to" in said(again)
    assert f"/invite event:{code} people:" in said(again), said(again)
    other = await chat.say(f"/invite event:{code} role:@readers", as_="mod")
    assert "made its 1 role invitation for today" in said(other)
    assert "/limits set role_posts_day:2" in said(other), said(other)
    everyone = await chat.say(f"/invite event:{code} role:@everyone", as_="mod")
    assert "never pings everyone" in said(everyone)


async def test_a_role_is_invited_once_and_a_refused_repeat_uses_no_allowance(
    chat: Conversation,
) -> None:
    code = await setup_event(chat)
    await chat.say("/limits set role_posts_day:2", as_="mod")
    assert (await chat.say(f"/invite event:{code} role:@volunteers", as_="mod")).accent == "success"
    again = await chat.say(f"/invite event:{code} role:@volunteers", as_="mod")
    assert "@volunteers was already invited to" in said(again)
    assert again.ephemeral
    assert (await chat.say(f"/invite event:{code} role:@readers", as_="mod")).accent == "success"
    posts = await delivered(chat, "invitation-role")
    assert sorted(p.message.mentioned_role_ids[0] for p in posts) == ["readers", "volunteers"]


async def test_each_invitation_of_one_invite_carries_its_own_answer_buttons(
    chat: Conversation,
) -> None:
    names = ["ben", "cat", "dan"]
    code = await setup_event(chat, *names)
    await chat.say(f'/invite event:{code} people:"@ben @cat @dan"', as_="ana")
    dms = {dm.destination.id: dm for dm in await delivered(chat)}
    assert sorted(dms) == names
    for name in names:
        answer = await chat.press(dms[name].message, "Not interested", as_=name)
        assert answer.accent == "success", said(answer)


def test_an_invitation_payload_is_the_card_with_that_invitations_buttons() -> None:
    from bot.core.messages import Button, Message
    from cogs.invitations.replies import answer_buttons, invitation_payloads

    def card(invitation_id: int, *extra: Button) -> Message:
        return Message(
            title="You're invited: Winter party",
            text=['"value":"0:decline"'],
            buttons=[
                Button(label="Going", action="rsvp", value="k3f9:yes"),
                *extra,
                *answer_buttons(invitation_id, "ana"),
            ],
        )

    assert invitation_payloads(card(0), "ana", [7, 12]) == [
        card(7).model_dump_json(),
        card(12).model_dump_json(),
    ]
    # A button of the card's own whose value reads like an answer's keeps its value.
    odd = Button(label="Odd", action="other", value="0:x")
    assert invitation_payloads(card(0, odd), "ana", [7]) == [card(7, odd).model_dump_json()]


async def test_refusals_by_a_pause_or_a_limit_are_in_the_audit_log(chat: Conversation) -> None:
    code = await setup_event(chat, "ben", "cat", "dan")
    await chat.say("/limits set per_inviter_hour:1", as_="mod")
    await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    await chat.say(f'/invite event:{code} people:"@ben @cat @dan"', as_="ana")
    log = said(await chat.say("/modlog kind:invite.blocked", as_="mod"))
    limit = "ana invited 1 person in an hour, the limit"
    assert f"by ana about dan: {limit}" in log and f"by ana about cat: {limit}" in log, log
    assert log.count("invite.blocked") == 2  # "already invited" is no limit


async def test_a_name_that_is_no_platform_id_finds_the_person_by_display_name(
    chat: Conversation,
) -> None:
    code = await setup_event(chat, "ben", "cat")
    reply = await chat.say(f'/invite event:{code} people:"@BEN @cat @Zed"', as_="ana")
    text = said(reply)
    assert "ben: queued to send" in text and "cat: queued to send" in text, text
    assert "Zed: not sent, isn't a member of this community" in text
    assert sorted(dm.destination.id for dm in await delivered(chat)) == ["ben", "cat"]


async def test_beyond_the_new_dm_pace_invitations_queue_behind_those_waiting(
    chat: Conversation, bot: Potluck
) -> None:
    names = [f"p{i}" for i in range(6)]
    code = await setup_event(chat, *names)
    bot.outbox.direct_messages.limits["console"] = 2  # new DMs per minute
    first = said(await chat.say(f'/invite event:{code} people:"@p0 @p1 @p2 @p3 @p4"', as_="ana"))
    assert first.count(": queued to send") == 2, first
    assert "p2: queued for a gentle pace of new messages, until 2026-11-23 12:01" in first
    assert "p4: queued for a gentle pace of new messages, until 2026-11-23 12:02" in first
    # Five wait now: the sixth goes in the third minute.
    second = said(await chat.say(f'/invite event:{code} people:"@p5"', as_="ana"))
    assert "p5: queued for a gentle pace of new messages, until 2026-11-23 12:02" in second


async def test_a_person_named_twice_is_invited_once_however_typed(chat: Conversation) -> None:
    code = await setup_event(chat, "p13")
    reply = said(
        await chat.say(f'/invite event:{code} people:"@p13 @p13 @P13 @ghost @GHOST"', as_="ana")
    )
    assert reply.count("p13") == 1 and "p13: queued to send" in reply, reply
    assert "already invited" not in reply, reply
    assert reply.count("ghost") + reply.count("GHOST") == 1, reply
    assert "You can invite 9 more people this hour" in reply, reply
    assert [d.destination.id for d in await delivered(chat)] == ["p13"]
