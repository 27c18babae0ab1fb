"""/event and /rsvp: declarations and replies. The rules live in service.py."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, cast

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import Potluck
from bot.core.commands import Cog, Option, OptionKind, action, command, suggestions
from bot.core.errors import BadOption
from bot.core.messages import (
    Attachment,
    Bold,
    Code,
    Form,
    FormField,
    Link,
    Message,
    Segment,
    Time,
    rich,
)
from bot.core.types import Invocation, Level
from cogs.events import words
from cogs.events.calendar import ics_filename
from cogs.events.cards import minutes_text
from cogs.events.drafts import (
    DATE,
    EVENT_ID,
    Draft,
    event_fields,
    refuse_empty_setting,
    reread,
    when_context,
)
from cogs.events.errors import shows_refusals
from cogs.events.notices import Notices
from cogs.events.queries import EventQueries, Listing
from cogs.events.reminders import ReminderSchedule
from cogs.events.replies import (
    attendees_reply,
    checkin_reply,
    listing_reply,
    rsvp_reply,
    settings_reply,
    telling,
)
from cogs.events.rsvps import Rsvps
from cogs.events.seating import Answer
from cogs.events.service import EventService
from cogs.events.settings import EventsSettings
from cogs.events.waitlist import Waitlist


class EventsCog(Cog):
    name = "events"
    description = "Meetups, parties, conferences and advocacy outings, with RSVPs."
    Settings = EventsSettings

    def __init__(self, bot: Potluck, settings: EventsSettings) -> None:
        self.bot = bot
        self.settings = settings
        notices = Notices(bot.outbox)
        reminders = ReminderSchedule(bot.outbox, bot.clock)
        waitlist = Waitlist(notices, reminders)
        self.service = EventService(
            bot.db, bot.outbox, bot.clock, settings, bot.identity, notices, reminders, waitlist
        )
        self.rsvps = Rsvps(
            bot.db, bot.outbox, bot.clock, bot.identity, notices, reminders, waitlist
        )
        self.queries = EventQueries(bot.db, bot.clock, settings)

    # -- create / edit / cancel ----------------------------------------------------------------

    @command(
        "event create",
        "Plan an event; posts its card with RSVP buttons.",
        options=[
            *event_fields(required=True),
            Option("channel", "Where to post the card (default: here).", kind=OptionKind.CHANNEL),
        ],
        examples=[
            '/event create title:"Winter party" when:"next friday 6pm" capacity:30',
            '/event create title:"Chapter meetup" when:"2026-12-08 18:00" '
            'repeat:"monthly on the 2nd tuesday" where:https://meet.example.org/chapter',
            '/event create title:"Budget hearing" when:"dec 10 6pm" kind:advocacy '
            'script:"Fund the branch libraries"',
        ],
    )
    @shows_refusals
    async def create(
        self, inv: Invocation, title: str, when: datetime, channel: str | None = None, **fields: Any
    ) -> Message:
        draft = Draft.of({"title": title, "when": when, **fields}, **when_context(inv))
        try:
            view, warnings, card = await self.service.create(
                inv.community,
                inv.person,
                platform=inv.platform,
                channel_id=channel or inv.channel.external_id,
                zone=inv.zone_name,
                draft=draft,
            )
        finally:
            reread(inv, draft)
        here = not channel or channel == inv.channel.external_id
        where = "the channel" if here else f"#{channel}"
        header: list[Segment] = [
            "Created! Its id is ",
            Code(text=view.code),
            f". The card is posted in {where}; people answer with its buttons or ",
            Code(text=f"/rsvp event:{view.code} answer:yes"),
            ".\n",
        ]
        for warning in [*warnings, *draft.notes]:
            header += ["⚠️ ", warning, "\n"]
        return card.model_copy(
            update={"text": rich(*header, *card.text), "ephemeral": True, "accent": "success"}
        )

    @command("event plan", "Plan an event by filling in a form.", examples=["/event plan"])
    async def plan(self, inv: Invocation) -> Message:
        return Message(
            text=["Fill in the form to create the event."],
            form=Form(
                title="Plan an event",
                command="event create",
                fields=[
                    FormField(
                        option="title",
                        label="Title",
                        required=True,
                        max_length=100,
                        placeholder="Winter party",
                    ),
                    FormField(
                        option="when", label="When", required=True, placeholder="next friday 6pm"
                    ),
                    FormField(option="where", label="Where", placeholder="Main library, room 2"),
                    FormField(option="capacity", label="Spots (guests included)", placeholder="30"),
                    FormField(option="description", label="Details", long=True, max_length=2000),
                ],
            ),
            ephemeral=True,
        )

    @command(
        "event edit",
        "Change an event (organizer). Only the options you give change.",
        options=[EVENT_ID, *event_fields(required=False)],
        examples=['/event edit id:k3f9 when:"saturday 7pm"', "/event edit id:k3f9 capacity:40"],
    )
    @shows_refusals
    async def edit(self, inv: Invocation, id: str, **fields: Any) -> Message:
        draft = Draft.of(fields, **when_context(inv))
        # `title:""` would otherwise count as not given: the service says so, with the
        # event's own code in the example, rather than change nothing.
        blank = sorted(inv.left_blank)[0] if inv.left_blank else None
        try:
            event, changed, card = await self.service.edit(
                inv.community, inv.person, id, draft, blank=blank
            )
        finally:
            reread(inv, draft)
        header: list[Segment] = [
            f"Updated {', '.join(changed)}. The card and reminders follow the change.\n"
        ]
        for note in draft.notes:
            header += ["⚠️ ", note, "\n"]
        if {"ends", "duration"} & set(changed):
            header.append(f"It now lasts {minutes_text(event.duration_minutes)}.\n")
        return card.model_copy(
            update={"text": rich(*header, *card.text), "ephemeral": True, "accent": "success"}
        )

    @command(
        "event cancel",
        "Cancel an event, or one date of a repeating one (organizer); those coming are told.",
        options=[
            EVENT_ID,
            Option("reason", "Why, in a few words.", max_length=500),
            dataclasses.replace(
                DATE,
                description="Only this date of a repeating "
                "event; the series goes on (default: all of it).",
            ),
        ],
        examples=[
            '/event cancel id:k3f9 reason:"The building is closed"',
            '/event cancel id:k3f9 date:2026-12-08 reason:"Holiday closure"',
        ],
    )
    @shows_refusals
    async def cancel(
        self, inv: Invocation, id: str, reason: str | None = None, date: datetime | None = None
    ) -> Message:
        if date is not None:
            view, occurrence, told = await self.service.cancel_date(
                inv.community, inv.person, id, date, reason, zone_given=inv.zone_name
            )
            return Message(
                text=rich(
                    Bold(text=view.title),
                    " on ",
                    Time(at=occurrence, style="full"),
                    " is cancelled; the other dates go ahead. ",
                    telling(told, " to it"),
                    " The card shows it.",
                ),
                ephemeral=True,
                accent="success",
            )
        view, told = await self.service.cancel(inv.community, inv.person, id, reason)
        return Message(
            text=rich(
                Bold(text=view.title),
                " is cancelled. ",
                telling(told),
                " The card shows it.",
            ),
            ephemeral=True,
            accent="success",
        )

    # -- reading -------------------------------------------------------------------------------

    @command(
        "event list",
        "Upcoming (or past) events with their ids.",
        options=[Option("when", "upcoming, past or all.", choices=("upcoming", "past", "all"))],
        examples=["/event list", "/event list when:past"],
    )
    async def list_(self, inv: Invocation, when: str = "upcoming") -> Message:
        items = await self.queries.list_events(inv.community, cast(Listing, when))
        return listing_reply(items, cast(Listing, when))

    @command(
        "event show", "Show an event's card.", options=[EVENT_ID], examples=["/event show id:k3f9"]
    )
    async def show(self, inv: Invocation, id: str) -> Message:
        card = await self.queries.show(inv.community, id)
        return card.model_copy(update={"ephemeral": True})

    @command(
        "event attendees",
        "Who is going, maybe and waiting, with a CSV (organizer).",
        options=[EVENT_ID, DATE],
        examples=["/event attendees id:k3f9"],
    )
    @shows_refusals
    async def attendees(self, inv: Invocation, id: str, date: datetime | None = None) -> Message:
        view, occurrence, people = await self.queries.attendees(
            inv.community, inv.person, id, date, inv.zone
        )
        return attendees_reply(view, occurrence, people)

    @command(
        "event ics",
        "Get an event as a calendar file (.ics).",
        options=[EVENT_ID],
        examples=["/event ics id:k3f9"],
    )
    async def ics(self, inv: Invocation, id: str) -> Message:
        view, body = await self.queries.ics(inv.community, id)
        return Message(
            text=rich(
                "Calendar file for ",
                Bold(text=view.title),
                ". Open it to add the event to your calendar.",
            ),
            files=[
                Attachment(filename=ics_filename(view), content=body, content_type="text/calendar")
            ],
            ephemeral=True,
        )

    @command(
        "event feed",
        "The community's calendar feed address, for calendar apps (moderator).",
        options=[
            Option(
                "reset", "Make a new address (the old one stops working).", kind=OptionKind.BOOLEAN
            )
        ],
        level=Level.MODERATOR,
        examples=["/event feed", "/event feed reset:yes"],
    )
    async def feed(self, inv: Invocation, reset: bool = False) -> Message:
        if not self.settings.calendar_feed or not self.bot.settings.web.enabled:
            return Message(
                text=rich(
                    "The calendar feed is turned off in this bot's settings "
                    "([events] calendar_feed and [web] enabled)."
                ),
                ephemeral=True,
                accent="warning",
            )
        if self.bot.web.off_reason:  # another program has the port: a URL would lead there
            return Message(
                text=rich(
                    f"The calendar feed is off: the web server did not start "
                    f"({self.bot.web.off_reason}). Free that port or choose another "
                    "([web] port), then restart the bot."
                ),
                ephemeral=True,
                accent="warning",
            )
        secret = await self.service.feed_secret(inv.community.id, reset=reset)
        url = f"{self.bot.settings.web.public_url.rstrip('/')}/calendar/{secret}.ics"
        return Message(
            title="Calendar feed",
            text=rich(
                "new address: " if reset else "",
                Link(url=url),
                "\nSubscribe in Google Calendar (Other calendars → From URL), Outlook (Add "
                "calendar → Subscribe from web) or Apple Calendar (File → New Calendar "
                "Subscription). Anyone with the address can see the events, so share it only "
                "with the community. Make a new one with ",
                Code(text="/event feed reset:yes"),
                ".",
            ),
            ephemeral=True,
        )

    @command(
        "event settings",
        "Default reminders for new events in this community (moderator).",
        options=[
            Option("reminders", 'When to remind, like "1d, 1h", or off.'),
            Option("remind_in", "By direct message or in the channel.", choices=("dm", "channel")),
        ],
        level=Level.MODERATOR,
        examples=['/event settings reminders:"2d, 2h" remind_in:dm'],
    )
    async def settings_(
        self, inv: Invocation, reminders: str | None = None, remind_in: str | None = None
    ) -> Message:
        if inv.left_blank:  # as /event edit: an empty value neither changes nor clears
            refuse_empty_setting(sorted(inv.left_blank)[0])
        current = await self.service.set_community_defaults(
            inv.community.id, reminders=reminders, remind_in=remind_in
        )
        return settings_reply(current, changed=bool(reminders or remind_in))

    # -- after the event -----------------------------------------------------------------------

    @command(
        "event followup",
        "Send a recording or slides to everyone who said yes or maybe (organizer).",
        options=[
            EVENT_ID,
            Option("link", "The recording or slides address.", required=True),
            Option("note", "A short note to go with it.", max_length=1000),
        ],
        examples=["/event followup id:k3f9 link:https://example.org/recording"],
    )
    async def followup(
        self, inv: Invocation, id: str, link: str, note: str | None = None
    ) -> Message:
        view, count = await self.service.followup(inv.community, inv.person, id, link, note)
        return Message(
            text=rich(
                "Sending the follow-up for ",
                Bold(text=view.title),
                f" to {words.count(count, 'person')}.",
            ),
            ephemeral=True,
            accent="success",
        )

    @command(
        "event checkin",
        "Check in at an event: yourself once you said yes, or anyone (organizers).",
        options=[
            EVENT_ID,
            Option("person", "Who arrived (organizers only).", kind=OptionKind.PERSON),
        ],
        examples=["/event checkin id:k3f9", "/event checkin id:k3f9 person:@sam"],
    )
    @shows_refusals
    async def checkin(self, inv: Invocation, id: str, person: str | None = None) -> Message:
        done = await self.rsvps.checkin(inv.community, inv.person, id, person)
        return checkin_reply(done)

    @command(
        "event reminders",
        "Turn your event reminders on or off.",
        options=[Option("setting", "on or off.", required=True, choices=("on", "off"))],
        examples=["/event reminders off", "/event reminders on"],
    )
    async def reminders(self, inv: Invocation, setting: str) -> Message:
        on = setting == "on"
        count = await self.rsvps.set_reminders(inv.community, inv.person, on)
        if on:
            text = rich(
                "Event reminders are on.",
                f" Scheduled for {words.count(count, 'upcoming event')}." if count else None,
            )
        else:
            text = rich(
                "Event reminders are off; nothing more will be sent"
                f"{f' ({count} withdrawn)' if count else ''}. Turn them back on with ",
                Code(text="/event reminders on"),
                ".",
            )
        return Message(text=text, ephemeral=True, accent="success")

    # -- RSVP ----------------------------------------------------------------------------------

    @command(
        "rsvp",
        "Answer an event: yes, maybe or no, with guests.",
        options=[
            Option(
                "event",
                "The event's short id (or its title).",
                required=True,
                autocomplete="events",
            ),
            Option(
                "answer",
                "yes, maybe or no (clear removes an answer).",
                required=True,
                choices=("yes", "maybe", "no", "clear"),
            ),
            Option(
                "guests",
                "How many people you bring besides yourself (0-10).",
                kind=OptionKind.INTEGER,
                min_value=0,
                max_value=10,
            ),
            DATE,
            Option(
                "person",
                "Answer for someone else (organizers and moderators).",
                kind=OptionKind.PERSON,
            ),
        ],
        examples=[
            "/rsvp event:k3f9 answer:yes",
            "/rsvp event:k3f9 answer:yes guests:2",
            "/rsvp k3f9 maybe",
            "/rsvp event:k3f9 answer:clear person:@sam",
        ],
    )
    @shows_refusals
    async def rsvp(
        self,
        inv: Invocation,
        event: str,
        answer: str,
        guests: int | None = None,
        date: datetime | None = None,
        person: str | None = None,
    ) -> Message:
        result = await self.rsvps.rsvp(
            inv.community,
            inv.person,
            event,
            cast(Answer, answer),
            guests=guests,
            on=date,
            zone_given=inv.zone_name,
            for_person=person,
        )
        return rsvp_reply(result)

    @action("rsvp")
    @shows_refusals
    async def rsvp_button(self, inv: Invocation, value: str) -> Message:
        code, _, answer = value.rpartition(":")
        if answer not in ("yes", "maybe", "no") or not code:
            raise BadOption(
                "That button no longer works.",
                hint=f"Answer with /rsvp event:{code} answer:yes instead."
                if code
                else "Type /event list to see upcoming events and their ids.",
            )
        result = await self.rsvps.rsvp(
            inv.community, inv.person, code, cast(Answer, answer), zone_given=inv.zone_name
        )
        return rsvp_reply(result)

    @suggestions("events")
    async def upcoming_events(self, inv: Invocation, partial: str) -> list[tuple[str, str]]:
        return await self.queries.suggest(inv.community, partial)

    # -- data hooks ----------------------------------------------------------------------------

    async def export_person(self, community_id: int, person_id: int) -> dict[str, Any]:
        return await self.queries.export_person(community_id, person_id)

    async def forget_person(self, session: AsyncSession, community_id: int, person_id: int) -> None:
        """Their RSVPs are deleted (a freed seat goes to the waitlist as usual). Events they
        created stay, because other people are coming to them, but no longer name them:
        organizers and moderators keep managing those events."""
        await self.service.forget_person(session, community_id, person_id)

    async def calendar_feed(self, request: web.Request) -> web.Response:
        community_id = await self.queries.community_for_secret(request.match_info["secret"])
        if community_id is None:
            raise web.HTTPNotFound(
                text="No calendar here. Ask a moderator for the address shown by /event feed."
            )
        body = await self.queries.feed(community_id)
        return web.Response(
            body=body,
            content_type="text/calendar",
            charset="utf-8",
            headers={"Cache-Control": "max-age=300"},
        )
