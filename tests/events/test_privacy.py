"""A person's event data can be exported and forgotten; forgetting frees their seat."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.core.clock import ManualClock
from bot.core.messages import Mention
from bot.testing import Conversation
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
    assert "1 of 1 spots" in said(card) and "organized by" not in said(card)
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
