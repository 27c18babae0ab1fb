"""A button press Slack delivers again (X-Slack-Retry-Num, same trigger id) runs once: one
answer, one RSVP, one card edit."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from bot.app import Potluck
from storage.models import OutboxRow, RsvpRow
from tests.fakes.slack_server import FakeSlack
from tests.slack.conftest import SAM, SlackDriver, shown


async def test_a_retried_button_press_runs_once(
    slack: SlackDriver, fake: FakeSlack, bot: Potluck
) -> None:
    await slack.command("/event", 'create title:"Book swap" when:"next friday 6pm"')
    mark = len(fake.requests)
    await bot.outbox.pump()
    card = await fake.wait_for(lambda c: c.method == "chat.postMessage", since=mark)
    going = next(
        e
        for b in card.json_param("blocks")
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == "Going"
    )
    token = uuid.uuid4().hex
    body = fake.block_actions_body(
        going["action_id"],
        going.get("value"),
        user_id=SAM,
        channel_id=card.params["channel"],
        message_ts=card.response["ts"],
        response_token=token,
        message={"type": "message", "ts": card.response["ts"], "blocks": card.json_param("blocks")},
    )

    assert await slack.post(body) == 200
    answer = await fake.wait_for(lambda c: c.method == "response_url" and c.path.endswith(token))
    assert "You're going" in shown(answer)
    # Slack sends the same delivery again when it thinks the first ack came too late.
    for retry in ("1", "2"):
        status = await slack.post(
            body, **{"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "timeout"}
        )
        assert status == 200
    await slack.adapter.drain()

    assert len([c for c in fake.calls("response_url") if c.path.endswith(token)]) == 1
    async with bot.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(RsvpRow)) == 1
        edits = await session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.kind == "card-edit")
        )
    assert edits == 1
