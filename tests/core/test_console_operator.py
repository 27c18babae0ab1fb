"""The console is the operator's own terminal and a tool people script: no flood guard, one
file per export, a failed write is a reply (never the end), nobody's text can drive the
terminal, and on a real terminal (a pseudo-terminal here, its screen emulated) commands are
not echoed twice, Ctrl-C clears the line, Ctrl-D quits, code shows as code, and a message
arriving while someone types is printed above the prompt, which keeps the half-typed line."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from bot.adapters.console import ConsoleAdapter, terminal_safe
from bot.app import Potluck
from bot.config import Settings
from bot.core.messages import Attachment, Button, Field, Message, plain
from bot.testing import Conversation
from tests.events.conftest import event_id
from tests.terminal import (
    Terminal,
    potluck_argv,
    potluck_env,
    read_only_wrapper,
    run_potluck,
)


def quiet_console(bot: Potluck, files_dir: Path) -> tuple[ConsoleAdapter, io.StringIO]:
    """A console whose screen is a string: what the operator would read, without colours."""
    screen = io.StringIO()
    out = Console(file=screen, width=400, color_system=None, highlight=False)
    return ConsoleAdapter(bot, out=out, files_dir=files_dir), screen


# -- no flood guard at the console -------------------------------------------------------------


def test_a_piped_script_is_never_flood_guarded(tmp_path: Path) -> None:
    script = "/timezone show\n" * 45  # the flood guard allows 30 a minute
    result = run_potluck(tmp_path, "console", input=script)
    assert result.returncode == 0, result.stderr
    assert "too quickly" not in result.stdout
    assert result.stdout.count("Your time zone:") == 45


async def test_platform_people_keep_their_flood_guard(bot: Potluck, tmp_path: Path) -> None:
    console, screen = quiet_console(bot, tmp_path / "files")
    for _ in range(40):
        assert await console.handle_line("@sam /timezone show")
    assert "too quickly" not in screen.getvalue()

    chat = Conversation.attach(bot)  # a Discord or Slack person, through the same dispatcher
    replies = [plain((await chat.say("/timezone show", as_="kim")).text) for _ in range(31)]
    assert all("too quickly" not in r for r in replies[:30])
    assert "You are sending commands too quickly." in replies[30]


# -- files -------------------------------------------------------------------------------------


async def test_every_export_gets_its_own_file(bot: Potluck, tmp_path: Path) -> None:
    files = tmp_path / "files"
    console, screen = quiet_console(bot, files)
    await console.handle_line("/privacy export")
    first = (files / "potluck-my-data.json").read_bytes()
    await console.handle_line("/timezone set zone:Europe/Berlin")
    await console.handle_line("/privacy export")
    await console.handle_line("/privacy export")
    assert sorted(p.name for p in files.iterdir()) == [
        "potluck-my-data-2.json",
        "potluck-my-data-3.json",
        "potluck-my-data.json",
    ]
    assert (files / "potluck-my-data.json").read_bytes() == first  # never overwritten
    assert b"Europe/Berlin" in (files / "potluck-my-data-2.json").read_bytes()
    shown = screen.getvalue()
    assert re.findall(r"📎 .*?potluck-my-data\S*", shown)[-1] == (
        f"📎 File saved: {files / 'potluck-my-data-3.json'}"
    )
    assert "potluck-my-data.json saved" not in shown  # never the name that was not written


async def test_each_saved_file_line_names_the_file_written(bot: Potluck, tmp_path: Path) -> None:
    files = tmp_path / "files"
    console, screen = quiet_console(bot, files)
    message = Message(
        text=["Here."],
        files=[
            Attachment(filename="book-club.ics", content=b"a"),
            Attachment(filename="book-club.ics", content=b"b"),
            Attachment(filename="attendees.csv", content=b"c"),
            Attachment(filename="attendees.csv", content=b"d"),
        ],
    )
    await console.show(message, reader="librarian")
    lines = re.findall(r"📎 [^│]*?\.(?:ics|csv)", screen.getvalue())
    written = ["book-club.ics", "book-club-2.ics", "attendees.csv", "attendees-2.csv"]
    assert lines == [f"📎 File saved: {files / name}" for name in written], lines
    assert [(files / name).read_bytes() for name in written] == [b"a", b"b", b"c", b"d"]


@pytest.mark.parametrize("name", ["..", ".", "../../etc/passwd", "/", ""])
async def test_a_file_name_cannot_leave_the_files_folder(
    bot: Potluck, tmp_path: Path, name: str
) -> None:
    root = tmp_path / "out"
    console, _ = quiet_console(bot, root / "files")
    message = Message(text=["Here."], files=[Attachment(filename=name, content=b"x")])
    await console.show(message, reader="librarian")
    (saved,) = (root / "files").iterdir()
    assert saved.read_bytes() == b"x"
    assert list(root.iterdir()) == [root / "files"]


async def test_a_file_that_cannot_be_written_is_a_reply_not_the_end(
    bot: Potluck, tmp_path: Path
) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    console, screen = quiet_console(bot, blocker / "files")
    assert await console.handle_line("/privacy export")
    assert await console.handle_line("/timezone show")
    shown = screen.getvalue()
    assert f"potluck-my-data.json could not be saved in {blocker / 'files'}: " in shown
    assert "File exists" not in shown and "Errno" not in shown, shown  # no raw system words
    assert "Start the console in a folder you can write to." in shown
    assert "Here is everything" not in shown  # the reply says the file was not written instead
    assert "Your time zone:" in shown  # the console went on


async def test_press_picks_among_the_buttons_shown_to_that_person(
    bot: Potluck, tmp_path: Path
) -> None:
    """ben's invitation arrives after ann's: ann's /press still means ann's own buttons."""
    console, screen = quiet_console(bot, tmp_path / "files")
    for name in ("ann", "ben"):  # members once they have used the bot
        await console.handle_line(f"@{name} /timezone show")
    await console.handle_line('/event create title:"Zine swap" when:"next friday 6pm"')
    await console.handle_line('/invite event:"Zine swap" people:"@ann @ben"')
    await console.handle_line("@ann /press 4")  # Not interested: the invitation's own button
    await console.handle_line("@ben /press 4")
    shown = screen.getvalue()
    assert shown.count("[direct message to @") == 2, shown
    assert "isn't yours" not in shown, shown
    assert shown.count("Thanks, noted: not this time.") == 2, shown


async def test_an_updated_channel_card_keeps_its_place_for_press(
    bot: Potluck, tmp_path: Path
) -> None:
    """The card is updated (ben's RSVP) after ann's invitation arrived: the card was posted
    first, so ann's /press 4 still means her invitation's fourth button."""
    console, screen = quiet_console(bot, tmp_path / "files")
    for name in ("ann", "ben"):
        await console.handle_line(f"@{name} /timezone show")
    await console.handle_line('/event create title:"Zine swap" when:"next friday 6pm"')
    await console.handle_line('/invite event:"Zine swap" people:"@ann"')
    await console.handle_line('@ben /rsvp "Zine swap" yes')
    shown = screen.getvalue()
    assert "[#general (updated)]" in shown.split("[direct message to @ann]")[1], shown
    assert "(type @ann /press N)" in shown, shown  # the invitation says who presses it
    await console.handle_line("@ann /press 4")
    await console.handle_line("@ben /press 3")  # the card: ben sees no message of his own
    after = screen.getvalue()[len(shown) :]
    assert "There is no button" not in after, after
    assert "Thanks, noted: not this time." in after, after
    assert "Got it: you can't go to Zine swap" in after, after


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("@ /timezone show", "Put a name right after @"),
        ('@"sam x" /timezone show', "Names have no spaces"),
        ("@sam", "A command must follow the name, like: @sam /help"),
        ("@sam x /timezone show", "Names have no spaces"),
        ("@sam rsvp Names yes", "A command starts with /, like: @sam /rsvp Names yes"),
        ("@everyone /timezone show", "@everyone means everyone in a channel, not one person"),
        ("@Here /timezone show", "@Here means everyone in a channel"),
        ("@channel /help", "act as one person, like: @sam /timezone show"),
        ("@@sam /timezone show", "Type one @ before the name, like: @sam /timezone show"),
    ],
)
async def test_acting_as_someone_must_name_them_then_a_command(
    bot: Potluck, tmp_path: Path, line: str, says: str
) -> None:
    console, screen = quiet_console(bot, tmp_path / "files")
    assert await console.handle_line(line)
    shown = screen.getvalue()
    assert says in shown and "Your time zone" not in shown, shown
    assert "Commands start with /" not in shown


async def test_a_command_typed_right_after_the_name_acts_as_them(
    bot: Potluck, tmp_path: Path
) -> None:
    console, screen = quiet_console(bot, tmp_path / "files")
    assert await console.handle_line("@sam/timezone set zone:Europe/Berlin")
    shown = screen.getvalue()
    assert "sam> /timezone set zone:Europe/Berlin" in shown, shown
    assert "Names have no spaces" not in shown, shown
    assert await console.handle_line("@sam /timezone show")
    assert "Your time zone: Europe/Berlin" in screen.getvalue()[len(shown) :]


async def test_console_names_are_one_person_however_capitalised(
    bot: Potluck, tmp_path: Path
) -> None:
    """`@Sam`, `@sam` and `@SAM` were three people, and the attendees listed each: one
    person, shown as the name was first written, also in a later run of the console."""
    console, screen = quiet_console(bot, tmp_path / "files")
    await console.handle_line('/event create title:"Zine swap" when:"2027-03-02 18:00"')
    for name in ("Sam", "sam", "SAM"):
        await console.handle_line(f'@{name} /rsvp event:"Zine swap" answer:yes')
    before = len(screen.getvalue())
    await console.handle_line('/event attendees id:"Zine swap"')
    listed = screen.getvalue()[before:]
    assert "Going (1 person)" in listed and "• Sam" in listed, listed
    assert "• sam" not in listed and "• SAM" not in listed, listed
    again, screen = quiet_console(bot, tmp_path / "files")  # a later run, same database
    await again.handle_line('@sAm /rsvp event:"Zine swap" answer:no')
    await again.handle_line('/event attendees id:"Zine swap"')
    listed = screen.getvalue()
    assert "Sam> /rsvp" in listed and "Can't go (1)" in listed and "• Sam" in listed, listed
    assert "sAm" not in listed, listed


@pytest.mark.parametrize("line", ["/quit now", "/exit please", "/QUIT now"])
async def test_quit_with_more_words_says_to_type_it_alone(
    bot: Potluck, tmp_path: Path, line: str
) -> None:
    console, screen = quiet_console(bot, tmp_path / "files")
    assert await console.handle_line(line)  # the console goes on
    word = line.split()[0].lower()
    assert screen.getvalue().strip() == f"To leave, type {word} alone.", screen.getvalue()
    assert not await console.handle_line(f"  {word}  ")


@pytest.mark.parametrize("line", ["@sam quit", "@sam /quit", "@sam EXIT", "@sam /quit now"])
async def test_quit_as_someone_is_refused_and_the_hint_is_plain_quit(
    bot: Potluck, tmp_path: Path, line: str
) -> None:
    console, screen = quiet_console(bot, tmp_path / "files")
    assert await console.handle_line(line)  # the console goes on: /quit is not one person's
    shown = screen.getvalue()
    assert "ends the console for everyone" in shown and "type /quit alone" in shown, shown
    assert "@sam /" not in shown, shown


@pytest.mark.parametrize("line", ["/QUIT", "/Exit", "QUIT"])
async def test_quit_in_any_case_leaves(bot: Potluck, tmp_path: Path, line: str) -> None:
    console, _ = quiet_console(bot, tmp_path / "files")
    assert not await console.handle_line(line)


async def test_commands_are_read_in_any_case(bot: Potluck, tmp_path: Path) -> None:
    console, screen = quiet_console(bot, tmp_path / "files")
    await console.handle_line('/EVENT CREATE title:"Zine swap" when:"next friday 6pm"')
    await console.handle_line('@sam /RSVP event:"Zine swap" answer:yes')
    await console.handle_line("/PRESS 9")
    shown = screen.getvalue()
    assert "not a command" not in shown and "not a Potluck command" not in shown, shown
    assert "you're going to Zine swap" in shown.replace("You're", "you're"), shown
    assert "There is no button 9" in shown, shown


def test_event_ics_in_a_read_only_folder_is_a_reply(tmp_path: Path) -> None:
    folder = tmp_path / "readonly"
    result = run_potluck(
        tmp_path,
        "console",
        input='/event create title:"Zine swap" when:"next friday 6pm"\n'
        '/event ics id:"Zine swap"\n/timezone show\n',
        # The database lives elsewhere; only the working folder (data/files) is read-only.
        wrap=[*read_only_wrapper(folder), "sh", "-c", 'cd "$0" && exec "$@"', str(folder)],
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "zine-swap" in result.stdout and "could not be saved in data/files: " in result.stdout
    assert "the folder is read-only" in result.stdout
    assert "Read-only file system" not in result.stdout and "Errno" not in result.stdout
    assert "Your time zone:" in result.stdout


# -- terminal escape sequences -----------------------------------------------------------------

ESCAPES = "\x1b[2J\x1b[H\x1b]0;owned\x1b\\\x1b[31m\x07\x08\r"


async def test_user_text_cannot_drive_the_terminal(bot: Potluck, tmp_path: Path) -> None:
    console, screen = quiet_console(bot, tmp_path / "files")
    await console.handle_line(f'@sam /timezone set zone:"{ESCAPES}Mars/Base"')
    await console.show(
        Message(
            title=f"{ESCAPES}Zine swap",
            text=[f"Bring {ESCAPES}zines"],
            fields=[Field(name=f"Where{ESCAPES}", value=[f"Room {ESCAPES}4"])],
            buttons=[Button(label=f"Going{ESCAPES}", action="rsvp", value="x:yes")],
            footer=[f"by {ESCAPES}sam"],
            files=[Attachment(filename=f"{ESCAPES}zine.ics", content=b"x")],
        ),
        reader="librarian",
        heading=f"[#{ESCAPES}general]",
    )
    shown = screen.getvalue()
    assert not [c for c in shown if unicodedata.category(c) == "Cc" and c not in "\n"], shown
    for words in ("Mars/Base", "Zine swap", "Bring zines", "Where", "Room 4", "Going", "by sam"):
        assert words in shown
    assert "owned" not in shown  # the window-title sequence is gone whole


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text())
def test_terminal_safe_text_has_no_control_characters(text: str) -> None:
    safe = terminal_safe(text)
    assert all(c in "\n\t" or unicodedata.category(c) != "Cc" for c in safe)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(st.characters(blacklist_categories=["Cc", "Cf", "Cs", "Zl", "Zp"])))
def test_text_without_control_characters_is_unchanged(text: str) -> None:
    assert terminal_safe(text) == text


async def test_a_right_to_left_override_never_reaches_the_screen(
    bot: Potluck, tmp_path: Path
) -> None:
    console, screen = quiet_console(bot, tmp_path / "files")
    await console.handle_line('/event create title:"Tea\u202e time" when:"next friday 6pm"')
    await console.handle_line("/event list")
    shown = screen.getvalue()
    assert "Tea time" in shown  # the echoed command, the reply and the list
    assert "\u202e" not in shown, shown


# -- on a real terminal ------------------------------------------------------------------------


def test_on_a_terminal_commands_show_once_ctrl_c_clears_and_ctrl_d_quits(tmp_path: Path) -> None:
    # Tall enough that all of /help stays on the screen as more cogs add commands.
    term = Terminal(potluck_argv("console"), env=potluck_env(tmp_path), cwd=tmp_path, lines=200)
    try:
        term.wait_for(lambda t: t.cursor_line == "librarian>")
        term.type("/timezone show\r")
        term.wait_for_text("Your time zone:")
        term.wait_for(lambda t: t.cursor_line == "librarian>")
        assert term.text().count("/timezone show") == 1, term.text()  # no second echo

        term.type("/timezone set zone:Europe/Ber")
        term.wait_for(lambda t: t.cursor_line.endswith("zone:Europe/Ber"))
        term.type("\x03")  # Ctrl-C: the line is dropped, the console stays
        term.wait_for(lambda t: t.cursor_line == "librarian>")
        assert term.process.poll() is None

        term.type("/help\r")
        term.wait_for_text("Potluck help")
        term.wait_for(lambda t: t.cursor_line == "librarian>")
        help_lines = [line for line in term.lines if "/timezone show " in line]
        assert help_lines and all("`" not in line for line in help_lines), term.text()
        assert "Your time zone is now" not in term.text()  # Ctrl-C ran nothing

        term.type("\x04")  # Ctrl-D on an empty line: leave
        assert term.wait_exit() == 0
    finally:
        term.close()


async def test_a_message_arriving_while_typing_is_printed_above_the_prompt(
    tmp_path: Path,
) -> None:
    # The console polls the outbox often; a second bot process on the same database cancels
    # an event, which queues a direct message that the console prints while someone types.
    db_url = f"sqlite+aiosqlite:///{tmp_path}/shared.db"
    config = tmp_path / "config.toml"
    config.write_text("[bot]\noutbox_poll_seconds = 0.2\n[web]\nenabled = false\n")
    env = potluck_env(tmp_path, POTLUCK_DATABASE_URL=db_url)
    term = Terminal(potluck_argv("console", "-c", str(config)), env=env, cwd=tmp_path)
    other = Potluck(Settings.model_validate({"database": {"url": db_url}}))
    try:
        term.wait_for(lambda t: t.cursor_line == "librarian>")  # migrated and running
        term.type("/timezone sh")
        term.wait_for(lambda t: t.cursor_line == "librarian> /timezone sh")

        await other.load_cogs()
        await other.start(migrate=False, schedule=False)
        chat = Conversation.attach(other)
        card = await chat.say('/event create title:"Zine swap" when:"next friday 6pm"', as_="ana")
        event = event_id(card)
        await chat.say(f"/rsvp event:{event} answer:yes", as_="sam")
        await chat.say(f'/event cancel id:{event} reason:"Flooded basement"', as_="ana")

        term.wait_for_text("Flooded basement")
        term.wait_for(lambda t: t.cursor_line == "librarian> /timezone sh")
        lines = term.lines
        top = next(i for i, line in enumerate(lines) if "direct message to @sam" in line)
        bottom = next(i for i in range(top, len(lines)) if lines[i].startswith("╰"))
        assert lines[top].startswith("╭"), term.text()  # the box starts on its own line
        assert term.screen.cursor.y > bottom  # the prompt is redrawn below it
        assert not any(re.search(r"/timezone sh.*[╭│╰]", line) for line in lines), term.text()

        term.type("ow\r")  # the half-typed command was kept
        term.wait_for_text("Your time zone:")
        term.type("\x04")
        assert term.wait_exit() == 0
    finally:
        await other.close()
        term.close()
