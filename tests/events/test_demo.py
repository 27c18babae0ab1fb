"""The console story in examples/demo.txt, run through the real console adapter."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from rich.console import Console

from bot.adapters.console import ConsoleAdapter
from bot.app import Potluck

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo.txt"


async def test_demo_story(bot: Potluck, tmp_path: Path) -> None:
    out = StringIO()
    files = tmp_path / "files"
    console = ConsoleAdapter(
        bot, out=Console(file=out, width=120, highlight=False), files_dir=files
    )
    for line in DEMO.read_text(encoding="utf-8").splitlines():
        assert await console.handle_line(line)
    text = out.getvalue()
    for expected in [
        "Plan an event; posts its card with RSVP buttons",  # /help lists /event create
        "Your time zone is now America/Chicago",
        "Fri 27 Nov 2026, 18:00 CST",  # the party, in the organizer's zone
        "Going: 3 of 3 spots (2 people + 1 guest) — full",
        "on the waitlist at position 1 with 1 guest",
        "on the waitlist at position 2",
        "Waitlist: 2 parties (3 people)",
        "Your spot went to kim from the waitlist",
        "[direct message to @kim] 🎟️ A spot opened up: Winter party",
        "1. raj +1 guest",
        "winter-party-",
        "• Tue 09 Feb 2027, 18:00 CST",
        "• Tue 09 Mar 2027, 18:00 CST",
        "• Tue 13 Apr 2027, 18:00 CDT",  # same local time after the DST change
        "• Wed 14 Apr 2027, 01:00 CEST",  # as mia in Berlin sees it
    ]:
        assert expected in text, expected
    assert "went wrong" not in text
    saved = {p.suffix: p for p in files.iterdir()}
    assert set(saved) == {".csv", ".ics"}
    assert "kim,kim,going" in saved[".csv"].read_text()
    assert "SUMMARY:Winter party" in saved[".ics"].read_text()
