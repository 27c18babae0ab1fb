"""The limit, reputation and timing rules as plain functions."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.errors import BadOption
from cogs.invitations.limits import (
    Inviter,
    Limits,
    Recipient,
    Reputation,
    budget_line,
    decide,
    next_free,
    over_threshold,
    plan,
    window_wait,
)
from cogs.invitations.timing import next_digest, parse_clock, quiet_until

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OPEN = Limits(
    per_inviter_hour=None,
    per_inviter_day=None,
    per_recipient_week=None,
    per_event=None,
    role_posts_day=None,
)


@pytest.mark.parametrize(
    ("person", "inviter", "reason"),
    [
        (Recipient("ann", member=False), Inviter(), "isn't a member of this community"),
        (Recipient("ann", is_inviter=True), Inviter(), "that's you"),
        (
            Recipient("ann", invited_on=datetime(2026, 11, 20, tzinfo=UTC)),
            Inviter(),
            "already invited on 2026-11-20",
        ),
        (Recipient("ann", going=True), Inviter(), "is already going"),
        (Recipient("ann", opted_out=True), Inviter(), "has turned invitations off"),
        (Recipient("ann", blocked_inviter=True), Inviter(), "doesn't take invitations from you"),
        (
            Recipient("ann"),
            Inviter(paused_until=NOW + timedelta(hours=3), pause_reason="too many complaints"),
            "your invitations are paused (too many complaints)",
        ),
    ],
)
def test_each_personal_refusal_says_why(person: Recipient, inviter: Inviter, reason: str) -> None:
    decision = decide(person, inviter, [], 0, OPEN, NOW)
    assert decision.outcome == "not_sent"
    assert decision.reason.startswith(reason)


def test_a_pause_says_when_it_ends() -> None:
    until = NOW + timedelta(days=1)
    decision = decide(Recipient("ann"), Inviter(paused_until=until), [], 0, OPEN, NOW)
    assert decision.again_at == until
    assert decide(Recipient("ann"), Inviter(paused_until=NOW), [], 0, OPEN, NOW).accepted


def test_hourly_limit_refuses_the_eleventh_and_says_when() -> None:
    sent = [NOW - timedelta(minutes=50 - i) for i in range(10)]
    limits = OPEN.overlay({"per_inviter_hour": 10})
    decision = decide(Recipient("ann"), Inviter(), sent, 0, limits, NOW)
    assert decision.reason == "you have invited 10 people in an hour, the limit"
    assert decision.again_at == sent[0] + timedelta(hours=1)
    assert decide(Recipient("ann"), Inviter(), sent[1:], 0, limits, NOW).accepted


def test_daily_limit() -> None:
    sent = [NOW - timedelta(hours=20)] * 3
    decision = decide(
        Recipient("ann"), Inviter(), sent, 0, OPEN.overlay({"per_inviter_day": 3}), NOW
    )
    assert decision.reason == "you have invited 3 people in a day, the limit"
    assert decision.again_at == NOW + timedelta(hours=4)


def test_recipient_weekly_limit_counts_everyone_together() -> None:
    received = [NOW - timedelta(days=d) for d in (1, 2, 6)]
    limits = OPEN.overlay({"per_recipient_week": 3})
    decision = decide(Recipient("ann", received=received), Inviter(), [], 0, limits, NOW)
    assert decision.reason.startswith("has had 3 invitations this week")
    assert decision.again_at == received[2] + timedelta(days=7)


def test_event_limit() -> None:
    limits = OPEN.overlay({"per_event": 5})
    assert decide(Recipient("ann"), Inviter(), [], 5, limits, NOW).reason.startswith(
        "this event has had its 5 invitations"
    )
    assert decide(Recipient("ann"), Inviter(), [], 4, limits, NOW).accepted
    off = OPEN.overlay({"per_event": 0})
    assert decide(Recipient("ann"), Inviter(), [], 0, off, NOW).reason == (
        "invitations to this event are off (its limit is 0)"
    )


def test_quiet_hours_and_digests_queue_with_their_time() -> None:
    later = NOW + timedelta(hours=8)
    decision = decide(
        Recipient("ann", held_until=later, held_for="quiet hours"), Inviter(), [], 0, OPEN, NOW
    )
    assert (decision.outcome, decision.reason, decision.until) == ("queued", "quiet hours", later)


def test_plan_counts_each_accepted_invitation_against_the_next() -> None:
    people = [Recipient(f"p{i}") for i in range(12)]
    decisions = plan(Inviter(), people, OPEN.overlay({"per_inviter_hour": 10}), NOW)
    assert [d.outcome for d in decisions] == ["sent"] * 10 + ["not_sent"] * 2
    refused = plan(Inviter(), [Recipient("x", member=False), *people[:1]], OPEN, NOW)
    assert [d.outcome for d in refused] == ["not_sent", "sent"]


def test_budget_line_names_the_tighter_budget() -> None:
    limits = OPEN.overlay({"per_inviter_hour": 10, "per_inviter_day": 12})
    sent = [NOW - timedelta(hours=5)] * 8
    assert budget_line(sent, limits, NOW) == "you can invite 4 more people today"
    assert budget_line([], limits, NOW) == "you can invite 10 more people this hour"
    assert budget_line([], OPEN, NOW) is None
    full = [NOW - timedelta(hours=5)] * 12
    assert next_free(full, limits, NOW) == NOW + timedelta(hours=19)


@given(
    ages=st.lists(st.integers(min_value=0, max_value=7200), max_size=30),
    limit=st.integers(min_value=1, max_value=12),
)
def test_window_wait_frees_exactly_one_use(ages: list[int], limit: int) -> None:
    times = [NOW - timedelta(seconds=a) for a in ages]
    wait = window_wait(times, limit, timedelta(hours=1), NOW)
    inside = [t for t in times if t > NOW - timedelta(hours=1)]
    if wait is None:
        assert len(inside) < limit
    else:
        assert wait > NOW
        assert window_wait(times, limit, timedelta(hours=1), wait) is None or len(inside) > limit


@given(st.lists(st.booleans(), max_size=40), st.integers(min_value=0, max_value=40))
def test_plan_never_goes_over_a_limit(members: list[bool], already: int) -> None:
    limits = Limits(per_inviter_hour=7, per_inviter_day=9, per_recipient_week=None, per_event=None)
    sent = [NOW - timedelta(minutes=30)] * min(already, 9)
    decisions = plan(
        Inviter(sent=sent),
        [Recipient(str(i), member=m) for i, m in enumerate(members)],
        limits,
        NOW,
    )
    accepted = sum(d.accepted for d in decisions)
    assert accepted + len(sent) <= 9 and accepted + len(sent) <= max(7, len(sent))


@pytest.mark.parametrize(
    ("complaints", "invitations", "paused"),
    [(3, 30, True), (2, 30, False), (2, 5, False), (3, 31, False), (4, 31, True), (0, 0, False)],
)
def test_reputation_threshold(complaints: int, invitations: int, paused: bool) -> None:
    # 3 complaints and 10%: both must be passed.
    assert over_threshold(complaints, invitations, Reputation()) is paused


def test_quiet_hours_in_the_recipients_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # 23:30 in Berlin (22:30 UTC): quiet until 08:00 Berlin, which is 07:00 UTC.
    late = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)
    assert quiet_until(late, berlin, time(22), time(8)) == datetime(2026, 11, 24, 7, tzinfo=UTC)
    early = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # 06:00 Berlin
    assert quiet_until(early, berlin, time(22), time(8)) == datetime(2026, 11, 24, 7, tzinfo=UTC)
    assert quiet_until(NOW, berlin, time(22), time(8)) is None
    assert quiet_until(NOW, berlin, time(12), time(14)) == datetime(2026, 11, 23, 13, tzinfo=UTC)
    assert quiet_until(NOW, berlin, time(8), time(8)) is None


def test_digest_times() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    # NOW is 21:00 Monday in Tokyo: the daily digest at 09:00 is tomorrow, 00:00 UTC.
    assert next_digest(NOW, tokyo, "daily", 9) == datetime(2026, 11, 24, 0, tzinfo=UTC)
    # Weekly digests come on Mondays: the next is a week later.
    assert next_digest(NOW, tokyo, "weekly", 9) == datetime(2026, 11, 30, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("22:00", time(22)), ("7", time(7)), ("10pm", time(22)), ("7:30am", time(7, 30))],
)
def test_clock_times(text: str, expected: time) -> None:
    assert parse_clock(text, "from") == expected


@pytest.mark.parametrize("text", ["25:00", "noonish", "13pm", "7:75"])
def test_bad_clock_times_say_what_to_type(text: str) -> None:
    with pytest.raises(BadOption, match="time of day"):
        parse_clock(text, "from")


@given(st.text(max_size=12))
def test_clock_parser_never_crashes(text: str) -> None:
    try:
        value = parse_clock(text, "from")
    except BadOption:
        return
    assert 0 <= value.hour <= 23
