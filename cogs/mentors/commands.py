"""/mentor: declarations and replies. The rules live in profiles.py, rounds.py, schedules.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.app import Potluck
from bot.core.commands import Cog, Option, OptionKind, action, command
from bot.core.errors import BadOption, NotFound
from bot.core.inflection import count
from bot.core.messages import Code, Field, Message, Segment, Time, rich
from bot.core.types import Invocation, Level, Person
from cogs.invitations.members import known_person
from cogs.mentors import explain
from cogs.mentors.participants import CareerStage, LibraryType, Role
from cogs.mentors.plans import RoundKind
from cogs.mentors.privacy import MentorData
from cogs.mentors.profiles import ProfileChange, Profiles, ProfileView
from cogs.mentors.rounds import ACTIONS, Rounds, summary
from cogs.mentors.schedules import Schedules, every_words
from cogs.mentors.settings import MentorsSettings
from cogs.mentors.stats import gather
from cogs.mentors.topic_commands import TopicCommands
from cogs.mentors.topics import TopicVocabulary
from cogs.mentors.vocabulary import CommunityVocabulary

LONGEST_PAUSE = timedelta(days=366)
# What /mentor schedule says about where the next round's time came from (`Schedules.set`).
TIMING_WORDS = {
    "at": "",
    "kept": " Kept the earlier time; give at: to change it.",
    "hour": ' No at: given, so it runs on the full hour; give at:"monday 10am" to choose.',
}
ROLE = Option(
    "role", "mentor, mentee or peer.", choices=tuple(r.value for r in Role), required=True
)
PROFILE_OPTIONS = (
    Option("topics", 'What you want to talk about: "cataloging, grant writing".', max_length=500),
    Option(
        "capacity",
        "Mentors: how many mentees at once (1-10).",
        kind=OptionKind.INTEGER,
        min_value=1,
        max_value=10,
    ),
    Option("organization", 'Your library: "Elm Street Library".', max_length=200),
    Option(
        "library_type",
        "public, academic, school or special.",
        choices=tuple(t.value for t in LibraryType),
    ),
    Option(
        "career_stage",
        "student, early, mid or senior.",
        choices=tuple(s.value for s in CareerStage),
    ),
    Option("languages", 'Languages you can meet in: "en, es".', max_length=100),
)
ANSWER_WORDS = {
    "met": "Wonderful, thanks for telling me. Enjoy the conversations!",
    "not_yet": "No worries. I will check in again later.",
    "not_a_good_fit": "Thanks for saying so. You two will not be matched again.",
}
# "Not a good fit" in a trio keeps all three apart in later rounds (see Rounds.plan).
TRIO_NOT_FIT = "Thanks for saying so. None of you three will be matched with each other again."


def _profile_message(view: ProfileView, avoided: list[str] | None = None) -> Message:
    fields = [
        Field(name="Role", value=[view.role.value]),
        Field(name="Topics", value=[", ".join(view.topics) or "none"]),
    ]
    if view.role is Role.MENTOR:
        fields.append(Field(name="Mentees at once", value=[str(view.capacity)]))
    for name, value in (
        ("Organization", view.organization),
        ("Library type", view.library_type),
        ("Career stage", view.career_stage),
        ("Languages", ", ".join(view.languages)),
    ):
        if value:
            fields.append(Field(name=name, value=[value]))
    if view.left:
        fields.append(Field(name="Status", value=["left (join again with /mentor join)"]))
    elif view.paused:
        status: list[Segment] = ["paused until "]
        status += [Time(at=view.paused_until, style="date")] if view.paused_until else ["resumed"]
        fields.append(Field(name="Status", value=status))
    if avoided is not None:
        fields.append(
            Field(
                name="Never matched with (only you see this)",
                value=[", ".join(avoided) or "nobody"],
                inline=False,
            )
        )
    return Message(title=f"Mentoring profile: {view.name}", fields=fields, ephemeral=True)


def _changed(change: ProfileChange, head: str) -> Message:
    reply = _profile_message(change.view)
    note = ""
    if change.unrecognised:
        note = (
            f"\nNot on the topic list, kept as typed (they match people who typed the same): "
            f"{', '.join(change.unrecognised)}. The list: /mentor topics show."
        )
    return reply.model_copy(update={"text": rich(head, note), "accent": "success"})


def _intros(matches: int, settings: MentorsSettings) -> str:
    """What a round that made `matches` matches sends: intros now, a check-in later."""
    days = count(settings.check_in_days, "day")
    if matches == 0:
        return "Nobody was matched, so no intros were sent."
    if matches == 1:
        return f"The match gets an intro now and a check-in in {days}."
    return f"Every match gets an intro now and a check-in in {days}."


class MentorsCog(TopicCommands, Cog):
    name = "mentors"
    description = "Mentor matching and peer chats across libraries."
    Settings = MentorsSettings

    def __init__(self, bot: Potluck, settings: MentorsSettings) -> None:
        self.bot = bot
        self.settings = settings
        configured = TopicVocabulary.default().extended(settings.topics)
        self.vocabulary = CommunityVocabulary(bot.db, configured)
        self.profiles = Profiles(bot.db, self.vocabulary)
        self.rounds = Rounds(bot.db, bot.outbox, bot.clock, settings, configured)
        self.schedules = Schedules(bot.db, bot.outbox, bot.clock, bot.identity, self.rounds)
        self.data = MentorData(bot.db)

    async def on_ready(self) -> None:
        self.bot.scheduler.every(
            "mentor-rounds", self.settings.schedule_poll_seconds, self.schedules.run_due
        )

    # -- profiles --------------------------------------------------------------------------

    @command(
        "mentor join",
        "Take part in mentor matching or peer chats.",
        options=[
            ROLE,
            *(
                o
                if o.name != "topics"
                else Option(o.name, o.description, required=True, max_length=500)
                for o in PROFILE_OPTIONS
            ),
        ],
        examples=[
            '/mentor join role:mentee topics:"cataloging, grant writing" career_stage:early',
            '/mentor join role:mentor topics:"grant writing" capacity:2 '
            'organization:"Elm Street Library" languages:"en, es"',
            '/mentor join role:peer topics:"outreach, makerspaces" library_type:public',
        ],
    )
    async def join(self, inv: Invocation, **options: Any) -> Message:
        change = await self.profiles.join(inv.community, inv.person, inv.now, **options)
        verb = "Welcome back" if change.rejoined else "Welcome"
        return _changed(
            change,
            f"{verb}! You take part as a {change.view.role.value}; the next round will look "
            "for a match for you. See it any time with /mentor profile.",
        )

    @command(
        "mentor edit",
        "Change your mentoring profile; only the options you give change.",
        options=[Option("role", "mentor, mentee or peer.", choices=ROLE.choices), *PROFILE_OPTIONS],
        examples=["/mentor edit capacity:2", '/mentor edit topics:"outreach, storytime"'],
    )
    async def edit(self, inv: Invocation, **options: Any) -> Message:
        change = await self.profiles.edit(inv.community, inv.person, inv.now, **options)
        return _changed(change, "Your profile is updated.")

    @command(
        "mentor profile",
        "Show your mentoring profile, or someone else's.",
        options=[Option("person", "Whose profile (default: yours).", kind=OptionKind.PERSON)],
        examples=["/mentor profile", "/mentor profile person:@sam"],
    )
    async def profile(self, inv: Invocation, person: str | None = None) -> Message:
        whose = await self._person(inv, person, "show") if person else inv.person
        own = whose.id == inv.person.id
        view, avoided = await self.profiles.view(inv.community, whose, inv.now, own=own)
        return _profile_message(view, avoided if own else None)

    @command(
        "mentor pause",
        "Sit out rounds for a while (or until /mentor resume).",
        options=[
            Option(
                "for", 'How long: "6 weeks" (default: until you resume).', kind=OptionKind.DURATION
            )
        ],
        examples=['/mentor pause for:"6 weeks"', "/mentor pause"],
    )
    async def pause(self, inv: Invocation, **options: Any) -> Message:
        length: timedelta | None = options.get("for")
        if length is not None and length > LONGEST_PAUSE:
            raise BadOption("`for:` can be at most a year.", hint='Try for:"6 weeks".')
        until = inv.now + length if length is not None else None
        await self.profiles.pause(inv.community, inv.person, inv.now, until)
        when: list[Segment] = (
            [" until ", Time(at=until, style="date"), "; after that you are back by yourself."]
            if until
            else [" until you type ", Code(text="/mentor resume"), "."]
        )
        return Message(text=rich("You are paused", *when), ephemeral=True, accent="success")

    @command(
        "mentor resume", "Take part in rounds again after a pause.", examples=["/mentor resume"]
    )
    async def resume(self, inv: Invocation) -> Message:
        await self.profiles.resume(inv.community, inv.person, inv.now)
        return Message(
            text=["You are back: the next round includes you."], ephemeral=True, accent="success"
        )

    @command("mentor leave", "Stop taking part in mentoring rounds.", examples=["/mentor leave"])
    async def leave(self, inv: Invocation) -> Message:
        await self.profiles.leave(inv.community, inv.person, inv.now)
        return Message(
            text=rich(
                "You have left mentoring; no round will include you. Join again any time with ",
                Code(text="/mentor join"),
                ". To delete your data too: ",
                Code(text="/privacy forget"),
                ".",
            ),
            ephemeral=True,
            accent="success",
        )

    @command(
        "mentor avoid",
        "Never be matched with someone (private: nobody is told).",
        options=[
            Option("person", "Who not to be matched with.", kind=OptionKind.PERSON, required=True)
        ],
        examples=["/mentor avoid person:@sam"],
    )
    async def avoid(self, inv: Invocation, person: str) -> Message:
        other = await self._person(inv, person, "avoid")
        added = await self.profiles.avoid(inv.community, inv.person, other)
        head = "Done" if added else "Already on your list"
        return Message(
            text=[
                f"{head}: you will never be matched with {other.display_name}. Only you can "
                "see this list (/mentor profile)."
            ],
            ephemeral=True,
            accent="success",
        )

    # -- moderators ------------------------------------------------------------------------

    @command(
        "mentor round",
        "Run a matching round now, or preview it with dry_run:yes (moderator).",
        options=[
            Option(
                "kind",
                "mentoring or peers (default mentoring).",
                choices=tuple(k.value for k in RoundKind),
            ),
            Option("dry_run", "yes: only show the proposed matches.", kind=OptionKind.BOOLEAN),
        ],
        level=Level.MODERATOR,
        examples=["/mentor round kind:mentoring dry_run:yes", "/mentor round kind:peers"],
    )
    async def round(
        self, inv: Invocation, kind: str = "mentoring", dry_run: bool = False
    ) -> Message:
        round_kind = RoundKind(kind)
        if dry_run:
            planned = await self.rounds.dry_run(inv.community, round_kind)
            lines = explain.dry_run_lines(planned.plan, planned.name)
            return Message(
                title=f"Dry run: {kind} round (nothing sent)",
                text=[
                    "\n".join(lines),
                    "\nRun it for real with ",
                    Code(text=f"/mentor round kind:{kind}"),
                    ".",
                ],
                ephemeral=True,
            )
        planned = await self.rounds.run(
            inv.community, round_kind, actor=inv.person, channel_id=inv.channel.external_id
        )
        return Message(
            title=f"{kind.capitalize()} round done",
            text=[f"{summary(planned)}. {_intros(len(planned.plan.matches), self.settings)}"],
            ephemeral=True,
            accent="success",
        )

    @command(
        "mentor schedule",
        "Run rounds on a cadence, or stop them with every:off (moderator).",
        options=[
            Option(
                "kind",
                "mentoring or peers.",
                choices=tuple(k.value for k in RoundKind),
                required=True,
            ),
            Option(
                "every",
                'How often: "4 weeks", daily, weekly, monthly (4 weeks), or off.',
                required=True,
                max_length=50,
            ),
            Option(
                "at",
                'The first round: "monday 10am" (default: the earlier time, else one period'
                " from now on the full hour).",
                kind=OptionKind.DATETIME,
            ),
        ],
        level=Level.MODERATOR,
        examples=[
            '/mentor schedule kind:peers every:"4 weeks" at:"monday 10am"',
            "/mentor schedule kind:peers every:off",
        ],
    )
    async def schedule(
        self, inv: Invocation, kind: str, every: str, at: datetime | None = None
    ) -> Message:
        row, timing = await self.schedules.set(
            inv.community, inv.person, RoundKind(kind), every, at, inv.channel.external_id
        )
        if row is None:
            return Message(
                text=[f"Scheduled {kind} rounds are stopped."], ephemeral=True, accent="success"
            )
        return Message(
            text=rich(
                f"A {kind} round every {every_words(row.every_text)}; the next one is ",
                Time(at=row.next_run_at),
                "." + TIMING_WORDS[timing],
            ),
            ephemeral=True,
            accent="success",
        )

    @command(
        "mentor stats",
        "People, matches, meetings and who waited longest (moderator).",
        level=Level.MODERATOR,
        examples=["/mentor stats"],
    )
    async def stats(self, inv: Invocation) -> Message:
        async with self.bot.db.sessions() as session:
            s = await gather(session, inv.community.id, inv.now)
        people = ", ".join(count(n, role) for role, n in s.people.items())
        fields = [
            Field(name="People", value=[f"{people}; {s.paused} paused"], inline=False),
            Field(name="Rounds", value=[str(s.rounds)]),
            Field(name="Matches made", value=[str(s.matches)]),
            Field(name="Meetings reported", value=[str(s.met)]),
            Field(name="Not yet", value=[str(s.not_yet)]),
            Field(name='"Not a good fit"', value=[str(s.not_a_good_fit)]),
            Field(
                name="Waited longest",
                value=[
                    ", ".join(f"{name} ({count(n, 'round')})" for name, n in s.waited)
                    or "nobody is waiting"
                ],
                inline=False,
            ),
        ]
        for kind, every, nxt in s.schedules:
            fields.append(
                Field(
                    name=f"Scheduled {kind}",
                    value=[f"every {every_words(every)}, next ", Time(at=nxt)],
                )
            )
        return Message(title="Mentoring", fields=fields, ephemeral=True)

    # -- buttons ---------------------------------------------------------------------------

    @action("mentor-met")
    async def met(self, inv: Invocation, value: str) -> Message:
        return await self._answer(inv, value, "mentor-met")

    @action("mentor-not-yet")
    async def not_yet(self, inv: Invocation, value: str) -> Message:
        return await self._answer(inv, value, "mentor-not-yet")

    @action("mentor-not-fit")
    async def not_fit(self, inv: Invocation, value: str) -> Message:
        return await self._answer(inv, value, "mentor-not-fit")

    async def _answer(self, inv: Invocation, value: str, name: str) -> Message:
        if not value.isdigit():
            raise NotFound("That match no longer exists.")
        answer = ACTIONS[name]
        _, size = await self.rounds.answer(inv.community, inv.person, int(value), answer)
        words = ANSWER_WORDS[answer]
        if answer == "not_a_good_fit" and size > 2:
            words = TRIO_NOT_FIT
        return Message(text=[words], ephemeral=True, accent="success")

    # -- privacy ---------------------------------------------------------------------------

    async def export_person(self, community_id: int, person_id: int) -> dict[str, Any]:
        return await self.data.export(community_id, person_id)

    async def forget_person(self, session: Any, community_id: int, person_id: int) -> None:
        await self.data.forget(session, community_id, person_id)

    async def _person(self, inv: Invocation, who: str, to: str) -> Person:
        return await known_person(self.bot.db, self.bot.identity, inv.community.id, who, to=to)
