"""No text anyone can type or send is an internal error, for any command of the real bot.

Every registered command of every configured cog (so a cog added later is covered without
touching this file) gets random option values through each front door: the text grammar
(`run_line`, Slack and the console), typed options (`run_command`, Discord and forms), button
presses with random custom ids (`press`) and autocomplete (`suggest`). Values mix the
plausible ("tomorrow 6pm", an existing event's id) with the hostile: empty, blank, quotes,
backslashes, control characters, NUL (PostgreSQL refuses it in text), lone surrogates, huge
text and unicode. The reply may refuse, but never with "something went wrong (ref ...)", and
nothing may be logged as an error.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.app import Potluck
from bot.config import DEFAULT_COGS, Settings
from bot.core.commands import CommandSpec, Option, OptionKind
from bot.core.grammar import quote
from bot.core.messages import Message, plain
from bot.core.registry import BUILTIN_COGS
from bot.core.types import Level
from bot.testing import Conversation
from tests.events.conftest import create

INTERNAL_ERROR = "something went wrong on my side"
ZONES = ["UTC", "Europe/Berlin", "America/Chicago", "Pacific/Chatham", "Not/A_Zone"]
LOCALES = [None, "en-US", "de", "ja", "zz-ZZ", "", "\x00"]

HOSTILE = [
    "",
    " ",
    "   ",
    "\t\n",
    '"',
    "'",
    '""',
    "''",
    '\\"',
    "\\",
    "\x00",
    "a\x00b",
    "\x00" * 5,
    "\x1b[31mred\x1b[0m",
    "\x7f\x85\u2028",
    "\ud800",
    "\u202eevil",
    "🎉 party 🎉",
    "Zürich „quoted“ «this»",
    "null",
    "none",
    "-",
    "0",
    "-1",
    "9" * 40,
    "1e309",
    "@everyone",
    "<@&123>",
    "<@>",
    "<#>",
    "#",
    "@",
    ":",
    "key:value",
    "x" * 7000,
    "ü" * 3000,
    "tomorrow 6pm " * 40,
    "%s%n{0}",
    "'; drop table events; --",
]

BY_KIND: dict[OptionKind, list[str]] = {
    OptionKind.INTEGER: ["1", "+3", "10", "100000", "100001", "-5", "2.5", "10**10", "1_000"],
    OptionKind.BOOLEAN: ["yes", "no", "true", "off", "maybe"],
    OptionKind.PERSON: ["@sam", "<@sam>", "<@!42|Sam>", "sam", "<@U0>", "nobody-here"],
    OptionKind.CHANNEL: ["#general", "<#C123|general>", "general", "#"],
    OptionKind.DURATION: ["90m", "2h", "1.5h", "3 days", "0", "-1h", "99999 weeks", "1e9h"],
    OptionKind.DATETIME: [
        "tomorrow 6pm",
        "next friday 6pm",
        "2026-12-04 18:00",
        "in 2 hours",
        "yesterday 6pm",
        "9999-12-31 23:30",
        "0001-01-01 00:00",
        "5.12. 18:00",
        "4/12 6pm",
        "31/4 6pm",
        "tomorrow 6pm ET",
        "tomorrow 18:00 +0200",
        "tomorrow 18:00 +9900",
        "tomorrow 25:00",
        "2027-03-14 02:30",
        "friday 18.30",
    ],
    OptionKind.DATE: ["2026-12-04", "tomorrow", "5.12.", "2099-01-01", "0001-01-01"],
}
BY_NAME: dict[str, list[str]] = {
    "repeat": [
        "weekly",
        "monthly on the last day",
        "monthly on the 5th friday",
        "every 52 weeks",
        "FREQ=DAILY;COUNT=0",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=WEEKLY;UNTIL=20000101T000000Z",
        "FREQ=MONTHLY;BYSETPOS=9",
        "RRULE:",
    ],
    "reminders": ["1d, 1h", "off", "0m", "999d", "1h,1h,1h,1h,1h,1h,1h,1h"],
    "zone": ["Europe/Berlin", "EST", "new york", "Mars/Olympus", "../../etc/passwd"],
    "link": ["https://example.org/recording", "javascript:alert(1)", "ftp://x"],
}


def _values(opt: Option, known: list[str]) -> st.SearchStrategy[str]:
    plausible = [*BY_KIND.get(opt.kind, []), *BY_NAME.get(opt.name, []), *opt.choices, *known]
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.sampled_from(plausible or ["plain words"]),
        st.text(max_size=40),
        st.text(st.characters(codec="utf-8"), max_size=12).map(lambda t: t + "\x00"),
    )


def _typed(opt: Option, text: str, draw: Any) -> Any:
    """What Discord or a form sends: typed numbers and booleans, strings otherwise."""
    if opt.kind is OptionKind.INTEGER and draw(st.booleans()):
        return draw(st.integers(min_value=-(10**15), max_value=10**15))
    if opt.kind is OptionKind.BOOLEAN and draw(st.booleans()):
        return draw(st.booleans())
    return None if text == "" and draw(st.booleans()) else text


def _as_written(name: str, value: str, draw: Any) -> str:
    style = draw(st.sampled_from(["quoted", "bare", "single"]))
    if style == "quoted":
        return f"{name}:{quote(value)}"
    if style == "single":
        return f"{name}:'{value}'"
    return f"{name}:{value}"


@pytest.fixture
def settings() -> Settings:
    cogs = list(dict.fromkeys([*DEFAULT_COGS, *BUILTIN_COGS]))
    # The flood guard is tested elsewhere; here it would answer most commands before their
    # handler runs.
    return Settings(bot={"cogs": cogs, "commands_per_minute": 0})


@pytest.fixture
async def known(chat: Conversation) -> list[str]:
    """Ids and titles that exist, so values reach past "no such event"."""
    one_off = await create(chat, '/event create title:"Book swap" when:"tomorrow 6pm" capacity:1')
    series = await create(
        chat, '/event create title:"Zine club" when:"friday 6pm" repeat:weekly', as_="ana"
    )
    await chat.say(f"/rsvp event:{one_off} answer:yes", as_="sam")
    return [one_off, series, "Book swap", "zine club", f"{one_off}:yes", f"{series}:no"]


def _commands(bot: Potluck) -> list[CommandSpec]:
    specs = sorted(bot.registry.commands.values(), key=lambda s: s.name)
    assert {"event create", "rsvp", "timezone set"} <= {s.name for s in specs}
    return specs


def _assert_no_internal_error(reply: Message, what: str) -> None:
    said = plain(reply.text)
    assert INTERNAL_ERROR not in said, f"{what} -> {said}"


@hypothesis_settings(
    # Each example runs every command once: a sixth of the profile's count keeps CI at 16
    # examples (about 5 s per database on an idle machine); HYPOTHESIS_PROFILE=explore runs 333.
    max_examples=max(1, hypothesis_settings.default.max_examples // 6),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_no_option_text_is_an_internal_error(
    bot: Potluck,
    chat: Conversation,
    known: list[str],
    caplog: pytest.LogCaptureFixture,
    data: st.DataObject,
) -> None:
    caplog.set_level(logging.ERROR)
    caplog.clear()
    draw = data.draw
    for spec in _commands(bot):
        who = draw(st.sampled_from(["ana", "sam", "kim"]), label="who")
        level = draw(st.sampled_from(list(Level)), label="level")
        chat.zones[who] = draw(st.sampled_from(ZONES), label="zone")
        actor = dataclasses.replace(
            chat.actor(who, level),
            locale=draw(st.sampled_from(LOCALES), label="locale"),
            display_name=draw(st.sampled_from([who, f"{who}\x00", "", "\x1b[2J" + who])),
        )
        values: dict[str, str] = {}
        for opt in spec.options:
            if opt.required or draw(st.booleans()):
                values[opt.name] = draw(_values(opt, known), label=f"{spec.name} {opt.name}")
        if draw(st.booleans(), label="typed"):
            typed = {name: _typed(spec.option(name), v, draw) for name, v in values.items()}  # type: ignore[arg-type]
            reply = await bot.dispatcher.run_command(actor, spec, typed)
            _assert_no_internal_error(reply, f"/{spec.name} {typed!r}")
        else:
            parts = [_as_written(name, v, draw) for name, v in values.items()]
            if draw(st.booleans(), label="trailing text"):
                parts.append(draw(st.sampled_from(HOSTILE) | st.text(max_size=20)))
            line = " ".join([f"/{spec.name}", *parts])
            reply = await bot.dispatcher.run_line(actor, line)
            _assert_no_internal_error(reply, repr(line))
    completed = [(s, o) for s in _commands(bot) for o in s.options if o.autocomplete]
    if completed:
        spec, opt = draw(st.sampled_from(completed), label="autocomplete")
        partial = draw(_values(opt, known), label="partial")
        await bot.dispatcher.suggest(chat.actor("sam"), spec.name, opt.name, partial)
    actions = sorted(bot.registry.actions)
    for _ in range(3):
        action = draw(st.sampled_from([*actions, "", "nope"]), label="action")
        value = draw(st.sampled_from(known) | st.sampled_from(HOSTILE) | st.text(max_size=30))
        custom_id = draw(st.sampled_from([f"{action}:{value}", value, f"{action}:{value}:yes"]))
        level = draw(st.sampled_from(list(Level)), label="level")
        reply = await bot.dispatcher.press(chat.actor("sam", level), custom_id)
        _assert_no_internal_error(reply, f"press {custom_id!r}")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors[0].getMessage()
