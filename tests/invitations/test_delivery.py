"""Invitations on their way: closed DMs are reported to the inviter and never posted in a
channel; a 40003 cool-down keeps every invitation queued and alerts moderators once."""

from __future__ import annotations

from datetime import timedelta

from bot.core.clock import ManualClock
from bot.core.delivery import Delivery, OpeningDMsTooFast, Undeliverable
from bot.testing import Conversation
from tests.invitations.conftest import create, delivered, meet, said, setup_event, statuses


class Refusing:
    """The harness's sender, except that some people's DMs are closed and, while `too_fast`,
    new DMs are refused as Discord does with error 40003."""

    def __init__(self, chat: Conversation, *closed: str) -> None:
        self.chat = chat
        self.closed = set(closed)
        self.too_fast = False

    async def deliver(self, item: Delivery) -> str | None:
        if item.destination.kind == "person":
            if self.too_fast:
                raise OpeningDMsTooFast("You are opening direct messages too fast")
            if item.destination.id in self.closed:
                raise Undeliverable("Cannot send messages to this user (50007)")
        self.chat.sent.append(item)
        return f"msg-{len(self.chat.sent)}"


async def test_closed_dms_are_reported_and_never_posted_in_public(chat: Conversation) -> None:
    code = await setup_event(chat, "ann", "ben")
    chat.bot.outbox.add_sender("console", Refusing(chat, "ann"))
    await chat.say(f'/invite event:{code} people:"@ann @ben"', as_="ana")
    sent = await chat.deliver()
    assert [(d.kind, d.destination.id) for d in sent if d.kind.startswith("invitation")] == [
        ("invitation", "ben")
    ]
    assert not [d for d in sent if d.destination.kind == "channel" and "ann" in said(d.message)]
    assert await chat.deliver() == []  # not retried
    text = said(await chat.say("/invites sent", as_="ana"))
    assert "couldn't reach ann: their DMs are closed" in text
    assert "ben" in text and "delivered" in text


async def test_invitations_are_marked_delivered_or_failed_as_their_messages_settle(
    chat: Conversation,
) -> None:
    winter = await setup_event(chat, "ann", "ben")
    spring = await create(chat, '/event create title:"Spring fair" when:"next saturday 6pm"')
    chat.bot.outbox.add_sender("console", Refusing(chat, "ann"))
    await chat.say(f'/invite event:{winter} people:"@ann @ben"', as_="ana")
    await chat.say(f'/invite event:{spring} people:"@ben"', as_="ana")
    assert {status for *_, status in await statuses(chat)} == {"queued"}
    dms = {(d.destination.id, d.message.title) for d in await delivered(chat)}
    assert len(dms) == 2
    assert await statuses(chat) == [
        ("ann", "Winter party", "failed"),
        ("ben", "Spring fair", "delivered"),
        ("ben", "Winter party", "delivered"),
    ]
    # Asking for no more from ana withdraws what still waits, not what ben already has.
    (winter_dm,) = [d for d in chat.to("ben") if "Winter party" in said(d.message)]
    await chat.press(winter_dm.message, "No more from", as_="ben")
    lines = said(await chat.say("/invites sent", as_="ana")).splitlines()
    assert any("ben to Spring fair" in line and line.endswith("delivered") for line in lines)


async def test_a_40003_cool_down_keeps_invitations_queued_and_alerts_moderators_once(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await setup_event(chat, "ann", "ben", "cat")
    await meet(chat, "mod")
    await chat.say("/modlog", as_="mod")
    sender = Refusing(chat)
    chat.bot.outbox.add_sender("console", sender)
    await chat.deliver()  # the event card
    sender.too_fast = True
    await chat.say(f'/invite event:{code} people:"@ann @ben @cat"', as_="ana")
    assert await delivered(chat) == []
    await chat.deliver()
    log = said(await chat.say("/modlog kind:dm.paused", as_="mod"))
    assert log.count("dm.paused") == 1 and "opening direct messages too fast" in log
    assert "queued" in said(await chat.say("/invites sent", as_="ana"))
    sender.too_fast = False
    # The alerts wait out the cool-down like every new DM, then go once to each moderator.
    clock.advance(timedelta(minutes=15))
    sent = await chat.deliver()
    sent += await chat.deliver()
    alerts = [d for d in sent if d.kind == "mod-alert"]
    assert sorted(a.destination.id for a in alerts) == ["librarian", "mod"]
    assert "New direct messages paused" in said(alerts[0].message)
    assert sorted(d.destination.id for d in sent if d.kind == "invitation") == ["ann", "ben", "cat"]
