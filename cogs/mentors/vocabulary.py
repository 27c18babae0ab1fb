"""A community's topic vocabulary: the shipped list, the config file's additions, and what the
community's moderators added with ``/mentor topics add`` (the `mentor_topics` table).

Profiles keep what people typed (``topics_text``) and the topics that text was read as
(``topics``). Every change of the vocabulary reads every profile of the community again, in
the same transaction and under the community's topic lock (`repo.lock_topics`), which joins
and edits also take: the topics that rounds, ``/mentor profile`` and ``/privacy export`` see
are always what the current vocabulary makes of what people typed. Someone who typed "seed
swaps" before moderators made it a synonym of "seed library" counts as "seed library" from
that change on; when it is removed again, "seed swaps" is their own topic again.

Only the community's own additions can be removed; the shipped list (``topics.toml``) and the
config file's ``[mentors] topics`` are the operator's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import BadOption, NotFound, UserError, echo
from bot.core.grammar import quote
from bot.core.types import Community, Person
from cogs.mentors.topics import TopicVocabulary, fold, phrases, topic_name
from storage.db import Database
from storage.models import MentorTopicRow
from storage.repositories import audit
from storage.repositories import mentors as repo

# The longest topic or synonym, in characters (after lowercasing): a few words, like the
# shipped list's longest, "bibliographic instruction" (25). The table's columns hold 60.
MAX_PHRASE = 60
# The most synonyms one /mentor topics add takes (as many as a profile's topics).
MAX_SYNONYMS = 20
# What would ping or link people if a topic were posted back: "@everyone", "@here", "@sam"
# (an @ before a word), and Discord's "<@123>", "<@&123>", "<#123>" and Slack's "<!here>",
# "<@U123>" markup (both platforms' message formatting references).
# An @ that starts a word ("@sam", "@everyone") or a platform mention ("<@U1>", "<!here>");
# an @ inside a word, as in "email@example.org", is no mention.
MENTION_LIKE = re.compile(r"(?<!\w)@\w|<[@#!]")
ADDED = "mentor.topics.add"
REMOVED = "mentor.topics.remove"
SHOW = "/mentor topics show"


class Origin(StrEnum):
    """Where a topic or synonym comes from."""

    SHIPPED = "shipped"  # cogs/mentors/topics.toml
    CONFIG = "config"  # [mentors] topics in the config file
    COMMUNITY = "community"  # /mentor topics add


@dataclass(frozen=True, slots=True)
class TopicEntry:
    """One topic as `/mentor topics show` lists it: its name, whether this community added it,
    its synonyms from the shipped list or the config file, and those the community added."""

    name: str
    added_here: bool
    synonyms: tuple[str, ...]
    added_synonyms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TopicChange:
    """What an add or a remove did. `whole_topic`: the topic itself was added or removed (with
    `synonyms`, its synonyms); else only `synonyms` were. `already`: synonyms given to add
    that already meant the topic. `profiles_changed`: profiles read again whose topics
    changed."""

    topic: str
    whole_topic: bool
    synonyms: tuple[str, ...]
    already: tuple[str, ...] = ()
    profiles_changed: int = 0

    @property
    def changed(self) -> bool:
        return self.whole_topic or bool(self.synonyms)


def with_additions(configured: TopicVocabulary, rows: Iterable[MentorTopicRow]) -> TopicVocabulary:
    """`configured` extended with a community's rows. A row the operator's lists came to
    claim after it was added (a later shipped synonym meaning another topic) is left out
    rather than refused: the operator's list wins, and the row stays until removed."""
    by_topic: dict[str, list[str]] = {}
    for row in rows:
        by_topic.setdefault(row.topic, []).append(row.phrase)
    meaning: dict[str, str] = {}  # folded phrase -> topic, of the additions kept

    def free(phrase: str, topic: str) -> bool:
        return (
            configured.lookup(phrase) in (None, topic) and meaning.get(fold(phrase), topic) == topic
        )

    kept: dict[str, list[str]] = {}
    for topic, written in by_topic.items():
        if not free(topic, topic):
            continue
        meaning[fold(topic)] = topic
        kept[topic] = [p for p in written if free(p, topic)]
        meaning.update((fold(p), topic) for p in kept[topic])
    return configured.extended(kept)


