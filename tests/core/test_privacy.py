"""/privacy export and /privacy forget."""

from __future__ import annotations

import asyncio
import json

from bot.testing import Conversation


async def test_export_contains_what_we_store(chat: Conversation) -> None:
    await chat.say("/timezone set zone:Europe/Lisbon", as_="ana")
    reply = await chat.say("/privacy export", as_="ana")
    assert reply.ephemeral
    data = json.loads(reply.files[0].content)
    assert data["person"]["external_id"] == "ana"
    assert data["person"]["timezone"] == "Europe/Lisbon"


async def test_forget_asks_first_and_only_the_owner_can_confirm(chat: Conversation) -> None:
    await chat.say("/timezone set zone:Europe/Lisbon", as_="ana")
    ask = await chat.say("/privacy forget", as_="ana")
    # Both the question and the answer say what is kept, not that everything goes.
    assert "Kept by your platform id only: your invitation opt-outs" in ask.plain_text()
    assert ask.ephemeral and [b.label for b in ask.buttons] == [
        "Yes, delete my data",
        "Keep my data",
    ]
    stranger = await chat.press(ask, "Yes", as_="sam")
    assert "belongs to someone else" in stranger.plain_text()
    done = await chat.press(ask, "Yes", as_="ana")
    assert "deleted" in done.plain_text() and "everything Potluck" not in done.plain_text()
    assert "Kept by your platform id only" in done.plain_text()
    assert "/privacy export" in done.plain_text()
    after = json.loads((await chat.say("/privacy export", as_="ana")).files[0].content)
    assert after["person"]["timezone"] is None  # a fresh record, nothing from before


async def test_a_kept_question_cannot_delete_afterwards(chat: Conversation) -> None:
    await chat.say("/timezone set zone:Europe/Lisbon", as_="ana")
    ask = await chat.say("/privacy forget", as_="ana")
    kept = await chat.press(ask, "Keep", as_="ana")
    assert "Nothing was deleted" in kept.plain_text()
    late = await chat.press(ask, "Yes", as_="ana")
    assert "already answered" in late.plain_text() and "/privacy forget" in late.plain_text()
    again = await chat.press(ask, "Keep", as_="ana")
    assert "already answered" in again.plain_text()
    shown = await chat.say("/timezone show", as_="ana")
    assert "Europe/Lisbon" in shown.plain_text()  # nothing was deleted
    # A new question works as before, and once answered its buttons stop too.
    fresh = await chat.say("/privacy forget", as_="ana")
    assert "deleted" in (await chat.press(fresh, "Yes", as_="ana")).plain_text()
    await chat.say("/timezone set zone:Europe/Paris", as_="ana")
    twice = await chat.press(fresh, "Yes", as_="ana")
    assert "already answered" in twice.plain_text()
    assert "Europe/Paris" in (await chat.say("/timezone show", as_="ana")).plain_text()
    assert "already answered" in (await chat.press(fresh, "Keep", as_="ana")).plain_text()


async def test_timezone_set_show_and_suggestions(chat: Conversation) -> None:
    wrong = await chat.say("/timezone set zone:Europe/Berln", as_="ana")
    assert wrong.ephemeral and "Did you mean Europe/Berlin" in wrong.plain_text()
    city = await chat.say("/timezone set zone:chicago", as_="ana")
    assert "America/Chicago" in city.plain_text()
    shown = await chat.say("/timezone show", as_="ana")
    assert "Your time zone: America/Chicago" in shown.plain_text()


async def test_forget_drops_the_remembered_dm_channel(chat: Conversation) -> None:
    book = chat.bot.outbox.direct_messages
    await book.opened("console", "ana", "dm-ana", None)
    await book.opened("console", "sam", "dm-sam", None)
    ask = await chat.say("/privacy forget", as_="ana")
    await chat.press(ask, "Yes", as_="ana")
    assert await book.channel("console", "ana") is None
    assert await book.channel("console", "sam") == "dm-sam"


async def test_keep_and_delete_pressed_at_once_settle_it_once(chat: Conversation) -> None:
    await chat.say("/timezone set zone:Europe/Lisbon", as_="ana")
    ask = await chat.say("/privacy forget", as_="ana")
    answers = await asyncio.gather(
        chat.press(ask, "Yes", as_="ana"), chat.press(ask, "Keep", as_="ana")
    )
    texts = sorted(a.plain_text() for a in answers)
    assert sum("already answered" in t for t in texts) == 1, texts
    deleted = any("everything else Potluck stored about you here are deleted" in t for t in texts)
    zone = (await chat.say("/timezone show", as_="ana")).plain_text()
    assert ("Europe/Lisbon" in zone) != deleted, (texts, zone)
