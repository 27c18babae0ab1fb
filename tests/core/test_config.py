"""A bad configuration stops startup with one line naming the key, exit status 2."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def run_potluck(tmp_path: Path, config: str, *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "config.toml"
    path.write_text(config, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(path), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        input="",
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("[database]\nurl = 42\n", "config error: database.url: must be a text like"),
        (
            '[bot]\ncogs = ["help", "knitting"]\n',
            "config error: bot.cogs: cog 'knitting' was not found",
        ),
        (
            '[bot]\ntimezone = "Mars/Base"\n',
            "config error: bot.timezone: must be an IANA time zone",
        ),
        (  # read like /timezone set: an abbreviation is refused with the zone it stands for
            '[bot]\ntimezone = "EST"\n',
            'config error: bot.timezone: must be an IANA time zone like "Europe/Berlin", '
            'not "EST" (did you mean America/New_York?)',
        ),
        (  # a choice is worded like the others, never pydantic's own text
            '[bot]\nlog_level = "verbose"\n',
            "config error: bot.log_level: must be one of DEBUG, INFO, WARNING, ERROR, "
            'not "verbose"',
        ),
        (  # a misspelt setting names the one it is close to
            '[bot]\ntimezon = "UTC"\n',
            "config error: bot.timezon: is not a known setting; did you mean `timezone`?",
        ),
        (
            '[database]\nurl = "mysql://x"\n',
            'config error: database.url: must be a text like "sqlite+aiosqlite:///data/potluck.db"',
        ),
        ("[console]\nshout = true\n", "config error: console.shout: is not a known setting"),
        ("[knitting]\nneedles = 2\n", "config error: [knitting] is not a section Potluck knows"),
        ("[bot\n", "is not valid TOML"),
    ],
)
def test_bad_config_exits_2_with_one_line(tmp_path: Path, config: str, expected: str) -> None:
    result = run_potluck(tmp_path, config, "console")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_the_community_zone_is_stored_under_its_current_name(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[bot]\ntimezone = "US/Eastern"\n', encoding="utf-8")
    assert load_settings(path, env={}).bot.timezone == "America/New_York"


def test_secrets_come_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[discord]\ntoken = "from-file"\n', encoding="utf-8")
    settings = load_settings(path, env={"DISCORD_TOKEN": "from-env", "SLACK_BOT_TOKEN": "xoxb-1"})
    assert settings.discord.token == "from-env"
    assert settings.slack.bot_token == "xoxb-1"
    assert load_settings(None, env={}).database.url == "sqlite+aiosqlite:///data/potluck.db"


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", env={})


async def test_the_example_config_is_valid_with_every_cog_section() -> None:
    from bot.app import Potluck

    settings = load_settings(ROOT / "config.example.toml", env={})
    bot = Potluck(settings)
    try:
        await bot.load_cogs()  # validates each cog's own section, e.g. [events]
        assert set(settings.bot.cogs) <= set(bot.registry.cogs)
    finally:
        await bot.db.dispose()


ID_SETTINGS = [
    ("discord", "guild_ids", True),
    ("discord", "application_id", False),
    ("slack", "moderator_ids", True),
    ("slack", "organizer_ids", True),
    ("slack", "moderator_usergroup", False),
    ("slack", "organizer_usergroup", False),
]


@pytest.mark.parametrize(("section", "key", "is_list"), ID_SETTINGS)
@pytest.mark.parametrize("written", ["1234567890123456789", '"1234567890123456789"'])
def test_every_platform_id_may_be_a_toml_integer_or_text(
    tmp_path: Path, section: str, key: str, is_list: bool, written: str
) -> None:
    path = tmp_path / "config.toml"
    value = f"[{written}]" if is_list else written
    path.write_text(f"[{section}]\n{key} = {value}\n", encoding="utf-8")
    got = getattr(getattr(load_settings(path, env={}), section), key)
    assert got == (["1234567890123456789"] if is_list else "1234567890123456789")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("guild_ids = [1.234e18]", "discord.guild_ids[0]: must be an id, as a whole number"),
        ("guild_ids = [true]", "discord.guild_ids[0]: must be an id, as a whole number"),
        ('guild_ids = ["my server"]', "discord.guild_ids[0]: must be a Discord id (digits only)"),
        ('application_id = "-5"', "discord.application_id: must be a Discord id (digits only)"),
    ],
)
def test_an_id_that_cannot_be_one_names_the_key(tmp_path: Path, line: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[discord]\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(expected)):
        load_settings(path, env={})


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            '[bot]\ncommands_per_minute = "lots"\n',
            'config error: bot.commands_per_minute: must be a whole number, not "lots"',
        ),
        (
            '[discord]\ndefer_after_seconds = "soon"\n',
            'config error: discord.defer_after_seconds: must be a number, not "soon"',
        ),
        ("[bot]\ntimezone = 5\n", "config error: bot.timezone: must be text in quotes, not 5"),
        (  # a cog's own section: named as written, never as bot.cogs, one "config error"
            '[mentors]\ncheck_in_days = "two"\n',
            'config error: mentors.check_in_days: must be a whole number, not "two"',
        ),
        (
            '[invitations]\nper_event = "x"\n',
            'config error: invitations.per_event: must be a whole number, not "x"',
        ),
        ("[events]\nshout = 1\n", "config error: events.shout: is not a known setting"),
        # Strict kinds: a TOML boolean is no number and a text is no boolean, in the core
        # sections and in a cog's own section alike.
        ("[web]\nport = true\n", "config error: web.port: must be a whole number, not true"),
        (
            "[invitations]\nper_event = true\n",
            "config error: invitations.per_event: must be a whole number, not true",
        ),
        (
            '[database]\necho = "yes"\n',
            'config error: database.echo: must be true or false, not "yes"',
        ),
        ("[mentors]\ntopics = 3\n", "config error: mentors.topics: must be a table, not 3"),
        # Out of range: both bounds, in the file's words, never pydantic's own text.
        (
            "[web]\nport = 70000\n",
            "config error: web.port: must be a port number from 0 to 65535, not 70000",
        ),
        (
            "[mentors]\ncheck_in_days = -4\n",
            "config error: mentors.check_in_days: must be a whole number from 1 to 365, not -4",
        ),
        (
            "[bot]\noutbox_poll_seconds = 0\n",
            "config error: bot.outbox_poll_seconds: must be a number above 0 and at most 3600",
        ),
        # A console name is typed after @: never blank, never with a space.
        ('[console]\nuser = ""\n', 'config error: console.user: must be a name like "librarian"'),
        (
            '[console]\nuser = "ann smith"\n',
            'config error: console.user: must be one word that can follow @ (like "ann_smith")',
        ),
        (
            '[console]\nmoderators = ["ann smith"]\n',
            "config error: console.moderators[0]: must be one word that can follow @",
        ),
    ],
)
def test_a_value_of_the_wrong_kind_names_its_setting_once(
    tmp_path: Path, config: str, expected: str
) -> None:
    result = run_potluck(tmp_path, config, "console")
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line == f"potluck: {expected}" or line.startswith(f"potluck: {expected}"), line
    assert line.count("config error") == 1 and "bot.cogs" not in line, line


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("[web]\nport = false", "web.port: must be a whole number, not false"),
        ('[web]\nport = "8080"', 'web.port: must be a whole number, not "8080"'),
        ("[web]\nport = 8080.0", "web.port: must be a whole number, not 8080.0"),
        (
            "[bot]\noutbox_poll_seconds = true",
            "bot.outbox_poll_seconds: must be a number, not true",
        ),
        ('[web]\nenabled = "no"', 'web.enabled: must be true or false, not "no"'),
        ("[web]\nenabled = 1", "web.enabled: must be true or false, not 1"),
        (
            "[discord]\nshard_ids = [0, true]",
            "discord.shard_ids[1]: must be a whole number, not true",
        ),
        ("[console]\ncommunity = true", "console.community: must be text in quotes, not true"),
    ],
)
def test_a_setting_takes_only_values_of_its_own_kind(
    tmp_path: Path, config: str, expected: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(config + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(path, env={})
    assert str(refused.value) == f"config error: {expected}"


async def test_a_cog_setting_takes_only_values_of_its_own_kind(tmp_path: Path) -> None:
    from bot.app import Potluck

    path = tmp_path / "config.toml"
    path.write_text("[events]\nreminder_minutes = [60, true]\n", encoding="utf-8")
    bot = Potluck(load_settings(path, env={}))
    try:
        with pytest.raises(ConfigError) as refused:
            await bot.load_cogs(["events"])
    finally:
        await bot.db.dispose()
    assert str(refused.value) == (
        "config error: events.reminder_minutes[1]: must be a whole number, not true"
    )


def test_settings_from_the_environment_are_text_and_still_taken(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/env.db"
    env = {"POTLUCK_DATABASE_URL": url, "SLACK_SIGNING_SECRET": "12345", "DISCORD_TOKEN": "1"}
    settings = load_settings(None, env=env)
    assert settings.database.url == url
    assert settings.slack.signing_secret == "12345" and settings.discord.token == "1"


@pytest.mark.parametrize(
    "url", ["sqlite+aiosqlite:///", "sqlite+aiosqlite://", "sqlite+aiosqlite:/// "]
)
def test_a_database_url_without_a_file_is_refused(tmp_path: Path, url: str) -> None:
    """SQLite with no file runs in memory and loses everything at the next stop."""
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        input="",
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "POTLUCK_DATABASE_URL": url},
    )
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("potluck: config error: database.url: names no file"), line
    assert 'give a file path, like "sqlite+aiosqlite:///data/potluck.db"' in line, line
    written = load_settings(None, env={"POTLUCK_DATABASE_URL": "sqlite+aiosqlite:///:memory:"})
    assert written.database.url.endswith(":memory:")  # asked for in so many words


@pytest.mark.parametrize("blank", ["", "  ", "\t \n"])
def test_a_blank_token_is_no_token(tmp_path: Path, blank: str) -> None:
    env = {"DISCORD_TOKEN": blank, "SLACK_BOT_TOKEN": blank, "SLACK_SIGNING_SECRET": blank}
    settings = load_settings(None, env=env)
    assert settings.discord.token is None and settings.slack.bot_token is None
    assert settings.slack.signing_secret is None
    path = tmp_path / "config.toml"
    path.write_text(f'[discord]\ntoken = "{blank.strip()}   "\n', encoding="utf-8")
    assert load_settings(path, env={}).discord.token is None
    # A blank variable does not hide the file's token either.
    path.write_text('[discord]\ntoken = " from-file "\n', encoding="utf-8")
    assert load_settings(path, env={"DISCORD_TOKEN": blank}).discord.token == "from-file"


def test_a_blank_token_in_the_environment_is_never_sent(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[web]\nenabled = false\n", encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DISCORD_TOKEN": "   "}
    synced = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(path), "discord", "sync"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        input="",
        env=env,
    )
    assert synced.returncode == 2, synced.stderr
    (line,) = synced.stderr.strip().splitlines()
    assert "set DISCORD_TOKEN" in line, line
    ran = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(path), "run"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        input="/quit\n",
        env=env,
    )
    assert ran.returncode == 0, ran.stderr  # no token: the console, as with none set
    assert "Traceback" not in ran.stderr and "token" not in ran.stderr.lower(), ran.stderr