def _one_phrase(text: str, option: str, example: str) -> str:
    """The one topic or synonym in an option: trimmed, single spaces. Raises BadOption for
    none, several, or one longer than MAX_PHRASE."""
    found = phrases(text)
    if not found:
        raise BadOption(
            f"`{option}:` needs a word or two, not only punctuation.",
            hint=f"For example `{example}`.",
        )
    if len(found) > 1:
        raise BadOption(
            f"`{option}:` takes one topic at a time (commas, semicolons and slashes separate "
            "topics).",
            hint=f"For example `{example}`.",
        )
    return checked_phrase(found[0], option)


def checked_phrase(phrase: str, option: str) -> str:
    """One topic or synonym as typed in `option` (topics typed in a profile too): trimmed,
    single spaces. Raises BadOption when it is longer than MAX_PHRASE or looks like a mention
    (see MENTION_LIKE), which a topic listed back to people must never turn into."""
    shown = " ".join(phrase.split())
    if MENTION_LIKE.search(shown):
        raise BadOption(
            f"`{option}:` {quote(echo(shown))} looks like a mention; a topic is the words people "
            "would type, without @ or <…>.",
            hint=f'For example `{option}:"outreach"`.',
        )
    # Lowercasing can lengthen a word ("ß" is "ss"); the stored forms must fit too.
    longest = max(len(shown), len(topic_name(shown)), len(fold(shown)))
    if longest > MAX_PHRASE:
        raise BadOption(
            f"`{option}:` {quote(echo(shown))} is {longest} characters long; a topic or synonym "
            f"can be at most {MAX_PHRASE}.",
            hint=f'Use the few words people would type, like `{option}:"seed library"`.',
        )
    return shown


def _add_line(topic: str, synonyms: Sequence[str]) -> str:
    line = f"/mentor topics add topic:{quote(topic)}"
    return line + (f" synonyms:{quote(', '.join(synonyms))}" if synonyms else "")


