"""The text grammar people type on Slack and in the console."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.commands import CommandSpec, Option
from bot.core.errors import BadOption
from bot.core.grammar import _read_tokens, bind_options, split_command, tokenize

CREATE = CommandSpec(
    path=("event", "create"),
    description="",
    options=(Option("title", "", required=True), Option("when", ""), Option("where", "")),
)
RSVP = CommandSpec(
    path=("rsvp",),
    description="",
    options=(Option("event", "", required=True), Option("answer", "")),
)


def parse(spec: CommandSpec, line: str) -> dict[str, str]:
    _words, tokens = split_command(line)
    return bind_options(spec, tokens[len(spec.path) :])


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '/event create title:"Winter party" when:"next friday 6pm"',
            {"title": "Winter party", "when": "next friday 6pm"},
        ),
        ("/event create title:Winter party when:18:00", {"title": "Winter party", "when": "18:00"}),
        (
            "/event create title: Book club where:https://meet.example.org/a:b",
            {"title": "Book club", "where": "https://meet.example.org/a:b"},
        ),
        ("/event create title:“Mary’s party”", {"title": "Mary’s party"}),
        (
            "/event create title:Zine fair where:Main library see https://x.org",
            {"title": "Zine fair", "where": "Main library see https://x.org"},
        ),
    ],
)
def test_key_value_pairs(line: str, expected: dict[str, str]) -> None:
    assert parse(CREATE, line) == expected


def test_bare_words_fill_options_in_order() -> None:
    assert parse(RSVP, "/rsvp 4f2a yes") == {"event": "4f2a", "answer": "yes"}
    assert parse(RSVP, "rsvp event:4f2a maybe later") == {"event": "4f2a maybe later"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('/event create title:"Winter', "A quote is not closed"),
        ("/event create colour:red", "/event create has no option `colour`"),
        ("/event create title:a title:b", "`title:` is given twice"),
    ],
)
def test_mistakes_are_explained(line: str, message: str) -> None:
    with pytest.raises(BadOption, match=message):
        parse(CREATE, line)


def test_a_colon_inside_free_text_is_part_of_the_value() -> None:
    parsed = parse(CREATE, "/event create title:Bring snacks: chips and dip when:friday 6pm")
    assert parsed == {"title": "Bring snacks: chips and dip", "when": "friday 6pm"}


def test_a_mistyped_option_gets_a_suggestion() -> None:
    with pytest.raises(BadOption) as refused:
        parse(CREATE, "/event create title:Party whn:friday")
    assert "/event create has no option `whn`" in refused.value.message
    assert "Did you mean `when:`?" in str(refused.value.hint)


# Letters, digits, colons, dashes, slashes and several kinds of white space (`str.split`),
# but no quote or backslash: the lines `tokenize` reads by splitting at white space.
PLAIN = st.text(
    alphabet=st.sampled_from([*"abTé_1:-/. ", "\t", "\n", "\xa0", "\u2003", "\x1f"]),
    max_size=40,
)


@given(PLAIN)
def test_a_line_without_quotes_reads_as_the_character_reader_reads_it(line: str) -> None:
    assert tokenize(line) == _read_tokens(line)
