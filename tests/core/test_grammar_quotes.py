"""Quoting in the text grammar as people script it: single quotes, and quotes inside values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.commands import CommandSpec, Option
from bot.core.errors import BadOption
from bot.core.grammar import bind_options, quote, split_command
from bot.testing import Conversation
from tests.events.conftest import said

CREATE = CommandSpec(
    path=("event", "create"),
    description="",
    options=(Option("title", "", required=True), Option("when", ""), Option("where", "")),
)


def parse(line: str) -> dict[str, str]:
    _words, tokens = split_command(line)
    return bind_options(CREATE, tokens[len(CREATE.path) :])


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "/event create title:'Winter party' when:'next friday 6pm'",
            {"title": "Winter party", "when": "next friday 6pm"},
        ),
        ("/event create title:'Ana's party' when:fri", {"title": "Ana's party", "when": "fri"}),
        ("/event create title:‘Ana’s party’ when:fri", {"title": "Ana’s party", "when": "fri"}),
        ("/event create title:Ana's party", {"title": "Ana's party"}),
        ("/event create title:'90s night when:friday", {"title": "'90s night", "when": "friday"}),
        ('/event create title:"The \\"big\\" one"', {"title": 'The "big" one'}),
        ('/event create title:"back\\\\slash"', {"title": "back\\slash"}),
        ('/event create title:"Mary\'s"', {"title": "Mary's"}),
        ("/event create title:'say \"hi\"'", {"title": 'say "hi"'}),
        ('/event create title:Say \\"hi\\"', {"title": 'Say "hi"'}),
        ("/event create where:C:\\Users\\x", {"where": "C:\\Users\\x"}),
    ],
)
def test_quotes_group_words_and_escapes_keep_quotes(line: str, expected: dict[str, str]) -> None:
    assert parse(line) == expected


def test_an_escaped_quote_does_not_close_the_value() -> None:
    with pytest.raises(BadOption, match="A quote is not closed"):
        parse('/event create title:"never closed\\"')


# Any text without control characters (those are removed before anything reads a value).
VALUES = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1)


@given(VALUES, VALUES)
def test_any_quoted_value_reads_back_unchanged(title: str, where: str) -> None:
    line = f"/event create title:{quote(title)} where:{quote(where)}"
    assert parse(line) == {"title": title, "where": where}


@given(st.text(st.characters(exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), min_size=1))
def test_a_single_quoted_value_without_quote_space_reads_back(title: str) -> None:
    """Inside single quotes only a quote followed by a space (or the end) closes."""
    inner = title.replace("\\", "")
    line = f"/event create title:'{inner}'"
    expected = inner
    for closing in ("'", "‘", "’"):
        if closing + " " in inner:
            return
    assert parse(line)["title"] == expected


async def test_a_single_quoted_title_is_shown_without_its_quotes(chat: Conversation) -> None:
    reply = await chat.say("/event create title:'Winter party' when:'next friday 6pm'", as_="ana")
    assert reply.accent == "success", said(reply)
    assert reply.title is not None and reply.title.endswith("Winter party")
    reply = await chat.say('/event create title:"The \\"big\\" one" when:"friday 7pm"', as_="ana")
    assert reply.title is not None and reply.title.endswith('The "big" one'), said(reply)
