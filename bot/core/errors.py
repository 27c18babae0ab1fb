"""Errors that the dispatcher turns into friendly, only-to-you replies."""

from __future__ import annotations

# How much of a person's own text an error repeats back: enough to recognise what was typed
# (a zone name, a date, a title), never a pasted page. Longer text is cut with "…".
ECHO_MAX = 60


def echo(text: str) -> str:
    """`text` as an error repeats it: whole up to ECHO_MAX characters, else its first
    ECHO_MAX - 1 characters and "…"."""
    return text if len(text) <= ECHO_MAX else text[: ECHO_MAX - 1] + "…"


# Names the examples in hints use for "someone"; a hint shown to one of them uses the next.
EXAMPLE_NAMES = ("sam", "ben", "ann")


def someone_else(*own_names: str) -> str:
    """An example name for a hint that is none of `own_names` (the reader's id and display
    name), so a refusal such as "You can't block yourself" never suggests the reader again."""
    own = {n.casefold().lstrip("@") for n in own_names}
    return next(n for n in EXAMPLE_NAMES if n not in own)


class UserError(Exception):
    """Something the person typed or asked for cannot be done; the message says what to do."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class BadOption(UserError):
    """An option value could not be understood."""


class Ambiguous(BadOption):
    """A value that names several things (a title shared by two events). The hint shows
    the value that picks one, under the option the person typed: the dispatcher calls
    `typed_as` with that option's name once it knows it (`typed` is the value as typed,
    `pick` what to type instead, `what` how the hint calls it: "the event id")."""

    def __init__(self, message: str, *, typed: str, pick: str, what: str) -> None:
        self.typed, self.pick, self.what = typed, pick, what
        super().__init__(message, hint=f"Use {what}: {pick}.")

    def typed_as(self, option: str) -> None:
        self.hint = f"Use {self.what}, like {option}:{self.pick}."


class NotFound(UserError):
    """The thing named does not exist here (or belongs to another community)."""


class PermissionDenied(UserError):
    """The person's level is too low for the command."""


class RateLimited(UserError):
    """The person is sending commands faster than the community allows."""


class RegistryError(Exception):
    """A cog could not be loaded: a duplicate name, a missing setup, a bad declaration."""
