"""Slack's users.info gives each person's locale (with include_locale): a slashed date is
read in that locale's order, whatever the person's zone."""

from __future__ import annotations

import pytest

from tests.fakes.slack_server import FakeSlack
from tests.slack.conftest import SAM, SlackDriver, shown


@pytest.mark.parametrize(
    ("locale", "reading"),
    [
        ("en-US", "I read 4/12/2027 as 12 April 2027 (month first)"),
        ("en-GB", "I read 4/12/2027 as 4 December 2027 (day first)"),
    ],
)
async def test_a_slashed_date_follows_the_slack_locale(
    slack: SlackDriver, fake: FakeSlack, locale: str, reading: str
) -> None:
    fake.user(SAM).locale = locale  # Sam's zone is Berlin: day first, unless the locale says
    fake.users[SAM] = fake.user(SAM)
    answer = await slack.command(
        "/event", 'create title:"Book club" when:"4/12/2027 18:00"', user=SAM
    )
    assert "Created!" in shown(answer) and reading in shown(answer), shown(answer)
