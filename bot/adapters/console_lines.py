"""How the console reads the start of a line: acting as someone (`@sam /rsvp ...`) and
leaving (`/quit`)."""

from __future__ import annotations

from bot.core.errors import echo

# What leaves the console, typed alone on a line.
QUIT_WORDS = frozenset({"/quit", "/exit", "quit", "exit"})


def space_after_name(text: str) -> str:
    """`@sam/rsvp ...` read as `@sam /rsvp ...`: a command typed right after the name."""
    head, space, rest = text.partition(" ")
    name, slash, command = head.partition("/")
    if not slash or len(name) < 2:
        return text
    return f"{name} /{command}{space}{rest}"


# What Discord (@everyone, @here) and Slack (@channel, @here, @everyone) read as the whole
# channel, never as one person's name.
GROUP_MENTIONS = frozenset({"everyone", "here", "channel"})


def acting_problem(text: str) -> str | None:
    """What is wrong with a line starting "@" (acting as someone), or None when it is
    "@name /command ...": a name of letters without spaces, then a command."""
    head, _, rest = text.partition(" ")
    name = head[1:]
    if not name:
        return "Put a name right after @, like: @sam /timezone show"
    if name.startswith("@"):
        return f"Type one @ before the name, like: @{name.lstrip('@') or 'sam'} /timezone show"
    if name.casefold().rstrip(",.:;!") in GROUP_MENTIONS:
        return (
            f"@{name} means everyone in a channel, not one person; act as one person, "
            "like: @sam /timezone show"
        )
    if name.startswith('"') or name.startswith("'"):
        return "Names have no spaces or quotes: type @sam /timezone show"
    if not rest.strip():
        return f"A command must follow the name, like: @{name} /help"
    words = rest.split()
    if words[0].casefold().lstrip("/") in {w.lstrip("/") for w in QUIT_WORDS}:
        # Leaving is not something one person does here: it ends the console for everyone.
        return "/quit ends the console for everyone, so it takes no name: type /quit alone."
    if not any(word.startswith("/") for word in words):  # "@sam rsvp Names yes"
        return f"A command starts with /, like: @{name} /{echo(rest.strip())}"
    if not words[0].startswith("/"):
        return f"Names have no spaces; a command follows the name, like: @{name} /help"
    return None
