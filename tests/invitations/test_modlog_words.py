"""/modlog speaks to the moderator: refusals in the third person, pauses with their reason
and end, and no entry names a person after their /privacy forget, whatever its kind."""

from __future__ import annotations

from sqlalchemy import select

from bot.testing import Conversation
from storage.models import PersonRow
from storage.repositories import audit
from tests.invitations.conftest import said, setup_event


async def forget(chat: Conversation, who: str) -> None:
    ask = await chat.say("/privacy forget", as_=who)
    assert "deleted" in said(await chat.press(ask, "Yes", as_=who))


def entries(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("•")]


async def test_refusals_are_logged_in_the_third_person(chat: Conversation) -> None:
    code = await setup_event(chat, "ann", "ben", "cat", "sam")
    await chat.say("/limits set person:@sam per_inviter_hour:2", as_="mod")
    await chat.say(f'/invite event:{code} people:"@ann @ben @cat"', as_="sam")
    await chat.say('/limits pause person:@sam reason:"too many"', as_="mod")
    await chat.say(f'/invite event:{code} people:"@cat"', as_="sam")
    log = said(await chat.say("/modlog kind:invite.blocked", as_="mod"))
    lines = entries(log)
    assert "by sam about cat: sam's invitations are paused (too many)" in lines[0], log
    assert "by sam about cat: sam invited 2 people in an hour, the limit" in lines[1], log
    assert "your" not in log and "you have" not in log, log


async def test_pause_entries_show_the_reason_and_the_end(chat: Conversation) -> None:
    await setup_event(chat, "sam")
    await chat.say('/limits pause person:@sam for:"2 days" reason:"spam"', as_="mod")
    await chat.say("/limits pause person:@sam", as_="mod")
    lines = entries(said(await chat.say("/modlog kind:limits.pause", as_="mod")))
    assert ": no reason given, until " in lines[0], lines
    assert ": spam, until " in lines[1], lines


async def test_a_forgotten_person_is_named_in_no_entry(chat: Conversation) -> None:
    code = await setup_event(chat, "ann", "ben", "sam")
    await chat.say("/limits set person:@sam per_inviter_hour:1", as_="mod")
    await chat.say('/limits pause person:@sam for:"2 days" reason:"spam"', as_="mod")
    await chat.say(f'/invite event:{code} people:"@ann"', as_="sam")
    await chat.say("/limits resume person:@sam", as_="mod")
    await chat.say(f'/invite event:{code} people:"@ann @ben"', as_="sam")
    await chat.say("/limits reset person:@sam", as_="mod")
    before = said(await chat.say("/modlog", as_="mod"))
    assert "for sam" in before and "sam's invitations are paused" in before, before
    await forget(chat, "sam")
    log = said(await chat.say("/modlog", as_="mod"))
    assert "sam" not in log, log
    assert "limits.set` by mod about a forgotten person: for a forgotten person" in log, log
    assert "a forgotten person invited 1 person in an hour, the limit" in log, log
    exported = (await chat.say("/modlog csv:yes", as_="mod")).files[0].content.decode()
    assert "sam" not in exported, exported


async def test_a_limit_change_logged_with_the_name_loses_it_on_forget(chat: Conversation) -> None:
    """Entries written before reasons held no names said "for sam"; forget rewrites those."""
    await setup_event(chat, "sam")
    async with chat.bot.db.transaction() as session:
        sam = await session.scalar(select(PersonRow).where(PersonRow.display_name == "sam"))
        assert sam is not None
        await audit.record(
            session,
            community_id=sam.community_id,
            at=chat.bot.clock.now(),
            kind="limits.set",
            actor=None,
            subject=audit.Party(sam.id, "sam"),
            reason="for sam",
            detail={"old": {"per_inviter_hour": 10}, "new": {"per_inviter_hour": 1}},
        )
    assert "about sam: for sam" in said(await chat.say("/modlog", as_="mod"))
    await forget(chat, "sam")
    log = said(await chat.say("/modlog", as_="mod"))
    assert "sam" not in log and "about a forgotten person: for a forgotten person" in log, log
