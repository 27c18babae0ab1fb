"""A cog that declares /help, which the help cog already owns."""

from __future__ import annotations

from bot.core.commands import Cog, command
from bot.core.messages import Message
from bot.core.types import Invocation


class CopycatCog(Cog):
    name = "copycat"
    description = "Declares a command name that is taken."

    @command("help", "Another help.")
    async def help(self, inv: Invocation) -> Message:
        return Message(text=["copy"])


async def setup(bot: object) -> None:
    bot.add_cog(CopycatCog())  # type: ignore[attr-defined]
