"""Rounds: gather the facts, ask the solver for the optimal round, write it with its intros.

A real round writes, in one transaction: the round, one row per match (score and reasons),
each match's intro and check-in as outbox rows, the new "rounds left out" counts and the
audit-log entry. Either all of it exists or none. A dry run computes the same plan with the
same seed and writes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import combinations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.delivery import Destination
from bot.core.errors import NotFound, UserError
from bot.core.inflection import count, number_word
from bot.core.messages import Bold, Button, Mention, Message, Segment, rich
from bot.core.types import Community, Person
from bot.core.zones import zone, zone_name
from bot.outbox import Outbox
from cogs.mentors import keys
from cogs.mentors.explain import Namer, listing, match_lines, why_you_two
from cogs.mentors.participants import CareerStage, History, LibraryType, Participant, Role
from cogs.mentors.plans import Match, MatchKind, RoundKind, RoundPlan, Unmatched, UnmatchedWhy
from cogs.mentors.profiles import is_paused
from cogs.mentors.scoring import Rule, ScoringRules
from cogs.mentors.settings import MentorsSettings
from cogs.mentors.topics import TopicVocabulary
from storage.db import Database
from storage.models import MentorProfileRow, PersonRow
from storage.repositories import audit
from storage.repositories import mentors as repo

INTRO_KIND = "mentor-intro"
CHECK_IN_KIND = "mentor-check-in"
ACTIONS = {
    "mentor-met": repo.MET,
    "mentor-not-yet": repo.NOT_YET,
    "mentor-not-fit": repo.NOT_A_GOOD_FIT,
}
ROLES = {RoundKind.MENTORING: ("mentor", "mentee"), RoundKind.PEERS: ("peer",)}


@dataclass(frozen=True, slots=True)
class Planned:
    """A round's plan and the people rows it names (by the solver's person id, the people
    row id as text)."""

    plan: RoundPlan
    people: dict[str, PersonRow]

    def name(self, person_id: str) -> str:
        row = self.people.get(person_id)
        return (row.display_name or row.external_id) if row else person_id


def participant(
    p: MentorProfileRow, person: PersonRow, community: Community, now: datetime
) -> Participant:
    """A profile row as the solver sees it; the zone is the person's Potluck zone, else the
    community's."""
    role = Role(p.role)
    return Participant(
        person_id=str(person.id),
        role=role,
        zone=zone_name(person, community),
        topics=frozenset(p.topics),
        capacity=p.capacity if role is Role.MENTOR else 1,
        organization=p.organization,
        library_type=LibraryType(p.library_type) if p.library_type else None,
        career_stage=CareerStage(p.career_stage) if p.career_stage else None,
        languages=frozenset(p.languages),
        waited_rounds=p.waited_rounds,
        paused=is_paused(p.paused, p.paused_until, now),
    )


def match_why(match: Match, name: Namer, reader: str | None = None) -> str:
    """The intro's "why you two" for a match, as `reader` (a person id) reads it; for a trio,
    one clause per pair that has one, each pair named from the reader's side: "you and fay
    both listed outreach; fay and gus both listed outreach". With `reader` None (one group
    message, as on Slack) every pair is named: "eli and fay both listed outreach"."""
    if len(match.pairs) == 1:
        return why_you_two(match.pairs[0])
    parts = []
    # The reader's own pairs first, then the pair they are not in.
    for pair in sorted(match.pairs, key=lambda p: reader not in (p.a, p.b)):
        if reader == pair.a:
            who = f"you and {name(pair.b)}"
        elif reader == pair.b:
            who = f"you and {name(pair.a)}"
        else:
            who = f"{name(pair.a)} and {name(pair.b)}"
        why = why_you_two(pair, who)
        if why:
            parts.append(why)
    return "; ".join(parts)


def solve(
    kind: RoundKind,
    people: Sequence[Participant],
    *,
    round_on: date,
    history: History,
    rules: ScoringRules,
    topic_weight: Callable[[str], int],
    seed: int,
) -> RoundPlan:
    """Match a round (see cogs/mentors/solver.py). The solver is imported here, by the first
    round, so its numeric libraries stay out of the bot's start-up (cogs/mentors/plans.py)."""
    from cogs.mentors import solver

    match = solver.match_mentoring if kind is RoundKind.MENTORING else solver.match_peers
    return match(
        people,
        round_on=round_on,
        history=history,
        rules=rules,
        topic_weight=topic_weight,
        seed=seed,
    )


