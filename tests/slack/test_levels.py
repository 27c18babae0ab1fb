"""Who may do what on Slack, through the real bolt app: people named in `organizer_ids` are
organizers (they change anyone's event) and not moderators; `moderator_ids` are moderators."""

from __future__ import annotations

import re

import pytest

from bot.app import Potluck
from bot.config import Settings
from tests.fakes.slack_server import FakeSlack
from tests.slack.conftest import (
    ANA,
    MOD,
    ORG,
    SAM,
    SlackDriver,
    events_cog_ready,
    shown,
    slack_settings,
)

pytestmark = pytest.mark.skipif(
    not events_cog_ready(), reason="the events cog (cogs/events) does not load yet"
)


@pytest.fixture
def settings(fake: FakeSlack) -> Settings:
    # Sam is an organizer by id; Ana (a plain member on Slack) is a moderator by id; Mo, a
    # workspace admin, is a plain member here because admins_are_moderators is off.
    return slack_settings(
        fake, organizer_ids=[SAM], moderator_ids=[ANA], admins_are_moderators=False
    )


async def event_by(slack: SlackDriver, user: str) -> str:
    answer = await slack.command(
        "/event", 'create title:"Book club" when:"next friday 6pm"', user=user
    )
    code = re.search(r"Its id is `([^`]+)`", shown(answer))
    assert code, shown(answer)
    return code.group(1)


async def test_an_organizer_by_id_changes_any_event_but_is_not_a_moderator(
    slack: SlackDriver, bot: Potluck
) -> None:
    code = await event_by(slack, ORG)
    edited = await slack.command("/event", f'edit id:{code} title:"Poetry night"', user=SAM)
    assert "Poetry night" in shown(edited) and "Only the organizer" not in shown(edited)

    refused = await slack.command("/timezone", "community zone:Asia/Tokyo", user=SAM)
    assert refused.params["response_type"] == "ephemeral"
    assert "Only moderators can use /timezone community" in shown(refused)
    community = await bot.identity.community("slack", slack.fake.team_id)
    assert community.timezone == "UTC"


async def test_a_moderator_by_id_is_a_moderator_and_others_are_members(
    slack: SlackDriver, bot: Potluck
) -> None:
    code = await event_by(slack, ORG)
    denied = await slack.command("/event", f'edit id:{code} title:"Mine now"', user=MOD)
    assert "Only the organizer can edit" in shown(denied)

    done = await slack.command("/timezone", "community zone:Asia/Tokyo", user=ANA)
    assert done.params["response_type"] == "in_channel"
    bot.identity._communities.clear()  # read it back from the database, not the cache
    community = await bot.identity.community("slack", slack.fake.team_id)
    assert community.timezone == "Asia/Tokyo"
