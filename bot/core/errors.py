"""Errors that the dispatcher turns into friendly, only-to-you replies."""

from __future__ import annotations


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


class NotFound(UserError):
    """The thing named does not exist here (or belongs to another community)."""


class PermissionDenied(UserError):
    """The person's level is too low for the command."""


class RateLimited(UserError):
    """The person is sending commands faster than the community allows."""


class RegistryError(Exception):
    """A cog could not be loaded: a duplicate name, a missing setup, a bad declaration."""
