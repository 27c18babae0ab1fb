"""The console front door, through the real `potluck` command, piped like a script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def console(tmp_path: Path, script: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console"],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "COLUMNS": "120",
            "POTLUCK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/console.db",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


def test_the_first_conversation(tmp_path: Path) -> None:
    out = console(
        tmp_path,
        "/help\n/timezone set zone:Mars/Base\n/timezone set zone:Europe/Berlin\n/timezone show\n",
    )
    assert "Potluck help" in out and "/timezone set" in out
    assert "`Mars/Base` is not a time zone I know." in out and "Did you mean" in out
    assert "Your time zone is now Europe/Berlin" in out
    assert "Your time zone: Europe/Berlin" in out


def test_acting_as_someone_else_and_pressing_buttons(tmp_path: Path) -> None:
    out = console(
        tmp_path, "@sam /timezone community zone:UTC\n/privacy forget\n/press 2\n/press 9\nhello\n"
    )
    assert "sam> /timezone community zone:UTC" in out
    assert "Only moderators can use /timezone community." in out
    assert "[1] Yes, delete my data" in out and "Nothing was deleted." in out
    assert "There is no button 9. There are buttons 1 to 2." in out
    assert "Commands start with /" in out


def test_db_upgrade_creates_the_tables(tmp_path: Path) -> None:
    import sqlite3

    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "POTLUCK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/fresh.db",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "database is up to date" in result.stdout
    tables = {
        row[0]
        for row in sqlite3.connect(tmp_path / "fresh.db").execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
    }
    assert {"communities", "people", "outbox", "events", "alembic_version"} <= tables


def test_the_console_serves_the_calendar_feed_while_it_runs(tmp_path: Path) -> None:
    import re
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "config.toml"
    config.write_text(
        f'[web]\nport = {port}\npublic_url = "http://127.0.0.1:{port}"\n', encoding="utf-8"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--config", str(config), "console"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "COLUMNS": "200",
            "POTLUCK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/feed.db",
        },
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write('/event create title:"Zine swap" when:"next friday 6pm"\n/event feed\n')
        proc.stdin.flush()
        url = None
        for line in proc.stdout:  # wait for the answer, line by line
            found = re.search(rf"http://127\.0\.0\.1:{port}/calendar/\S+\.ics", line)
            if found:
                url = found.group(0)
                break
        assert url is not None
        with urllib.request.urlopen(url, timeout=10) as response:
            body = response.read().decode()
        assert "BEGIN:VCALENDAR" in body and "SUMMARY:Zine swap" in body
    finally:
        proc.communicate("/quit\n", timeout=60)
    assert proc.returncode == 0
