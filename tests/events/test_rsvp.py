"""RSVPs as people experience them: capacity with guests, the waitlist, promotions, changes of
mind, deadlines, organizers, and events of other communities."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.app import Potluck
from bot.core.clock import ManualClock
from bot.core.messages import Time
from bot.core.types import Level
from bot.testing import Conversation
from storage.models import EventRow, RsvpRow
from tests.events.conftest import create, said

PARTY = '/event create title:"Winter party" when:"next friday 6pm" capacity:3'


async def test_full_party_waitlists_and_the_first_party_that_fits_moves_up(
    chat: Conversation,
) -> None:
    code = await create(chat, PARTY)
    assert "You're going" in said(
        await chat.say(f"/rsvp event:{code} answer:yes guests:1", as_="sam")
    )
    assert "You're going" in said(await chat.say(f"/rsvp {code} yes", as_="lee"))
    raj = await chat.say(f"/rsvp event:{code} answer:yes guests:1", as_="raj")
    assert "on the waitlist at position 1" in said(raj)
    kim = await chat.say(f"/rsvp event:{code} answer:yes", as_="kim")
    assert "on the waitlist at position 2" in said(kim)
    await chat.deliver()

    # One spot opens: raj's party of two does not fit, so kim (a party of one) passes.
    lee = await chat.say(f"/rsvp event:{code} answer:no", as_="lee")
    assert "Your spot went to kim" in said(lee)
    sent = await chat.deliver()
    assert [d.destination.id for d in sent if d.destination.kind == "person"] == ["kim"]
    assert "A spot opened up" in said(chat.to("kim")[0].message)
    card = [d for d in sent if d.kind == "card-edit"][-1].message
    assert "3 of 3 spots" in said(card) and "Waitlist: 1 party (2 people)" in said(card)

    # Two spots open: now raj's party fits.
    await chat.say(f"/rsvp event:{code} answer:no", as_="sam")
    await chat.deliver()
    assert len(chat.to("raj")) == 1 and "with 1 guest" in said(chat.to("raj")[0].message)
    attendees = await chat.say(f"/event attendees id:{code}", as_="ana")
    text = said(attendees)
    assert "• kim" in text and "• raj +1 guest" in text and "Waitlist" not in text
    csv = attendees.files[0].content.decode()
    assert csv.splitlines()[0].startswith("name,user_id,answer,guests,waitlist_position")
    assert "raj,raj,going,1" in csv


async def test_a_big_party_waits_for_enough_spots_while_a_smaller_one_passes(
    chat: Conversation,
) -> None:
    code = await create(chat, PARTY)
    await chat.say(f"/rsvp {code} yes", as_="ada")
    await chat.say(f"/rsvp event:{code} answer:yes guests:1", as_="bo")
    big = await chat.say(f"/rsvp event:{code} answer:yes guests:2", as_="cy")
    assert "position 1 with 2 guests" in said(big)
    await chat.say(f"/rsvp {code} yes", as_="di")
    await chat.say(f"/rsvp {code} no", as_="ada")  # 1 spot: cy's party of 3 waits, di passes
    await chat.deliver()
    assert chat.to("di") and not chat.to("cy")
    await chat.say(f"/rsvp {code} no", as_="bo")  # 2 spots: still not 3
    await chat.deliver()
    assert not chat.to("cy")
    await chat.say(f"/rsvp {code} no", as_="di")  # 3 spots
    await chat.deliver()
    assert len(chat.to("cy")) == 1


async def test_second_click_and_changed_answers_never_duplicate(
    chat: Conversation, bot: Potluck
) -> None:
    card = await chat.say(PARTY, as_="ana")
    code = card.footer[1].text  # type: ignore[union-attr]
    first = await chat.press(card, "Going", as_="sam")
    again = await chat.press(card, "Going", as_="sam")
    assert first.ephemeral and "You're going" in said(first)
    assert "You're already going" in said(again)
    maybe = await chat.press(card, "Maybe", as_="sam")
    assert "maybe" in said(maybe)
    bigger = await chat.say(f"/rsvp event:{code} answer:yes guests:2", as_="sam")
    assert "with 2 guests" in said(bigger)
    await chat.say(f"/rsvp {code} yes", as_="lee")  # now full: 3 of 3
    # Asking for one more guest than fits keeps the spot and says how many fit.
    await chat.say(f"/rsvp {code} no", as_="lee")
    too_many = await chat.say(f"/rsvp event:{code} answer:yes guests:3", as_="sam")
    assert too_many.accent == "danger"
    assert "at most 2 guests" in said(too_many) and "keep your spot with 2 guests" in said(too_many)
    async with bot.db.sessions() as session:
        rows = await session.scalar(select(func.count()).select_from(RsvpRow))
    assert rows == 2
    shown = said(await chat.say(f"/event show id:{code}", as_="zoe"))
    assert "3 of 3 spots (1 person + 2 guests)" in shown


async def test_many_answers_make_one_card_edit(chat: Conversation) -> None:
    card = await chat.say(PARTY.replace("capacity:3", "capacity:50"), as_="ana")
    for who in ("a1", "a2", "a3", "a4", "a5"):
        await chat.press(card, "Going", as_=who)
    sent = await chat.deliver()
    assert [d.kind for d in sent] == ["announcement", "card-edit"]
    assert "5 of 50 spots" in said(sent[1].message)
    assert sent[1].edit_ref == "msg-1"  # edits the announcement that was just posted


async def test_lowering_capacity_moves_the_latest_yeses_back_and_tells_them(
    chat: Conversation,
) -> None:
    code = await create(chat, PARTY.replace("capacity:3", "capacity:4"))
    for who in ("ada", "bo", "cy", "di"):
        await chat.say(f"/rsvp {code} yes", as_=who)
    await chat.deliver()
    edited = await chat.say(f"/event edit id:{code} capacity:2", as_="ana")
    assert "Updated capacity" in said(edited) and "2 of 2 spots" in said(edited)
    await chat.deliver()
    assert not chat.to("ada") and not chat.to("bo")
    assert "waitlist at position 1" in said(chat.to("cy")[0].message)
    assert "waitlist at position 2" in said(chat.to("di")[0].message)
    await chat.say(f"/event edit id:{code} capacity:3", as_="ana")
    await chat.deliver()
    assert "A spot opened up" in said(chat.to("cy")[-1].message)
    assert len(chat.to("di")) == 1


async def test_answers_close_at_the_deadline_and_at_the_start(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY + ' deadline:"thursday noon"')
    clock.advance(days=3, hours=1)  # Thursday 13:00 UTC
    late = await chat.say(f"/rsvp {code} yes", as_="sam")
    assert late.ephemeral and late.accent == "danger"
    assert "closed at" in said(late)
    assert any(isinstance(s, Time) for s in late.text)  # shown in the reader's own zone
    other = await create(chat, '/event create title:"Lunch" when:"friday noon"')
    clock.advance(days=1)  # Friday 13:00
    started = await chat.say(f"/rsvp {other} maybe", as_="sam")
    assert "already started" in said(started) and started.accent == "danger"


async def test_an_event_of_another_community_is_not_found(bot: Potluck, chat: Conversation) -> None:
    code = await create(chat, PARTY)
    elsewhere = Conversation.attach(bot, community_id="other-guild", community_name="Other")
    for line in (f"/rsvp {code} yes", f"/event show id:{code}", '/event show id:"Winter party"'):
        reply = await elsewhere.say(line, as_="sam")
        assert reply.ephemeral and "There is no event" in said(reply), said(reply)
        assert "/event list" in said(reply)


async def test_only_organizers_change_an_event(chat: Conversation) -> None:
    code = await create(chat, PARTY)
    denied = await chat.say(f'/event edit id:{code} title:"Mine now"', as_="sam")
    assert "Only the organizer can edit" in said(denied) and "Ask ana" in said(denied)
    assert "Only the organizer can see the attendees" in said(
        await chat.say(f"/event attendees id:{code}", as_="sam")
    )
    ok = await chat.say(
        f'/event edit id:{code} title:"Solstice party"', as_="olu", level=Level.ORGANIZER
    )
    assert ok.accent == "success" and "Solstice party" in said(ok)
    cancelled = await chat.say(f"/event cancel id:{code}", as_="mo", level=Level.MODERATOR)
    assert "is cancelled" in said(cancelled)


async def test_titles_work_as_ids_and_ambiguity_is_explained(chat: Conversation) -> None:
    await create(chat, PARTY)
    await create(chat, '/event create title:"Winter reading club" when:"next monday 6pm"')
    assert "You're going" in said(
        await chat.say('/rsvp event:"winter party" answer:yes', as_="sam")
    )
    both = await chat.say('/rsvp event:"winter" answer:yes', as_="sam")
    assert "matches several events" in said(both) and "Use the event id" in said(both)


async def test_cancel_tells_everyone_who_answered_and_marks_the_card(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY)
    for who, answer in (
        ("sam", "yes"),
        ("lee", "maybe"),
        ("raj", "no"),
        ("kim", "yes"),
        ("ida", "yes"),
        ("jo", "yes guests:2"),
    ):
        await chat.say(f"/rsvp event:{code} answer:{answer}", as_=who)
    await chat.deliver()
    reply = await chat.say(f'/event cancel id:{code} reason:"Snow storm"', as_="ana")
    assert "telling 5 people" in said(reply)
    sent = await chat.deliver()
    told = sorted(d.destination.id for d in sent if d.kind == "event-cancelled")
    assert told == ["ida", "jo", "kim", "lee", "sam"]
    assert "Snow storm" in said(chat.to("sam")[-1].message)
    card = [d for d in sent if d.kind == "card-edit"][-1].message
    assert "(cancelled)" in (card.title or "") and not card.buttons
    refused = await chat.say(f"/rsvp {code} yes", as_="new")
    assert "is cancelled" in said(refused)
    clock.advance(days=4)  # past every reminder's due time: none was left behind
    assert not [d for d in await chat.deliver() if d.kind == "reminder"]


async def test_rsvp_autocomplete_offers_upcoming_events(bot: Potluck, chat: Conversation) -> None:
    code = await create(chat, PARTY)
    await create(chat, '/event create title:"Book swap" when:"tomorrow 5pm"')
    offered = await bot.dispatcher.suggest(chat.actor("sam"), "rsvp", "event", "win")
    assert [(label.split(", ")[0], c) for label, c in offered] == [("Winter party", code)]
    assert offered[0][0].endswith(f" 18:00 ({code})"), offered
    everything = await bot.dispatcher.suggest(chat.actor("sam"), "event show", "id", "")
    assert [label.split(", ")[0] for label, _ in everything] == [
        "Book swap",
        "Winter party",
    ]  # soonest first


async def test_checkin_and_followup(chat: Conversation, clock: ManualClock) -> None:
    code = await create(
        chat, '/event create title:"Mini-conference" when:"next friday 6pm" kind:conference'
    )
    for who, answer in (("sam", "yes"), ("lee", "maybe"), ("raj", "no")):
        await chat.say(f"/rsvp {code} {answer}", as_=who)
    early = await chat.say(f"/event checkin id:{code}", as_="sam")
    assert "opens 2 hours before" in said(early)
    clock.set(clock.now().replace(day=27, hour=17, minute=30))
    assert "Checked in: sam" in said(await chat.say(f"/event checkin id:{code}", as_="sam"))
    assert "Only the organizer can check others in" in said(
        await chat.say(f"/event checkin id:{code} person:lee", as_="sam")
    )
    walk_in = await chat.say(f"/event checkin id:{code} person:raj", as_="ana")
    assert "Checked in: raj" in said(walk_in) and "2 of 2 going are here" in said(walk_in)
    clock.advance(timedelta(days=1))
    await chat.deliver()
    line = f'/event followup id:{code} link:https://example.org/recording note:"Slides too"'
    assert "to 3 people" in said(await chat.say(line, as_="ana"))  # sam, raj (now going), lee
    await chat.say(line, as_="ana")  # sent twice by mistake: nobody gets it twice
    sent = [d for d in await chat.deliver() if d.kind == "event-followup"]
    assert sorted(d.destination.id for d in sent) == ["lee", "raj", "sam"]
    assert "https://example.org/recording" in said(sent[0].message)
    bad = await chat.say(f"/event followup id:{code} link:recording.mp4", as_="ana")
    assert "must be a web address" in said(bad)


async def test_a_followup_with_nobody_attending_sends_nothing(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, '/event create title:"Mine" when:"tomorrow 5pm"')
    clock.advance(timedelta(days=2))
    await chat.deliver()
    line = f"/event followup id:{code} link:https://example.org/recording"
    reply = await chat.say(line, as_="ana")
    assert "nobody to send the follow-up to" in said(reply), said(reply)
    assert "Sending" not in said(reply) and reply.accent == "danger"
    assert [d for d in await chat.deliver() if d.kind == "event-followup"] == []


async def test_event_list_shows_upcoming_past_and_all(
    chat: Conversation, clock: ManualClock
) -> None:
    soon = await create(chat, '/event create title:"Book swap" when:"tomorrow 5pm"')
    later = await create(chat, PARTY)
    await chat.say(f"/rsvp {soon} yes", as_="sam")
    clock.advance(days=2)
    upcoming = said(await chat.say("/event list", as_="sam"))
    assert f"Winter party ({later})" in upcoming and "Book swap" not in upcoming
    past = await chat.say("/event list when:past", as_="sam")
    assert [f.name for f in past.fields] == [f"☕ Book swap ({soon})"]
    assert "Held" in said(past) and "Went: 1" in said(past)
    everything = said(await chat.say("/event list when:all", as_="sam"))
    assert "Book swap" in everything and "Winter party" in everything


async def test_a_party_bigger_than_the_event_is_refused_not_waitlisted(chat: Conversation) -> None:
    code = await create(chat, PARTY.replace("capacity:3", "capacity:2"))
    big = await chat.say(f"/rsvp event:{code} answer:yes guests:5", as_="sam")
    assert big.accent == "danger" and "waitlist" not in said(big)
    assert "has 2 spots in all" in said(big) and "at most 1 guest" in said(big)
    assert "guests:1" in said(big)  # what to type instead
    assert "You're going" in said(
        await chat.say(f"/rsvp event:{code} answer:yes guests:1", as_="sam")
    )
    # Someone already waiting cannot grow their party past the size of the event either.
    await chat.say(f"/rsvp {code} yes", as_="lee")
    assert "waitlist" in said(await chat.say(f"/rsvp {code} yes", as_="lee"))
    grown = await chat.say(f"/rsvp event:{code} answer:yes guests:2", as_="lee")
    assert grown.accent == "danger" and "at most 1 guest" in said(grown)


async def test_a_cancelled_event_card_says_when_it_was_planned(chat: Conversation) -> None:
    code = await create(chat, PARTY)
    await chat.say(f'/event cancel id:{code} reason:"Snow storm"', as_="ana")
    card = await chat.say(f"/event show id:{code}", as_="sam")
    text = said(card)
    assert "Cancelled — was planned for" in text and "Snow storm" in text
    assert "No upcoming dates" not in text and "first held" not in text
    assert [s.at.day for s in card.text if isinstance(s, Time)] == [27]  # type: ignore[union-attr]
    listed = said(await chat.say("/event list when:all", as_="sam"))
    assert "Winter party" in listed and "Cancelled — was planned for" in listed


async def test_people_moved_back_by_a_lower_capacity_go_to_the_front_of_the_waitlist(
    chat: Conversation,
) -> None:
    code = await create(chat, PARTY.replace("capacity:3", "capacity:4"))
    await chat.say(f"/rsvp event:{code} answer:yes guests:1", as_="ada")
    await chat.say(f"/rsvp event:{code} answer:yes guests:2", as_="cy")  # a party of 3 waits
    for who in ("di", "bo"):  # parties of one fit, and pass cy
        assert "You're going" in said(await chat.say(f"/rsvp {code} yes", as_=who))
    await chat.say(f"/event edit id:{code} capacity:3", as_="ana")
    await chat.deliver()
    # bo, the latest yes, loses the seat, but had one, so waits ahead of cy (who came first).
    assert "waitlist at position 1" in said(chat.to("bo")[-1].message)
    listed = said(await chat.say(f"/event attendees id:{code}", as_="ana"))
    assert "1. bo" in listed and "2. cy +2 guests" in listed
    assert "still on the waitlist for Winter party at position 2" in said(
        await chat.say(f"/rsvp event:{code} answer:yes guests:2", as_="cy")
    )
    await chat.say(f"/rsvp {code} no", as_="di")
    await chat.deliver()
    assert "A spot opened up" in said(chat.to("bo")[-1].message)
    assert not chat.to("cy")


async def test_event_lists_keep_the_newest_events_when_there_are_hundreds(
    bot: Potluck, chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, '/event create title:"Newest" when:"next friday 6pm"')
    async with bot.db.transaction() as session:
        row = (await session.scalars(select(EventRow).where(EventRow.code == code))).one()
        now = clock.now()
        for i in range(230):  # more than one query's worth of past events
            session.add(
                EventRow(
                    community_id=row.community_id,
                    code=f"old{i:03d}",
                    platform=row.platform,
                    channel_id=row.channel_id,
                    title=f"Old {i:03d}",
                    kind="meetup",
                    timezone="UTC",
                    starts_at=now - timedelta(days=i + 1),
                    duration_minutes=60,
                    reminder_minutes=[],
                    reminders_in="dm",
                    status="scheduled",
                    sequence=0,
                    created_at=now,
                    updated_at=now,
                )
            )
    past = await chat.say("/event list when:past", as_="sam")
    names = [f.name.split(" (")[0][2:] for f in past.fields]
    assert names == [f"Old {i:03d}" for i in range(25)]  # most recent first
    everything = await chat.say("/event list when:all", as_="sam")
    names = [f.name.split(" (")[0][2:] for f in everything.fields]
    assert names[:3] == ["Newest", "Old 000", "Old 001"]  # upcoming, then most recent past


async def test_a_waiting_party_too_big_for_a_lowered_capacity_is_told_once(
    chat: Conversation,
) -> None:
    code = await create(chat, PARTY.replace("capacity:3", "capacity:4"))
    await chat.say(f"/rsvp event:{code} answer:yes guests:1", as_="ada")
    await chat.say(f"/rsvp event:{code} answer:yes guests:2", as_="cy")  # a party of 3 waits
    await chat.say(f"/event edit id:{code} capacity:2", as_="ana")
    await chat.say(f'/event edit id:{code} description:"Bring a dish"', as_="ana")
    await chat.deliver()
    told = [d for d in chat.to("cy") if "no longer fits" in (d.message.title or "")]
    assert len(told) == 1  # once per capacity, not on every edit
    assert f"/rsvp event:{code} answer:yes guests:1" in said(told[0].message)
    fits = await chat.say(f"/rsvp event:{code} answer:yes guests:1", as_="cy")
    assert "waitlist" in said(fits)


async def test_a_party_moved_back_that_no_longer_fits_gets_one_clear_message(
    chat: Conversation,
) -> None:
    code = await create(chat, PARTY.replace("capacity:3", "capacity:4"))
    await chat.say(f"/rsvp event:{code} answer:yes guests:3", as_="sam")  # going, party of 4
    await chat.say(f"/event edit id:{code} capacity:2", as_="ana")
    await chat.deliver()
    titles = [d.message.title or "" for d in chat.to("sam")]
    assert len(titles) == 1 and "no longer fits" in titles[0]  # not also "back on the waitlist"
    await chat.say(f"/event edit id:{code} capacity:3", as_="ana")  # raised: nothing to say
    await chat.deliver()
    assert len(chat.to("sam")) == 1


async def test_a_spot_that_goes_to_two_people_names_them_as_a_sentence_does(
    chat: Conversation,
) -> None:
    code = await create(chat, PARTY)
    await chat.say(f"/rsvp {code} yes guests:2", as_="sam")  # all 3 spots
    for who in ("kim", "raj", "lee"):
        await chat.say(f"/rsvp {code} yes", as_=who)
    text = said(await chat.say(f"/rsvp {code} no", as_="sam"))
    assert "Your spot went to kim, raj and lee from the waitlist." in text, text
    await chat.say(f"/rsvp {code} yes guests:1", as_="sam")  # waits behind them
    await chat.say(f"/rsvp {code} yes", as_="ann")
    by_organizer = said(await chat.say(f"/rsvp {code} no person:@kim", as_="ana"))
    assert "Their spot went to ann." in by_organizer, by_organizer
