"""/mentor stats: people, matches made, meetings reported, who waited longest, poor fits."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cogs.mentors.profiles import is_paused
from storage.repositories import mentors as repo


@dataclass(frozen=True, slots=True)
class Stats:
    """A community's mentoring in numbers. `people`: role -> active count; `waited`: (name,
    rounds left out in a row), longest first; matches and answers count distinct matches."""

    people: dict[str, int]
    paused: int
    rounds: int
    matches: int
    met: int
    not_yet: int
    not_a_good_fit: int
    waited: list[tuple[str, int]]
    schedules: list[tuple[str, str, datetime]]  # (kind, every, next run UTC)


async def gather(session: AsyncSession, community_id: int, now: datetime) -> Stats:
    profiles = await repo.active_profiles(session, community_id, ("mentor", "mentee", "peer"))
    people = Counter(p.role for p, _ in profiles)
    paused = sum(is_paused(p.paused, p.paused_until, now) for p, _ in profiles)
    past = await repo.past_matches(session, community_id)
    by_answer: dict[str, set[int]] = {}
    for pair_id, _, answer in await repo.answers(session, community_id):
        by_answer.setdefault(answer, set()).add(pair_id)
    waited = sorted(
        (
            (person.display_name or person.external_id, p.waited_rounds)
            for p, person in profiles
            if p.waited_rounds > 0
        ),
        key=lambda item: (-item[1], item[0]),
    )
    return Stats(
        people={role: people.get(role, 0) for role in ("mentor", "mentee", "peer")},
        paused=paused,
        rounds=await repo.rounds_run(session, community_id),
        matches=len(past),
        met=len(by_answer.get(repo.MET, set())),
        not_yet=len(by_answer.get(repo.NOT_YET, set()) - by_answer.get(repo.MET, set())),
        not_a_good_fit=len(by_answer.get(repo.NOT_A_GOOD_FIT, set())),
        waited=waited[:5],
        schedules=[
            (s.kind, s.every_text, s.next_run_at)
            for s in await repo.schedules(session, community_id)
        ],
    )
