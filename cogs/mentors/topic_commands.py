"""/mentor topics: the community's topic vocabulary, shown to everyone and changed by
moderators. The rules live in vocabulary.py; `MentorsCog` takes these commands in."""

from __future__ import annotations

from bot.core.commands import Option, command
from bot.core.messages import Attachment, Message, Segment
from bot.core.types import Invocation, Level
from cogs.mentors.vocabulary import (
    CommunityVocabulary,
    TopicChange,
    TopicEntry,
    change_sentence,
    quoted,
)

# The longest listing shown as text: Discord's embed description holds 4096 characters
# (its embed limits), less the line above the listing. A longer one comes as a file.
LISTING_BUDGET = 3900


def _verb(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _topics_changed(change: TopicChange, *, added: bool) -> Message:
    """The reply to a vocabulary change: what changed, and how many profiles it moved."""
    n = change.profiles_changed
    profiles = f"{n} profile{'s' * (n != 1)}, read again,"
    if not n:
        moved = "No profile changed."
    elif added:
        moved = f'{profiles} now {_verb(n, "lists", "list")} "{change.topic}".'
    else:
        moved = f"{profiles} changed: what was typed for it now counts as typed."
    text: list[Segment] = [change_sentence(change, added), " ", moved]
    if change.already:
        text.append(f" {quoted(change.already)} already meant it.")
    return Message(text=text, ephemeral=True, accent="success")


def _entry_line(entry: TopicEntry) -> str:
    """'• grant writing: grants, fundraising; added here: proposal writing' (every synonym of
    a topic the community added is the community's too, so the topic is marked once)."""
    if entry.added_here:
        head, parts = f"{entry.name} (added here)", [", ".join(entry.added_synonyms)]
    else:
        head, parts = entry.name, [", ".join(entry.synonyms)]
        if entry.added_synonyms:
            parts.append("added here: " + ", ".join(entry.added_synonyms))
    said = "; ".join(p for p in parts if p)
    return f"• {head}" + (f": {said}" if said else "") + "\n"


class TopicCommands:
    """The /mentor topics commands, for a cog with a `vocabulary`."""

    vocabulary: CommunityVocabulary

    @command(
        "mentor topics show",
        "The community's topics and the other ways of writing each.",
        examples=["/mentor topics show"],
    )
    async def topics_show(self, inv: Invocation) -> Message:
        entries = await self.vocabulary.entries(inv.community)
        listing = "".join(_entry_line(e) for e in entries)
        text: list[Segment] = [
            "What people type is read as these topics; case, punctuation and plurals never "
            "matter, and anything else is kept as typed.\n"
        ]
        files = []
        if len(listing) <= LISTING_BUDGET:
            text.append(listing)
        else:
            names = [e.name + (" (added here)" if e.added_here else "") for e in entries]
            text.append(", ".join(names) + ".\nEvery topic with its synonyms is in the file.")
            files.append(
                Attachment(
                    filename="mentor-topics.txt",
                    content=listing.encode(),
                    content_type="text/plain; charset=utf-8",
                )
            )
        return Message(
            title="Mentoring topics",
            text=text,
            files=files,
            footer=["Add topics and synonyms with /mentor topics add."]
            if inv.person.level >= Level.MODERATOR
            else [],
            ephemeral=True,
        )

    @command(
        "mentor topics add",
        "Add a topic, or other ways of writing one (moderator).",
        options=[
            Option(
                "topic",
                'The topic: "seed library" (new, or one on the list).',
                required=True,
                max_length=200,
            ),
            Option(
                "synonyms",
                'Other ways people write it, separated by commas: "seed swaps, seed exchange".',
                max_length=1000,
            ),
        ],
        level=Level.MODERATOR,
        examples=[
            '/mentor topics add topic:"seed library" synonyms:"seed swaps, seed exchange"',
            '/mentor topics add topic:"grant writing" synonyms:"proposal writing"',
        ],
    )
    async def topics_add(self, inv: Invocation, topic: str, synonyms: str | None = None) -> Message:
        change = await self.vocabulary.add(inv.community, inv.person, inv.now, topic, synonyms)
        if not change.changed:
            return Message(
                text=[
                    f"Nothing changed: {quoted(change.already)} already "
                    f'{"means" if len(change.already) == 1 else "mean"} "{change.topic}".'
                ],
                ephemeral=True,
            )
        return _topics_changed(change, added=True)

    @command(
        "mentor topics remove",
        "Remove a topic or synonym this community added (moderator).",
        options=[
            Option("topic", "A topic this community added, with its synonyms.", max_length=200),
            Option("synonym", "One synonym this community added.", max_length=200),
        ],
        level=Level.MODERATOR,
        examples=[
            '/mentor topics remove synonym:"seed swaps"',
            '/mentor topics remove topic:"seed library"',
        ],
    )
    async def topics_remove(
        self, inv: Invocation, topic: str | None = None, synonym: str | None = None
    ) -> Message:
        change = await self.vocabulary.remove(
            inv.community, inv.person, inv.now, topic=topic, synonym=synonym
        )
        return _topics_changed(change, added=False)
