"""/mentor topics as people use it: moderators add topics and synonyms for their community,
profiles are read again with them (the next round and /mentor profile count them), each
mistake is refused with what to type instead, and every change is in the audit log. On
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import func, select, text, update

from bot.config import Settings
from bot.core.clock import ManualClock
from bot.core.types import Level
from bot.testing import Conversation
from storage.models import AuditRow, MentorProfileRow, MentorTopicRow
from storage.repositories import mentors as repo
from tests.events.conftest import said

MOD = Level.MODERATOR
SEEDS = '/mentor topics add topic:"seed library" synonyms:"seed swaps, seed exchange"'


@pytest.fixture
def settings() -> Settings:
    # The operator's own addition in the config file: shown, used, never removable here.
    return Settings(mentors={"topics": {"makerspaces": ["maker space", "hackerspace"]}})


async def rows(chat: Conversation, model: type) -> int:
    async with chat.bot.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def stored_topics(chat: Conversation, who: str) -> list[str]:
    profile = said(await chat.say("/mentor profile", as_=who))
    return profile.split("Topics: ")[1].split("\n")[0].split(", ")


async def test_a_moderator_adds_a_topic_and_everyone_sees_it(chat: Conversation) -> None:
    reply = await chat.say(SEEDS, as_="mod", level=MOD)
    assert said(reply) == (
        'Added the topic "seed library" with the synonyms "seed swaps" and "seed exchange". '
        "No profile changed."
    )
    assert reply.ephemeral and reply.accent == "success"
    reply = await chat.say(
        '/mentor topics add topic:"Grant Writing" synonyms:"proposal writing, grants"',
        as_="mod",
        level=MOD,
    )
    assert said(reply) == (
        'Added the synonym "proposal writing" to "grant writing". No profile changed. '
        '"grants" already meant it.'
    )

    listing = said(await chat.say("/mentor topics show", as_="cy"))
    assert "• seed library (added here): seed swaps, seed exchange\n" in listing
    assert (
        "• grant writing: grants, grant applications, grant seeking, fundraising; "
        "added here: proposal writing\n"
    ) in listing
    assert "• makerspaces: maker space, hackerspace\n" in listing  # the config file's
    assert "• cataloging: cataloguing," in listing and "cataloging (added here)" not in listing
    assert "/mentor topics add" not in listing  # the pointer is for moderators
    assert "/mentor topics add" in said(await chat.say("/mentor topics show", as_="mod", level=MOD))

    again = await chat.say(
        '/mentor topics add topic:"seed library" synonyms:"Seed Swap"', as_="mod", level=MOD
    )
    assert said(again) == 'Nothing changed: "Seed Swap" already means "seed library".'
    assert await rows(chat, MentorTopicRow) == 4
    assert await rows(chat, AuditRow) == 2  # nothing changed, nothing logged


async def test_a_new_synonym_counts_in_the_next_round_and_the_profile(
    chat: Conversation,
) -> None:
    await chat.say('/mentor join role:mentor topics:"seed swaps, zines"', as_="ana")
    await chat.say('/mentor join role:mentee topics:"Seed Libraries"', as_="cy")
    assert await stored_topics(chat, "ana") == ["seed swap", "zine"]
    dry = said(await chat.say("/mentor round dry_run:yes", as_="mod", level=MOD))
    assert "ana mentors cy" not in dry and "no shared topic" in dry

    reply = await chat.say(SEEDS, as_="mod", level=MOD)
    assert '1 profile, read again, now lists "seed library".' in said(reply)
    assert await stored_topics(chat, "ana") == ["seed library", "zine"]
    assert await stored_topics(chat, "cy") == ["seed library"]  # typed the topic itself
    dry = said(await chat.say("/mentor round dry_run:yes", as_="mod", level=MOD))
    assert "ana mentors cy" in dry and "+30 shared topics: seed library" in dry

    await chat.say("/mentor round", as_="mod", level=MOD)
    await chat.deliver()
    assert "you both listed seed library" in said(chat.to("cy")[0].message)
    # Export shows the person's own data: their topics as typed and as read, no vocabulary.
    export = json.loads((await chat.say("/privacy export", as_="ana")).files[0].content)
    profile = export["mentors"]["profile"]
    assert profile["topics"] == ["seed library", "zine"]
    assert profile["topics_as_typed"] == "seed swaps, zines"
    assert "seed exchange" not in json.dumps(export["mentors"])


async def test_joining_after_the_change_reads_with_the_new_synonym(chat: Conversation) -> None:
    await chat.say(SEEDS, as_="mod", level=MOD)
    reply = await chat.say('/mentor join role:peer topics:"Seed Exchange"', as_="eli")
    assert "Topics: seed library" in said(reply) and "kept as typed" not in said(reply)
    await chat.say('/mentor edit topics:"seed swaps, knitting"', as_="eli")
    assert await stored_topics(chat, "eli") == ["knitting", "seed library"]


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (  # an empty topic
            '/mentor topics add topic:"?!"',
            "`topic:` needs a word or two, not only punctuation.\n"
            'For example `topic:"seed library"`.',
        ),
        ('/mentor topics add topic:""', "/mentor topics add needs `topic:`"),
        (  # over-long text
            '/mentor topics add topic:"' + "seed library " * 5 + '"',
            # the text is echoed up to 60 characters, as README says of every error
            '`topic:` "' + ("seed library " * 5)[:59] + '…" is 64 characters long; a topic or '
            "synonym can be at most 60.\n"
            'Use the few words people would type, like `topic:"seed library"`.',
        ),
        (  # 31 characters, 62 once lowercased ("ß" is "ss"): the stored forms must fit too
            '/mentor topics add topic:"' + "ß" * 31 + '"',
            "is 62 characters long; a topic or synonym can be at most 60.",
        ),
        (
            '/mentor topics add topic:"seed library" synonyms:"swaps, ' + "x" * 61 + '"',
            # one unbroken word: the dispatcher's own cut of long runs applies
            '`synonyms:` "' + "x" * 58 + "… is 61 characters long",
        ),
        (
            '/mentor topics add topic:"seed library, zines"',
            "`topic:` takes one topic at a time",
        ),
        (  # a synonym that already means another topic: named, with what to type instead
            '/mentor topics add topic:"seed library" synonyms:"seed swaps, grants"',
            '`synonyms:` "grants" already means the topic "grant writing"; a synonym can mean '
            "only one topic.\n"
            'Leave it out: `/mentor topics add topic:"seed library" synonyms:"seed swaps"`.',
        ),
        (  # a synonym equal to a topic: another one
            '/mentor topics add topic:"seed library" synonyms:"Cataloging"',
            '`synonyms:` "Cataloging" is a topic of its own, so it cannot also mean '
            '"seed library".',
        ),
        (  # a synonym equal to a topic: the topic itself
            '/mentor topics add topic:"seed library" synonyms:"Seed-Libraries, seed swaps"',
            '`synonyms:` "Seed-Libraries" is the topic "seed library" itself (case, punctuation '
            "and plurals never matter).\n"
            'Leave it out: `/mentor topics add topic:"seed library" synonyms:"seed swaps"`.',
        ),
        (
            '/mentor topics add topic:"grants" synonyms:"proposal writing"',
            '"grants" already means the topic "grant writing", so it cannot be a topic of its '
            "own.\nTo give that topic more ways of writing it: "
            '`/mentor topics add topic:"grant writing" synonyms:"proposal writing"`',
        ),
        (
            '/mentor topics add topic:"cataloging"',
            '"cataloging" is already a topic.\nAdd other ways of writing it with synonyms:',
        ),
        ('/mentor topics add topic:"zines" synonyms:" , ;"', "`synonyms:` needs words"),
        (
            '/mentor topics remove topic:"cataloging"',
            '"cataloging" comes with Potluck\'s topic list, so it cannot be removed.\n'
            "Only what this community added can be; `/mentor topics show` marks it.",
        ),
        (
            '/mentor topics remove synonym:"grants"',
            '"grants" comes with Potluck\'s topic list, so it cannot be removed.',
        ),
        (
            '/mentor topics remove synonym:"hackerspace"',
            '"hackerspace" is set in the config file (`[mentors] topics`), so it cannot be '
            "removed here.",
        ),
        (
            '/mentor topics remove topic:"knitting"',
            '"knitting" is no topic or synonym here.\nSee them with `/mentor topics show`.',
        ),
        (
            '/mentor topics remove topic:"grants"',
            '"grants" is a synonym of "grant writing", not a topic.\n'
            'To remove the synonym: `/mentor topics remove synonym:"grants"`',
        ),
        (
            '/mentor topics remove synonym:"Cataloging"',
            '"cataloging" is a topic, not a synonym.',
        ),
        ("/mentor topics remove", "Say what to remove: a topic or a synonym, one at a time."),
        (
            '/mentor topics remove topic:"zines" synonym:"zine"',
            "Say what to remove: a topic or a synonym, one at a time.",
        ),
        ("/mentor topics", "/mentor topics has: add, remove, show."),
    ],
)
async def test_each_mistake_is_refused_privately_with_what_to_type(
    chat: Conversation, line: str, words: str
) -> None:
    reply = await chat.say(line, as_="mod", level=MOD)
    assert words in said(reply), said(reply)
    assert reply.ephemeral and reply.accent == "danger"
    assert await rows(chat, MentorTopicRow) == 0 and await rows(chat, AuditRow) == 0


async def test_a_synonym_of_another_community_topic_can_be_moved(chat: Conversation) -> None:
    await chat.say(SEEDS, as_="mod", level=MOD)
    reply = await chat.say(
        '/mentor topics add topic:"gardening" synonyms:"seed swaps"', as_="mod", level=MOD
    )
    assert '"seed swaps" already means the topic "seed library"' in said(reply)
    assert 'or move it: `/mentor topics remove synonym:"seed swaps"` first.' in said(reply), said(
        reply
    )


async def test_members_are_refused_the_moderator_commands(chat: Conversation) -> None:
    for line in [SEEDS, '/mentor topics remove synonym:"seed swaps"']:
        reply = await chat.say(line, as_="cy")
        command = " ".join(line.split()[:3])
        assert said(reply) == (
            f"Only moderators can use {command}.\nAsk a moderator of this community if you need it."
        )
        assert reply.ephemeral and reply.accent == "danger"
    assert await rows(chat, MentorTopicRow) == 0 and await rows(chat, AuditRow) == 0
    assert "seed library" not in said(await chat.say("/mentor topics show", as_="cy"))


async def test_every_change_is_in_the_audit_log(chat: Conversation) -> None:
    await chat.say('/mentor join role:peer topics:"seed swaps"', as_="eli")
    await chat.say(SEEDS, as_="mod", level=MOD)
    await chat.say('/mentor topics remove synonym:"seed exchange"', as_="mod", level=MOD)
    async with chat.bot.db.sessions() as session:
        added, removed = (await session.scalars(select(AuditRow).order_by(AuditRow.id))).all()
    assert added.kind == "mentor.topics.add" and added.actor_name == "mod"
    assert added.detail["topic"] == "seed library" and added.detail["whole_topic"] is True
    assert added.detail["synonyms"] == ["seed swaps", "seed exchange"]
    assert added.detail["profiles_changed"] == 1
    assert removed.kind == "mentor.topics.remove" and removed.detail["synonyms"] == [
        "seed exchange"
    ]
    log = said(await chat.say("/modlog kind:mentor.topics.", as_="mod", level=MOD))
    assert (
        '`mentor.topics.add` by mod: Added the topic "seed library" with the synonyms '
        '"seed swaps" and "seed exchange".'
    ) in log
    assert (
        '`mentor.topics.remove` by mod: Removed the synonym "seed exchange" from "seed library".'
        in log
    )


async def test_removing_reads_profiles_again_without_it(chat: Conversation) -> None:
    await chat.say('/mentor join role:mentor topics:"seed swaps"', as_="ana")
    await chat.say('/mentor join role:mentee topics:"seed exchange"', as_="cy")
    await chat.say(SEEDS, as_="mod", level=MOD)
    assert "ana mentors cy" in said(
        await chat.say("/mentor round dry_run:yes", as_="mod", level=MOD)
    )

    reply = await chat.say('/mentor topics remove synonym:"Seed Swaps"', as_="mod", level=MOD)
    assert said(reply) == (
        'Removed the synonym "seed swaps" from "seed library". 1 profile, read again, changed: '
        "what was typed for it now counts as typed."
    )
    assert await stored_topics(chat, "ana") == ["seed swap"]
    assert "ana mentors cy" not in said(
        await chat.say("/mentor round dry_run:yes", as_="mod", level=MOD)
    )

    reply = await chat.say('/mentor topics remove topic:"Seed Libraries"', as_="mod", level=MOD)
    assert said(reply) == (
        'Removed the topic "seed library" with its synonym "seed exchange". 1 profile, read '
        "again, changed: what was typed for it now counts as typed."
    )
    assert await stored_topics(chat, "cy") == ["seed exchange"]
    assert await rows(chat, MentorTopicRow) == 0
    assert "seed library" not in said(await chat.say("/mentor topics show", as_="cy"))
    gone = await chat.say('/mentor topics remove synonym:"seed exchange"', as_="mod", level=MOD)
    assert '"seed exchange" is no topic or synonym here.' in said(gone)


async def test_the_vocabulary_is_each_communitys_own(chat: Conversation) -> None:
    other = Conversation(bot=chat.bot, community_id="other-community")
    await other.say('/mentor join role:mentor topics:"seed swaps"', as_="ana")
    await chat.say('/mentor join role:mentor topics:"seed swaps"', as_="ana")
    await chat.say(SEEDS, as_="mod", level=MOD)
    assert await stored_topics(chat, "ana") == ["seed library"]
    assert await stored_topics(other, "ana") == ["seed swap"]  # not read with ours
    assert "seed library" not in said(await other.say("/mentor topics show", as_="ana"))
    # The other community may add the same words, to a topic of its own.
    reply = await other.say(
        '/mentor topics add topic:"gardening" synonyms:"seed swaps"', as_="mod", level=MOD
    )
    assert '1 profile, read again, now lists "gardening".' in said(reply)
    assert await stored_topics(other, "ana") == ["gardening"]
    assert await stored_topics(chat, "ana") == ["seed library"]
    async with chat.bot.db.sessions() as session:
        topics = list(await session.scalars(select(MentorProfileRow.topics)))
    assert sorted(map(tuple, topics)) == [("gardening",), ("seed library",)]


async def test_a_forgotten_moderator_leaves_the_vocabulary_in_place(chat: Conversation) -> None:
    await chat.say(SEEDS, as_="mod", level=MOD)
    confirm = await chat.say("/privacy forget", as_="mod", level=MOD)
    await chat.press(confirm, "Yes", as_="mod", level=MOD)
    assert "seed library (added here)" in said(await chat.say("/mentor topics show", as_="cy"))
    async with chat.bot.db.sessions() as session:
        entry = (await session.scalars(select(AuditRow))).one()
    assert entry.kind == "mentor.topics.add" and entry.actor_name == "a forgotten person"


async def advisory_lock_waited_on(chat: Conversation) -> None:
    """Returns once some transaction waits on a PostgreSQL advisory lock."""
    while True:
        async with chat.bot.db.sessions() as session:
            waiting = await session.scalar(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            )
        if waiting:
            return


async def test_profiles_and_vocabulary_changes_take_turns(
    chat: Conversation, backend: str, clock: ManualClock
) -> None:
    """A profile read while a vocabulary change is under way waits for it and reads with the
    new vocabulary; a change waits for a profile being written and reads it again. (SQLite
    runs one write transaction at a time, so only PostgreSQL can interleave them.)"""
    if backend != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    await chat.say('/mentor join role:peer topics:"zines"', as_="eli")
    async with chat.bot.db.sessions() as session:
        community_id = int(await session.scalar(select(MentorProfileRow.community_id)) or 0)

    async with chat.bot.db.transaction() as session:  # a change of the vocabulary, under way
        await repo.lock_topics(session, community_id)
        written = [("seed library", "seed library"), ("seed swaps", "seed swap")]
        await repo.add_topic_phrases(session, community_id, "seed library", written, clock.now())
        edit = asyncio.create_task(chat.say('/mentor edit topics:"seed swaps"', as_="eli"))
        await asyncio.wait_for(advisory_lock_waited_on(chat), timeout=20)
        assert not edit.done()
    assert "Topics: seed library" in said(await edit)

    async with chat.bot.db.transaction() as session:  # a profile being written
        await repo.lock_topics(session, community_id)
        await session.execute(
            update(MentorProfileRow).values(topics_text="seed exchange", topics=["seed exchange"])
        )
        add = asyncio.create_task(
            chat.say(
                '/mentor topics add topic:"seed library" synonyms:"seed exchange"',
                as_="mod",
                level=MOD,
            )
        )
        await asyncio.wait_for(advisory_lock_waited_on(chat), timeout=20)
        assert not add.done()
    assert '1 profile, read again, now lists "seed library".' in said(await add)
    assert await stored_topics(chat, "eli") == ["seed library"]


async def test_a_long_list_comes_as_a_file(chat: Conversation) -> None:
    for batch in ("a", "b"):
        synonyms = ", ".join(
            f"seed swap meeting number {batch} {n} of the spring" for n in range(20)
        )
        reply = await chat.say(
            f'/mentor topics add topic:"seed library {batch}" synonyms:"{synonyms}"',
            as_="mod",
            level=MOD,
        )
        assert reply.accent == "success", said(reply)
    shown = await chat.say("/mentor topics show", as_="cy")
    assert "seed library a (added here), seed library b (added here)," in said(shown)
    assert "Every topic with its synonyms is in the file." in said(shown)
    (listing,) = shown.files
    text = listing.content.decode()
    assert "• seed library b (added here): seed swap meeting number b 0 of the spring," in text
    assert "• grant writing: grants," in text and len(said(shown)) < 3900
