"""Answers that arrive together share transactions (see `Database.queued` and
`cogs/events/answers.py`): they must come out exactly as the same answers given one after
another, and cost few statements each."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from sqlalchemy import event, select

from bot.app import Potluck
from bot.testing import Conversation
from storage.models import EventRow, PersonRow, RsvpRow
from tests.events.conftest import create, said

PARTY = '/event create title:"Winter party" when:"next friday 6pm" capacity:3'

# Given together after a, b, c said yes (3 seats) and d, e are waiting: a's seat goes to d,
# who then gives it to e; f waits, clicks twice, and gets the seat e gives back with a maybe;
# g answers for a party that can never fit and is refused; h says yes with a guest and waits.
TOGETHER = [
    ("a", "no"),
    ("d", "no"),
    ("f", "yes"),
    ("f", "yes"),
    ("g", "yes guests:5"),
    ("e", "maybe"),
    ("h", "yes guests:1"),
]


async def answers(bot: Potluck, code: str) -> dict[str, tuple[str, int, int]]:
    async with bot.db.sessions() as session:
        rows = await session.execute(
            select(PersonRow.external_id, RsvpRow.status, RsvpRow.guests, RsvpRow.seq)
            .join(RsvpRow, RsvpRow.person_id == PersonRow.id)
            .join(EventRow, EventRow.id == RsvpRow.event_id)
            .where(EventRow.code == code)
            .order_by(RsvpRow.seq, PersonRow.external_id)
        )
        return {who: (status, guests, seq) for who, status, guests, seq in rows.all()}


async def test_answers_given_together_come_out_as_given_one_after_another(
    bot: Potluck, chat: Conversation
) -> None:
    replies: dict[str, list[str]] = {}
    for way in ("one after another", "together"):
        code = await create(chat, PARTY)
        for who in "abcde":
            await chat.say(f"/rsvp {code} yes", as_=who)
        lines = [(who, f"/rsvp event:{code} answer:{words}") for who, words in TOGETHER]
        if way == "together":
            said_back = await asyncio.gather(*(chat.say(line, as_=who) for who, line in lines))
        else:
            said_back = [await chat.say(line, as_=who) for who, line in lines]
        replies[way] = [said(reply).replace(code, "CODE") for reply in said_back]
        replies[f"{way}: stored"] = [repr(await answers(bot, code))]
        await chat.deliver()
        card = [d for d in chat.sent if d.kind == "card-edit"][-1].message
        replies[f"{way}: card"] = [said(card).replace(code, "CODE")]
    for what in ("", ": stored", ": card"):
        assert replies[f"together{what}"] == replies[f"one after another{what}"]
    together = replies["together"]
    assert "Your spot went to d" in together[0] and "Your spot went to e" in together[1]
    assert "waitlist at position 1" in together[2] and "still on the waitlist" in together[3]
    assert "can never fit" in together[4]
    assert "waitlist at position 1 with 1 guest" in together[6]
    stored = replies["together: stored"][0]
    assert "'f': ('going'" in stored and "'e': ('maybe'" in stored and "'g'" not in stored


async def test_a_burst_of_answers_costs_few_statements_each(
    bot: Potluck, chat: Conversation
) -> None:
    code = await create(chat, PARTY)
    statements: list[str] = []

    @event.listens_for(bot.db.engine.sync_engine, "before_cursor_execute")
    def _count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    people = [f"p{i:02d}" for i in range(40)]
    for who in people:  # known people: their first command is not the one measured
        await chat.say("/timezone show", as_=who)
    statements.clear()
    said_back = await asyncio.gather(
        *(chat.say(f"/rsvp event:{code} answer:yes", as_=who) for who in people)
    )
    positions = sorted(
        int(m.group(1)) for r in said_back if (m := re.search(r"position (\d+)", said(r)))
    )
    assert positions == list(range(1, 38))
    # One transaction per batch reading the event and everyone's state once; each answer
    # then costs its INSERT (one per row on SQLite, batched on PostgreSQL), plus the
    # reminders of the 3 who got a seat. One at a time it was 5 statements each.
    assert len(statements) < 1.5 * len(people), statements
