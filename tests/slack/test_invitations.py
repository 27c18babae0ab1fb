"""Invitations on Slack, through the real bolt app and the stand-in: a DM with the card and
its buttons, a "No more from" click, and a role post that mentions only that user group."""

from __future__ import annotations

import re

import pytest

from bot.app import Potluck
from bot.core.clock import ManualClock
from tests.slack.conftest import (
    ANA,
    GENERAL,
    MOD,
    ORG_GROUP,
    SAM,
    SlackDriver,
    events_cog_ready,
    parsed_for_pings,
    shown,
)
from tests.slack.test_events import create_event

pytestmark = pytest.mark.skipif(not events_cog_ready(), reason="the events cog does not load")


def labels(blocks: list[dict[str, object]]) -> list[str]:
    return [
        e["text"]["text"]  # type: ignore[index]
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]  # type: ignore[attr-defined]
    ]


async def test_an_invitation_dm_and_a_no_more_from_click(slack: SlackDriver, bot: Potluck) -> None:
    fake = slack.fake
    code, _ = await create_event(slack, bot, 'title:"Winter party" when:"next friday 6pm"')
    await slack.command("/invites", "show", user=SAM)  # sam is known here
    answer = await slack.command(
        "/invite", f'event:{code} people:"<@{SAM}|sam>" note:"Bring cocoa"', user=ANA
    )
    assert answer.params["response_type"] == "ephemeral"
    assert ": queued to send" in shown(answer)
    mark = len(fake.requests)
    await bot.outbox.pump()
    opened = await fake.wait_for(lambda c: c.method == "conversations.open", since=mark)
    assert opened.params["users"] == SAM
    dm = await fake.wait_for(
        lambda c: c.method == "chat.postMessage" and c.params["channel"] != GENERAL, since=mark
    )
    assert "You're invited" in shown(dm) and "Bring cocoa" in shown(dm)
    found = labels(dm.json_param("blocks"))
    assert found[:4] == ["Going", "Maybe", "Can't go", "Not interested"]
    assert found[4].startswith("No more from") and found[5] == "No invitations at all"
    assert not re.search(r"<!(channel|here|everyone|subteam)", parsed_for_pings(dm))
    clicked = await slack.press(
        dm, "No more from", user=SAM, channel=dm.params["channel"], message_ts=dm.response["ts"]
    )
    assert "no more invitations from" in shown(clicked)
    assert "Blocked:" in shown(await slack.command("/invites", "show", user=SAM))


async def test_a_role_post_mentions_only_that_user_group(
    slack: SlackDriver, bot: Potluck, clock: ManualClock
) -> None:
    fake = slack.fake
    code, _ = await create_event(slack, bot, 'title:"Budget hearing" when:"next friday 6pm"')
    role = f"<!subteam^{ORG_GROUP}|@organizers>"
    refused = await slack.command("/invite", f"event:{code} role:{role}", user=ANA)
    assert "Only organizers can invite a role" in shown(refused)
    answer = await slack.command("/invite", f"event:{code} role:{role}", user=MOD)
    assert "mentions that role and nobody else" in shown(answer)
    clock.advance(seconds=2)  # the channel's pace after the event card
    mark = len(fake.requests)
    await bot.outbox.pump()
    post = await fake.wait_for(lambda c: c.method == "chat.postMessage", since=mark)
    assert post.params["channel"] == GENERAL
    pings = re.findall(r"<(?:@|!(?!date))[^>]*>", parsed_for_pings(post))
    assert pings and set(pings) == {f"<!subteam^{ORG_GROUP}>"}
    assert not [c for c in fake.requests[mark:] if c.method == "conversations.open"]
