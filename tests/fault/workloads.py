"""What the fault test queues: each workload writes its outbox rows through its cog's own code
(the reminder writer, the /invite transaction) and says which deliveries it expects. Every
check in test_fault.py applies to every workload alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from bot.core.clock import ManualClock, SystemClock
from bot.core.types import Community, Level, Person
from bot.outbox import Outbox
from cogs.events.cards import EventView
from cogs.events.lookup import new_code
from cogs.events.reminders import REMINDER_KIND, Recipient, ReminderSchedule
from cogs.invitations.service import InvitationService
from cogs.invitations.settings import InvitationsSettings
from storage.models import EventRow
from tests.fakes.discord_server import DEFAULT_CHANNEL_ID

if TYPE_CHECKING:
    from tests.fault.harness import FaultWorld

SLACK_CHANNEL = "C0FAULT0001"


@dataclass(frozen=True)
class Expected:
    """One delivery a workload queued: who gets it, a text that identifies it, and the kind
    of its outbox row."""

    platform: str
    person: str
    marker: str
    kind: str


@dataclass(frozen=True)
class Burst:
    """What one cog writes in one transaction of its own (an RSVP burst, one /invite), and
    what the people should then receive."""

    write: Callable[[], Awaitable[None]]
    expected: list[Expected]


class Workload(Protocol):
    async def bursts(self, world: FaultWorld, outbox: Outbox, start: datetime) -> list[Burst]:
        """What to queue, in order (anything it needs first, such as events, is written
        now); the first rows fall due at `start` (UTC)."""
        ...


@dataclass
class Reminders:
    """Direct-message reminders, written by the events cog's own reminder writer."""

    platform: str

    async def bursts(self, world: FaultWorld, outbox: Outbox, start: datetime) -> list[Burst]:
        plan = world.plan
        people = world.people[self.platform]
        # The writer skips reminders already due; queueing takes a moment, so it sees the
        # moment the queueing began.
        schedule = ReminderSchedule(outbox, ManualClock(SystemClock().now()))
        bursts = []
        for k in range(plan.events):
            due = start + timedelta(seconds=plan.window * k / plan.events)
            occurrence = due + timedelta(minutes=5)
            view = event_view(
                k, f"{self.platform.title()} event {k}", self.platform, world, occurrence
            )
            # Person n is reminded of events n, n+1, ... n+per_person-1 (mod events).
            attending = [
                (n, person)
                for n, person in enumerate(people)
                if (k - n) % plan.events < plan.per_person
            ]
            recipients = [
                Recipient(person_id=n + 1, external_id=person, zone="UTC", reminders_on=True)
                for n, person in attending
            ]

            async def write(
                view: EventView = view,
                occurrence: datetime = occurrence,
                recipients: list[Recipient] = recipients,
            ) -> None:
                async with world.db.transaction() as session:
                    await schedule.add(session, view, occurrence, recipients)

            marker = f"Reminder: {view.title}"
            expected = [Expected(self.platform, p, marker, REMINDER_KIND) for _, p in attending]
            bursts.append(Burst(write, expected))
        return bursts


@dataclass
class Invitations:
    """Direct-message invitations, each /invite one transaction of the invitations cog's own
    service, under the default limits of the config file.

    Person n is invited to gatherings n, n+1, ... (mod gatherings), `plan.invited_per_person`
    of them: the most one person may receive in a week by default, so the last only just
    fits. Each /invite names `plan.people_per_invite` people, and every inviter invites
    once (an hour's worth by default), never to a gathering they are invited to."""

    platform: str

    async def bursts(self, world: FaultWorld, outbox: Outbox, start: datetime) -> list[Burst]:
        plan = world.plan
        people = world.people[self.platform]
        # The service estimates the pacing of new DMs from the configured budget, as in a bot.
        outbox.direct_messages.limits[self.platform] = plan.new_dms_per_minute
        service = InvitationService(world.db, outbox, SystemClock(), InvitationsSettings())
        community = Community(
            id=world.communities[self.platform],
            platform=self.platform,  # type: ignore[arg-type]
            external_id=world.community_ids[self.platform],
            name="Fault chapter",
            timezone="UTC",
        )
        titles = [f"{self.platform.title()} gathering {k}" for k in range(plan.gatherings)]
        codes = await self._add_gatherings(world, titles, start + timedelta(days=1))
        inviting: set[int] = set()
        bursts = []
        for k, (code, title) in enumerate(zip(codes, titles, strict=True)):
            invited = [
                n for n in range(len(people)) if (k - n) % plan.gatherings < plan.invited_per_person
            ]
            for first in range(0, len(invited), plan.people_per_invite):
                named = [people[n] for n in invited[first : first + plan.people_per_invite]]
                by = next(n for n in range(len(people)) if n not in invited and n not in inviting)
                inviting.add(by)
                inviter = Person(
                    id=world.person_ids[self.platform][people[by]],
                    community_id=community.id,
                    external_id=people[by],
                    display_name=f"Member {by}",
                    level=Level.MEMBER,
                    timezone=None,
                )

                async def write(
                    inviter: Person = inviter, code: str = code, named: list[str] = named
                ) -> None:
                    report = await service.invite(
                        community,
                        inviter,
                        platform=self.platform,
                        event_ref=code,
                        named=named,
                        note=None,
                    )
                    refused = [d for d in report.decisions if not d.accepted]
                    assert not refused, f"invitations refused: {refused}"

                marker = title  # shown after "You're invited:" and the kind's emoji
                expected = [Expected(self.platform, p, marker, "invitation") for p in named]
                bursts.append(Burst(write, expected))
        return bursts

    async def _add_gatherings(
        self, world: FaultWorld, titles: list[str], starts_at: datetime
    ) -> list[str]:
        """The events people are invited to (rows, as the communities and people are: how
        an event is made is not under test). Returns their short ids."""
        now = SystemClock().now()
        codes = []
        async with world.db.transaction() as session:
            for title in titles:
                code = await new_code(session, world.communities[self.platform])
                session.add(
                    EventRow(
                        community_id=world.communities[self.platform],
                        code=code,
                        platform=self.platform,
                        channel_id=channel_of(self.platform),
                        kind="meetup",
                        title=title,
                        location="Reading room",
                        starts_at=starts_at,
                        duration_minutes=60,
                        timezone="UTC",
                        reminder_minutes=[],
                        reminders_in="dm",
                        status="scheduled",
                        sequence=0,
                        created_at=now,
                        updated_at=now,
                    )
                )
                await session.flush()
                codes.append(code)
        return codes


def channel_of(platform: str) -> str:
    return DEFAULT_CHANNEL_ID if platform == "discord" else SLACK_CHANNEL


def event_view(
    k: int, title: str, platform: str, world: FaultWorld, occurrence: datetime
) -> EventView:
    now = SystemClock().now()
    return EventView(
        id=k + (1000 if platform == "slack" else 0),
        code=f"F{k}",
        title=title,
        kind="meetup",
        description=None,
        location="Reading room",
        script=None,
        starts_at=occurrence,
        duration_minutes=60,
        timezone="UTC",
        rrule=None,
        capacity=None,
        deadline=None,
        reminder_minutes=(5,),
        reminders_in="dm",
        status="scheduled",
        cancel_reason=None,
        channel_id=channel_of(platform),
        platform=platform,
        community_id=world.communities[platform],
        creator_id=None,
        creator_name=None,
        sequence=0,
        created_at=now,
        updated_at=now,
    )
