"""Everything the events cog shows people, as neutral Messages.

Times are always Time segments so each reader sees their own local time (Discord timestamps,
Slack date tokens, the console in the reader's zone); user text stays in plain-string segments,
so an "@everyone" in a title is shown but never pings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.inflection import joined
from bot.core.messages import Bold, Button, Code, Field, Link, Mention, Message, Segment, Time, rich
from bot.core.zones import zone, zone_name
from cogs.events.recurrence import describe
from cogs.events.views import EventView, Tally
from cogs.events.words import count, of_capacity

KIND_ICON = {"meetup": "☕", "party": "🎉", "conference": "🎤", "advocacy": "📣"}
KINDS = ("meetup", "party", "conference", "advocacy")
# Words the README and people use for a kind: a rally is an advocacy event.
KIND_SYNONYMS = (("rally", "advocacy"), ("rallies", "advocacy"))


def minutes_text(minutes: int) -> str:
    """1440 -> "1 day", 90 -> "1 hour 30 minutes": how long before, in words."""
    parts: list[str] = []
    for size, unit in ((1440, "day"), (60, "hour"), (1, "minute")):
        n, minutes = divmod(minutes, size)
        if n:
            parts.append(count(n, unit))
    return " ".join(parts) or "0 minutes"


def reminders_text(offsets: tuple[int, ...] | list[int]) -> str:
    """Each reminder on its own, largest first: (1440, 60) -> "1 day before and 1 hour
    before"; (150,) -> "2 hours 30 minutes before", so two reminders never read as one."""
    if not offsets:
        return "off"
    words = [f"{minutes_text(m)} before" for m in sorted(set(offsets), reverse=True)]
    return joined(words)


def place(location: str) -> Segment:
    if location.startswith(("http://", "https://")):
        return Link(url=location)
    return location


def seats_text(view: EventView, tally: Tally) -> str:
    guests = tally.going_seats - tally.going_parties
    detail = (
        f" ({count(tally.going_parties, 'person')} + {count(guests, 'guest')})" if guests else ""
    )
    if view.capacity is None:
        return f"{tally.going_seats}{detail}"
    full = " — full" if tally.going_seats == view.capacity else ""
    return f"{of_capacity(tally.going_seats, view.capacity)}{detail}{full}"


def maybe_text(tally: Tally) -> str:
    """Who said maybe, guests included: "2" or "2 (+3 guests)"."""
    guests = tally.maybe_seats - tally.maybe
    return f"{tally.maybe}" + (f" (+{count(guests, 'guest')})" if guests else "")


def when_text(occurrence: datetime) -> list[Segment]:
    return [Time(at=occurrence, style="full"), " (", Time(at=occurrence, style="relative"), ")"]


def rsvp_buttons(view: EventView) -> list[Button]:
    return [
        Button(label="Going", action="rsvp", value=f"{view.code}:yes", style="success"),
        Button(label="Maybe", action="rsvp", value=f"{view.code}:maybe", style="secondary"),
        Button(label="Can't go", action="rsvp", value=f"{view.code}:no", style="danger"),
    ]


def event_card(
    view: EventView,
    occurrence: datetime | None,
    tally: Tally,
    upcoming: list[datetime],
    *,
    header: list[Segment] | None = None,
    ephemeral: bool = False,
    skipped: Sequence[datetime] = (),
    happening: datetime | None = None,
) -> Message:
    """The event card: what, when (in the reader's zone), where, who is coming, how to answer.
    `skipped` are upcoming dates cancelled on their own, listed so nobody turns up for them.
    `happening` is the date under way (see `dates.current_date`): the card says so until it
    ends; `tally` counts `occurrence`, or the date under way when there is no next one."""
    icon = KIND_ICON.get(view.kind, "📅")
    title = f"{icon} {view.title}" + (" (cancelled)" if view.cancelled else "")
    fields: list[Field] = []
    if view.location:
        fields.append(Field(name="Where", value=[place(view.location)]))
    counted = occurrence or happening
    if counted is not None:
        fields.append(_zone_field(view, counted))
        fields.append(_ends_field(view, counted))
        fields += _seat_fields(view, counted, tally)
    if view.rrule:
        fields.append(_repeats_field(view, view.rrule, upcoming, skipped))
    if view.script:
        fields.append(Field(name="Talking points", value=[view.script], inline=False))
    return Message(
        title=title,
        text=rich(
            *(header or []),
            *_happening_text(view, happening),
            *_card_text(view, occurrence, happening),
        ),
        fields=fields,
        buttons=[] if view.cancelled or occurrence is None else rsvp_buttons(view),
        footer=rich(*_card_footer(view, occurrence)),
        accent="muted" if view.cancelled else "info",
        ephemeral=ephemeral,
    )


def _happening_text(view: EventView, happening: datetime | None) -> list[Segment]:
    if happening is None or view.cancelled:
        return []
    text: list[Segment] = [
        Bold(text="Happening now"),
        " — started ",
        Time(at=happening, style="full"),
        ", until ",
        Time(at=view.ends(happening), style="full"),
        ".",
    ]
    return [*text, "\nNext: "] if view.rrule else text


