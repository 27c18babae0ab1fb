"""Slash commands through the real bolt app over signed HTTP: answers, levels, errors,
signatures, retries and escaping."""

from __future__ import annotations

import time
import uuid

from sqlalchemy import func, select

from bot.app import Potluck
from bot.core.clock import ManualClock
from storage.models.core import HandledRequest
from tests.fakes.slack_server import FakeSlack
from tests.slack.conftest import (
    ANA,
    BROADCASTS,
    MOD,
    ORG,
    SAM,
    SECRET,
    SlackDriver,
    parsed_for_pings,
    shown,
)


async def test_a_command_is_answered_only_to_the_person_in_their_slack_time_zone(
    slack: SlackDriver,
) -> None:
    answer = await slack.command("/timezone", "show", user=ANA)

    assert answer.params["response_type"] == "ephemeral"
    # Ana never ran /timezone set: her zone comes from her Slack profile (users.info).
    assert "America/Chicago" in shown(answer)
    assert answer.json_param("blocks")[0]["type"] == "section"


async def test_potluck_command_runs_any_command_line(slack: SlackDriver) -> None:
    answer = await slack.command("/potluck", "timezone show", user=SAM)
    assert "Europe/Berlin" in shown(answer)

    help_answer = await slack.command("/potluck", "")
    assert "Potluck help" in shown(help_answer)


async def test_a_member_trying_a_moderator_command_is_refused(
    slack: SlackDriver, bot: Potluck
) -> None:
    refused = await slack.command("/timezone", "community zone:Asia/Tokyo", user=ANA)

    assert refused.params["response_type"] == "ephemeral"
    assert "Only moderators can use /timezone community" in shown(refused)
    community = await bot.identity.community("slack", slack.fake.team_id)
    assert community.timezone == "UTC"


async def test_workspace_admins_are_moderators(slack: SlackDriver, bot: Potluck) -> None:
    answer = await slack.command("/timezone", "community zone:Asia/Tokyo", user=MOD)

    assert answer.params["response_type"] == "in_channel"
    assert "Asia/Tokyo" in shown(answer)
    bot.identity._communities.clear()  # read it back from the database, not the cache
    community = await bot.identity.community("slack", slack.fake.team_id)
    assert community.timezone == "Asia/Tokyo"


async def test_an_organizer_group_member_is_an_organizer_not_a_moderator(
    slack: SlackDriver,
) -> None:
    refused = await slack.command("/timezone", "community zone:Asia/Tokyo", user=ORG)
    assert "Only moderators" in shown(refused)
    assert slack.fake.calls("usergroups.users.list")


async def test_bad_input_gets_an_ephemeral_error_that_says_what_to_type(
    slack: SlackDriver,
) -> None:
    answer = await slack.command("/timezone", "set zone:Mars/Olympus_Mons")

    assert answer.params["response_type"] == "ephemeral"
    assert "is not a time zone I know" in shown(answer)
    assert "zone:Europe/Berlin" in shown(answer)


async def test_a_bad_or_stale_signature_gets_401_and_nothing_runs(
    slack: SlackDriver, fake: FakeSlack, bot: Potluck
) -> None:
    body = fake.slash_command_body("/timezone", "set zone:Asia/Tokyo", user_id=SAM)

    wrong_secret = fake.signed_request_headers("not-the-secret", body)
    stale = fake.signed_request_headers(SECRET, body, timestamp=int(time.time()) - 600)
    unsigned = {"Content-Type": "application/x-www-form-urlencoded"}
    for headers in (wrong_secret, stale, unsigned):
        status, _ = await fake.post_to_app(slack.url, body, headers)
        assert status == 401
    await slack.adapter.drain()

    assert fake.calls("response_url") == []
    assert fake.calls("users.info") == []
    async with bot.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(HandledRequest)) == 0
    # And Sam's zone was not changed: it still comes from Slack, not from the forged request.
    answer = await slack.command("/timezone", "show", user=SAM)
    assert "Your time zone: *Europe/Berlin*" in shown(answer)
    assert "Asia/Tokyo" not in shown(answer)


