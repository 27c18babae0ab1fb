"""Refusals of the events cog that need rich text."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from bot.core.errors import UserError
from bot.core.messages import Message, Segment, plain, rich


class Refused(UserError):
    """A refusal whose explanation includes times, so it is shown as rich text (each reader
    sees the time in their own zone) rather than the plain text of other errors."""

    def __init__(self, *parts: Segment | None, hint: str | None = None) -> None:
        self.text = rich(*parts)
        super().__init__(plain(self.text), hint=hint)

    def reply(self) -> Message:
        return Message(
            text=rich(*self.text, "\n" + self.hint if self.hint else None),
            ephemeral=True,
            accent="danger",
        )


F = TypeVar("F", bound=Callable[..., Awaitable[Message]])


def shows_refusals(func: F) -> F:
    """Refusals that mention times are rich text; show them as such."""

    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Message:
        try:
            return await func(*args, **kwargs)
        except Refused as exc:
            return exc.reply()

    return cast(F, wrapper)
