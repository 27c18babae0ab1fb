"""A cog used only by the core tests: one command per dispatcher path."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.commands import Cog, Cooldown, Option, OptionKind, action, command
from bot.core.errors import UserError
from bot.core.messages import Button, Message, rich
from bot.core.types import Invocation, Level


class SampleCog(Cog):
    name = "sample"
    description = "Commands that exercise the dispatcher."

    @command(
        "sample echo",
        "Echo options back.",
        options=[
            Option("text", "Some text.", required=True, max_length=20),
            Option("count", "A number.", kind=OptionKind.INTEGER, min_value=1, max_value=5),
            Option("color", "A color.", choices=("red", "green")),
            Option("length", "How long.", kind=OptionKind.DURATION),
            Option("at", "When.", kind=OptionKind.DATETIME),
            Option("who", "Someone.", kind=OptionKind.PERSON),
        ],
        examples=["/sample echo text:hi count:2"],
    )
    async def echo(
        self,
        inv: Invocation,
        text: str,
        count: int = 1,
        color: str = "red",
        length: timedelta | None = None,
        at: datetime | None = None,
        who: str | None = None,
    ) -> Message:
        parts = [f"{text}x{count} {color}"]
        if length is not None:
            parts.append(f" {int(length.total_seconds() // 60)}m")
        if at is not None:
            parts.append(f" at {at.isoformat()}")
        if who is not None:
            parts.append(f" who={who}")
        return Message(
            text=rich(*parts), buttons=[Button(label="Again", action="sample-again", value=text)]
        )

    @command("sample boom", "Fails with a bug.")
    async def boom(self, inv: Invocation) -> Message:
        raise RuntimeError("secret internal detail")

    @command("sample refuse", "Fails politely.")
    async def refuse(self, inv: Invocation) -> Message:
        raise UserError("I cannot do that.", hint="Try /sample echo text:hi instead.")

    @command("sample mod", "Moderators only.", level=Level.MODERATOR)
    async def mod(self, inv: Invocation) -> Message:
        return Message(text=["moderated"])

    @command("sample limited", "Twice a minute.", cooldown=Cooldown(rate=2, per=60))
    async def limited(self, inv: Invocation) -> Message:
        return Message(text=["ok"])

    @action("sample-again")
    async def again(self, inv: Invocation, value: str) -> Message:
        return Message(text=[f"again {value} by {inv.person.external_id}"], ephemeral=True)


async def setup(bot: object) -> None:
    bot.add_cog(SampleCog())  # type: ignore[attr-defined]