async def test_a_retried_request_is_not_run_twice(slack: SlackDriver, fake: FakeSlack) -> None:
    token = uuid.uuid4().hex
    body = fake.slash_command_body(
        "/timezone", "set zone:Europe/Lisbon", user_id=ANA, response_token=token
    )

    assert await slack.post(body) == 200
    await fake.wait_for(lambda c: c.method == "response_url" and c.path.endswith(token))
    # Slack resends the same request (same trigger id) when it thinks the ack was late.
    assert (
        await slack.post(body, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"})
        == 200
    )
    assert (
        await slack.post(body, **{"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "timeout"})
        == 200
    )
    await slack.adapter.drain()

    answered = [c for c in fake.calls("response_url") if c.path.endswith(token)]
    assert len(answered) == 1


async def test_a_retry_handled_by_another_process_is_not_run_again(
    slack: SlackDriver, fake: FakeSlack, bot: Potluck
) -> None:
    """The record of handled requests lives in the database, so a second process (or a
    restarted one) skips the retry too."""
    from bot.adapters.slack import SlackAdapter

    token = uuid.uuid4().hex
    body = fake.slash_command_body("/timezone", "show", user_id=ANA, response_token=token)
    assert await slack.post(body) == 200
    await fake.wait_for(lambda c: c.method == "response_url" and c.path.endswith(token))

    other = Potluck(bot.settings, clock=bot.clock, db=bot.db)
    await other.load_cogs()
    second = SlackAdapter(other)
    port = (await other.web.start([("127.0.0.1", 0)]))[0]
    try:
        status, _ = await fake.post_to_app(
            f"http://127.0.0.1:{port}/slack/events",
            body,
            fake.signed_request_headers(SECRET, body),
            {"X-Slack-Retry-Num": "1"},
        )
        assert status == 200
        await second.drain()
    finally:
        await second.stop()
        await other.web.stop()
    assert len([c for c in fake.calls("response_url") if c.path.endswith(token)]) == 1


async def test_user_text_never_becomes_a_broadcast_or_group_ping(slack: SlackDriver) -> None:
    # What Slack sends when someone types "<!channel>" literally, and when they type
    # @here / @channel / @a-user-group with should_escape on.
    typed = [
        ("set zone:&lt;!channel&gt;", "&lt;!channel&gt;"),
        ("set zone:<!here>", "@here"),
        ("set zone:<!subteam^S0MODS0001|@moderators>", "@moderators"),
        ("set zone:<!everyone|@everyone>&amp;&lt;b&gt;", "@everyone&amp;&lt;b&gt;"),
    ]
    for text, visible in typed:
        answer = await slack.command("/timezone", text)
        parsed = parsed_for_pings(answer)
        assert visible in parsed
        assert not any(ping in parsed for ping in BROADCASTS)
        assert "link_names" not in answer.params


async def test_prefix_names_the_commands(fake: FakeSlack, bot: Potluck) -> None:
    from bot.adapters.slack import SlackAdapter
    from tests.slack.conftest import SlackDriver, slack_settings

    bot.settings = slack_settings(fake, command_prefix="pl-")
    adapter = SlackAdapter(bot)
    port = (await bot.web.start([("127.0.0.1", 0)]))[0]
    driver = SlackDriver(fake=fake, adapter=adapter, url=f"http://127.0.0.1:{port}/slack/events")
    try:
        assert "/pl-timezone" in adapter.command_names()
        assert "/pl-potluck" in adapter.command_names()
        answer = await driver.command("/pl-timezone", "show", user=SAM)
        assert "Europe/Berlin" in shown(answer)
        answer = await driver.command("/pl-potluck", "pl-timezone show", user=SAM)
        assert "Europe/Berlin" in shown(answer)
        # What Potluck tells people to type carries the prefix too.
        helped = shown(await driver.command("/pl-help", "timezone", user=SAM))
        assert "`/pl-timezone set zone:America/Chicago`" in helped
        assert "`/timezone set" not in helped
        refused = shown(await driver.command("/pl-timezone", "frob", user=SAM))
        assert "Type /pl-help timezone for examples" in refused  # hints in plain text too
    finally:
        await adapter.drain()
        await adapter.stop()


async def test_handled_requests_are_forgotten_after_a_day(
    slack: SlackDriver, bot: Potluck, clock: ManualClock
) -> None:
    await slack.command("/timezone", "show")
    await slack.adapter.drain()
    clock.advance(hours=12)
    await slack.adapter.forget_handled()
    async with bot.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(HandledRequest)) == 1

    clock.advance(hours=13)
    await slack.adapter.forget_handled()
    async with bot.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(HandledRequest)) == 0
