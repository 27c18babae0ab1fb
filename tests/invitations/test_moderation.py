"""/limits and /modlog: moderators only, every change answered with its old and new values
and written to the audit log, read newest first, page by page, or as CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest

from bot.core.clock import ManualClock
from bot.testing import Conversation
from tests.invitations.conftest import meet, said, setup_event


@pytest.mark.parametrize(
    "line",
    [
        "/limits show",
        "/limits set per_inviter_day:5",
        "/limits pause person:@ben",
        "/limits resume person:@ben",
        "/limits reset person:@ben",
        "/modlog",
    ],
)
async def test_members_and_organizers_are_refused(chat: Conversation, line: str) -> None:
    from bot.core.types import Level

    await meet(chat, "ben")
    for who, level in (("ben", Level.MEMBER), ("ana", Level.ORGANIZER)):
        reply = await chat.say(line, as_=who, level=level)
        assert "Only moderators can use" in said(reply), line


async def test_set_answers_with_old_and_new_values_and_is_logged(chat: Conversation) -> None:
    await meet(chat, "mod", "ben")
    reply = await chat.say("/limits set per_inviter_day:20 per_event:50", as_="mod")
    text = said(reply)
    assert "Limits changed for the whole community" in text
    assert "per_inviter_day: 30 → 20" in text and "per_event: 200 → 50" in text
    shown = said(await chat.say("/limits show", as_="mod"))
    assert "per_inviter_day: 20" in shown and "per_inviter_hour: 10" in shown
    reply = await chat.say("/limits set person:@ben per_inviter_day:40", as_="mod")
    assert "for ben" in said(reply) and "20 → 40" in said(reply)
    reply = await chat.say("/limits set person:@ben per_inviter_day:30", as_="mod")
    assert "per_inviter_day: 40 → 30" in said(reply)
    person = said(await chat.say("/limits show person:@ben", as_="mod"))
    assert "per_inviter_day: 30" in person and "left today: 30" in person
    reset = said(await chat.say("/limits reset person:@ben", as_="mod"))
    assert "per_inviter_day: 30 → 20" in reset
    again = said(await chat.say("/limits reset person:@ben", as_="mod"))
    assert "no change" in again  # and nothing more in the log (below)
    log = said(await chat.say("/modlog kind:limits.", as_="mod"))
    lines = [line for line in log.splitlines() if line.startswith("•")]
    assert "limits.reset" in lines[0] and "limits.set" in lines[-1]  # newest first
    assert sum("limits.reset" in line for line in lines) == 1
    assert "(per_inviter_day 30→20, per_event 200→50)" in lines[-1]


async def test_pause_and_resume(chat: Conversation, clock: ManualClock) -> None:
    code = await setup_event(chat, "ben", "cat")
    reply = await chat.say('/limits pause person:@ben for:"3 days" reason:"too eager"', as_="mod")
    assert "ben was not paused; now paused until 2026-11-26 12:00" in said(reply)
    refused = await chat.say(f'/invite event:{code} people:"@cat"', as_="ben")
    assert "cat: not sent, your invitations are paused (too eager); possible again" in said(refused)
    resumed = await chat.say("/limits resume person:@ben", as_="mod")
    assert "ben was paused until 2026-11-26 12:00" in said(resumed)
    ok = await chat.say(f'/invite event:{code} people:"@cat"', as_="ben")
    assert "cat: queued to send" in said(ok)
    log = said(await chat.say("/modlog person:@ben", as_="mod"))
    assert "limits.resume" in log and "limits.pause` by mod about ben: too eager" in log
    unknown = await chat.say("/limits pause person:@nobody", as_="mod")
    assert "doesn't know nobody" in said(unknown)
    for typed in ("9999 years", "2 years"):
        long = await chat.say(f'/limits pause person:@ben for:"{typed}"', as_="mod")
        assert "too long" in said(long) and "at most" in said(long), said(long)
        assert "could not read" not in said(long) and long.accent == "danger"
    again = await chat.say("/limits resume person:@ben", as_="mod")  # no longer paused
    assert said(again) == "ben was not paused.", said(again)  # nothing else changed
    log = said(await chat.say("/modlog person:@ben", as_="mod"))
    assert log.count("limits.resume") == 1, log  # a resume that changed nothing is not logged


async def test_modlog_pages_back_and_exports_csv(chat: Conversation) -> None:
    chat.bot.cog("moderation").settings.page_size = 3
    await meet(chat, "mod")
    for n in range(1, 8):
        await chat.say(f"/limits set per_event:{n}", as_="mod")
    first = await chat.say("/modlog", as_="mod")
    assert said(first).count("limits.set") == 3 and "per_event 6→7" in said(first)
    second = await chat.press(first, "Older", as_="mod")
    assert "per_event 3→4" in said(second) and "per_event 6→7" not in said(second)
    third = await chat.press(second, "Older", as_="mod")
    assert "per_event 200→1" in said(third) and not third.buttons
    exported = await chat.say("/modlog csv:yes", as_="mod")
    rows = list(csv.reader(io.StringIO(exported.files[0].content.decode())))
    assert rows[0][:3] == ["at (UTC)", "kind", "by"] and len(rows) == 8


async def test_modlog_names_the_kinds_when_given_one_that_does_not_exist(
    chat: Conversation,
) -> None:
    await meet(chat, "mod")
    reply = await chat.say("/modlog kind:bogus", as_="mod")
    assert reply.accent == "danger" and "Nothing in the log matches" not in said(reply)
    assert "`kind:` `bogus` is not a kind of log entry; the kinds are " in said(reply)
    assert "limits.pause" in said(reply) and "invite.blocked" in said(reply), said(reply)
    fine = await chat.say("/modlog kind:invite.", as_="mod")
    assert "Nothing in the log matches." in said(fine)


def test_every_audit_kind_the_code_records_is_listed() -> None:
    import re
    from pathlib import Path

    from cogs.moderation.commands import AUDIT_KINDS

    root = Path(__file__).resolve().parents[2] / "cogs"
    found = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'kind="([a-z]+\.[a-z.-]+)"', text))
        found |= set(re.findall(r'^AUDIT_KIND = "([^"]+)"', text, re.M))
    assert found and found <= set(AUDIT_KINDS), sorted(found - set(AUDIT_KINDS))


async def test_a_persons_limits_are_shown_and_changed_as_invite_applies_them(
    chat: Conversation,
) -> None:
    """A role's overrides count for the people of that role, in /limits show and in the old
    and new values of /limits set, exactly as /invite counts them; a moderator is not shown
    the members' limits."""
    from bot.core.types import Level

    code = await setup_event(chat, "ben", "cat", "dan")
    await meet(chat, "mod", "sam")
    await chat.say("/limits show", as_="lib", level=Level.MODERATOR)  # lib acts as a moderator
    await chat.say("/limits set role:member per_inviter_hour:1", as_="mod")

    lib = said(await chat.say("/limits show person:@lib", as_="mod"))
    assert "(moderator)" in lib and "per_inviter_hour: 10" in lib
    sam = said(await chat.say("/limits show person:@sam", as_="mod"))
    assert "(member)" in sam and "per_inviter_hour: 1" in sam

    changed = said(await chat.say("/limits set person:@sam per_inviter_hour:5", as_="mod"))
    assert "per_inviter_hour: 1 → 5" in changed

    invited = said(
        await chat.say(f'/invite event:{code} people:"@ben @cat"', as_="lib", level=Level.MODERATOR)
    )
    assert "You can invite 8 more people this hour" in invited
    # The level kept for them is their data: their export says it.
    export = await chat.say("/privacy export", as_="lib", level=Level.MODERATOR)
    assert json.loads(export.files[0].content)["person"]["level"] == "moderator"
