"""A small cog the Discord tests load next to the real ones: it covers what those do not
declare yet (a moderator-only and an organizer-only top-level command, every option kind, a
form, autocomplete, and a handler that takes as long as the test wants)."""

from __future__ import annotations

import asyncio

from bot.app import Potluck
from bot.core.commands import Cog, Option, OptionKind, command, suggestions
from bot.core.messages import Form, FormField, Mention, Message, rich
from bot.core.types import Invocation, Level

TOPICS = [("Books and reading", "books"), ("Cataloguing", "cataloguing"), ("Comics", "comics")]


class BoardCog(Cog):
    name = "board"
    description = "Notice board for the Discord tests."

    def __init__(self) -> None:
        self.release = asyncio.Event()

    @command(
        "announce",
        "Post an announcement in this channel.",
        options=[
            Option("title", "The headline.", required=True, max_length=100),
            Option("kind", "What it is.", choices=("talk", "party")),
            Option("seats", "How many seats.", kind=OptionKind.INTEGER, min_value=1, max_value=5),
            Option("host", "Who hosts it.", kind=OptionKind.PERSON),
            Option("where", "Where to post it.", kind=OptionKind.CHANNEL),
            Option("loud", "Ping the host.", kind=OptionKind.BOOLEAN),
        ],
        level=Level.MODERATOR,
    )
    async def announce(
        self,
        inv: Invocation,
        title: str,
        kind: str | None = None,
        seats: int | None = None,
        host: str | None = None,
        where: str | None = None,
        loud: bool = False,
    ) -> Message:
        return Message(
            title=title,
            text=rich(
                f"A {kind or 'notice'} with {seats or 'any number of'} seats",
                " hosted by " if host else None,
                Mention(user_id=host) if host and loud else (host or None),
                f" in channel {where}" if where else None,
                ".",
            ),
        )

    @command("curate", "Tidy the reading list.", level=Level.ORGANIZER)
    async def curate(self, inv: Invocation) -> Message:
        return Message(text=["Curated."], ephemeral=True)

    @command("ponder", "Think for as long as it takes.")
    async def ponder(self, inv: Invocation) -> Message:
        await self.release.wait()
        return Message(title="Pondered", text=["Here is what I think."])

    @command("note open", "Write a note in a dialog.")
    async def note_open(self, inv: Invocation) -> Message:
        return Message(
            text=["Write your note."],
            form=Form(
                title="New note",
                command="note save",
                fields=[
                    FormField(option="text", label="Your note", required=True, long=True),
                    FormField(option="topic", label="Topic"),
                ],
            ),
        )

    @command(
        "note save",
        "Save a note.",
        options=[
            Option("text", "The note.", required=True),
            Option("topic", "What it is about.", autocomplete="topics"),
        ],
    )
    async def note_save(self, inv: Invocation, text: str, topic: str | None = None) -> Message:
        return Message(text=rich("Saved a note", f" about {topic}" if topic else None, ": ", text))

    @suggestions("topics")
    async def topics(self, inv: Invocation, partial: str) -> list[tuple[str, str]]:
        return [(label, value) for label, value in TOPICS if partial.lower() in label.lower()]


async def setup(bot: Potluck) -> None:
    bot.add_cog(BoardCog())
