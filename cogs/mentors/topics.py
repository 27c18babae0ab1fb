"""Free-text topics folded into a small, shared vocabulary.

"Grant-Writing, cataloguing & RDA" becomes ``{"grant writing", "cataloging"}``: case and
punctuation are dropped, the last word of a phrase is made singular (``inflect``, a maintained
English inflection library: "archives" -> "archive", "libraries" -> "library"), and synonyms
map to one topic name. The default list ships in ``topics.toml`` beside this module; the config
file and each community's moderators extend it with `TopicVocabulary.extended` (see
`cogs.mentors.vocabulary`).

A phrase that is not in the vocabulary is kept as its folded form, so two people who both wrote
"zines" still share a topic; `TopicReading.unrecognised` lists such phrases so a command can
suggest known topics.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from bot.core.inflection import engine

DEFAULT_LIST = Path(__file__).with_name("topics.toml")

# Separators between topics in what people type.
_SPLIT = re.compile(r"[,;/|\n]+")
_AND = re.compile(r"\s+(?:and|&|\+)\s+")
_NOT_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
# Short words are mostly acronyms ("ux", "ils", "oa"): never singularised.
_SHORTEST_PLURAL = 4


@lru_cache(maxsize=8192)
def _singular(word: str) -> str:
    if len(word) < _SHORTEST_PLURAL or not word.isalpha():
        return word
    singular = engine().singular_noun(word)
    return singular if isinstance(singular, str) and singular else word


def fold(phrase: str) -> str:
    """The matching key of one topic phrase: lowercase, no punctuation, single spaces, and the
    last word singular. ``fold("Grant-Writing!") == "grant writing"``; "" for no words."""
    text = phrase.casefold().replace("'", "").replace("’", "")
    text = _SPACES.sub(" ", _NOT_WORD.sub(" ", text)).strip()
    if not text:
        return ""
    *head, last = text.split(" ")
    return " ".join([*head, _singular(last)])


def topic_name(name: str) -> str:
    """How a topic is named in a vocabulary: lowercase (casefolded), single spaces.
    ``topic_name(" Seed  Library") == "seed library"``."""
    return " ".join(name.casefold().split())


def phrases(text: str) -> list[str]:
    """The phrases of free text, split on commas, semicolons, slashes, bars or new lines,
    trimmed, without those that have no word at all. ``phrases("a, b;;") == ["a", "b"]``."""
    return [p.strip() for p in _SPLIT.split(text) if fold(p)]


@dataclass(frozen=True, slots=True)
class TopicReading:
    """What `TopicVocabulary.read` made of a person's text.

    ``topics``: the topic names (vocabulary names, or folded phrases for unknown ones);
    ``unrecognised``: the phrases, as typed (trimmed), that matched no vocabulary topic.
    """

    topics: frozenset[str]
    unrecognised: tuple[str, ...]


class TopicVocabulary:
    """A community's topics: each topic name, its synonyms, and its weight.

    ``synonyms`` maps a topic name to other ways of writing it; ``weights`` maps a topic name
    to an integer multiplier of the shared-topic points (default 1; 0 is not allowed, a topic
    that should not count can simply be removed). Raises ValueError when one folded phrase
    points at two different topics, or for a weight below 1.
    """

    def __init__(
        self, synonyms: Mapping[str, Iterable[str]], weights: Mapping[str, int] | None = None
    ) -> None:
        self._names: dict[str, str] = {}  # folded phrase -> topic name
        self._written: dict[str, str] = {}  # folded phrase -> the phrase as first written
        for name, others in synonyms.items():
            topic = topic_name(name)
            for phrase in (name, *others):
                key = fold(phrase)
                if not key:
                    continue
                taken = self._names.get(key)
                if taken is not None and taken != topic:
                    raise ValueError(f'"{phrase}" already means the topic "{taken}", not "{topic}"')
                self._names[key] = topic
                self._written.setdefault(key, " ".join(phrase.split()))
        self._weights = {name.strip().casefold(): int(w) for name, w in (weights or {}).items()}
        for name, weight in self._weights.items():
            if weight < 1:
                raise ValueError(f'the weight of "{name}" must be at least 1, got {weight}')

    @classmethod
    def default(cls) -> TopicVocabulary:
        """The list shipped in ``topics.toml``."""
        return _default_vocabulary()

    @classmethod
    def from_toml(cls, path: Path) -> TopicVocabulary:
        """Read ``"topic" = ["synonym", ...]`` lines from a TOML file."""
        with path.open("rb") as handle:
            table = tomllib.load(handle)
        return cls({str(name): [str(s) for s in others] for name, others in table.items()})

    def extended(
        self, synonyms: Mapping[str, Iterable[str]], weights: Mapping[str, int] | None = None
    ) -> TopicVocabulary:
        """A copy with a community's additions: new topics, more synonyms, weights.

        Adding a synonym that already means another topic raises ValueError naming both, so a
        moderator sees the clash instead of silently moving people between topics.
        """
        merged: dict[str, list[str]] = {}
        for key, name in self._names.items():
            merged.setdefault(name, []).append(self._written[key])
        for name, others in synonyms.items():
            merged.setdefault(topic_name(name), []).extend(others)
        return TopicVocabulary(merged, {**self._weights, **(weights or {})})

    @property
    def topics(self) -> frozenset[str]:
        """Every topic name in the vocabulary."""
        return frozenset(self._names.values())

    def weight(self, topic: str) -> int:
        """The multiplier of a shared topic's points (1 unless a moderator set one)."""
        return self._weights.get(topic, 1)

    def lookup(self, phrase: str) -> str | None:
        """The topic name for one phrase, or None when the vocabulary does not know it."""
        return self._names.get(fold(phrase))

    def synonyms(self, topic: str) -> tuple[str, ...]:
        """The other ways of writing `topic`, as first written, in the order they were given
        (the shipped list's, then the config file's, then the community's); () for a topic
        with none or a name that is no topic."""
        own = fold(topic)
        return tuple(
            self._written[key] for key, name in self._names.items() if name == topic and key != own
        )

    def read(self, text: str) -> TopicReading:
        """Split free text on commas, semicolons, slashes or new lines and name each topic.

        A phrase such as "grants and cataloging" that is not itself a topic is also tried as
        "grants" + "cataloging" when every part is known. Returns an empty reading for "".
        """
        topics: set[str] = set()
        unrecognised: list[str] = []
        for phrase in phrases(text):
            key = fold(phrase)
            known = self._names.get(key)
            if known is not None:
                topics.add(known)
                continue
            parts = [self._names.get(fold(part)) for part in _AND.split(phrase)]
            if len(parts) > 1 and all(parts):
                topics.update(p for p in parts if p)
                continue
            topics.add(key)
            unrecognised.append(phrase)
        return TopicReading(frozenset(topics), tuple(unrecognised))


@cache
def _default_vocabulary() -> TopicVocabulary:
    return TopicVocabulary.from_toml(DEFAULT_LIST)
