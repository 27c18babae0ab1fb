"""Every part of a typed RRULE is read within its range: INTERVAL=0 used to hang the bot, a
negative INTERVAL or a huge one ended in "something went wrong", and BYMINUTE quietly moved
the time typed in `when:`. Each now gets a refusal naming the part and what to type."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.testing import Conversation
from tests.events.conftest import create, said

INTERNAL_ERROR = "something went wrong"


@pytest.mark.parametrize(
    ("rule", "names"),
    [
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL must be between 1 and 52"),
        ("FREQ=DAILY;INTERVAL=-1", "INTERVAL must be between 1 and 366"),
        ("FREQ=DAILY;INTERVAL=99999999999", "INTERVAL must be between 1 and 366"),
        ("every 1000 weeks", "INTERVAL must be between 1 and 52"),
        ("FREQ=DAILY;COUNT=0", "COUNT must be between 1 and 1000"),
        ("FREQ=DAILY;COUNT=99999999999", "COUNT must be between 1 and 1000"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY values must be"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH values must be"),
        ("FREQ=MONTHLY;BYDAY=9TU", "BYDAY values are days"),
        ("FREQ=DAILY;UNTIL=20270231", "UNTIL must be a date"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never meet a date"),
        ("FREQ=DAILY;BYMINUTE=5", "BYMINUTE would move the time"),
        ("FREQ=DAILY;BYHOUR=7", "BYHOUR would move the time"),
    ],
)
@pytest.mark.parametrize("command", ["create", "edit"])
async def test_a_rule_out_of_range_is_refused_naming_the_part(
    chat: Conversation, rule: str, names: str, command: str
) -> None:
    if command == "create":
        line = f'/event create title:R when:"tomorrow 6pm" repeat:"{rule}"'
    else:
        code = await create(chat, '/event create title:R when:"tomorrow 6pm"')
        line = f'/event edit id:{code} repeat:"{rule}"'
    reply = await chat.say(line, as_="ana")
    assert reply.accent == "danger", said(reply)
    assert names in said(reply) and INTERNAL_ERROR not in said(reply).lower()


async def test_rules_in_range_are_still_taken(chat: Conversation) -> None:
    for rule in ("FREQ=WEEKLY;INTERVAL=52", "FREQ=DAILY;COUNT=1000", "every 52 weeks"):
        await create(chat, f'/event create title:R when:"tomorrow 6pm" repeat:"{rule}"')


_PART = st.one_of(
    st.builds("INTERVAL={}".format, st.integers(-5, 10**12)),
    st.builds("COUNT={}".format, st.integers(-5, 10**6)),
    st.builds("BYMONTH={}".format, st.integers(-2, 14)),
    st.builds("BYMONTHDAY={}".format, st.integers(-33, 33)),
    st.builds("BYYEARDAY={}".format, st.integers(-370, 370)),
    st.builds("BYWEEKNO={}".format, st.integers(-55, 55)),
    st.builds("BYSETPOS={}".format, st.integers(-5, 5)),
    st.builds(
        "BYDAY={}{}".format,
        st.sampled_from(["", "1", "-1", "5", "9", "0"]),
        st.sampled_from(["MO", "FR", "XX"]),
    ),
    st.builds("BYHOUR={}".format, st.integers(0, 25)),
    st.builds("UNTIL={}".format, st.sampled_from(["20271231", "20270230", "99991231", "x"])),
    st.sampled_from(["WKST=SU", "WKST=ZZ", "NOPE=1", "INTERVAL=", "=", ""]),
)


@hypothesis_settings(
    max_examples=50,  # each example is one /event create
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    freq=st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", "SOMETIMES"]),
    parts=st.lists(_PART, max_size=4),
)
async def test_no_typed_rule_is_an_internal_error(
    chat: Conversation, caplog: pytest.LogCaptureFixture, freq: str, parts: list[str]
) -> None:
    caplog.set_level(logging.ERROR)
    caplog.clear()
    rule = ";".join([f"FREQ={freq}", *parts])
    reply = await chat.say(f'/event create title:R when:"tomorrow 6pm" repeat:"{rule}"', as_="ana")
    assert reply.accent in ("success", "danger"), said(reply)
    assert INTERNAL_ERROR not in said(reply).lower(), rule
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], rule