def _card_text(
    view: EventView, occurrence: datetime | None, happening: datetime | None
) -> list[Segment]:
    text: list[Segment] = []
    if view.cancelled:
        text.append(Bold(text="Cancelled"))
        if view.rrule:
            text.append(" — all dates of this series are cancelled.")
        else:
            text += [" — was planned for ", Time(at=view.starts_at, style="full"), "."]
        if view.cancel_reason:
            text.append(f" Reason: {view.cancel_reason}")
    elif occurrence is not None:
        text += when_text(occurrence)
    elif view.rrule:
        text += ["No more dates. The series began ", Time(at=view.starts_at, style="full"), "."]
    elif happening is None:
        text += ["This event is over. It was held ", Time(at=view.starts_at, style="full"), "."]
    if view.description:
        text += ["\n", view.description]
    return text


def _zone_field(view: EventView, occurrence: datetime) -> Field:
    """The zone the event keeps its times in (its repeat rule follows that zone's daylight
    saving) with the start's local clock there, since every other time shows in the reader's
    own zone."""
    local = occurrence.astimezone(zone(view))
    return Field(name="Time zone", value=[f"{zone_name(view)} (starts {local:%H:%M} there)"])


def _ends_field(view: EventView, occurrence: datetime) -> Field:
    """When the date ends, in the reader's zone, and how long it lasts: "Ends: Sat 5 Dec,
    21:00 (3 hours)"."""
    length = minutes_text(view.duration_minutes)
    return Field(name="Ends", value=[Time(at=view.ends(occurrence), style="full"), f" ({length})"])


def _seat_fields(view: EventView, occurrence: datetime, tally: Tally) -> list[Field]:
    fields = [Field(name="Going", value=[seats_text(view, tally)])]
    if tally.maybe:
        fields.append(Field(name="Maybe", value=[maybe_text(tally)]))
    if tally.waitlist_parties:
        people = tally.waitlist_seats
        fields.append(
            Field(
                name="Waitlist",
                value=[f"{count(tally.waitlist_parties, 'party')} ({count(people, 'person')})"],
            )
        )
    deadline = view.deadline_for(occurrence)
    if deadline is not None:
        fields.append(Field(name="RSVP by", value=[Time(at=deadline, style="full")]))
    return fields


def _repeats_field(
    view: EventView, rrule: str, upcoming: list[datetime], skipped: Sequence[datetime]
) -> Field:
    dates: list[Segment] = [describe(rrule) or rrule]
    if upcoming and not view.cancelled:
        dates.append(". Next dates:")
        for at in upcoming:
            dates += ["\n• ", Time(at=at, style="full")]
    if skipped and not view.cancelled:
        dates.append("\nCancelled dates:")
        for at in skipped[:SHOWN_SKIPPED]:
            dates += ["\n• ", Time(at=at, style="full")]
        if len(skipped) > SHOWN_SKIPPED:  # platforms cap a field's length
            dates.append(f"\n… and {len(skipped) - SHOWN_SKIPPED} more")
    return Field(name="Repeats", value=dates, inline=False)


def _card_footer(view: EventView, occurrence: datetime | None) -> list[Segment]:
    footer: list[Segment] = ["Event id ", Code(text=view.code)]
    if not view.cancelled and occurrence is not None:
        footer += [
            " · answer with the buttons or ",
            Code(text=f"/rsvp event:{view.code} answer:yes"),
        ]
    if view.creator_name:
        footer.append(f" · organized by {view.creator_name}")
    return footer


def reminder_message(view: EventView, occurrence: datetime) -> Message:
    fields: list[Field] = []
    if view.location:
        fields.append(Field(name="Where", value=[place(view.location)]))
    if view.script:
        fields.append(Field(name="Talking points", value=[view.script], inline=False))
    return Message(
        title=f"⏰ Reminder: {view.title}",
        text=rich("Starts ", *when_text(occurrence), "."),
        fields=fields,
        footer=rich(
            "Event ",
            Code(text=view.code),
            " · turn reminders off with ",
            Code(text="/event reminders off"),
        ),
        accent="info",
    )


def channel_reminder(view: EventView, occurrence: datetime, attendees: list[str]) -> Message:
    """The channel version of a reminder: one post that mentions the people who said yes or
    maybe (they asked for it by answering)."""
    message = reminder_message(view, occurrence)
    mentions: list[Segment] = []
    for i, external_id in enumerate(attendees):
        mentions += [", " if i else "", Mention(user_id=external_id)]
    message.text = rich(*message.text, "\n" if mentions else None, *mentions)
    return message


