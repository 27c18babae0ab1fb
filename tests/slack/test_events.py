"""Events on Slack end to end: /event create posts a card, RSVP buttons update its counts,
a waitlist promotion reaches the promoted person, a bad date is an only-to-you error."""

from __future__ import annotations

import re

import pytest

from bot.app import Potluck
from bot.core.clock import ManualClock
from tests.fakes.slack_server import FakeSlack, RecordedCall
from tests.slack.conftest import (
    ANA,
    BROADCASTS,
    GENERAL,
    MOD,
    SAM,
    SlackDriver,
    events_cog_ready,
    parsed_for_pings,
    shown,
)

pytestmark = pytest.mark.skipif(
    not events_cog_ready(), reason="the events cog (cogs/events) does not load yet"
)


async def create_event(slack: SlackDriver, bot: Potluck, text: str) -> tuple[str, RecordedCall]:
    """Run /event create; return the event id and the card as posted in the channel."""
    answer = await slack.command("/event", f"create {text}", user=ANA)
    assert answer.params["response_type"] == "ephemeral", shown(answer)
    code = re.search(r"Its id is `([^`]+)`", shown(answer))
    assert code, shown(answer)
    mark = len(slack.fake.requests)
    await bot.outbox.pump()
    card = await slack.fake.wait_for(lambda c: c.method == "chat.postMessage", since=mark)
    return code.group(1), card


def going(call: RecordedCall) -> str:
    fields = [f["text"] for b in call.json_param("blocks") if "fields" in b for f in b["fields"]]
    return next(f for f in fields if f.startswith("*Going*")).split("\n", 1)[1]


async def press_on_card(
    slack: SlackDriver, card: RecordedCall, label: str, user: str
) -> RecordedCall:
    return await slack.press(
        card, label, user=user, channel=card.params["channel"], message_ts=card.response["ts"]
    )


