"""What a topic may be, wherever one is typed (/mentor join and edit, /mentor topics add):
at most 60 characters, and never something that reads as a mention."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.core.types import Level
from bot.testing import Conversation
from storage.models import MentorProfileRow, MentorTopicRow
from tests.events.conftest import said

MOD = Level.MODERATOR
LONG = "a very long topic " * 23  # 414 characters in one topic


async def count(chat: Conversation, model: type) -> int:
    async with chat.bot.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("line", ["/mentor join role:peer topics:", "/mentor edit topics:"])
async def test_a_profile_topic_over_the_limit_is_refused(chat: Conversation, line: str) -> None:
    if line.startswith("/mentor edit"):
        await chat.say('/mentor join role:peer topics:"outreach"', as_="eli")
    reply = await chat.say(f'{line}"outreach, {LONG.strip()}"', as_="eli")
    text = said(reply)
    assert reply.accent == "danger" and reply.ephemeral
    assert "a topic or synonym can be at most 60" in text and "is 413 characters long" in text
    assert 'like `topics:"seed library"`' in text
    if line.startswith("/mentor join"):
        assert await count(chat, MentorProfileRow) == 0
    shown = said(await chat.say("/mentor profile", as_="eli"))
    assert "very long" not in shown


@pytest.mark.parametrize(
    "typed", ["@everyone", "@here", "<@&123456789012345678>", "<@42>", "<!channel>", "@Sam"]
)
async def test_mention_like_topics_are_refused_everywhere(chat: Conversation, typed: str) -> None:
    for line, who, level in [
        (f'/mentor topics add topic:"{typed}"', "mod", MOD),
        (f'/mentor topics add topic:"outreach" synonyms:"{typed}"', "mod", MOD),
        (f'/mentor join role:peer topics:"outreach, {typed}"', "eli", Level.MEMBER),
    ]:
        reply = await chat.say(line, as_=who, level=level)
        assert reply.accent == "danger", (line, said(reply))
        assert "looks like a mention" in said(reply) and "without @" in said(reply), said(reply)
    assert await count(chat, MentorTopicRow) == 0
    assert await count(chat, MentorProfileRow) == 0


async def test_plain_topics_up_to_60_characters_are_fine(chat: Conversation) -> None:
    sixty = "x" * 60
    reply = await chat.say(f'/mentor join role:peer topics:"outreach, {sixty}"', as_="eli")
    assert reply.accent == "success", said(reply)
    added = await chat.say('/mentor topics add topic:"seed library"', as_="mod", level=MOD)
    assert added.accent == "success", said(added)


async def test_an_at_inside_a_word_is_no_mention(chat: Conversation) -> None:
    reply = await chat.say('/mentor join role:peer topics:"outreach, email@example.org"', as_="eli")
    assert reply.accent != "danger", said(reply)
    assert "outreach" in said(await chat.say("/mentor profile", as_="eli"))