def promoted_message(view: EventView, occurrence: datetime, guests: int) -> Message:
    party = f" with {count(guests, 'guest')}" if guests else ""
    return Message(
        title=f"🎟️ A spot opened up: {view.title}",
        text=rich(
            "Good news: you moved up from the waitlist and you're going",
            party,
            ". ",
            *when_text(occurrence),
            ".",
        ),
        footer=rich("Can't make it after all? ", Code(text=f"/rsvp event:{view.code} answer:no")),
        buttons=[Button(label="Can't go", action="rsvp", value=f"{view.code}:no", style="danger")],
        accent="success",
    )


def demoted_message(view: EventView, occurrence: datetime, position: int) -> Message:
    return Message(
        title=f"Back on the waitlist: {view.title}",
        text=rich(
            "The organizer lowered the number of spots for ",
            Bold(text=view.title),
            " (",
            Time(at=occurrence, style="full"),
            "), so your answer moved back to the "
            f"waitlist at position {position}. I'll tell you if a spot opens up.",
        ),
        accent="warning",
    )


SHOWN_SKIPPED = 5  # cancelled dates listed on a card


def party_too_big_message(view: EventView, occurrence: datetime, party: int) -> Message:
    spots = view.capacity or 0
    return Message(
        title=f"Your party no longer fits: {view.title}",
        text=rich(
            "The organizer lowered the number of spots for ",
            Bold(text=view.title),
            " (",
            Time(at=occurrence, style="full"),
            f") to {spots} in all, so your party of "
            f"{party} no longer fits and waits on the waitlist. To come with fewer "
            "guests, answer again: ",
            Code(text=f"/rsvp event:{view.code} answer:yes guests:{max(spots - 1, 0)}"),
            ".",
        ),
        accent="warning",
    )


def date_list(moments: Sequence[datetime]) -> list[Segment]:
    """Dates as full times, separated by commas."""
    out: list[Segment] = []
    for i, at in enumerate(moments):
        if i:
            out.append(", ")
        out.append(Time(at=at, style="full"))
    return out


def cancelled_message(view: EventView, answered: list[datetime]) -> Message:
    """To someone who answered: a one-off event names its date; a series says every date is
    off, listing the ones this person had answered for."""
    text: list[Segment] = [Bold(text=view.title)]
    if view.rrule is None:
        text += [" (", *date_list(answered[:1] or [view.starts_at]), ") is cancelled."]
    else:
        text.append(": all dates of this series are cancelled")
        if answered:
            text += [
                ", including the ",
                "one" if len(answered) == 1 else "ones",
                " you answered: ",
                *date_list(answered),
            ]
        text.append(".")
    if view.cancel_reason:
        text += ["\nReason: ", view.cancel_reason]
    return Message(title=f"Cancelled: {view.title}", text=rich(*text), accent="danger")


def date_cancelled_message(view: EventView, occurrence: datetime, reason: str | None) -> Message:
    """To someone who answered for one date of a series that was cancelled on its own."""
    text: list[Segment] = [
        Bold(text=view.title),
        " on ",
        Time(at=occurrence, style="full"),
        " is cancelled, so your answer for it was removed. The other dates "
        "of the series go ahead as planned; see them with ",
        Code(text=f"/event show id:{view.code}"),
        ".",
    ]
    if reason:
        text += ["\nReason: ", reason]
    return Message(title=f"Date cancelled: {view.title}", text=rich(*text), accent="danger")


def moved_message(view: EventView, moves: list[tuple[datetime, datetime]]) -> Message:
    """To someone who answered for dates that moved: each of their dates, old and new."""
    text: list[Segment] = [Bold(text=view.title)]
    if len(moves) == 1:
        text += [
            " now starts ",
            *when_text(moves[0][1]),
            ", instead of ",
            Time(at=moves[0][0], style="full"),
            ".",
        ]
    else:
        text.append(" moved. Your dates are now:")
        for old, new in moves:
            text += ["\n• ", Time(at=new, style="full"), " (was ", Time(at=old, style="full"), ")"]
    text.append(
        "\nYour answers still stand; your reminders follow the new times."
        if len(moves) > 1
        else " Your answer still stands; your reminders follow the new time."
    )
    return Message(title=f"New time: {view.title}", text=rich(*text), accent="warning")


def dropped_message(view: EventView, dates: list[datetime]) -> Message:
    """To someone whose answered dates an edit removed from the series."""
    one = len(dates) == 1
    return Message(
        title=f"Date removed: {view.title}",
        text=rich(
            "The organizer changed ",
            Bold(text=view.title),
            ", and ",
            *date_list(dates),
            " is no longer one of its dates" if one else " are no longer among its dates",
            ", so your answer for ",
            "it" if one else "them",
            " was removed. See the new dates with ",
            Code(text=f"/event show id:{view.code}"),
            ".",
        ),
        accent="warning",
    )


def followup_message(view: EventView, link: str, note: str | None) -> Message:
    return Message(
        title=f"Follow-up: {view.title}",
        text=rich(
            "Thanks for your interest in ",
            Bold(text=view.title),
            ". ",
            note + "\n" if note else "\n",
            Link(url=link),
        ),
        accent="info",
    )
