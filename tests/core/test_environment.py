"""A bad environment (a taken port, an unusable database path, an unreachable server, a config
file that cannot be read, Ctrl-C during startup) ends `potluck` with one line naming the
setting and exit status 2, never a traceback; nothing is created where it should not be.
Each test runs the real `potluck` command, as an operator does."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.testing import PG_ENV
from tests.terminal import (
    one_line,
    potluck_env,
    read_only_wrapper,
    run_potluck,
    start_potluck,
)


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port on 127.0.0.1 that another program is listening on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- the web port ------------------------------------------------------------------------------


def test_a_taken_web_port_names_web_port_and_the_address(tmp_path: Path, taken_port: int) -> None:
    # A Discord token makes `run` start the platforms; the port is checked before any login,
    # so the (unreachable) Discord address is never asked.
    config = write_config(
        tmp_path,
        f'[web]\nport = {taken_port}\n[discord]\napi_base_url = "http://127.0.0.1:9/api/v10"\n',
    )
    result = run_potluck(
        tmp_path,
        "run",
        "--config",
        str(config),
        env=potluck_env(tmp_path, DISCORD_TOKEN="some-token"),
    )
    assert result.returncode == 2, result.stderr
    assert one_line(result.stderr) == (
        f"potluck: web.port: cannot listen on 127.0.0.1:{taken_port}: address already in use "
        "(another program uses it; choose another port)"
    )


def test_a_taken_slack_port_names_slack_port(tmp_path: Path, taken_port: int) -> None:
    config = write_config(
        tmp_path,
        f"[web]\nport = 0\n[slack]\nport = {taken_port}\n"
        'api_base_url = "http://127.0.0.1:9/api/"\n',
    )
    env = potluck_env(tmp_path, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="secret")
    result = run_potluck(tmp_path, "--config", str(config), "run", env=env)
    assert result.returncode == 2, result.stderr
    line = one_line(result.stderr)
    assert line.startswith(f"potluck: slack.port: cannot listen on 127.0.0.1:{taken_port}")


def test_the_console_still_runs_when_the_web_port_is_taken(tmp_path: Path, taken_port: int) -> None:
    config = write_config(tmp_path, f"[web]\nport = {taken_port}\n")
    result = run_potluck(
        tmp_path, "console", "-c", str(config), input="/timezone show\n/event feed\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Your time zone" in result.stdout
    # Another program has the port: a feed address would lead to it.
    assert "/calendar/" not in result.stdout, result.stdout
    assert "The calendar feed is off: the web server did not start" in result.stdout
    assert one_line(result.stderr).startswith(
        "potluck: the web server (calendar feed) is off: web.port: cannot listen on "
        f"127.0.0.1:{taken_port}: address already in use"
    )


# -- the database path -------------------------------------------------------------------------


def sqlite_env(tmp_path: Path, path: Path | str) -> dict[str, str]:
    return potluck_env(tmp_path, POTLUCK_DATABASE_URL=f"sqlite+aiosqlite:///{path}")


@pytest.mark.parametrize("command", [["db", "upgrade"], ["console"]])
def test_a_database_folder_that_does_not_exist_is_refused_not_created(
    tmp_path: Path, command: list[str]
) -> None:
    typo = tmp_path / "potluk-data"
    result = run_potluck(tmp_path, *command, env=sqlite_env(tmp_path, typo / "potluck.db"))
    assert result.returncode == 2, result.stderr
    assert one_line(result.stderr) == (
        f"potluck: database.url: the folder {typo} does not exist (create it, or correct the path)"
    )
    assert not typo.exists()


def test_a_database_url_naming_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    result = run_potluck(tmp_path, "db", "upgrade", env=sqlite_env(tmp_path, folder))
    assert result.returncode == 2, result.stderr
    assert one_line(result.stderr) == (
        f"potluck: database.url: {folder} is a folder; name a file in it, like "
        f"{folder / 'potluck.db'}"
    )


def test_a_database_in_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "readonly"
    result = run_potluck(
        tmp_path,
        "console",
        env=sqlite_env(tmp_path, folder / "potluck.db"),
        wrap=read_only_wrapper(folder),
    )
    assert result.returncode == 2, result.stderr
    assert one_line(result.stderr) == (
        f"potluck: database.url: cannot write in {folder}: it is on a read-only file system"
    )


def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list: coffee, name tags, tape\n", encoding="utf-8")
    result = run_potluck(tmp_path, "db", "upgrade", env=sqlite_env(tmp_path, notes))
    assert result.returncode == 2, result.stderr
    assert one_line(result.stderr) == (
        f"potluck: database.url: cannot open the SQLite file {notes}: file is not a database"
    )
    assert notes.read_text(encoding="utf-8") == "shopping list: coffee, name tags, tape\n"


@pytest.mark.parametrize("command", [["db", "upgrade"], ["console"]])
def test_a_file_where_the_data_folder_should_be_says_what_to_do(
    tmp_path: Path, command: list[str]
) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder", encoding="utf-8")
    for path in (blocker / "potluck.db", blocker / "sub" / "potluck.db"):
        result = run_potluck(tmp_path, *command, env=sqlite_env(tmp_path, path))
        assert result.returncode == 2, result.stderr
        assert one_line(result.stderr) == (
            f"potluck: database.url: {blocker} is a file where the folder for {path} should "
            "be; move or rename that file, or point database.url at another folder"
        )


def test_a_path_sqlite_cannot_open_names_the_setting_and_the_path(tmp_path: Path) -> None:
    too_long = tmp_path / ("a" * 300) / "potluck.db"
    result = run_potluck(tmp_path, "console", env=sqlite_env(tmp_path, too_long))
    assert result.returncode == 2, result.stderr
    line = one_line(result.stderr)
    assert line.startswith(f"potluck: database.url: cannot use the path {too_long}: "), line
    assert line.endswith("; correct the path in database.url"), line
    # A folder nothing can be created in: SQLite's own "unable to open database file" comes
    # with the path and what to do (when not refused earlier as not writable).
    result = run_potluck(tmp_path, "console", env=sqlite_env(tmp_path, "/proc/potluck.db"))
    assert result.returncode == 2, result.stderr
    line = one_line(result.stderr)
    assert line.startswith("potluck: database.url: cannot ") and "/proc" in line, line
    if "unable to open database file" in line:
        assert line.endswith("or point database.url at another file"), line


def test_only_the_default_data_folder_is_created(tmp_path: Path) -> None:
    result = run_potluck(
        tmp_path, "db", "upgrade", env=potluck_env(tmp_path, POTLUCK_DATABASE_URL=None)
    )
    assert result.returncode == 0, result.stderr
    db = tmp_path / "data" / "potluck.db"
    tables = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master")}
    assert "events" in tables


def test_the_default_data_folder_in_a_read_only_folder_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "readonly"
    result = run_potluck(
        tmp_path,
        "console",
        env=potluck_env(tmp_path, POTLUCK_DATABASE_URL=None),
        wrap=[*read_only_wrapper(folder), "sh", "-c", 'cd "$0" && exec "$@"', str(folder)],
    )
    assert result.returncode == 2, result.stderr
    assert one_line(result.stderr) == (
        "potluck: database.url: cannot create the folder data: Read-only file system"
    )


def test_an_unreachable_postgresql_is_one_line_without_the_password(tmp_path: Path) -> None:
    port = free_port()
    url = f"postgresql+asyncpg://potluck:hunter2@127.0.0.1:{port}/potluck"
    result = run_potluck(
        tmp_path, "run", env=potluck_env(tmp_path, POTLUCK_DATABASE_URL=url), input=""
    )
    assert result.returncode == 2, result.stderr
    assert one_line(result.stderr) == (
        f"potluck: database.url: cannot connect to "
        f"postgresql+asyncpg://potluck:***@127.0.0.1:{port}/potluck: Connection refused"
    )
    assert "hunter2" not in result.stderr


def test_a_postgresql_database_that_does_not_exist_is_one_line(tmp_path: Path) -> None:
    server = os.environ.get(PG_ENV)
    if not server:
        pytest.skip(f"PostgreSQL half skipped: set {PG_ENV} to run it")
    url = server.rsplit("/", 1)[0] + "/potluck_no_such_database"
    env = potluck_env(tmp_path, POTLUCK_DATABASE_URL=url)
    result = run_potluck(tmp_path, "db", "upgrade", env=env)
    assert result.returncode == 2, result.stderr
    assert one_line(result.stderr).endswith(
        '/potluck_no_such_database: database "potluck_no_such_database" does not exist'
    )


# -- the config file ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "is a folder, not a config file"),
        (b"\xff\xfe[bot]\n", "is not UTF-8 text (byte 0); save it as UTF-8"),
        (
            b"[bot\n",
            "is not valid TOML: Expected ']' at the end of a table declaration "
            "(at line 1, column 5)",
        ),
    ],
)
def test_a_config_file_that_cannot_be_read_is_one_line(
    tmp_path: Path, content: bytes | None, expected: str
) -> None:
    path = tmp_path / "config.toml"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    result = run_potluck(tmp_path, "run")  # ./config.toml is read by default
    assert result.returncode == 2, result.stderr
    assert one_line(result.stderr) == f"potluck: config error: config.toml {expected}"


SUBCOMMANDS = [
    ["run"],
    ["console"],
    ["db", "upgrade"],
    ["discord", "sync"],
    ["discord", "invite-url"],
    ["slack", "manifest"],
]


@pytest.mark.parametrize("command", SUBCOMMANDS, ids=" ".join)
@pytest.mark.parametrize("where", ["before", "after"])
def test_config_is_accepted_before_and_after_every_subcommand(
    tmp_path: Path, command: list[str], where: str
) -> None:
    # The file is wrong on purpose: the error proves this very file was read.
    config = write_config(tmp_path, "[database]\nurl = 42\n")
    option = ["--config", str(config)] if where == "before" else ["-c", str(config)]
    args = [*option, *command] if where == "before" else [*command, *option]
    result = run_potluck(tmp_path, *args, env=potluck_env(tmp_path, POTLUCK_DATABASE_URL=None))
    assert result.returncode == 2, result.stderr
    assert one_line(result.stderr).startswith("potluck: config error: database.url: must be")


def test_config_after_the_subcommand_is_used(tmp_path: Path) -> None:
    config = write_config(tmp_path, '[slack]\napp_name = "Zine Club"\n')
    result = run_potluck(tmp_path, "slack", "manifest", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert '"name": "Zine Club"' in result.stdout


def test_ids_pasted_as_toml_integers_work(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        "[discord]\nguild_ids = [1234567890123456789]\napplication_id = 987654321098765432\n"
        '[slack]\nmoderator_ids = ["U012ABCDEF"]\n',
    )
    result = run_potluck(tmp_path, "discord", "invite-url", "-c", str(config))
    assert result.returncode == 0, result.stderr
    assert "client_id=987654321098765432" in result.stdout


# -- signals -----------------------------------------------------------------------------------


async def test_ctrl_c_during_startup_is_one_line_and_leaves_a_usable_database(
    tmp_path: Path,
) -> None:
    # A "Discord" that accepts connections and never answers holds the start at the login.
    connected = asyncio.Event()
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        connected.set()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    config = write_config(
        tmp_path, f'[web]\nport = 0\n[discord]\napi_base_url = "http://127.0.0.1:{port}/api/v10"\n'
    )
    proc = await start_potluck(
        tmp_path,
        "run",
        "-c",
        str(config),
        env=potluck_env(tmp_path, DISCORD_TOKEN="some-token"),
    )
    try:
        await asyncio.wait_for(connected.wait(), timeout=60)
        proc.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()
    assert proc.returncode == 2, err.decode()
    stderr = err.decode()
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == (
        "potluck: stopped while starting (Ctrl-C or a stop signal)"
    )
    # The migrations finished or never began: the database opens and is complete.
    again = run_potluck(tmp_path, "db", "upgrade")
    assert again.returncode == 0, again.stderr


def _loading(pid: int, library: str) -> bool:
    """Whether the process has loaded `library` (a shared object of one of its imports)."""
    try:
        return library in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl_c", "sigterm"])
async def test_a_stop_signal_while_the_modules_load_is_one_line_and_exit_2(
    tmp_path: Path, stop: signal.Signals
) -> None:
    """Ctrl-C or SIGTERM in the first second, while Python still imports the bot: before, a
    KeyboardInterrupt traceback (Ctrl-C) or a silent exit 143 (SIGTERM)."""
    config = write_config(tmp_path, "[web]\nport = 0\n")
    proc = await start_potluck(tmp_path, "console", "-c", str(config))
    try:
        # pydantic's compiled core is loaded by the configuration module, well before the
        # console is ready: the signal lands while the imports go on.
        for _ in range(2_000_000):
            if _loading(proc.pid, "pydantic_core") or proc.returncode is not None:
                break
            await asyncio.sleep(0)
        proc.send_signal(stop)
        _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 2, err.decode()
    assert err.decode().strip().splitlines() == [
        "potluck: stopped while starting (Ctrl-C or a stop signal)"
    ]


async def test_a_stop_signal_ends_a_running_console_cleanly(tmp_path: Path) -> None:
    # Any free port for the feed: another console on 8080 would add a line to stderr.
    config = write_config(tmp_path, "[web]\nport = 0\n")
    proc = await start_potluck(
        tmp_path, "console", "-c", str(config), stdin=asyncio.subprocess.PIPE
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"/timezone show\n")
    await proc.stdin.drain()
    while b"Your time zone" not in await asyncio.wait_for(proc.stdout.readline(), timeout=60):
        pass
    proc.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, err.decode()
    assert err.decode().strip() == ""


# -- the command line --------------------------------------------------------------------------


def test_two_different_config_files_are_refused(tmp_path: Path) -> None:
    a = write_config(tmp_path, "[web]\nenabled = false\n")
    b = tmp_path / "b.toml"
    b.write_text("[web]\nenabled = false\n", encoding="utf-8")
    result = run_potluck(tmp_path, "-c", str(a), "console", "-c", str(b), input="/quit\n")
    assert result.returncode == 2, result.stderr
    line = one_line(result.stderr)
    assert line == f"potluck: --config given twice ({a} and {b}): give one config file", line


@pytest.mark.parametrize("variable", ["SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"])
def test_a_slack_secret_without_a_bot_token_says_slack_is_off(
    tmp_path: Path, variable: str
) -> None:
    config = write_config(tmp_path, "[web]\nenabled = false\n")
    env = potluck_env(tmp_path, **{variable: "xapp-x"})
    result = run_potluck(tmp_path, "-c", str(config), "run", env=env, input="/timezone show\n")
    assert result.returncode == 0, result.stderr
    assert "Your time zone" in result.stdout
    assert one_line(result.stderr) == (
        f"potluck: Slack is off: SLACK_BOT_TOKEN is missing ({variable} is set); "
        "starting the console instead"
    ), result.stderr
