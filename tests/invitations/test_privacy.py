"""A person's invitation data can be exported and forgotten in one transaction; an opt-out
survives as a suppression record, and a block as a record of two platform ids, holding
nothing else, and the export says so."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.testing import Conversation
from storage.models import BlockRow, InvitationRow, RecipientPreferenceRow, SuppressionRow
from tests.invitations.conftest import delivered, said, setup_event


async def export(chat: Conversation, who: str) -> dict[str, object]:
    reply = await chat.say("/privacy export", as_=who)
    return dict(json.loads(reply.files[0].content))


async def test_export_and_forget_keep_only_the_opt_out(chat: Conversation) -> None:
    code = await setup_event(chat, "ben", "cat")
    await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    await chat.say(f'/invite event:{code} people:"@cat"', as_="ben")
    (dm,) = [d for d in await delivered(chat) if d.destination.id == "ben"]
    await chat.say("/invites quiet from:22:00 to:07:00", as_="ben")
    await chat.say("/invites block person:@ana", as_="ben")
    await chat.press(dm.message, "No invitations at all", as_="ben")
    data = export(chat, "ben")
    mine = (await data)["invitations"]
    assert isinstance(mine, dict)
    assert mine["invitations_received"][0]["status"] == "declined"
    assert mine["invitations_sent"][0]["status"] == "delivered"
    assert mine["blocked"] == ["ana"] and mine["settings"]["quiet_from"] == "22:00"
    assert "even after /privacy forget" in mine["suppression"]

    confirm = await chat.say("/privacy forget", as_="ben")
    await chat.press(confirm, "Yes", as_="ben")
    async with chat.bot.db.sessions() as session:
        assert (await session.scalars(select(RecipientPreferenceRow))).all() == []
        # The invitation ben got stays, naming nobody (it still counts for ana's limits);
        # the one ben sent is gone.
        (left,) = (await session.scalars(select(InvitationRow))).all()
        assert left.recipient_id is None and left.note is None
        (kept,) = (await session.scalars(select(SuppressionRow))).all()
        (block,) = (await session.scalars(select(BlockRow))).all()
    assert kept.external_id == "ben"
    assert (block.external_id, block.blocked_external_id) == ("ben", "ana")
    # ana still sees that invitation among hers, as it still counts for her limits.
    sent = said(await chat.say("/invites sent", as_="ana"))
    assert "a forgotten person" in sent and "ben" not in sent, sent
    # Back in the community later: still no invitations, until they say otherwise.
    await chat.say("/invites show", as_="ben")
    other = await setup_event(chat, organizer="cat")
    reply = await chat.say(f'/invite event:{other} people:"@ben"', as_="cat")
    assert "ben: not sent, has turned invitations off" in said(reply)
    assert "Invitations: off" in said(await chat.say("/invites show", as_="ben"))


async def test_forgetting_an_inviter_removes_their_invitations(chat: Conversation) -> None:
    code = await setup_event(chat, "ben", "cat")
    await chat.say(f'/invite event:{code} people:"@cat"', as_="ben")
    confirm = await chat.say("/privacy forget", as_="ben")
    await chat.press(confirm, "Yes", as_="ben")
    async with chat.bot.db.sessions() as session:
        assert (await session.scalars(select(InvitationRow))).all() == []
    assert await delivered(chat) == []
