"""Mentoring entries in /modlog say what happened, like every other kind: a schedule's kind,
cadence and next run (and what it was), a round's numbers."""

from __future__ import annotations

import re

from bot.core.clock import ManualClock
from bot.core.types import Level
from bot.testing import Conversation
from tests.events.conftest import said

MOD = Level.MODERATOR


def lines_of(log: str, kind: str) -> list[str]:
    return [line for line in log.splitlines() if kind in line]


async def test_schedule_entries_show_kind_cadence_and_next_run(
    chat: Conversation, clock: ManualClock
) -> None:
    async def set_(line: str) -> None:
        reply = await chat.say(f"/mentor schedule {line}", as_="mod", level=MOD)
        assert reply.accent == "success", said(reply)

    await set_('kind:peers every:"4 weeks"')
    await set_('kind:peers every:"2 weeks"')
    await set_("kind:peers every:off")
    log = said(await chat.say("/modlog kind:mentor.schedule", as_="mod", level=MOD))
    stopped, changed, made = lines_of(log, "mentor.schedule")  # newest first
    when = r"\d{4}-\d\d-\d\d \d\d:\d\d UTC"
    assert re.search(rf"by mod: peers rounds every 4 weeks, next {when} \(new schedule\)$", made)
    assert re.search(rf": peers rounds every 2 weeks, next {when} \(was every 4 weeks\)$", changed)
    assert stopped.endswith(": peers rounds stopped (were every 2 weeks)"), stopped


async def test_round_entries_show_their_numbers(chat: Conversation) -> None:
    for who in ("eli", "fay"):
        await chat.say('/mentor join role:peer topics:"outreach"', as_=who)
    await chat.say('/mentor join role:mentee topics:"knitting"', as_="gus")
    await chat.say("/mentor round kind:peers", as_="mod", level=MOD)
    log = said(await chat.say("/modlog kind:mentor.round", as_="mod", level=MOD))
    (entry,) = lines_of(log, "mentor.round")
    assert re.search(r"by mod: peers round: 1 match, \d+ points, 0 left out$", entry), entry


async def test_a_zero_cadence_is_refused_mid_sentence_without_a_capital(
    chat: Conversation,
) -> None:
    reply = await chat.say('/mentor schedule kind:peers every:"0 weeks"', as_="mod", level=MOD)
    assert reply.accent == "danger"
    assert "`every:` a duration must be longer than zero" in said(reply)
