"""Topic normalisation: what people type becomes the community's small vocabulary."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cogs.mentors.topics import TopicVocabulary, fold

VOCABULARY = TopicVocabulary.default()


@pytest.mark.parametrize(
    ("typed", "topics"),
    [
        ("Grant writing", {"grant writing"}),
        ("GRANT-WRITING!", {"grant writing"}),
        ("grants", {"grant writing"}),
        ("Cataloguing", {"cataloging"}),
        ("cataloging, RDA", {"cataloging"}),
        ("Archives; special collections", {"archives", "special collections"}),
        ("archive", {"archives"}),
        ("Children's Services", {"youth services"}),
        ("digital humanities / UX", {"digital humanities", "user experience"}),
        ("grants and cataloging", {"grant writing", "cataloging"}),
        ("reference & instruction", {"reference", "information literacy"}),
        ("diversity, equity and inclusion", {"diversity and inclusion"}),
        ("zines", {"zine"}),
        ("  ,, ;", set()),
        ("", set()),
    ],
)
def test_typed_topics_become_vocabulary_topics(typed: str, topics: set[str]) -> None:
    assert VOCABULARY.read(typed).topics == topics


def test_unknown_phrases_are_kept_and_reported() -> None:
    reading = VOCABULARY.read("Zines, grant writing, Seed Libraries")
    assert reading.topics == {"zine", "grant writing", "seed library"}
    assert reading.unrecognised == ("Zines", "Seed Libraries")


def test_two_people_writing_the_same_unknown_topic_share_it() -> None:
    assert VOCABULARY.read("Seed libraries").topics == VOCABULARY.read("seed library").topics


def test_moderators_extend_the_list_with_synonyms_topics_and_weights() -> None:
    extended = VOCABULARY.extended(
        {"seed libraries": ["seed library", "seed swaps"], "grant writing": ["proposal writing"]},
        weights={"grant writing": 2},
    )
    assert extended.read("Seed swaps, proposal writing").topics == {
        "seed libraries",
        "grant writing",
    }
    assert extended.weight("grant writing") == 2
    assert extended.weight("cataloging") == 1
    # The default list is unchanged.
    assert VOCABULARY.read("seed swaps").unrecognised == ("seed swaps",)


def test_a_synonym_that_already_means_another_topic_is_refused() -> None:
    with pytest.raises(ValueError, match='"grants" already means the topic "grant writing"'):
        VOCABULARY.extended({"fundraising events": ["grants"]})


def test_a_weight_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        VOCABULARY.extended({}, weights={"cataloging": 0})


def test_plural_acronyms_stay_as_they_are() -> None:
    assert fold("ILS") == "ils"
    assert VOCABULARY.read("ILS").topics == {"library systems"}


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz -'", min_size=1, max_size=20)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(words)
def test_folding_is_stable(phrase: str) -> None:
    """Folding twice changes nothing, and neither case nor surrounding punctuation matters."""
    once = fold(phrase)
    assert fold(once) == once
    assert fold(f"  {phrase.upper()}!? ") == once


@settings(derandomize=True, max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(sorted(VOCABULARY.topics)), max_size=6), st.randoms())
def test_reading_ignores_order_and_case(topics: list[str], random: object) -> None:
    shuffled = list(topics)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    one = VOCABULARY.read(", ".join(topics)).topics
    other = VOCABULARY.read("; ".join(t.upper() for t in shuffled)).topics
    assert one == other == set(topics)


def test_synonyms_are_listed_as_written_after_extending() -> None:
    extended = VOCABULARY.extended({"grant writing": ["Proposal Writing"], "seed library": []})
    assert extended.synonyms("grant writing")[-2:] == ("fundraising", "Proposal Writing")
    assert extended.synonyms("grant writing")[0] == "grants"  # not its folded "grant"
    assert extended.synonyms("seed library") == ()
    assert extended.synonyms("no such topic") == ()


def test_a_community_row_the_operators_list_came_to_claim_is_left_out() -> None:
    from cogs.mentors.vocabulary import with_additions
    from storage.models import MentorTopicRow

    def row(topic: str, phrase: str) -> MentorTopicRow:
        return MentorTopicRow(topic=topic, phrase=phrase, folded=fold(phrase))

    rows = [
        row("seed library", "seed library"),
        row("seed library", "seed swaps"),
        row("seed library", "grants"),  # since shipped as a synonym of grant writing
        row("fundraising events", "fundraising events"),
        row("fundraising events", "galas"),
        row("cataloging", "catalogue work"),
        row("fundraising", "fundraising"),  # a topic named like a shipped synonym: left out
        row("fundraising", "bake sales"),
    ]
    vocabulary = with_additions(VOCABULARY, rows)
    assert vocabulary.read("seed swaps, grants, galas, catalogue work").topics == {
        "seed library",
        "grant writing",
        "fundraising events",
        "cataloging",
    }
    assert vocabulary.synonyms("seed library") == ("seed swaps",)
    assert vocabulary.read("bake sales").unrecognised == ("bake sales",)
