"""An offset typed where a zone is wanted ("UTC+2", "GMT-5", "+05:30"): refused in one line
that names a place's zone at that offset and, where tzdata has one, the fixed-offset zone
with its reversed sign; never a zone hours away ("UTC") or unrelated cities."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.core.zonenames import fixed_zone, places_at, read_offset
from bot.testing import Conversation
from tests.events.conftest import said


@pytest.mark.parametrize(
    ("typed", "offset"),
    [
        ("UTC+2", timedelta(hours=2)),
        ("utc + 2", timedelta(hours=2)),
        ("GMT-5", timedelta(hours=-5)),  # as people mean it, not POSIX's reversed sign
        ("+05:30", timedelta(hours=5, minutes=30)),
        ("+0530", timedelta(hours=5, minutes=30)),
        ("UTC−3:30", timedelta(hours=-3, minutes=-30)),  # a typographic minus
        ("-12", timedelta(hours=-12)),
        ("UTC+14", timedelta(hours=14)),
    ],
)
def test_offsets_are_read_as_people_write_them(typed: str, offset: timedelta) -> None:
    assert read_offset(typed) == offset


@pytest.mark.parametrize("typed", ["UTC", "Mars/Base", "UTC+15", "+05:75", "5", "Etc/GMT-2"])
def test_other_text_is_no_offset(typed: str) -> None:
    assert read_offset(typed) is None


def test_the_fixed_zone_reverses_the_sign_and_exists_for_whole_hours_only() -> None:
    assert fixed_zone(timedelta(hours=2)) == "Etc/GMT-2"
    assert fixed_zone(timedelta(hours=-5)) == "Etc/GMT+5"
    assert fixed_zone(timedelta(0)) == "UTC"
    assert fixed_zone(timedelta(hours=5, minutes=30)) is None


def test_places_at_an_offset_are_at_it_then_first() -> None:
    july, january = datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 1, 15, tzinfo=UTC)
    assert places_at(timedelta(hours=2), now=july)[0] == "Europe/Paris"  # summer time
    assert places_at(timedelta(hours=2), now=january)[0] == "Europe/Bucharest"
    assert places_at(timedelta(hours=5, minutes=30), now=july) == ["Asia/Kolkata"]
    assert places_at(timedelta(hours=-12), now=july) == []  # nobody lives there


@pytest.mark.parametrize(
    "command",
    ["/timezone set zone:{}", '/event create title:Swap when:"2027-03-02 18:00" zone:{}'],
)
async def test_an_offset_for_a_zone_gets_a_place_or_the_fixed_zone(
    chat: Conversation, command: str
) -> None:
    reply = await chat.say(command.format("UTC+2"), as_="ana")
    text = said(reply)
    assert reply.accent == "danger" and "\n" not in text, text
    assert text.startswith("`UTC+2` is an offset, not a time zone: type a place's zone, like zone:")
    assert text.endswith(
        "which follows its clock changes, or zone:Etc/GMT-2 for UTC+2 all year "
        "(the Etc names reverse the sign)."
    ), text
    assert "Did you mean UTC" not in text, text

    reply = await chat.say(command.format('"+05:30"'), as_="ana")
    assert said(reply) == (
        "`+05:30` is an offset, not a time zone, and no fixed zone keeps UTC+5:30: type the "
        "zone of the place you mean, like zone:Asia/Kolkata, which follows its clock changes."
    )


async def test_the_advice_can_be_followed(chat: Conversation) -> None:
    reply = await chat.say("/timezone set zone:Etc/GMT-2", as_="ana")
    assert reply.accent == "success", said(reply)
    assert "UTC+2" in said(reply) and "backwards" in said(reply), said(reply)
    reply = await chat.say("/timezone set zone:Asia/Kolkata", as_="ana")
    assert reply.accent == "success", said(reply)


def test_the_config_file_gets_the_same_advice(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[bot]\ntimezone = "UTC+2"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(path, env={})
    line = str(refused.value)
    assert line.startswith(
        'config error: bot.timezone: must be an IANA time zone like "Europe/Berlin", '
        'not "UTC+2" ("Etc/GMT-2" keeps UTC+2 all year; a place\'s zone like "'
    ), line
    assert "did you mean UTC?" not in line, line
