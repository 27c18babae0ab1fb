"""/help: the commands this person may use, grouped by cog, with examples."""

from __future__ import annotations

from bot.app import Potluck
from bot.core.commands import Cog, Option, command
from bot.core.errors import NotFound
from bot.core.messages import Code, Field, Message, rich
from bot.core.types import Invocation


class HelpCog(Cog):
    name = "help"
    description = "What Potluck can do for you."

    def __init__(self, bot: Potluck) -> None:
        self.bot = bot

    @command(
        "help",
        "List the commands you can use, with examples.",
        options=[Option("topic", "A command or feature, like event or rsvp.")],
        examples=["/help", "/help event"],
    )
    async def help(self, inv: Invocation, topic: str | None = None) -> Message:
        fields: list[Field] = []
        wanted = " ".join(topic.lstrip().lstrip("/").lower().split()) if topic else None
        for cog, specs in self.bot.registry.by_cog():
            usable = [s for s in specs if inv.person.level >= s.level]
            if wanted and " " in wanted:  # one command, like "timezone set"
                usable = [s for s in usable if f"{s.name} ".startswith(f"{wanted} ")]
            elif wanted and wanted not in (cog.name, *(s.path[0] for s in usable)):
                continue
            if not usable:
                continue
            lines: list = []
            for spec in sorted(usable, key=lambda s: s.path):
                lines += [Code(text=f"/{spec.name}"), f" {spec.description}\n"]
                if wanted:
                    lines += ["    usage: ", Code(text=spec.usage()), "\n"]
                    for example in spec.examples:
                        lines += ["    e.g. ", Code(text=example), "\n"]
                elif spec.examples:
                    lines += ["    e.g. ", Code(text=spec.examples[0]), "\n"]
            fields.append(
                Field(
                    name=f"{cog.name.capitalize()} — {cog.description}", value=lines, inline=False
                )
            )
        if not fields:
            raise NotFound(
                f"I know no command or feature called `{topic}`.",
                hint="Type /help to see everything you can use.",
            )
        return Message(
            title="Potluck help" + (f": {wanted}" if wanted else ""),
            text=rich(
                "Options are written key:value; quote values with spaces, like ",
                Code(text='title:"Winter party"'),
                ".",
            ),
            fields=fields,
            ephemeral=True,
        )


async def setup(bot: Potluck) -> None:
    bot.add_cog(HelpCog(bot))
