"""Mentor intros on Slack: one group DM (`conversations.open` with both people) that names
them both, with the feedback buttons working for either of them."""

from __future__ import annotations

from bot.app import Potluck
from tests.fakes.slack_server import FakeSlack
from tests.slack.conftest import ANA, MOD, SAM, SlackDriver, shown


async def test_intro_is_one_group_dm_with_both_people(
    slack: SlackDriver, fake: FakeSlack, bot: Potluck
) -> None:
    joined = await slack.command("/mentor", 'join role:mentor topics:"grant writing"', user=ANA)
    assert "Welcome!" in shown(joined)
    await slack.command(
        "/mentor", 'join role:mentee topics:"grants" organization:"Oak U"', user=SAM
    )
    refused = await slack.command("/mentor", "round", user=SAM)
    assert "Only moderators" in shown(refused)
    done = await slack.command("/mentor", "round kind:mentoring", user=MOD)
    assert "1 match" in shown(done)

    assert await bot.outbox.pump() == 1  # one intro for the match; check-ins come later
    (opened,) = fake.calls("conversations.open")
    assert opened.params["users"] == f"{ANA},{SAM}"  # mentor first
    (posted,) = fake.calls("chat.postMessage")
    group = opened.response["channel"]["id"]
    assert posted.params["channel"] == group and group.startswith("G")
    text = shown(posted)
    assert f"<@{ANA}> will mentor <@{SAM}>" in text
    assert "you both listed grant writing" in text and "<!channel>" not in text

    pressed = await slack.press(posted, "Not a good fit", user=SAM, channel=group)
    assert "will not be matched again" in shown(pressed)
    stranger = await slack.press(posted, "We met", user=MOD, channel=group)
    assert "belongs to other people" in shown(stranger)
