"""The audit log: entries written with their action, read newest first, forgotten by name."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.app import Potluck
from bot.core.clock import ManualClock
from bot.testing import Conversation
from storage.repositories import audit


async def _ids(bot: Potluck, chat: Conversation, *names: str) -> tuple[int, list[int]]:
    for name in names:
        await chat.say("/timezone show", as_=name)
    from sqlalchemy import select

    from storage.models import PersonRow

    async with bot.db.sessions() as session:
        rows = (
            await session.execute(
                select(PersonRow.community_id, PersonRow.id, PersonRow.external_id)
            )
        ).all()
    by_name = {ext: pid for _, pid, ext in rows}
    return rows[0][0], [by_name[n] for n in names]


async def test_entries_page_newest_first_and_filter(
    bot: Potluck, chat: Conversation, clock: ManualClock
) -> None:
    community, (mod, ana, ben) = await _ids(bot, chat, "mod", "ana", "ben")
    start = clock.now()
    async with bot.db.transaction() as session:
        for i, (kind, subject) in enumerate(
            [
                ("limits.set", ana),
                ("limits.pause", ben),
                ("invitation.blocked", ana),
                ("invitation.complaint", ben),
            ]
        ):
            await audit.record(
                session,
                community_id=community,
                at=start + timedelta(minutes=i),
                kind=kind,
                actor=audit.Party(mod, "mod"),
                subject=audit.Party(subject, f"p{subject}"),
                detail={"n": i},
            )
    async with bot.db.sessions() as session:
        newest = await audit.entries(session, community, limit=2)
        assert [e.detail["n"] for e in newest] == [3, 2]
        older = await audit.entries(session, community, before_id=newest[-1].id)
        assert [e.detail["n"] for e in older] == [1, 0]
        about_ana = await audit.entries(session, community, person_id=ana)
        assert [e.kind for e in about_ana] == ["invitation.blocked", "limits.set"]
        invitations = await audit.entries(session, community, kinds=["invitation."])
        assert {e.kind for e in invitations} == {"invitation.blocked", "invitation.complaint"}
        exact = await audit.entries(session, community, kinds=["limits.set"])
        assert [e.kind for e in exact] == ["limits.set"]
        recent = await audit.entries(session, community, since=start + timedelta(minutes=2))
        assert len(recent) == 2


async def test_forget_keeps_the_entry_but_not_the_name(
    bot: Potluck, chat: Conversation, clock: ManualClock
) -> None:
    community, (mod, ana) = await _ids(bot, chat, "mod", "ana")
    async with bot.db.transaction() as session:
        await audit.record(
            session,
            community_id=community,
            at=clock.now(),
            kind="limits.pause",
            actor=audit.Party(mod, "mod"),
            subject=audit.Party(ana, "ana"),
            reason="spam",
        )
    exported = json.loads((await chat.say("/privacy export", as_="ana")).files[0].content)
    assert exported["audit_log"][0]["about"] == "ana"
    ask = await chat.say("/privacy forget", as_="ana")
    await chat.press(ask, "Yes", as_="ana")
    async with bot.db.sessions() as session:
        (entry,) = await audit.entries(session, community)
    assert entry.kind == "limits.pause" and entry.reason == "spam"
    assert entry.subject is not None and entry.subject.id is None
    assert entry.subject.name == audit.FORGOTTEN
    assert entry.actor == audit.Party(mod, "mod")
