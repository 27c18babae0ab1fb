"""/mentor as people use it: join, pause, leave, avoid, a dry run, a real round with its
intros, the check-in and each feedback button, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.app import Potluck
from bot.core.clock import ManualClock
from bot.core.delivery import Delivery
from bot.core.messages import Mention, Message
from bot.core.types import Level
from bot.testing import Conversation
from storage.models import AuditRow, MentorPairRow, OutboxRow
from tests.events.conftest import said

MOD = Level.MODERATOR


async def join_six(chat: Conversation) -> None:
    """Two mentors and two mentees whose topics pair them one way, and two peers."""
    chat.zones.update(
        ana="America/Chicago",
        ben="America/Chicago",
        cy="America/New_York",
        dee="Europe/Berlin",
        eli="America/Chicago",
        fay="America/Chicago",
    )
    for who, line in [
        (
            "ana",
            'role:mentor topics:"grant writing" organization:"Elm Street Public" '
            "career_stage:senior capacity:1",
        ),
        ("ben", 'role:mentor topics:"cataloging" organization:"Oak University" career_stage:mid'),
        ("cy", 'role:mentee topics:"grants" organization:"Oak University" career_stage:early'),
        ("dee", 'role:mentee topics:"cataloguing" organization:"Elm Street Public"'),
        ("eli", 'role:peer topics:"outreach" organization:"Pine Library"'),
        ("fay", 'role:peer topics:"outreach" organization:"Birch Library"'),
    ]:
        reply = await chat.say(f"/mentor join {line}", as_=who)
        assert reply.accent == "success", said(reply)


def mentions(delivery: Delivery) -> list[str]:
    return [s.user_id for s in delivery.message.text if isinstance(s, Mention)]


async def test_join_shows_profile_and_normalised_topics(chat: Conversation) -> None:
    reply = await chat.say(
        '/mentor join role:mentee topics:"Grants, Cataloguing, zines" languages:"en, es-MX"',
        as_="cy",
    )
    text = said(reply)
    assert "Welcome!" in text and "mentee" in text
    assert "Topics: cataloging, grant writing, zine" in text  # synonyms, spelling, plurals
    assert "Languages: en, es" in text
    assert "zines" in text.split("kept as typed")[1]  # told which topic no list knows
    again = await chat.say('/mentor join role:peer topics:"x"', as_="cy")
    assert "already take part as a mentee" in said(again) and again.ephemeral
    edited = await chat.say("/mentor edit role:peer", as_="cy")
    assert "Role: peer" in said(edited)


async def test_bad_input_is_refused_with_what_to_type(chat: Conversation) -> None:
    reply = await chat.say('/mentor join role:boss topics:"x"', as_="cy")
    assert "must be one of mentor, mentee, peer" in said(reply)
    reply = await chat.say('/mentor join role:mentee topics:"x" languages:"english!"', as_="cy")
    assert "language code" in said(reply) and 'languages:"en, es"' in said(reply)
    reply = await chat.say("/mentor join role:mentor topics:x capacity:40", as_="cy")
    assert "between 1 and 10" in said(reply)
    reply = await chat.say("/mentor pause", as_="cy")
    assert "no mentoring profile" in said(reply) and "/mentor join" in said(reply)
    await chat.say("/mentor join role:mentee topics:x", as_="cy")
    reply = await chat.say('/mentor pause for:"60 weeks"', as_="cy")
    assert "at most a year" in said(reply)
    reply = await chat.say("/mentor avoid person:cy", as_="cy")
    assert "cannot avoid yourself" in said(reply)
    reply = await chat.say("/mentor avoid person:@ghost", as_="cy")
    assert "ghost has not used Potluck here yet, so there is nobody to avoid." in said(reply)
    assert reply.accent == "danger"


async def test_capacity_is_for_mentors(chat: Conversation) -> None:
    reply = await chat.say("/mentor join role:peer topics:x capacity:3", as_="cy")
    assert "`capacity:` is for mentors" in said(reply) and reply.accent == "danger"
    assert "/mentor profile" not in said(reply)
    await chat.say("/mentor join role:peer topics:x", as_="cy")
    reply = await chat.say("/mentor edit capacity:3", as_="cy")
    assert "`capacity:` is for mentors" in said(reply) and "you take part as a peer" in said(reply)
    reply = await chat.say("/mentor edit role:mentor capacity:3", as_="cy")
    assert "Your profile is updated." in said(reply), said(reply)


async def test_members_cannot_run_moderator_commands(chat: Conversation) -> None:
    for line in ["/mentor round", "/mentor stats", '/mentor schedule kind:peers every:"4 weeks"']:
        reply = await chat.say(line, as_="eli")
        assert "Only moderators" in said(reply) and reply.ephemeral, line
    async with chat.bot.db.sessions() as session:
        assert await session.scalar(select(func.count(AuditRow.id))) == 0


async def test_dry_run_shows_pairs_reasons_and_the_unmatched(chat: Conversation) -> None:
    await join_six(chat)
    await chat.say("/mentor join role:mentee topics:knitting", as_="gus")
    reply = await chat.say("/mentor round kind:mentoring dry_run:yes", as_="mod", level=MOD)
    text = said(reply)
    assert "ana mentors cy" in text and "ben mentors dee" in text
    assert "+30 shared topics: grant writing" in text
    assert "different organizations: Elm Street Public and Oak University" in text
    assert "gus (mentee): nobody the rules allow (no shared topic: 2)" in text
    assert await chat.deliver() == []  # a dry run sends nothing and writes nothing
    async with chat.bot.db.sessions() as session:
        assert await session.scalar(select(func.count(MentorPairRow.id))) == 0


async def test_round_sends_one_intro_per_person_and_check_in(
    chat: Conversation, clock: ManualClock
) -> None:
    await join_six(chat)
    dry = said(await chat.say("/mentor round dry_run:yes", as_="mod", level=MOD))
    assert "ana mentors cy" in dry and "ben mentors dee" in dry
    done = await chat.say("/mentor round", as_="mod", level=MOD)
    assert "2 matches" in said(done)
    sent = await chat.deliver()
    assert sorted(d.destination.id for d in sent) == ["ana", "ben", "cy", "dee"]
    (to_cy,) = chat.to("cy")
    assert mentions(to_cy) == ["ana"] and "Meet your mentor" in said(to_cy.message)
    assert "you both listed grant writing" in said(to_cy.message)
    assert "Elm Street Public and Oak University libraries" in said(to_cy.message)
    assert [b.label for b in to_cy.message.buttons] == ["We met", "Not yet", "Not a good fit"]
    (to_ana,) = chat.to("ana")
    assert mentions(to_ana) == ["cy"] and "Meet your mentee" in said(to_ana.message)

    peers = await chat.say("/mentor round kind:peers", as_="mod", level=MOD)
    assert "1 match" in said(peers)
    await chat.deliver()
    assert mentions(chat.to("eli")[0]) == ["fay"]

    # ana answers; cy is then not asked. ben and dee did not answer: both get a check-in.
    await chat.press(to_ana.message, "We met", as_="ana")
    clock.advance(timedelta(days=14, minutes=1))
    check_ins = [d for d in await chat.deliver() if d.kind == "mentor-check-in"]
    assert sorted(d.destination.id for d in check_ins) == ["ben", "dee", "eli", "fay"]
    assert "How did it go?" in said(check_ins[0].message)
    assert await chat.deliver() == []  # exactly once


async def test_each_feedback_button(chat: Conversation, clock: ManualClock) -> None:
    await join_six(chat)
    await chat.say("/mentor round", as_="mod", level=MOD)
    await chat.deliver()
    intro_cy: Message = chat.to("cy")[0].message
    intro_dee: Message = chat.to("dee")[0].message

    clock.advance(timedelta(days=5))
    reply = await chat.press(intro_cy, "Not yet", as_="cy")
    assert "check in again" in said(reply)
    reply = await chat.press(intro_dee, "Not a good fit", as_="dee")
    assert "will not be matched again" in said(reply)
    reply = await chat.press(intro_cy, "We met", as_="eli")  # someone else's button
    assert "belongs to other people" in said(reply)

    # "Not yet" moved the check-in 14 days from the answer; "Not a good fit" ended it.
    clock.advance(timedelta(days=9, minutes=1))
    assert [d for d in await chat.deliver() if d.kind == "mentor-check-in"] == []
    clock.advance(timedelta(days=5))
    got = [d.destination.id for d in await chat.deliver() if d.kind == "mentor-check-in"]
    assert sorted(got) == ["ana", "cy"]

    # The next round (after the cool-down) never proposes ben + dee again.
    clock.advance(timedelta(days=200))
    text = said(await chat.say("/mentor round dry_run:yes", as_="mod", level=MOD))
    assert "ben mentors dee" not in text
    assert "dee (mentee): nobody the rules allow" in text
    stats = said(await chat.say("/mentor stats", as_="mod", level=MOD))
    assert '"Not a good fit": 1' in stats and "Matches made: 2" in stats
    assert "Meetings reported: 0" in stats


async def test_pause_resume_leave_and_avoid(chat: Conversation, clock: ManualClock) -> None:
    await join_six(chat)
    reply = await chat.say('/mentor pause for:"6 weeks"', as_="cy")
    assert "You are paused until" in said(reply)
    text = said(await chat.say("/mentor round dry_run:yes", as_="mod", level=MOD))
    assert "cy (mentee): paused" in text
    clock.advance(timedelta(weeks=6, minutes=1))  # the pause ends by itself
    text = said(await chat.say("/mentor round dry_run:yes", as_="mod", level=MOD))
    assert "ana mentors cy" in text

    await chat.say("/mentor pause", as_="cy")
    clock.advance(timedelta(days=400))
    assert "cy (mentee): paused" in said(
        await chat.say("/mentor round dry_run:yes", as_="mod", level=MOD)
    )
    await chat.say("/mentor resume", as_="cy")

    reply = await chat.say("/mentor avoid person:ana", as_="cy")
    assert "never be matched with ana" in said(reply) and reply.ephemeral
    assert "Never matched with (only you see this): ana" in said(
        await chat.say("/mentor profile", as_="cy")
    )
    assert "Never matched" not in said(await chat.say("/mentor profile person:cy", as_="ana"))
    text = said(await chat.say("/mentor round dry_run:yes", as_="mod", level=MOD))
    assert "ana mentors cy" not in text and "avoid list: 1" in text

    await chat.say("/mentor leave", as_="dee")
    text = said(await chat.say("/mentor round dry_run:yes", as_="mod", level=MOD))
    assert "dee" not in text
    # Leaving twice, or pausing after leaving, says they left (not that there is no profile),
    # which is what their own profile shows; to others a left person is not in mentoring.
    again = said(await chat.say("/mentor leave", as_="dee"))
    assert "You already left mentoring" in again and "/mentor join" in again
    assert "You left mentoring" in said(await chat.say("/mentor pause", as_="dee"))
    assert "Status: left" in said(await chat.say("/mentor profile", as_="dee"))
    other = said(await chat.say("/mentor profile person:dee", as_="ana"))
    assert "dee is not in mentoring" in other and "Role" not in other
    never = said(await chat.say("/mentor leave", as_="zed"))
    assert "You have no mentoring profile" in never
    assert "Welcome back" in said(
        await chat.say("/mentor join role:mentee topics:cataloging", as_="dee")
    )


async def test_round_is_audited_with_its_numbers(chat: Conversation) -> None:
    await join_six(chat)
    await chat.say("/mentor round", as_="mod", level=MOD)
    async with chat.bot.db.sessions() as session:
        (entry,) = (await session.scalars(select(AuditRow))).all()
    assert entry.kind == "mentor.round" and entry.actor_name == "mod"
    assert entry.detail["matches"] == 2 and entry.detail["kind"] == "mentoring"


async def test_waited_rounds_give_priority(chat: Conversation, clock: ManualClock) -> None:
    # One mentor, two mentees with equal fit: whoever was left out wins the next round.
    for who, topics in [
        ("ana", "grant writing"),
        ("cy", "grant writing"),
        ("dee", "grant writing"),
    ]:
        role = "mentor" if who == "ana" else "mentee"
        await chat.say(f'/mentor join role:{role} topics:"{topics}"', as_=who)
    first = said(await chat.say("/mentor round", as_="mod", level=MOD))
    left_out = first.rsplit("left out: ", 1)[1].split(".")[0]
    clock.advance(timedelta(days=7))
    text = said(await chat.say("/mentor round dry_run:yes", as_="mod", level=MOD))
    assert f"ana mentors {left_out}" in text
    assert f"left out before: {left_out} 1 round" in text
    assert f"{left_out} (1 round)" in said(await chat.say("/mentor stats", as_="mod", level=MOD))


async def test_outbox_rows_name_the_match(bot: Potluck, chat: Conversation) -> None:
    await join_six(chat)
    await chat.say("/mentor round", as_="mod", level=MOD)
    async with bot.db.sessions() as session:
        keys = sorted(k for k in await session.scalars(select(OutboxRow.dedupe_key)) if k)
    assert all(k.startswith("mentor:") for k in keys)
    assert sum(":intro:" in k for k in keys) == 4 and sum(":checkin:" in k for k in keys) == 4


async def test_an_odd_peer_joins_a_trio_and_everyone_hears_of_both_others(
    chat: Conversation,
) -> None:
    for who in ("eli", "fay", "gus"):
        await chat.say(
            f'/mentor join role:peer topics:"outreach" organization:"{who} library"', as_=who
        )
    reply = await chat.say("/mentor round kind:peers", as_="mod", level=MOD)
    assert "1 match" in said(reply) and "left out" not in said(reply)
    sent = await chat.deliver()
    assert sorted(d.destination.id for d in sent) == ["eli", "fay", "gus"]
    for delivery in sent:
        others = sorted({"eli", "fay", "gus"} - {delivery.destination.id})
        assert sorted(mentions(delivery)) == others
        assert "Meet your peers" in said(delivery.message)


async def test_a_trio_intro_addresses_each_reader_and_not_a_good_fit_speaks_of_three(
    chat: Conversation,
) -> None:
    for who, org in (("eli", "Pine"), ("fay", "Oak"), ("gus", "Elm")):
        await chat.say(
            f'/mentor join role:peer topics:"outreach" organization:"{org} Library"', as_=who
        )
    await chat.say("/mentor round kind:peers", as_="mod", level=MOD)
    sent = await chat.deliver()
    for delivery in sent:
        reader = delivery.destination.id
        text = said(delivery.message)
        assert "Why you three: you and " in text, text
        others = sorted({"eli", "fay", "gus"} - {reader})
        # The reader is "you" in each clause about them, and never named as a third person.
        assert "you and " in text and "you both" not in text, text
        assert f"{reader} and " not in text and f"and {reader} " not in text, text
        assert any(f"{a} and {b} both listed" in text for a in others for b in others), text
    (to_gus,) = chat.to("gus")
    reply = await chat.press(to_gus.message, "Not a good fit", as_="gus")
    assert "three" in said(reply) and "You two" not in said(reply)


async def test_avoiding_yourself_suggests_someone_else(chat: Conversation) -> None:
    await chat.say("/mentor join role:mentee topics:x", as_="sam")
    reply = said(await chat.say("/mentor avoid person:@sam", as_="sam"))
    assert "cannot avoid yourself" in reply and "@sam" not in reply, reply
    assert "/mentor avoid person:@" in reply, reply


async def test_leaving_twice_suggests_coming_back_in_the_old_role(chat: Conversation) -> None:
    await chat.say('/mentor join role:mentor topics:"outreach"', as_="ana")
    await chat.say("/mentor leave", as_="ana")
    again = said(await chat.say("/mentor leave", as_="ana"))
    assert "role:mentor" in again and "role:mentee" not in again, again


async def test_a_daily_schedule_reads_every_day(chat: Conversation) -> None:
    reply = said(await chat.say('/mentor schedule kind:peers every:"1 day"', as_="mod", level=MOD))
    assert "A peers round every day;" in reply, reply
    stats = said(await chat.say("/mentor stats", as_="mod", level=MOD))
    assert "every day" in stats and "every 1 day" not in stats, stats


async def test_a_schedule_takes_the_cadence_words_other_commands_take(
    chat: Conversation,
) -> None:
    for word, said_back in (("weekly", "every week;"), ("monthly", "every 4 weeks;")):
        reply = await chat.say(f"/mentor schedule kind:peers every:{word}", as_="mod", level=MOD)
        assert reply.accent == "success" and f"A peers round {said_back}" in said(reply), said(
            reply
        )
    stats = said(await chat.say("/mentor stats", as_="mod", level=MOD))
    assert "Scheduled peers: every 4 weeks" in stats, stats
    wrong = said(await chat.say("/mentor schedule kind:peers every:often", as_="mod", level=MOD))
    assert "every:weekly" in wrong, wrong


async def test_someone_just_matched_is_not_listed_as_waiting(
    chat: Conversation, clock: ManualClock
) -> None:
    # One mentor for two mentees: each round one mentee is matched and the other waits, but
    # the one matched last round is only resting (the cool-down), not passed over.
    await chat.say('/mentor join role:mentor topics:"grant writing" capacity:1', as_="ann")
    for who in ("ben", "cat"):
        await chat.say('/mentor join role:mentee topics:"grant writing"', as_=who)
    first = said(await chat.say("/mentor round", as_="mod", level=MOD))
    left_out = first.rsplit("left out: ", 1)[1].split(".")[0]
    matched = ({"ben", "cat"} - {left_out}).pop()
    stats = said(await chat.say("/mentor stats", as_="mod", level=MOD))
    assert f"Waited longest: {left_out} (1 round)" in stats, stats
    clock.advance(timedelta(days=7))
    second = said(await chat.say("/mentor round", as_="mod", level=MOD))
    assert f"left out: {matched}." in second, second  # ann and them are in their cool-down
    stats = said(await chat.say("/mentor stats", as_="mod", level=MOD))
    assert matched not in stats.split("Waited longest:")[1].split("\n")[0], stats
    assert "Waited longest: nobody is waiting" in stats, stats


async def test_an_avoid_list_without_a_profile_is_shown_by_mentor_profile(
    chat: Conversation,
) -> None:
    await chat.say("/mentor join role:mentee topics:x", as_="sam")  # sam is known here
    await chat.say("/mentor avoid person:@sam", as_="cy")  # cy never joined
    reply = said(await chat.say("/mentor profile", as_="cy"))
    assert "You have no mentoring profile" in reply, reply
    assert "never to be matched with sam" in reply, reply


async def test_a_lone_peer_is_told_there_is_nobody_to_meet(chat: Conversation) -> None:
    await chat.say('/mentor join role:peer topics:"outreach"', as_="fay")
    await chat.say('/mentor join role:mentee topics:"outreach"', as_="cy")
    text = said(await chat.say("/mentor round kind:peers dry_run:yes", as_="mod", level=MOD))
    assert "fay (peer): the only peer taking part" in text, text
    text = said(await chat.say("/mentor round dry_run:yes", as_="mod", level=MOD))
    assert "cy (mentee): no mentor takes part" in text, text
