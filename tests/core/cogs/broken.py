"""A cog whose setup fails after registering a command: the registry must roll it back."""

from __future__ import annotations

from bot.core.commands import Cog, command
from bot.core.messages import Message
from bot.core.types import Invocation


class HalfCog(Cog):
    name = "half"
    description = "Never finishes loading."

    @command("half open", "Should vanish when setup fails.")
    async def open(self, inv: Invocation) -> Message:
        return Message(text=["should not run"])


async def setup(bot: object) -> None:
    bot.add_cog(HalfCog())  # type: ignore[attr-defined]
    raise RuntimeError("the calendar service is unreachable")
