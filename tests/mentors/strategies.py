"""Hypothesis strategies for small random rounds: people, histories and dates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from cogs.mentors.participants import CareerStage, History, Participant, Role

ROUND_ON = date(2026, 3, 16)  # the US is on summer time, the UK and EU not yet
ZONES = (
    "America/New_York",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Tokyo",
    "Pacific/Auckland",
    "UTC",
)
TOPICS = ("grant writing", "cataloging", "archives", "reference", "outreach")
ORGS = ("Elm Street Public", "Oak University", "Pine County", None)


_PROFILE = st.fixed_dictionaries(
    {
        "zone": st.sampled_from(ZONES),
        "topics": st.frozensets(st.sampled_from(TOPICS), max_size=3),
        "capacity": st.integers(1, 3),
        "organization": st.sampled_from(ORGS),
        "career_stage": st.none() | st.sampled_from(list(CareerStage)),
        "languages": st.frozensets(st.sampled_from(("en", "es", "fr")), max_size=2),
        "waited_rounds": st.integers(0, 4),
        "paused": st.integers(0, 9).map(lambda n: n == 0),
    }
)


def participants(role: Role, person_id: str) -> st.SearchStrategy[Participant]:
    def build(profile: dict[str, Any]) -> Participant:
        if role is not Role.MENTOR:
            profile = {**profile, "capacity": 1}
        return Participant(person_id=person_id, role=role, **profile)

    return _PROFILE.map(build)


@st.composite
def histories(draw: st.DrawFn, ids: list[str]) -> History:
    if len(ids) < 2:
        return History()
    pair = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1])
    met = draw(
        st.lists(
            st.tuples(pair, st.integers(0, 500)).map(
                lambda x: (*x[0], ROUND_ON - timedelta(days=x[1]))
            ),
            max_size=4,
        )
    )
    unfit = draw(st.lists(pair, max_size=2))
    avoid = draw(st.lists(pair, max_size=2))
    avoid_map: dict[str, set[str]] = {}
    for who, other in avoid:
        avoid_map.setdefault(who, set()).add(other)
    return History.of(met, unfit, avoid_map)


@st.composite
def mentoring_rounds(draw: st.DrawFn) -> tuple[list[Participant], History]:
    mentors = [
        draw(participants(Role.MENTOR, f"mentor{i}")) for i in range(draw(st.integers(0, 3)))
    ]
    mentees = [
        draw(participants(Role.MENTEE, f"mentee{i}")) for i in range(draw(st.integers(0, 5)))
    ]
    people = mentors + mentees
    return people, draw(histories([p.person_id for p in people]))


@st.composite
def peer_rounds(
    draw: st.DrawFn, min_size: int = 0, max_size: int = 8
) -> tuple[list[Participant], History]:
    peers = [
        draw(participants(Role.PEER, f"peer{i}"))
        for i in range(draw(st.integers(min_size, max_size)))
    ]
    return peers, draw(histories([p.person_id for p in peers]))