async def test_event_create_posts_a_card_with_rsvp_buttons(
    slack: SlackDriver, bot: Potluck
) -> None:
    code, card = await create_event(
        slack, bot, 'title:"Winter party" when:"next friday 6pm" capacity:30 where:"Room 2"'
    )

    assert card.params["channel"] == GENERAL
    blocks = card.json_param("blocks")
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": blocks[0]["text"]["text"], "emoji": True},
    }
    assert "Winter party" in blocks[0]["text"]["text"]
    assert "<!date^" in shown(card)  # each reader sees their own local time
    assert going(card) == "0 of 30 spots"
    labels = [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert labels == ["Going", "Maybe", "Can't go"]
    assert code in shown(card)


async def test_rsvp_button_updates_the_counts_on_the_card(
    slack: SlackDriver, bot: Potluck, clock: ManualClock
) -> None:
    _, card = await create_event(slack, bot, 'title:"Book swap" when:"next friday 6pm" capacity:10')

    answer = await press_on_card(slack, card, "Going", SAM)
    assert answer.params["response_type"] == "ephemeral"
    assert "You're going to" in shown(answer)

    clock.advance(seconds=2)
    await bot.outbox.pump()
    update = await slack.fake.wait_for_call("chat.update")
    assert update.params["channel"] == card.params["channel"]
    assert update.params["ts"] == card.response["ts"]
    assert going(update) == "1 of 10 spots"


async def test_waitlist_promotion_sends_the_promoted_person_a_message(
    slack: SlackDriver, fake: FakeSlack, bot: Potluck, clock: ManualClock
) -> None:
    _, card = await create_event(
        slack, bot, 'title:"Archive tour" when:"next friday 6pm" capacity:1'
    )
    await press_on_card(slack, card, "Going", SAM)
    waiting = await press_on_card(slack, card, "Going", MOD)
    assert "waitlist at position 1" in shown(waiting)

    left = await press_on_card(slack, card, "Can't go", SAM)
    assert "Your spot went to" in shown(left)
    clock.advance(seconds=2)
    await bot.outbox.pump()

    dm = await fake.wait_for(
        lambda c: (
            c.method == "chat.postMessage" and c.params.get("channel") == fake.dm_channels.get(MOD)
        )
    )
    assert "A spot opened up: Archive tour" in shown(dm)
    assert any(c.params["users"] == MOD for c in fake.calls("conversations.open"))


async def test_a_bad_date_gets_an_only_to_you_error(slack: SlackDriver, bot: Potluck) -> None:
    answer = await slack.command("/event", 'create title:"Winter party" when:"the blurst day"')

    assert answer.params["response_type"] == "ephemeral"
    assert "could not understand the date" in shown(answer)
    await bot.outbox.pump()
    assert slack.fake.calls("chat.postMessage") == []  # no card for an event that failed


async def test_a_member_cannot_use_a_moderator_event_command(slack: SlackDriver) -> None:
    answer = await slack.command("/event", "feed", user=SAM)
    assert answer.params["response_type"] == "ephemeral"
    assert "Only moderators can use /event feed" in shown(answer)


async def test_an_event_title_never_pings_the_channel(slack: SlackDriver, bot: Potluck) -> None:
    # What Slack sends when someone types `<!channel> party @here`.
    _, card = await create_event(
        slack, bot, 'title:"&lt;!channel&gt; party <!here>" when:"next friday 6pm"'
    )
    parsed = parsed_for_pings(card)
    assert "&lt;!channel&gt; party @here" in parsed  # the fallback text (notifications)
    assert not any(ping in parsed for ping in BROADCASTS)
    header = card.json_param("blocks")[0]
    assert header["text"]["type"] == "plain_text"  # shown literally, never parsed
    assert header["text"]["text"].endswith("<!channel> party @here")


async def test_event_plan_opens_a_modal_whose_submission_creates_the_event(
    slack: SlackDriver, bot: Potluck
) -> None:
    fake = slack.fake
    body = fake.slash_command_body(
        "/event", "plan", user_id=ANA, channel_id=GENERAL, trigger_id="333.444.plan"
    )
    assert await slack.post(body) == 200
    opened = await fake.wait_for_call("views.open")
    view = opened.json_param("view")
    assert view["callback_id"] == "potluck-form:event create"
    assert [b["block_id"] for b in view["blocks"]] == [
        "title",
        "when",
        "where",
        "capacity",
        "description",
    ]

    mark = len(fake.requests)
    submit = fake.view_submission_body(
        view["callback_id"],
        {
            "title": "Zine swap",
            "when": "next friday 6pm",
            "where": "",
            "capacity": "12",
            "description": "",
        },
        user_id=ANA,
        private_metadata=view["private_metadata"],
    )
    assert await slack.post(submit) == 200
    created = await fake.wait_for(lambda c: c.method == "chat.postEphemeral", since=mark)
    assert "Created!" in shown(created)
    mark = len(fake.requests)
    await bot.outbox.pump()
    card = await fake.wait_for(lambda c: c.method == "chat.postMessage", since=mark)
    assert card.params["channel"] == GENERAL
    assert going(card) == "0 of 12 spots"


async def test_a_mistake_in_the_event_modal_is_shown_on_its_field(
    slack: SlackDriver, bot: Potluck
) -> None:
    import json

    fake = slack.fake
    body = fake.slash_command_body(
        "/event", "plan", user_id=ANA, channel_id=GENERAL, trigger_id="555.666.plan"
    )
    assert await slack.post(body) == 200
    view = (await fake.wait_for_call("views.open")).json_param("view")
    mark = len(fake.requests)
    submit = fake.view_submission_body(
        view["callback_id"],
        {"title": "Zine swap", "when": "the blurst of times"},
        user_id=ANA,
        private_metadata=view["private_metadata"],
    )
    status, text = await fake.post_signed(slack.url, submit, slack.secret)
    assert status == 200
    assert text, (status, text)
    answer = json.loads(text)
    assert answer["response_action"] == "errors"
    assert "could not understand the date" in answer["errors"]["when"]
    await slack.adapter.drain()
    assert not [c for c in fake.requests[mark:] if c.method.startswith("chat.")]
    async with bot.db.sessions() as session:  # nothing was created
        from sqlalchemy import func, select

        from storage.models import EventRow

        assert await session.scalar(select(func.count()).select_from(EventRow)) == 0
