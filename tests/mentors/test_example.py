"""The console story in examples/mentors.txt, run through the real console adapter."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from rich.console import Console

from bot.adapters.console import ConsoleAdapter
from bot.app import Potluck

STORY = Path(__file__).resolve().parents[2] / "examples" / "mentors.txt"


async def test_mentors_story(bot: Potluck, tmp_path: Path) -> None:
    out = StringIO()
    console = ConsoleAdapter(
        bot, out=Console(file=out, width=120, highlight=False), files_dir=tmp_path
    )
    for line in STORY.read_text(encoding="utf-8").splitlines():
        assert await console.handle_line(line)
    text = out.getvalue()
    for expected in [
        "Topics: grant writing",  # cy's "grants" is the vocabulary's "grant writing"
        "ana mentors cy",
        "ben mentors dee",
        "+30 shared topics: grant writing",
        "different organizations: Elm Street Public and Oak University",
        "[direct message to @cy]",
        "Meet your mentor: @ana",
        "you both listed grant writing",
        "a mid-career mentor for a student mentee",
        "[direct message to @eli]",
        "Wonderful, thanks for telling me",
        "You are paused until",
        'Added the topic "makerspaces" with the synonyms "maker spaces" and "hackerspaces". '
        "1 profile, read again, now lists",  # eli's "makerspaces", read with the new topic
        "A peers round every 4 weeks",
        "Meetings reported: 1",
    ]:
        assert expected in text, expected
    assert "went wrong" not in text
