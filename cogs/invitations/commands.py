"""/invite and /invites: declarations and replies. The rules live in limits.py and timing.py,
the transactions in service.py, role_posts.py and recipients.py."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import Potluck
from bot.core.commands import Cog, Option, OptionKind, action, command
from bot.core.errors import BadOption, PermissionDenied
from bot.core.messages import Bold, Code, Message, Segment, Time, rich
from bot.core.types import Community, Invocation, Level, Person
from cogs.invitations.members import known_person
from cogs.invitations.naming import event_word, parse_people, parse_role, person_word
from cogs.invitations.recipients import Choice, Recipients, settings_words
from cogs.invitations.replies import ANSWER, invite_report, role_refused
from cogs.invitations.role_posts import RolePosts, RoleRefused
from cogs.invitations.service import InvitationService
from cogs.invitations.settings import InvitationsSettings
from cogs.invitations.status import record_outcome
from cogs.invitations.timing import DigestEvery, clock_text, parse_clock
from cogs.moderation.alerts import ModeratorAlerts
from cogs.moderation.settings import ModerationSettings
from storage.repositories import invitations as repo

# What `/invites quiet` takes for "no quiet hours".
QUIET_OFF = ("off", "none", "no")


def _digest_when(every: str, hour: int) -> str:
    """ "every day at 09:00" or "every Monday at 18:00"."""
    return f"{'every day' if every == 'daily' else 'every Monday'} at {hour:02d}:00"


EVENT = Option(
    "event", "The event's short id (or its title).", required=True, autocomplete="events"
)


class InvitationsCog(Cog):
    name = "invitations"
    description = "Invite people to events, gently: limits, quiet hours, digests, opt-outs."
    Settings = InvitationsSettings

    def __init__(self, bot: Potluck, settings: InvitationsSettings) -> None:
        self.bot = bot
        self.settings = settings
        alerts = ModeratorAlerts(
            bot.outbox,
            bot.settings,
            bot.cog_settings(ModerationSettings, "moderation"),
        )
        self.service = InvitationService(bot.db, bot.outbox, bot.clock, settings)
        self.role_posts = RolePosts(bot.db, bot.outbox, bot.clock, settings)
        self.recipients = Recipients(bot.db, bot.outbox, bot.clock, settings, alerts)
        for kind in ("invitation", "invitation-digest"):
            bot.outbox.on_settled[kind] = record_outcome

    @command(
        "invite",
        "Invite people to an event by direct message, or a whole role with one post.",
        options=[
            EVENT,
            Option("people", 'Who, as mentions: "@ann @ben".', max_length=2000),
            Option("role", "A role to invite with one channel post (organizers).", max_length=200),
            Option("note", "A short note to go with the invitation.", max_length=500),
        ],
        examples=[
            '/invite event:k3f9 people:"@ann @ben" note:"Bring a friend!"',
            "/invite event:k3f9 role:@volunteers",
        ],
    )
    async def invite(
        self,
        inv: Invocation,
        event: str,
        people: str | None = None,
        role: str | None = None,
        note: str | None = None,
    ) -> Message:
        organizer = inv.person.level >= Level.ORGANIZER
        if (people is None) == (role is None):
            code = await self.service.event_code(inv.community, event)
            like = f"/invite event:{event_word(code)}"
            words = (
                "Give either `people:` or `role:`."
                if organizer
                else "Name people in `people:`; only organizers invite a role."
            )
            raise BadOption(
                words,
                hint=f'Like {like} people:"@ann @ben"'
                + (f" or {like} role:@team" if organizer else ""),
            )
        if role is not None:
            if inv.person.level < Level.ORGANIZER:
                raise PermissionDenied(
                    "Only organizers can invite a role.",
                    hint="Invite people by name with people:, or ask a moderator.",
                )
            try:
                view, _ = await self.role_posts.invite_role(
                    inv.community,
                    inv.person,
                    platform=inv.platform,
                    event_ref=event,
                    role=parse_role(role, event=event),
                )
            except RoleRefused as refused:
                return role_refused(refused)
            return Message(
                text=rich(
                    "Posting one invitation to ",
                    Bold(text=view.title),
                    " in the event's channel; it mentions that role and nobody else.",
                ),
                ephemeral=True,
                accent="success",
            )
        most = self.settings.people_per_command
        try:
            named = parse_people(people or "", most=most, event=event, roles=organizer)
        except BadOption:
            # Said again with the event's code in the example, so it works as written (looked
            # up only for a refusal: /invite's hot path stays one query for the event).
            code = await self.service.event_code(inv.community, event)
            named = parse_people(people or "", most=most, event=code, roles=organizer)
        report = await self.service.invite(
            inv.community,
            inv.person,
            platform=inv.platform,
            event_ref=event,
            named=named,
            note=note,
        )
        return invite_report(report.event, report.decisions, report.budget, report.next_at)

    @command(
        "invites sent",
        "Your invitations and where each stands.",
        options=[Option("event", "Only this event.", autocomplete="events")],
        examples=["/invites sent", "/invites sent event:k3f9"],
    )
    async def sent(self, inv: Invocation, event: str | None = None) -> Message:
        lines = await self.service.sent(inv.community, inv.person, event)
        if not lines:
            return Message(text=["You haven't invited anyone yet."], ephemeral=True)
        text: list[Segment] = []
        for line in lines:
            text += [
                "• ",
                Bold(text=line.name),
                " to ",
                line.event_title,
                " (",
                Code(text=line.event_code),
                "), ",
                Time(at=line.at, style="short"),
                ": ",
                *line.state,
                "\n",
            ]
        return Message(title="Your invitations", text=text, ephemeral=True)

    # -- recipients ------------------------------------------------------------------------

    @command(
        "invites off",
        "Take no invitations at all (a digest setting stays for /invites on).",
        examples=["/invites off"],
    )
    async def off(self, inv: Invocation) -> Message:
        if not await self.recipients.set_off(inv.community, inv.person):
            return self._done("Invitations were already off. ", "/invites on", " turns them on.")
        return self._done(
            "Invitations are off: nobody can invite you, and the invitations waiting for you "
            "wait. ",
            "/invites on",
            " undoes it: those still ahead then come.",
        )

    @command(
        "invites on",
        "Take invitations again (in your digest, if you have one); with invitations on, "
        "ends a digest.",
        examples=["/invites on"],
    )
    async def on(self, inv: Invocation) -> Message:
        turned, digest = await self.recipients.set_on(inv.community, inv.person)
        if turned == "ended":
            return self._done("Your digest has ended: invitations come each as it comes.")
        how = "each as it comes."
        if digest is not None:
            how = f"in one message {_digest_when(*digest)} your time."
        if turned == "already":
            return self._done(f"Invitations were already on, {how}")
        if digest is None:
            return self._done(f"Invitations are on again, {how}")
        return self._done(
            f"Invitations are on again, {how} ",
            "/invites digest every:off",
            " has them come each as it comes.",
        )

    @command(
        "invites digest",
        "Get all your invitations in one message, daily or weekly; every:off ends the digest.",
        options=[
            Option(
                "every",
                "daily, weekly (Mondays), or off; left out, your digest keeps its days.",
                choices=("daily", "weekly", "off"),
            ),
            Option("at", "The hour, your time, like 09:00 (on the hour).", max_length=10),
        ],
        examples=[
            "/invites digest every:daily",
            "/invites digest every:weekly at:18:00",
            "/invites digest every:off",
        ],
    )
    async def digest(
        self, inv: Invocation, every: str | None = None, at: str | None = None
    ) -> Message:
        if every == "off":
            if at is not None:
                raise BadOption(
                    "`at:` goes with every:daily or every:weekly, not every:off.",
                    hint="Type /invites digest every:off alone to end your digest.",
                )
            if await self.recipients.end_digest(inv.community, inv.person):
                return self._done("Your digest has ended: invitations come each as it comes.")
            return self._done("You had no digest: invitations come each as it comes.")
        hour = None
        if at:
            clock = parse_clock(at, "at")
            if clock.minute:
                cadence = f"every:{every} " if every else ""
                raise BadOption(
                    f"Digests come on the hour, so `at:` can't be {clock_text(clock)}.",
                    hint=f"Like /invites digest {cadence}at:{clock.hour:02d}:00",
                )
            hour = clock.hour
        every_, hour_ = await self.recipients.set_digest(
            inv.community, inv.person, cast(DigestEvery | None, every), hour
        )
        return self._done(
            f"Your invitations will come in one message {_digest_when(every_, hour_)} your time."
        )

    @command(
        "invites quiet",
        "Hours when invitations wait (your time); off removes them.",
        options=[
            Option("from", "Start, like 22:00 (or off: no quiet hours).", max_length=10),
            Option("to", "End, like 08:00.", max_length=10),
        ],
        examples=["/invites quiet from:22:00 to:08:00", "/invites quiet off"],
    )
    async def quiet(self, inv: Invocation, **times: Any) -> Message:
        given = {k: v.strip() for k, v in times.items() if k in ("from", "to") and v is not None}
        off = [k for k, v in given.items() if v.lower() in QUIET_OFF]
        if off:
            if len(off) != len(given):
                raise BadOption(
                    f"`{off[0]}:{given[off[0]]}` removes quiet hours; it takes no time with it.",
                    hint="Type /invites quiet off alone, or like /invites quiet from:22:00 "
                    "to:08:00",
                )
            if not await self.recipients.set_quiet(inv.community, inv.person, None, None):
                return self._done("You had no quiet hours: invitations may come at any hour.")
            return self._done("Quiet hours: none; invitations may come at any hour.")
        missing = [k for k in ("from", "to") if k not in given]
        if missing:
            raise BadOption(
                f"Quiet hours need `from:` and `to:`; `{missing[0]}:` is missing.",
                hint="Like /invites quiet from:22:00 to:08:00, or /invites quiet off for none",
            )
        start = clock_text(parse_clock(given["from"], "from"))
        end = clock_text(parse_clock(given["to"], "to"))
        if start == end:
            raise BadOption(
                f"`from:` and `to:` are both {start}: quiet hours need a start and a later end.",
                hint="Like /invites quiet from:22:00 to:08:00, or /invites quiet off for none",
            )
        await self.recipients.set_quiet(inv.community, inv.person, start, end)
        return self._done(
            f"Quiet hours: {start} to {end} your time ({inv.zone_name}); "
            f"invitations due then wait until {end}. ",
            "/invites quiet off",
            " removes them.",
        )

    @command(
        "invites block",
        "Take no invitations from one person.",
        options=[Option("person", "Who.", kind=OptionKind.PERSON, required=True)],
        examples=["/invites block person:@ben"],
    )
    async def block(self, inv: Invocation, person: str) -> Message:
        other = await self._person(inv, person, "block")
        if not await self.recipients.block(inv.community, inv.person, other):
            return self._done(
                f"You had already blocked {other.display_name}: no invitations come from them. ",
                f"/invites unblock person:@{person}",
                " undoes it.",
            )
        return self._done(
            f"You won't get invitations from {other.display_name}. ",
            f"/invites unblock person:@{person}",
            " undoes it.",
        )

    @command(
        "invites unblock",
        "Take invitations from someone again.",
        options=[Option("person", "Who.", kind=OptionKind.PERSON, required=True)],
        examples=["/invites unblock person:@ben"],
    )
    async def unblock(self, inv: Invocation, person: str) -> Message:
        try:
            other = await self._person(inv, person, "unblock")
            blocked, name = other.external_id, other.display_name
        except BadOption:
            # Someone who used /privacy forget: the block names them by platform id only.
            blocked = name = person
            if not await self.recipients.unblock(inv.person, blocked):
                raise
        else:
            if not await self.recipients.unblock(inv.person, blocked):
                return Message(text=[f"You hadn't blocked {name}."], ephemeral=True)
        return self._done(f"{name} can invite you again.")

    @command(
        "invites show", "Your invitation settings and who you blocked.", examples=["/invites show"]
    )
    async def show(self, inv: Invocation) -> Message:
        found = await self.recipients.show(inv.community, inv.person)
        return Message(
            title="Your invitation settings", text=[settings_words(found)], ephemeral=True
        )

    @action(ANSWER)
    async def answer(self, inv: Invocation, value: str) -> Message:
        number, _, choice = value.partition(":")
        if not number.isdigit() or choice not in ("decline", "block", "off"):
            raise BadOption(
                "That button no longer works.", hint="Type /invites show for your settings."
            )
        done = await self.recipients.answer(
            inv.community, inv.person, int(number), cast(Choice, choice)
        )
        if done.choice == "decline":
            return self._done("Thanks, noted: not this time.")
        if done.choice == "block":
            head = (
                f"You had already blocked {done.inviter}: no more invitations come from them. "
                if done.already
                else f"Done: no more invitations from {done.inviter}. "
            )
            undo = (
                f"/invites unblock person:{person_word(done.inviter)}"
                if done.inviter_known
                else "/invites show"
            )
            tail = " undoes it." if done.inviter_known else " lists who you blocked."
            return self._done(head, undo, tail)
        head = (
            "Invitations were already off: none at all come to you. "
            if done.already
            else "Done: no invitations at all from now on; any waiting for you were withdrawn "
            "and will not come. "
        )
        return self._done(head, "/invites on", " lets new ones come again.")

    async def _person(self, inv: Invocation, who: str, to: str) -> Person:
        return await known_person(self.bot.db, self.bot.identity, inv.community.id, who, to=to)

    @staticmethod
    def _done(head: str, code: str | None = None, tail: str = "") -> Message:
        return Message(
            text=rich(head, Code(text=code) if code else None, tail),
            ephemeral=True,
            accent="success",
        )

    # -- data hooks ------------------------------------------------------------------------

    async def person_zone_changed(self, community: Community, person: Person) -> None:
        """/timezone set's hook: the person's waiting invitations follow their new zone."""
        await self.recipients.follow_zone(community, person)

    async def export_person(self, community_id: int, person_id: int) -> dict[str, Any]:
        async with self.bot.db.sessions() as session:
            external = await self._external(session, person_id)
            return await repo.export_person(session, community_id, person_id, external)

    async def forget_person(self, session: AsyncSession, community_id: int, person_id: int) -> None:
        """Invitations sent and settings go; invitations received stay naming nobody. Kept by
        platform id: an opt-out (SuppressionRow), blocks both ways (BlockRow), and what
        moderators decided about the person and what their limits count: a pause, their own
        limits, and a tally of the invitations they sent (SentTallyRow)."""
        community = await self.bot.identity.community_by_id(session, community_id)
        external = await self._external(session, person_id)
        await repo.tally_sent(session, community_id, person_id, external)
        await self.service.forget_inviter(session, community, person_id)
        await repo.forget_person(session, community_id, person_id)

    @staticmethod
    async def _external(session: AsyncSession, person_id: int) -> str:
        from storage.models import PersonRow

        row = await session.get(PersonRow, person_id)
        return row.external_id if row is not None else ""
