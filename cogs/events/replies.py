"""The events cog's answers to commands: lists, attendee lists, RSVP confirmations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.inflection import joined
from bot.core.messages import Attachment, Bold, Code, Field, Message, Segment, Time, rich
from cogs.events.calendar import ics_filename
from cogs.events.cards import KIND_ICON, reminders_text, seats_text, when_text
from cogs.events.queries import Attendee, Listed, Listing, attendees_csv
from cogs.events.rsvps import CheckIn, RsvpResult
from cogs.events.views import EventView
from cogs.events.words import count, of_capacity

SHOWN_PER_GROUP = 40  # attendees listed per answer; the CSV file has them all


def listing_reply(items: list[Listed], when: Listing) -> Message:
    """/event list: one field per event, each titled with its id, and a footer with the
    /event show command for the first of them, ready to run."""
    if not items:
        return Message(
            text=rich(
                f"No {'' if when == 'all' else when + ' '}events yet. Plan one with ",
                Code(text='/event create title:"Winter party" when:"next friday 6pm"'),
                ".",
            ),
            ephemeral=True,
        )
    fields: list[Field] = []
    for item in items:
        view = item.view
        value: list[Segment | None]
        if view.cancelled and view.rrule:
            value = ["Cancelled — all dates of this series are cancelled."]
        elif view.cancelled:
            value = ["Cancelled — was planned for ", Time(at=view.starts_at, style="full")]
        elif item.occurrence is None:
            value = ["No upcoming dates."]
        elif item.happening:
            value = [
                "Happening now, until ",
                Time(at=view.ends(item.occurrence), style="full"),
                "\nGoing: ",
                seats_text(view, item.tally),
            ]
        elif item.past:
            value = [
                "Held ",
                Time(at=item.occurrence, style="full"),
                "\nWent: ",
                seats_text(view, item.tally),
            ]
        else:
            value = [*when_text(item.occurrence), "\nGoing: ", seats_text(view, item.tally)]
            if item.tally.waitlist_parties:
                value.append(f" · waitlist: {item.tally.waitlist_parties}")
        fields.append(
            Field(
                name=f"{KIND_ICON.get(view.kind, '📅')} {view.title} ({view.code})",
                value=rich(*value),
                inline=False,
            )
        )
    title = {"upcoming": "Upcoming events", "past": "Past events", "all": "All events"}[when]
    return Message(
        title=title,
        fields=fields,
        ephemeral=True,
        # A command that runs as typed: the first event's own id, never a placeholder.
        footer=rich("Details: ", Code(text=f"/event show id:{items[0].view.code}")),
    )


def attendees_reply(view: EventView, occurrence: datetime, people: list[Attendee]) -> Message:
    """/event attendees: who answered what, grouped, with a CSV of everyone."""
    groups: dict[str, list[Attendee]] = {"going": [], "maybe": [], "waitlist": [], "no": []}
    for person in people:
        groups.setdefault(person.status, []).append(person)
    seats = sum(1 + p.guests for p in groups["going"])
    spots = (
        of_capacity(seats, view.capacity) if view.capacity is not None else count(seats, "person")
    )
    names = {
        "going": f"Going ({spots})",
        "maybe": "Maybe",
        "waitlist": "Waitlist",
        "no": "Can't go",
    }
    fields: list[Field] = []
    for status, members in groups.items():
        if not members:
            continue
        lines: list[str] = []
        for p in members[:SHOWN_PER_GROUP]:
            line = f"{p.position}. " if p.position is not None else "• "
            line += p.name
            if p.guests:
                line += f" +{count(p.guests, 'guest')}"
            if p.checked_in_at is not None:
                line += " ✓ checked in"
            lines.append(line)
        if len(members) > SHOWN_PER_GROUP:
            lines.append(f"…and {len(members) - SHOWN_PER_GROUP} more (see the CSV file)")
        title = names[status] if status == "going" else f"{names[status]} ({len(members)})"
        fields.append(Field(name=title, value=["\n".join(lines)], inline=False))
    csv_name = ics_filename(view).removesuffix(".ics") + "-attendees.csv"
    return Message(
        title=f"Attendees: {view.title}",
        text=rich(*when_text(occurrence))
        if fields
        else rich(*when_text(occurrence), "\nNobody has answered yet."),
        fields=fields,
        files=[
            Attachment(
                filename=csv_name,
                content=attendees_csv(people),
                content_type="text/csv",
            )
        ],
        ephemeral=True,
    )


def rsvp_reply(result: RsvpResult) -> Message:
    if result.for_name is not None:
        return _for_someone(result)
    view, at = result.view, result.occurrence
    title = Bold(text=view.title)
    when: list[Segment] = [Time(at=at, style="full")]
    party = f" with {count(result.guests, 'guest')}" if result.guests else ""
    reminders: list[Segment | None] = []
    if result.status in ("going", "maybe"):
        if result.reminders and result.reminders_left:
            reminders = [f"\nI'll remind you {reminders_text(result.reminders_left)}."]
        elif result.reminders and view.reminder_minutes:
            reminders = ["\nIt starts too soon for a reminder, so I won't send one."]
        elif view.reminder_minutes:
            reminders = [
                "\nYour reminders are off (",
                Code(text="/event reminders on"),
                " turns them on).",
            ]
    if result.status == "going":
        head = "You're already going to " if result.unchanged else "You're going to "
        return Message(
            text=rich(head, title, party, ", ", *when, ".", *reminders),
            ephemeral=True,
            accent="success",
        )
    if result.status == "waitlist":
        if result.unchanged:
            text = rich(
                "You're still on the waitlist for ", title, f" at position {result.position}."
            )
        elif result.free:
            # Not full: the party is bigger than the seats left.
            text = rich(
                title,
                f" has {count(result.free, 'spot')} left, not enough for your party of "
                f"{1 + result.guests}, so you're on the waitlist at position {result.position}",
                party,
                ". I'll tell you as soon as there is room for all of you.",
            )
        else:
            text = rich(
                title,
                f" is full, so you're on the waitlist at position {result.position}",
                party,
                ". I'll tell you as soon as a spot opens up.",
            )
        return Message(text=text, ephemeral=True, accent="warning")
    if result.status == "maybe":
        head = "You're already a maybe for " if result.unchanged else "Marked you as maybe for "
        return Message(text=rich(head, title, party, ", ", *when, ".", *reminders), ephemeral=True)
    moved_up = (
        f" Your spot went to {joined(result.promoted)} from the waitlist."
        if result.promoted
        else ""
    )
    head = "You already said you can't go to " if result.unchanged else "Got it: you can't go to "
    return Message(text=rich(head, title, ", ", *when, ".", moved_up), ephemeral=True)


_SET_TO = {
    "going": "going",
    "maybe": "maybe",
    "waitlist": "on the waitlist",
    "no": "can't go",
}


def _for_someone(result: RsvpResult) -> Message:
    """To an organizer who set or cleared someone else's answer."""
    who, title = result.for_name, Bold(text=result.view.title)
    when: list[Segment] = [", ", Time(at=result.occurrence, style="full"), "."]
    moved = f" Their spot went to {joined(result.promoted)}." if result.promoted else ""
    if result.cleared:
        head = f"{who} had not answered " if result.unchanged else f"Cleared {who}'s answer to "
        undone = " Their check-in is undone too." if result.checkin_undone else ""
        return Message(
            text=rich(head, title, *when, undone, moved), ephemeral=True, accent="success"
        )
    party = f" with {count(result.guests, 'guest')}" if result.guests else ""
    return Message(
        text=rich(
            f"{who} is now {_SET_TO.get(result.status, result.status)}{party} for ",
            title,
            *when,
            " The audit log has the change.",
            moved,
        ),
        ephemeral=True,
        accent="success",
    )