def waits(left_out: Unmatched) -> bool:
    """Whether a round that left this person out counts as one they waited (the "left out
    before" points, "Waited longest" in /mentor stats): not when they are paused, nor when
    the cool-down after their recent matches ruled out someone they could otherwise have met
    and nobody else fits: they had their match and rest, they are not passed over."""
    if left_out.why is UnmatchedWhy.PAUSED:
        return False
    resting = any(rule is Rule.COOL_DOWN for rule, _ in left_out.rules)
    return not (left_out.why is UnmatchedWhy.NO_COMPATIBLE_PARTNER and resting)


class Rounds:
    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        clock: Clock,
        settings: MentorsSettings,
        vocabulary: TopicVocabulary,
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.clock = clock
        self.settings = settings
        self.vocabulary = vocabulary

    # -- planning --------------------------------------------------------------------------

    async def plan(self, session: AsyncSession, community: Community, kind: RoundKind) -> Planned:
        """The optimal round now, from the profiles and history in the database; its seed is
        the number of the community's next round, so a dry run shows exactly what the real
        round that follows it will do."""
        now = self.clock.now()
        rows = await repo.active_profiles(session, community.id, ROLES[kind])
        people = [participant(p, person, community, now) for p, person in rows]
        past = await repo.past_matches(session, community.id)
        members = {m.pair_id: m.people for m in past}
        past_pairs = [
            (str(a), str(b), m.round_on) for m in past for a, b in combinations(m.people, 2)
        ]
        not_fit = [
            (str(a), str(b))
            for pair_id, _, answer in await repo.answers(session, community.id)
            if answer == repo.NOT_A_GOOD_FIT
            for a, b in combinations(members.get(pair_id, ()), 2)
        ]
        avoid = {
            str(who): {str(o) for o in others}
            for who, others in (await repo.avoid_lists(session, community.id)).items()
        }
        history = History.of(past_pairs, not_fit, avoid)
        round_on = now.astimezone(zone(community)).date()
        seed = await repo.rounds_run(session, community.id) + 1
        plan = await asyncio.to_thread(
            solve,
            kind,
            people,
            round_on=round_on,
            history=history,
            rules=self.settings.rules(),
            topic_weight=self.vocabulary.weight,
            seed=seed,
        )
        return Planned(plan, {str(person.id): person for _, person in rows})

    async def dry_run(self, community: Community, kind: RoundKind) -> Planned:
        async with self.db.sessions() as session:
            return await self.plan(session, community, kind)

    # -- running ---------------------------------------------------------------------------

    async def run(
        self, community: Community, kind: RoundKind, *, actor: Person | None, channel_id: str
    ) -> Planned:
        """Run a round now and queue its intros; returns what was planned and written."""
        async with self.db.transaction() as session:
            planned = await self.run_in(
                session, community, kind, actor=actor, channel_id=channel_id
            )
        self.outbox.kick()
        return planned

    async def run_in(
        self,
        session: AsyncSession,
        community: Community,
        kind: RoundKind,
        *,
        actor: Person | None,
        channel_id: str,
        schedule_id: int | None = None,
    ) -> Planned:
        """`run` inside the caller's transaction (a scheduled round runs in the transaction
        that claimed it, so the claim and the round commit together)."""
        now = self.clock.now()
        planned = await self.plan(session, community, kind)
        plan = planned.plan
        round_row = await repo.add_round(
            session,
            community_id=community.id,
            kind=kind.value,
            round_on=plan.round_on,
            seed=plan.seed,
            total_points=plan.total_points,
            unmatched=len(plan.unmatched),
            schedule_id=schedule_id,
            ran_at=now,
        )
        for match in plan.matches:
            people = [planned.people[p] for p in match.people]
            why = match_why(match, planned.name)
            whys = {
                p.id: match_why(match, planned.name, person_id)
                for person_id, p in zip(match.people, people, strict=True)
            }
            pair_row = await repo.add_pair(
                session,
                round_id=round_row.id,
                community_id=community.id,
                kind=match.kind.value,
                score=match.points,
                reasons={
                    "why": why,
                    "lines": match_lines(match, planned.name),
                    "channel": channel_id,
                },
                people=[p.id for p in people],
                created_at=now,
            )
            await self._intro(
                session, community, pair_row.id, match.kind, people, why, whys, channel_id
            )
            due = now + timedelta(days=self.settings.check_in_days)
            await self._check_in(session, community, pair_row.id, people, due, channel_id)
        waited = {int(p): 0 for m in plan.matches for p in m.people}
        for left_out in plan.unmatched:
            if waits(left_out):
                row = planned.people[left_out.person_id]
                profile = await repo.profile(session, community.id, row.id)
                waited[row.id] = (profile.waited_rounds if profile else 0) + 1
        await repo.set_waited(session, waited)
        await audit.record(
            session,
            community_id=community.id,
            at=now,
            kind="mentor.round",
            actor=audit.Party(actor.id, actor.display_name) if actor else None,
            reason="scheduled" if schedule_id else None,
            detail={
                "kind": kind.value,
                "round": round_row.id,
                "seed": plan.seed,
                "matches": len(plan.matches),
                "unmatched": len(plan.unmatched),
                "total_points": plan.total_points,
                # Counts only: the log outlives /privacy forget, so it names nobody here.
                "summary": f"{kind.value} round: {count(len(plan.matches), 'match')}, "
                f"{count(plan.total_points, 'point')}, {len(plan.unmatched)} left out",
            },
        )
        return planned

    # -- intros and check-ins --------------------------------------------------------------

    async def _intro(
        self,
        session: AsyncSession,
        community: Community,
        pair_id: int,
        kind: MatchKind,
        people: Sequence[PersonRow],
        why: str,
        whys: dict[int, str],
        channel_id: str,
    ) -> None:
        """One intro per match: on Slack one group DM with everyone in it; elsewhere (Discord
        cannot make group DMs) a DM to each that mentions the others. `why` is the reasons as
        the group reads them, `whys` as each person (by row id) reads them."""
        for destination, reader, message in self._addressed(
            community,
            people,
            lambda r: intro_message(
                pair_id,
                kind,
                people,
                r,
                whys.get(r.id, why) if r else why,
                self.settings.first_step,
            ),
        ):
            await self.outbox.enqueue(
                session,
                platform=community.platform,
                destination=destination,
                message=message,
                community_id=community.id,
                kind=INTRO_KIND,
                dedupe_key=keys.intro(pair_id, reader.id if reader else "group"),
                fallback_channel_id=channel_id,
                timezone=zone_name(reader, community) if reader else None,
            )

    async def _check_in(
        self,
        session: AsyncSession,
        community: Community,
        pair_id: int,
        people: Sequence[PersonRow],
        due: datetime,
        channel_id: str,
    ) -> None:
        days = self.settings.check_in_days
        for destination, reader, message in self._addressed(
            community, people, lambda r: check_in_message(pair_id, people, r, days)
        ):
            await self.outbox.enqueue(
                session,
                platform=community.platform,
                destination=destination,
                message=message,
                community_id=community.id,
                kind=CHECK_IN_KIND,
                due_at=due,
                dedupe_key=keys.check_in(pair_id, due, reader.id if reader else "group"),
                fallback_channel_id=channel_id,
                timezone=zone_name(reader, community) if reader else None,
            )

    def _addressed(
        self,
        community: Community,
        people: Sequence[PersonRow],
        build: Callable[[PersonRow | None], Message],
    ) -> list[tuple[Destination, PersonRow | None, Message]]:
        if community.platform == "slack":
            group = Destination.group(*(p.external_id for p in people))
            return [(group, None, build(None))]
        return [(Destination.person(p.external_id), p, build(p)) for p in people]

    # -- feedback --------------------------------------------------------------------------

    async def answer(
        self, community: Community, person: Person, pair_id: int, answer: str
    ) -> tuple[str, int]:
        """Record a person's answer about their match; returns the answer before (or "") and
        how many people the match has (2, or 3 for a trio), so the reply can address them.

        "We met" and "Not a good fit" end the check-ins of the match; "Not yet" moves them
        `check_in_days` later. Raises UserError for a match that is not theirs or is gone."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            found = await repo.pair(session, pair_id)
            if found is None or found[0].community_id != community.id:
                raise NotFound("That match no longer exists.")
            row, members = found
            if person.id not in members:
                raise UserError(
                    "This match belongs to other people.",
                    hint="Your own matches come in a direct message from me.",
                )
            previous = await repo.answer(session, pair_id, person.id, answer, now)
            await self.outbox.withdraw_under(session, keys.check_ins(pair_id), reason="answered")
            if answer == repo.NOT_YET:
                people = list((await repo.names(session, members)).values())
                people.sort(key=lambda p: members.index(p.id))
                due = now + timedelta(days=self.settings.check_in_days)
                channel = str(row.reasons.get("channel") or "")
                await self._check_in(session, community, pair_id, people, due, channel)
        self.outbox.kick()
        return previous or "", len(members)


def _others(people: Sequence[PersonRow], reader: PersonRow | None) -> list[Segment]:
    """Mentions of everyone in the match but the reader: "@a", "@a and @b"."""
    others = [p for p in people if reader is None or p.id != reader.id]
    out: list[Segment] = []
    for n, p in enumerate(others):
        if n:
            out.append(" and " if n == len(others) - 1 else ", ")
        out.append(Mention(user_id=p.external_id, name=p.display_name))
    return out


def buttons(pair_id: int) -> list[Button]:
    return [
        Button(label="We met", action="mentor-met", value=str(pair_id), style="success"),
        Button(label="Not yet", action="mentor-not-yet", value=str(pair_id)),
        Button(label="Not a good fit", action="mentor-not-fit", value=str(pair_id), style="danger"),
    ]


def intro_message(
    pair_id: int,
    kind: MatchKind,
    people: Sequence[PersonRow],
    reader: PersonRow | None,
    why: str,
    first_step: str,
) -> Message:
    """The intro of a match, to one reader (or, with `reader` None, to everyone at once)."""
    if kind is MatchKind.MENTORING:
        mentor, mentee = people
        title = "🤝 Meet your mentoring match"
        who: list[Segment] = [
            Mention(user_id=mentor.external_id, name=mentor.display_name),
            " will mentor ",
            Mention(user_id=mentee.external_id, name=mentee.display_name),
            " this round.",
        ]
        if reader is not None:
            role = "mentee" if reader.id == mentor.id else "mentor"
            who = ["Meet your ", role, ": ", *_others(people, reader), "."]
    else:
        title = "🤝 Meet your peer" + ("s" if len(people) > 2 else "")
        who = (
            ["You are matched with ", *_others(people, reader), " this round."]
            if reader is not None
            else [*_others(people, None), ": you are matched this round."]
        )
    return Message(
        title=title,
        text=rich(
            *who,
            "\n",
            Bold(text=f"Why you {number_word(len(people))}: "),
            (why or "you are the best fit the round could find for each other") + ".",
            "\n",
            Bold(text="A first step: "),
            first_step,
            "\nOnce you have met, or if it is not a good fit, press a button below.",
        ),
        buttons=buttons(pair_id),
    )


def check_in_message(
    pair_id: int, people: Sequence[PersonRow], reader: PersonRow | None, days: int
) -> Message:
    """The check-in `days` after an intro, to people who have not answered."""
    return Message(
        title="How did it go?",
        text=rich(
            f"{count(days, 'day')} ago you were matched with " if reader else "You were matched ",
            *_others(people, reader),
            (". " if reader else f" {count(days, 'day')} ago. ")
            + "Have you met? Your answer helps the next round.",
        ),
        buttons=buttons(pair_id),
    )


def summary(planned: Planned) -> str:
    """One line for moderators: "3 matches, 412 points; 1 left out: Cy"."""
    plan = planned.plan
    text = f"{count(len(plan.matches), 'match')}, {count(plan.total_points, 'point')}"
    if plan.unmatched:
        text += f"; left out: {listing([planned.name(u.person_id) for u in plan.unmatched])}"
    return text
