"""Replies to moderators and intros agree with their numbers: "1 match", "0 matches",
"1 mentor", "Why you three" for a trio, and no promise of intros when nobody was matched."""

from __future__ import annotations

import re

from bot.core.types import Level
from bot.testing import Conversation
from tests.events.conftest import said

MOD = Level.MODERATOR


async def test_a_round_of_no_matches_promises_no_intros(chat: Conversation) -> None:
    done = said(await chat.say("/mentor round kind:peers", as_="mod", level=MOD))
    assert "0 matches, 0 points" in done
    assert "Nobody was matched, so no intros were sent." in done
    assert "Every match gets an intro" not in done
    dry = said(await chat.say("/mentor round kind:peers dry_run:yes", as_="mod", level=MOD))
    assert "0 matches, 0 points in total" in dry


async def test_one_match_is_one_match_everywhere(chat: Conversation) -> None:
    for who in ("eli", "fay"):
        await chat.say('/mentor join role:peer topics:"outreach"', as_=who)
    await chat.say('/mentor join role:mentor topics:"cataloging"', as_="ana")
    dry = said(await chat.say("/mentor round kind:peers dry_run:yes", as_="mod", level=MOD))
    assert re.search(r": 1 match, \d+ points in total", dry), dry
    done = said(await chat.say("/mentor round kind:peers", as_="mod", level=MOD))
    assert re.search(r"\n1 match, \d+ points\. The match gets an intro now", done), done
    assert "matches" not in done
    (intro,) = [d for d in await chat.deliver() if d.destination.id == "eli"]
    assert "Why you two: " in said(intro.message)
    stats = said(await chat.say("/mentor stats", as_="mod", level=MOD))
    assert "1 mentor, 0 mentees, 2 peers" in stats, stats


async def test_a_trio_is_told_why_you_three(chat: Conversation) -> None:
    for who in ("eli", "fay", "gus"):
        await chat.say('/mentor join role:peer topics:"outreach"', as_=who)
    done = said(await chat.say("/mentor round kind:peers", as_="mod", level=MOD))
    assert "\n1 match, " in done, done
    intros = [d for d in await chat.deliver() if d.destination.id in ("eli", "fay", "gus")]
    assert len(intros) == 3
    for intro in intros:
        assert "Why you three: " in said(intro.message)
        assert "Why you two" not in said(intro.message)


def test_left_out_for_a_better_total_agrees_with_how_many_fit() -> None:
    from cogs.mentors.explain import unmatched_line
    from cogs.mentors.participants import Role
    from cogs.mentors.plans import Unmatched, UnmatchedWhy

    def line(n: int) -> str:
        return unmatched_line(Unmatched("cy", Role.PEER, UnmatchedWhy.LOST_TO_BETTER_TOTAL, n))

    assert line(1) == "cy (peer): the 1 who fits is matched where the total is higher"
    assert line(2) == "cy (peer): the 2 who fit are matched where the total is higher"