class CommunityVocabulary:
    """Reads and changes each community's vocabulary; `configured` is the shipped list with
    the config file's additions, the same for every community."""

    def __init__(self, db: Database, configured: TopicVocabulary) -> None:
        self.db = db
        self.configured = configured
        self.shipped = TopicVocabulary.default()

    async def of(self, session: AsyncSession, community_id: int) -> TopicVocabulary:
        """The community's vocabulary as the session sees it."""
        return with_additions(self.configured, await repo.topic_rows(session, community_id))

    async def locked(self, session: AsyncSession, community_id: int) -> TopicVocabulary:
        """The community's vocabulary, holding the topic lock until the transaction ends:
        take it before reading a profile's topics that will be written."""
        await repo.lock_topics(session, community_id)
        return await self.of(session, community_id)

    def origin(self, phrase: str) -> Origin:
        if self.shipped.lookup(phrase) is not None:
            return Origin.SHIPPED
        if self.configured.lookup(phrase) is not None:
            return Origin.CONFIG
        return Origin.COMMUNITY

    async def entries(self, community: Community) -> list[TopicEntry]:
        """Every topic of the community, by name."""
        async with self.db.sessions() as session:
            vocabulary = await self.of(session, community.id)
        out = []
        for name in sorted(vocabulary.topics):
            synonyms = vocabulary.synonyms(name)
            here = tuple(s for s in synonyms if self.configured.lookup(s) is None)
            out.append(
                TopicEntry(
                    name=name,
                    added_here=self.configured.lookup(name) is None,
                    synonyms=tuple(s for s in synonyms if s not in here),
                    added_synonyms=here,
                )
            )
        return out

    async def add(
        self, community: Community, actor: Person, now: datetime, topic: str, synonyms: str | None
    ) -> TopicChange:
        """Add a topic, synonyms of it, or both (a topic that exists gets the synonyms).

        Raises BadOption, naming what to type instead, for: a topic with no words, several
        topics, a phrase over MAX_PHRASE characters, a topic that is already another topic's
        synonym, a topic that exists given without synonyms, more than MAX_SYNONYMS synonyms,
        a synonym that is the topic itself, another topic, or another topic's synonym.
        Synonyms that already mean the topic are skipped (`TopicChange.already`); when
        nothing is new, nothing is written. Recorded in the audit log as "mentor.topics.add".
        """
        typed = _one_phrase(topic, "topic", 'topic:"seed library"')
        given = [checked_phrase(p, "synonyms") for p in phrases(synonyms or "")]
        if synonyms is not None and synonyms.strip() and not given:
            raise BadOption(
                "`synonyms:` needs words, not only punctuation.",
                hint='Separate them with commas, like `synonyms:"seed swaps, seed exchange"`.',
            )
        if len(given) > MAX_SYNONYMS:
            raise BadOption(
                f"`synonyms:` takes at most {MAX_SYNONYMS} at a time; you gave {len(given)}.",
                hint="Add the rest with a second /mentor topics add.",
            )
        async with self.db.transaction() as session:
            vocabulary = await self.locked(session, community.id)
            target, whole = self._target(vocabulary, typed, given)
            fresh, already = self._synonyms(vocabulary, target, given, whole)
            if not whole and not fresh:
                return TopicChange(target, False, (), tuple(already))
            rows = [(topic_name(p), fold(p)) for p in ([typed] if whole else []) + fresh]
            await repo.add_topic_phrases(session, community.id, target, rows, now)
            change = TopicChange(
                target,
                whole,
                tuple(topic_name(p) for p in fresh),
                tuple(already),
                await self._reread(session, community.id),
            )
            await self._record(session, community, actor, now, ADDED, change)
        return change

    def _target(
        self, vocabulary: TopicVocabulary, typed: str, given: Sequence[str]
    ) -> tuple[str, bool]:
        """The topic the synonyms go to, and whether it is new."""
        means = vocabulary.lookup(typed)
        if means is None:
            return topic_name(typed), True
        if fold(means) != fold(typed):
            raise BadOption(
                f'"{typed}" already means the topic "{means}", so it cannot be a topic of its own.',
                hint=f"To give that topic more ways of writing it: "
                f"`{_add_line(means, given or ['...'])}`",
            )
        if not given:
            raise BadOption(
                f'"{means}" is already a topic.',
                hint=f"Add other ways of writing it with synonyms:, like "
                f"`{_add_line(means, ['...'])}`. See the topics with `{SHOW}`.",
            )
        return means, False

    def _synonyms(
        self, vocabulary: TopicVocabulary, target: str, given: Sequence[str], new: bool
    ) -> tuple[list[str], list[str]]:
        """(synonyms to add, synonyms that already mean `target`); raises BadOption for one
        that cannot mean `target` (`_clash`)."""
        fresh: list[str] = []
        already: list[str] = []
        seen = {fold(target)}
        for phrase in given:
            means = vocabulary.lookup(phrase)
            if fold(phrase) == fold(target) or means not in (None, target):
                raise self._clash(phrase, target, means, [p for p in given if p != phrase], new)
            if fold(phrase) not in seen:
                seen.add(fold(phrase))
                (already if means == target else fresh).append(phrase)
        return fresh, already

    def _clash(
        self, phrase: str, target: str, means: str | None, others: list[str], new: bool
    ) -> BadOption:
        """The refusal of a synonym that is the topic itself, another topic, or another
        topic's synonym, with the command to type instead."""
        fix = f"Leave it out: `{_add_line(target, others)}`" if others or new else ""
        if means is None or means == target:
            return BadOption(
                f'`synonyms:` "{phrase}" is the topic "{target}" itself (case, punctuation and '
                "plurals never matter).",
                hint=(fix or f"Give other ways of writing it: `{_add_line(target, ['...'])}`")
                + ".",
            )
        fix = fix or f"See the topics with `{SHOW}`"
        if fold(means) == fold(phrase):
            return BadOption(
                f'`synonyms:` "{phrase}" is a topic of its own, so it cannot also mean "{target}".',
                hint=fix + ".",
            )
        if self.origin(phrase) is Origin.COMMUNITY:
            fix += f", or move it: `/mentor topics remove synonym:{quote(phrase)}` first"
        return BadOption(
            f'`synonyms:` "{phrase}" already means the topic "{means}"; a synonym can mean '
            "only one topic.",
            hint=fix + ".",
        )

    async def remove(
        self,
        community: Community,
        actor: Person,
        now: datetime,
        topic: str | None = None,
        synonym: str | None = None,
    ) -> TopicChange:
        """Remove a community topic with its synonyms (`topic`), or one community synonym.

        Raises BadOption for neither or both given, a topic named as a synonym or the other
        way round; NotFound for a phrase the vocabulary does not know; UserError for one from
        the shipped list or the config file. Recorded in the audit log as
        "mentor.topics.remove"."""
        topic, synonym = (topic or "").strip() or None, (synonym or "").strip() or None
        if (topic is None) == (synonym is None):
            raise BadOption(
                "Say what to remove: a topic or a synonym, one at a time.",
                hint='For example `/mentor topics remove synonym:"seed swaps"` or '
                '`/mentor topics remove topic:"seed library"`.',
            )
        option = "topic" if topic else "synonym"
        example = 'topic:"seed library"' if topic else 'synonym:"seed swaps"'
        phrase = _one_phrase(topic or synonym or "", option, example)
        async with self.db.transaction() as session:
            vocabulary = await self.locked(session, community.id)
            means = vocabulary.lookup(phrase)
            if means is None:
                raise NotFound(
                    f'"{phrase}" is no topic or synonym here.', hint=f"See them with `{SHOW}`."
                )
            is_topic = fold(means) == fold(phrase)
            if topic and not is_topic:
                raise BadOption(
                    f'"{phrase}" is a synonym of "{means}", not a topic.',
                    hint=f"To remove the synonym: `/mentor topics remove synonym:{quote(phrase)}`",
                )
            if synonym and is_topic:
                raise BadOption(
                    f'"{means}" is a topic, not a synonym.',
                    hint="To remove the topic with its synonyms: "
                    f"`/mentor topics remove topic:{quote(means)}`",
                )
            self._removable(phrase)
            if is_topic:
                gone = vocabulary.synonyms(means)
                await repo.delete_topic_phrases(session, community.id, topic=means)
            else:
                gone = (topic_name(phrase),)
                await repo.delete_topic_phrases(session, community.id, folded=fold(phrase))
            change = TopicChange(
                means, is_topic, gone, profiles_changed=await self._reread(session, community.id)
            )
            await self._record(session, community, actor, now, REMOVED, change)
        return change

    def _removable(self, phrase: str) -> None:
        origin = self.origin(phrase)
        if origin is Origin.SHIPPED:
            raise UserError(
                f'"{phrase}" comes with Potluck\'s topic list, so it cannot be removed.',
                hint=f"Only what this community added can be; `{SHOW}` marks it.",
            )
        if origin is Origin.CONFIG:
            raise UserError(
                f'"{phrase}" is set in the config file (`[mentors] topics`), so it cannot be '
                "removed here.",
                hint=f"Whoever runs Potluck can change it there; `{SHOW}` marks what this "
                "community added.",
            )

    async def _reread(self, session: AsyncSession, community_id: int) -> int:
        """Read every profile's typed topics with the vocabulary as it is now; returns how
        many profiles' topics changed."""
        vocabulary = await self.of(session, community_id)
        changed: dict[int, list[str]] = {}
        for profile_id, typed, topics in await repo.typed_topics(session, community_id):
            read = sorted(vocabulary.read(typed).topics)
            if read and read != sorted(topics):
                changed[profile_id] = read
        await repo.set_topics(session, changed)
        return len(changed)

    async def _record(
        self,
        session: AsyncSession,
        community: Community,
        actor: Person,
        now: datetime,
        kind: str,
        change: TopicChange,
    ) -> None:
        await audit.record(
            session,
            community_id=community.id,
            at=now,
            kind=kind,
            actor=audit.Party(actor.id, actor.display_name),
            detail={
                "topic": change.topic,
                "whole_topic": change.whole_topic,
                "synonyms": list(change.synonyms),
                "profiles_changed": change.profiles_changed,
                "summary": change_sentence(change, kind == ADDED),
            },
        )


def quoted(phrases: Sequence[str]) -> str:
    """'"a"', '"a" and "b"', '"a", "b" and "c"'."""
    marked = [f'"{p}"' for p in phrases]
    return marked[0] if len(marked) == 1 else ", ".join(marked[:-1]) + " and " + marked[-1]


def change_sentence(change: TopicChange, added: bool) -> str:
    """One sentence for the reply and the audit log: 'Added the topic "seed library" with the
    synonyms "seed swap" and "seed exchange".'"""
    verb, join = ("Added", "to") if added else ("Removed", "from")
    many = "s" if len(change.synonyms) != 1 else ""
    if change.whole_topic:
        text = f'{verb} the topic "{change.topic}"'
        if change.synonyms:
            text += f" with {'its' if not added else 'the'} synonym{many} {quoted(change.synonyms)}"
        return text + "."
    return f'{verb} the synonym{many} {quoted(change.synonyms)} {join} "{change.topic}".'
