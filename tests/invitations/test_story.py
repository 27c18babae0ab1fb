"""The console story in examples/invitations.txt, run through the real console adapter."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from rich.console import Console

from bot.adapters.console import ConsoleAdapter
from bot.app import Potluck

STORY = Path(__file__).resolve().parents[2] / "examples" / "invitations.txt"


async def test_invitations_story(bot: Potluck, tmp_path: Path) -> None:
    out = StringIO()
    files = tmp_path / "files"
    console = ConsoleAdapter(
        bot, out=Console(file=out, width=120, highlight=False), files_dir=files
    )
    for line in STORY.read_text(encoding="utf-8").splitlines():
        assert await console.handle_line(line)
    text = out.getvalue()
    print(text)
    for expected in [
        "ann: queued to send",
        "cat: not sent, you have invited 2 people in an hour, the limit; possible again",
        "[direct message to @ben]",
        "No more from sam",
        "Done: no more invitations from sam.",
        "Quiet hours: 18:00 to 09:00 your time",
        "cat: not sent, has turned invitations off",
        "dan: queued for their quiet hours, until",
        "was not paused; now paused until",
        "dan: not sent, your invitations are paused (let's talk about invitations first)",
        "invite.complaint",
        "limits.pause",
        "Posting one invitation to Winter party",
        "@volunteers",
    ]:
        assert expected in text, expected
    assert "went wrong" not in text
    (saved,) = files.iterdir()
    assert saved.suffix == ".csv" and "invite.complaint" in saved.read_text()
