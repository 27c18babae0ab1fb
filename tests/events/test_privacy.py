"""A person's event data can be exported and forgotten; forgetting frees their seat."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.app import Potluck
from bot.core.clock import ManualClock
from bot.core.commands import Cog
from bot.core.delivery import Delivery, Undeliverable
from bot.core.messages import Mention, Message
from bot.testing import Conversation
from storage.models import OutboxRow
from tests.events.conftest import create, said


async def test_export_and_forget(chat: Conversation) -> None:
    code = await create(
        chat, '/event create title:"Winter party" when:"next friday 6pm" capacity:1', as_="sam"
    )
    await chat.say(f"/rsvp {code} yes", as_="sam")
    await chat.say(f"/rsvp {code} yes", as_="kim")  # waitlisted
    exported = await chat.say("/privacy export", as_="sam")
    data = json.loads(exported.files[0].content)
    assert data["events"]["rsvps"][0]["answer"] == "going"
    assert data["events"]["events_created"][0]["event_id"] == code

    confirm = await chat.say("/privacy forget", as_="sam")
    await chat.press(confirm, "Yes", as_="sam")
    await chat.deliver()
    # sam's seat went to kim, who is told; the event stays, without naming sam.
    assert "A spot opened up" in said(chat.to("kim")[-1].message)
    card = await chat.say(f"/event show id:{code}", as_="kim")
    assert "1 of 1 spot" in said(card) and "organized by" not in said(card)
    assert (
        not json.loads((await chat.say("/privacy export", as_="sam")).files[0].content)
        .get("events", {})
        .get("rsvps")
    )


async def test_forgetting_someone_removes_them_from_pending_channel_reminders(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(
        chat,
        '/event create title:"Book club" when:"next friday 6pm" remind_in:channel reminders:2h',
    )
    await chat.say(f"/rsvp {code} yes", as_="sam")
    await chat.say(f"/rsvp {code} maybe", as_="lee")
    confirm = await chat.say("/privacy forget", as_="sam")
    await chat.press(confirm, "Yes", as_="sam")
    clock.set(datetime(2026, 11, 27, 16, 0, tzinfo=UTC))
    (reminder,) = [d for d in await chat.deliver() if d.kind == "reminder"]
    assert [s.user_id for s in reminder.message.text if isinstance(s, Mention)] == ["lee"]


class RefusesDMsTo:
    """The harness's sender, except that direct messages to some people cannot be delivered
    (their DMs are closed), so the outbox posts its channel fallback instead."""

    def __init__(self, chat: Conversation, *closed: str) -> None:
        self.chat = chat
        self.closed = set(closed)

    async def deliver(self, item: Delivery) -> str | None:
        if item.destination.kind == "person" and item.destination.id in self.closed:
            raise Undeliverable("their DMs are closed")
        self.chat.sent.append(item)
        return f"msg-{len(self.chat.sent)}"


async def rows_about(bot: Potluck, who: str) -> list[OutboxRow]:
    """Outbox rows addressed to `who` or whose message mentions them."""
    async with bot.db.sessions() as session:
        rows = list(await session.scalars(select(OutboxRow)))
    return [
        r
        for r in rows
        if (r.destination_kind == "person" and r.destination_id == who)
        or who in Message.model_validate_json(r.payload).mentioned_user_ids
    ]


async def test_forget_deletes_every_message_to_or_about_them_sent_or_not(
    bot: Potluck, chat: Conversation
) -> None:
    # A DM that could not be delivered, and its channel fallback that names sam.
    bot.outbox.add_sender("console", RefusesDMsTo(chat, "sam"))
    full = await create(
        chat, '/event create title:"Book club" when:"next friday 6pm" capacity:1', as_="ana"
    )
    await chat.say(f"/rsvp {full} yes", as_="kim")
    await chat.say(f"/rsvp {full} yes", as_="sam")  # waitlisted
    await chat.say(f"/rsvp {full} no", as_="kim")  # sam moves up and is told
    await chat.deliver()
    # A DM already sent to sam, with its full text.
    bot.outbox.add_sender("console", RefusesDMsTo(chat))
    party = await create(chat, '/event create title:"Party" when:"next saturday 6pm"', as_="ana")
    await chat.say(f"/rsvp {party} yes", as_="sam")
    await chat.say(f"/rsvp {party} yes", as_="Sam")  # another person, whose name differs in case
    await chat.say(f"/event cancel id:{party}", as_="ana")
    await chat.deliver()
    # A channel reminder naming both sam and Sam: rewritten without sam, kept for Sam.
    shared = await create(
        chat,
        '/event create title:"Walk" when:"next sunday 10am" remind_in:channel reminders:2h',
        as_="ana",
    )
    await chat.say(f"/rsvp {shared} yes", as_="sam")
    await chat.say(f"/rsvp {shared} yes", as_="Sam")
    # Reminders withdrawn (dropped, still addressed to sam), and pending ones.
    await chat.say("/event reminders off", as_="sam")
    await chat.say("/event reminders on", as_="sam")
    kinds = {(r.kind, r.status) for r in await rows_about(bot, "sam")}
    assert {
        ("event-promoted", "failed"),
        ("event-promoted-fallback", "sent"),
        ("event-cancelled", "sent"),
        ("reminder", "dropped"),
        ("reminder", "pending"),
    } <= kinds

    confirm = await chat.say("/privacy forget", as_="sam")
    await chat.press(confirm, "Yes", as_="sam")

    assert await rows_about(bot, "sam") == []
    # Everyone else's messages stay, including those of "Sam".
    kept = {(r.kind, r.destination_kind) for r in await rows_about(bot, "Sam")}
    assert {("event-cancelled", "person"), ("reminder", "channel")} <= kept
    assert [r for r in await rows_about(bot, "kim")]


class RefusesToForget(Cog):
    name = "refuses"

    async def forget_person(self, session: Any, community_id: int, person_id: int) -> None:
        raise RuntimeError("the disk is full")


async def test_forget_is_one_transaction_across_every_cog(bot: Potluck, chat: Conversation) -> None:
    code = await create(chat, '/event create title:"Book club" when:"next friday 6pm"', as_="ana")
    await chat.say(f"/rsvp {code} yes", as_="sam")
    await chat.say("/timezone set zone:Europe/Lisbon", as_="sam")
    bot.add_cog(RefusesToForget())  # asked after the events cog

    confirm = await chat.say("/privacy forget", as_="sam")
    failed = await chat.press(confirm, "Yes", as_="sam")
    assert "deleted" not in said(failed)

    # Nothing was forgotten: not the RSVP the events cog deleted first, not the person.
    data = json.loads((await chat.say("/privacy export", as_="sam")).files[0].content)
    assert [r["event_id"] for r in data["events"]["rsvps"]] == [code]
    assert data["person"]["timezone"] == "Europe/Lisbon"
    assert await rows_about(bot, "sam")  # their reminders are still there


async def test_forgetting_an_organizer_edits_the_cards_the_bot_posted(chat: Conversation) -> None:
    """Cards of events they created, answered or not, cancelled or not, no longer name them
    in the channel: each is edited through the outbox."""
    planned = await create(chat, '/event create title:Swap when:"next friday 6pm"', as_="sam")
    answered = await create(chat, '/event create title:Meet when:"next friday 8pm"', as_="sam")
    called_off = await create(chat, '/event create title:Walk when:"next friday 9am"', as_="sam")
    await chat.say(f"/rsvp {answered} yes", as_="sam")
    await chat.say(f"/event cancel id:{called_off}", as_="sam")
    posted = await chat.deliver()
    assert all("organized by sam" in said(d.message) for d in posted if d.kind == "announcement")

    confirm = await chat.say("/privacy forget", as_="sam")
    await chat.press(confirm, "Yes", as_="sam")
    edits = [d for d in await chat.deliver() if d.kind == "card-edit"]
    assert len(edits) == 3 and all(d.edit_ref for d in edits)
    assert not any("sam" in said(d.message) for d in edits)
    for code in (planned, answered, called_off):
        assert "organized by" not in said(await chat.say(f"/event show id:{code}", as_="kim"))