def telling(people: int, what: str = "") -> str:
    """Who hears of a cancellation: those who said yes or maybe and those waiting, never
    those who said no. `what` narrows it (" for it": one date of a series)."""
    if people == 0:
        return "Nobody had said yes or maybe or was waiting, so nobody needs telling."
    verb = "is" if people == 1 else "are"
    return (
        f"I'm telling {count(people, 'person')} who said yes or maybe{what} or {verb} on "
        "the waitlist."
    )


def checkin_reply(done: CheckIn) -> Message:
    """The check-in answer: who, how many of those going are here, whose answer (no, maybe,
    the waitlist) became a yes, and how many seats past the capacity the date now is."""
    head = f"{done.name} was already checked in" if done.already else f"Checked in: {done.name}"
    before = "was on the waitlist" if done.was == "waitlist" else f"answered {done.was}"
    changed = f" {done.name} {before}; being here makes it a yes (going)." if done.was else ""
    over = (
        f" That is {count(done.over, 'seat')} over the capacity of"
        f" {done.view.capacity}: people who are here always count."
        if done.over and not done.already
        else ""
    )
    return Message(
        text=rich(
            head,
            " at ",
            Bold(text=done.view.title),
            f".{changed} {done.there} of {done.going} going are here.{over}",
        ),
        ephemeral=True,
        accent="success",
    )


def settings_reply(current: dict[str, Any], *, changed: bool) -> Message:
    """/event settings: the community's default reminders (`current` as
    `EventService.community_defaults` gives it), or that new events send none."""
    offsets = current["reminder_minutes"]
    if not offsets:
        said = rich("New events send ", Bold(text="no reminders"), ".")
    else:
        how = "by direct message" if current["reminders_in"] == "dm" else "in the event's channel"
        said = rich(
            "New events remind people who said yes or maybe ",
            Bold(text=reminders_text(offsets)),
            f", {how}.",
        )
    return Message(text=said, ephemeral=True, accent="success" if changed else "info")
