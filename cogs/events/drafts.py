"""What someone typed in /event create or /event edit, checked and written onto the event.

Each check refuses bad input with a BadOption that says what to type instead; nothing is
written unless the whole draft is valid (the caller's transaction rolls back on a refusal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.commands import CLEAR, Option, OptionKind
from bot.core.dateorder import date_order
from bot.core.errors import BadOption
from bot.core.timetext import DurationOutOfRange, date_examples, parse_duration, read_time
from bot.core.types import Invocation
from bot.core.wallclock import wall_clock_check
from bot.core.zonenames import resolve_zone
from bot.core.zones import zone
from cogs.events import recurrence
from cogs.events.cards import KIND_SYNONYMS, KINDS
from cogs.events.views import EventView
from storage.models import EventRow

TITLE_MAX = 100
DESCRIPTION_MAX = 2000
REPEAT_TEXT_MAX = 200
LONGEST_MINUTES = 60 * 24 * 14  # an event lasts at most 14 days
REMINDER_MINUTES_MAX = 43200  # 30 days
REMINDERS_MAX = 5


EVENT_ID = Option(
    "id", "The event's short id (or its title).", required=True, autocomplete="events"
)
DATE = Option(
    "date", "Which date of a repeating event (default: the next one).", kind=OptionKind.DATE
)


def event_fields(required: bool) -> list[Option]:
    return [
        Option(
            "title", "What it is called (up to 100 characters).", required=required, max_length=100
        ),
        Option(
            "when",
            'When it starts, like "next friday 6pm" or "YYYY-MM-DD 18:00".',
            kind=OptionKind.DATETIME,
            required=required,
        ),
        Option(
            "duration", 'How long, like "2h" or "90m" (default 2 hours).', kind=OptionKind.DURATION
        ),
        Option("ends", 'When it ends, instead of a duration, like "9pm".'),
        Option(
            "zone",
            "Where its times are kept, like America/New_York (default: the zone named in "
            "when:, else yours).",
        ),
        Option(
            "where",
            "A place or a link (none clears it).",
            max_length=500,
            clearable=True,
            blank_clears=True,
        ),
        Option(
            "description",
            "Details (up to 2000 characters; none clears them).",
            max_length=2000,
            long=True,
            clearable=True,
        ),
        Option(
            "capacity",
            "How many spots, guests included (none: no limit).",
            kind=OptionKind.INTEGER,
            min_value=1,
            max_value=100000,
            # On edit only: a clearable number is text on Discord, so creating keeps its
            # number field (and its checks) there.
            clearable=not required,
        ),
        Option(
            "deadline",
            'When answers close, like "thursday noon" (none: at the start).',
            kind=OptionKind.DATETIME,
            clearable=True,
        ),
        Option(
            "repeat",
            'weekly, "every 2 weeks", "monthly on the 2nd tuesday", monthly, daily, or an RRULE.',
        ),
        Option(
            "kind",
            "meetup, party, conference or advocacy (rally means advocacy).",
            choices=KINDS,
            synonyms=KIND_SYNONYMS,
        ),
        Option(
            "script",
            "Talking points, shown on the card and in reminders (advocacy).",
            max_length=2000,
            long=True,
            clearable=True,
        ),
        Option("reminders", 'When to remind people, like "1d, 1h", or off.'),
        Option(
            "remind_in", "Remind by direct message or in the channel.", choices=("dm", "channel")
        ),
    ]


@dataclass(slots=True)
class Draft:
    """What someone typed in /event create or /event edit; None means "not given"."""

    title: str | None = None
    when: datetime | None = None
    ends: str | None = None
    duration: timedelta | None = None
    where: str | None = None
    description: str | None = None
    capacity: int | None = None
    deadline: datetime | None = None
    repeat: str | None = None
    kind: str | None = None
    script: str | None = None
    reminders: str | None = None
    remind_in: str | None = None
    zone: str | None = None  # the `zone:` option as typed
    # How `when:` was typed and the zone it named, so it can be read again in the event's
    # zone; the platform locale for the order of 4/12. Context, not options: never "given".
    when_text: str | None = None
    when_zone: str | None = None
    locale: str | None = None
    cleared: tuple[str, ...] = ()  # optional fields given as "none": remove their values
    # Filled in while the draft is applied, for the reply: the notes of `when:` as read in
    # the event's zone (they replace those of the reading in the person's), and notes about
    # `ends:` and the dates a repeat rule makes (a clock time skipped or repeated).
    when_notes: tuple[str, ...] | None = None
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, options: dict[str, Any], **context: Any) -> Draft:
        """A draft from a command's options; those given as "none" (CLEAR) go to `cleared`."""
        given = {k: v for k, v in options.items() if v is not CLEAR}
        return cls(**given, **context, cleared=tuple(k for k, v in options.items() if v is CLEAR))

    def given(self) -> list[str]:
        """The names of the options given (cleared ones too), in declaration order."""
        return [
            name
            for name in self.__slots__  # type: ignore[attr-defined]
            if name not in _CONTEXT and (getattr(self, name) is not None or name in self.cleared)
        ]


# A whole value for each option, for the examples in replies ("Like /event edit id:sy7v
# capacity:30"), quoted where it has a space so the line can be copied as it is.
EXAMPLE_VALUES = {
    "title": '"Winter party"',
    "when": '"saturday 7pm"',
    "duration": '"2h"',
    "ends": '"9pm"',
    "zone": "America/New_York",
    "where": '"Main library, room 2"',
    "description": '"Bring a dish to share"',
    "capacity": "30",
    "deadline": '"thursday noon"',
    "repeat": "weekly",
    "kind": "meetup",
    "script": '"Fund the branch libraries"',
    "reminders": '"1d, 1h"',
    "remind_in": "dm",
}


_CONTEXT = frozenset({"when_text", "when_zone", "locale", "cleared", "when_notes", "notes"})
# What clearing each optional field sets on the event row (None: no value).
_CLEARS = {
    "where": "location",
    "description": "description",
    "capacity": "capacity",
    "deadline": "deadline",
    "script": "script",
}


def event_zone(text: str) -> str:
    """The IANA zone an event happens in, from the `zone:` option, read by the same rule as
    /timezone set (`resolve_zone`): a zone name, a city or a spelled-out zone word
    ("Eastern"). Raises BadOption for an abbreviation ("EST"), naming its zone, and with
    close zone names for anything else."""
    return resolve_zone(text)


def when_context(inv: Invocation) -> dict[str, Any]:
    """How `when:` was typed (Draft's context fields), so the event can read it again in its
    own zone; slashed dates keep the order of the person who typed them ("4/12" stays
    4 December for a Berliner planning a New York event)."""
    reading = inv.readings.get("when")
    if reading is None:
        return {}
    order = date_order(inv.locale, inv.zone_name)
    return {
        "when_text": reading.text or None,
        "when_zone": reading.zone,
        "locale": {"DMY": "en-GB", "MDY": "en-US"}.get(order, inv.locale),
    }


def reread(inv: Invocation, draft: Draft) -> None:
    """After a draft was applied: the reply's notes on `when:` are those of its reading in
    the event's own zone (a clock time that happens twice there), not in the person's."""
    reading = inv.readings.get("when")
    if reading is not None and draft.when_notes is not None:
        inv.readings["when"] = replace(reading, notes=draft.when_notes)


def parse_reminder_offsets(text: str) -> list[int]:
    """'1d, 1h' -> [1440, 60] (minutes before the start, latest first); 'off' -> [].
    Raises BadOption for unreadable times, ones outside 1 minute..30 days, or more than 5."""
    cleaned = text.strip().lower()
    if cleaned in ("off", "none", "no", "never", "0"):
        return []
    minutes: list[int] = []
    for part in re.split(r"\s*(?:,|\band\b|;)\s*", cleaned):
        if not part:
            continue
        part = part.removesuffix(" before").strip()
        try:
            value = int(parse_duration(part).total_seconds() // 60)
        except DurationOutOfRange:  # read, but zero or years long: said as out of range below
            value = 0
        except BadOption:
            raise BadOption(
                f"I could not read the reminder time `{part}`.",
                hint='Try reminders:"1d, 1h", reminders:"2h" or reminders:off.',
            ) from None
        if not 1 <= value <= REMINDER_MINUTES_MAX:
            raise BadOption(
                f"`{part}` is out of range: reminders can be from 1 minute to "
                f"{REMINDER_MINUTES_MAX // 1440} days before the start.",
                hint='Try reminders:"1d, 1h".',
            )
        minutes.append(value)
    if len(set(minutes)) > REMINDERS_MAX:
        raise BadOption("At most 5 reminders per event.", hint='Try reminders:"1d, 1h".')
    return sorted(set(minutes), reverse=True)


_HELD_AS = {
    "where": "place",
    "description": "details",
    "capacity": "capacity",
    "deadline": "RSVP deadline",
    "script": "talking points",
}


def refuse_empty_setting(blank: str) -> None:
    """/event settings with an option typed empty: BadOption saying what to type, in the
    words `refuse_empty_edit` uses for reminders."""
    like = (
        '"1d, 1h", or reminders:none for no reminders'
        if blank == "reminders"
        else "dm or remind_in:channel"
    )
    raise BadOption(
        f"`{blank}:` can't be empty: type {blank}:{like}.",
        hint="Leave the options out to see the current defaults: /event settings",
    )


def refuse_empty_edit(event: EventView, draft: Draft, blank: str | None) -> None:
    """Before an edit: BadOption, with an example naming the event by its code, for an
    option typed empty (`title:""`; `capacity:""` says to type `capacity:none` to remove
    it), and for an edit that would change nothing, such as `capacity:none` on an event
    with no capacity. Clearing what is not there is dropped from `draft.cleared`."""
    example = f"/event edit id:{event.code}"
    if blank is not None:
        value = EXAMPLE_VALUES.get(blank, '"…"')
        if blank == "reminders":  # the same words as /event settings
            raise BadOption(
                '`reminders:` can\'t be empty: type reminders:"1d, 1h", or reminders:none for '
                "no reminders.",
                hint=f"Like {example} reminders:{value} or {example} reminders:none",
            )
        if blank in _CLEARS and blank != "where":
            raise BadOption(
                f"`{blank}:` can't be empty: give the new {blank}, or type `{blank}:none` to "
                "remove it.",
                hint=f"Like {example} {blank}:{value} or {example} {blank}:none",
            )
        raise BadOption(
            f"`{blank}:` can't be empty: give the new {blank}, or leave `{blank}:` out to keep "
            "it as it is.",
            hint=f"Like {example} {blank}:{value}",
        )
    absent = [n for n in draft.cleared if n in _CLEARS and getattr(event, _CLEARS[n]) is None]
    draft.cleared = tuple(n for n in draft.cleared if n not in absent)
    if not draft.given():
        held = ", ".join(_HELD_AS[n] for n in absent)
        there = f": “{event.title}” has no {held}" if absent else ""
        raise BadOption(
            f"Nothing to change{there}.",
            hint=f'Give what changes, like {example} when:"saturday 7pm"',
        )


def apply_draft(row: EventRow, draft: Draft, *, now: datetime) -> None:
    """Check the draft against the row's current values and write it onto the row.
    Raises BadOption (with what to type instead) for the first problem found."""
    for name in draft.cleared:
        if name not in _CLEARS:
            raise BadOption(f"`{name}:` cannot be cleared.", hint=f"Give a new {name}: instead.")
        setattr(row, _CLEARS[name], None)
    _apply_texts(row, draft)
    _apply_settings(row, draft)
    _apply_zone(row, draft)
    _apply_schedule(row, draft, now)
    _apply_length(row, draft, now)
    _apply_deadline(row, draft, now)


def _apply_texts(row: EventRow, draft: Draft) -> None:
    if draft.title is not None:
        title = " ".join(draft.title.split())
        if not title:
            raise BadOption("The title cannot be empty.", hint='Like title:"Winter party".')
        if len(title) > TITLE_MAX:
            raise BadOption(
                f"The title is {len(title)} characters long; the limit is {TITLE_MAX}.",
                hint="Shorten it and try again.",
            )
        row.title = title
    if draft.description is not None:
        if len(draft.description) > DESCRIPTION_MAX:
            raise BadOption(
                f"The description is {len(draft.description)} characters long; "
                f"the limit is {DESCRIPTION_MAX}.",
                hint="Shorten it, or put the details behind a link.",
            )
        row.description = draft.description.strip() or None
    if draft.where is not None:
        row.location = draft.where.strip() or None
    if draft.script is not None:
        row.script = draft.script.strip() or None


def _apply_settings(row: EventRow, draft: Draft) -> None:
    if draft.kind is not None:
        if draft.kind not in KINDS:
            raise BadOption(
                f"`kind:` must be one of {', '.join(KINDS)}.", hint="For example kind:party"
            )
        row.kind = draft.kind
    if draft.capacity is not None:
        row.capacity = draft.capacity
    if draft.reminders is not None:
        row.reminder_minutes = parse_reminder_offsets(draft.reminders)
    if draft.remind_in is not None:
        row.reminders_in = draft.remind_in


def _apply_zone(row: EventRow, draft: Draft) -> None:
    """The event's own zone: the `zone:` option, else the zone `when:` named ("2pm EST"),
    else it stays as it was (the organizer's, on creation). Repeat rules expand in it."""
    if draft.zone is not None:
        chosen = event_zone(draft.zone)
        if draft.when_zone is not None and draft.when_zone != chosen:
            raise BadOption(
                f"`when:` names the zone {draft.when_zone} but `zone:` says {chosen}; "
                "an event happens in one zone.",
                hint=f"Drop the zone word from when:, or type zone:{draft.when_zone}.",
            )
        row.timezone = chosen
    elif draft.when_zone is not None:
        row.timezone = draft.when_zone


def _apply_schedule(row: EventRow, draft: Draft, now: datetime) -> None:
    """The start and the repeat rule; a series starts on its first date on or after the
    start given. `when:` as typed is read in the event's zone (it may name its own)."""
    if draft.repeat is not None:
        rule = recurrence.parse_repeat(draft.repeat)
        row.rrule = rule
        row.repeat_text = draft.repeat.strip()[:REPEAT_TEXT_MAX] if rule else None
    if draft.when is not None:
        if draft.when_text is not None:
            reading = read_time(draft.when_text, now=now, zone=zone(row), locale=draft.locale)
            draft.when, draft.when_notes = reading.at, reading.notes
        if draft.when <= now:
            raise BadOption(
                "`when:` is in the past.",
                hint=f"Give a future date, like {date_examples(now, zone(row))}.",
            )
        row.starts_at = draft.when
    if row.rrule and (draft.when is not None or draft.repeat is not None):
        first = recurrence.first_on_or_after(row.rrule, row.starts_at, row.timezone)
        if first is None:
            raise BadOption(
                "That repeat rule has no dates after the start.",
                hint=f"Try {recurrence.REPEAT_EXAMPLES}.",
            )
        row.starts_at = first
        typed = draft.when if draft.when_notes is not None else None  # already noted
        draft.notes += recurrence.clock_change_notes(row.rrule, first, row.timezone, noted=typed)


def _apply_length(row: EventRow, draft: Draft, now: datetime) -> None:
    if draft.ends is not None and draft.duration is not None:
        raise BadOption(
            "Give either `ends:` or `duration:`, not both.",
            hint='Like duration:"2h" or ends:"9pm".',
        )
    if draft.duration is not None:
        row.duration_minutes = max(1, int(draft.duration.total_seconds() // 60))
    if draft.ends is not None:
        end = end_time(draft.ends, row.starts_at, zone(row), now=now, notes=draft.notes)
        if end <= row.starts_at:
            raise BadOption(
                "The end is before the start.",
                hint='Give an end after the start, like ends:"9pm", '
                'or a length like duration:"2h". For an end after '
                'midnight, give the day too, like ends:"saturday 1am".',
            )
        row.duration_minutes = int((end - row.starts_at).total_seconds() // 60)
    if row.duration_minutes > LONGEST_MINUTES:
        raise BadOption("An event can last at most 14 days.", hint='Like duration:"3h".')


def _apply_deadline(row: EventRow, draft: Draft, now: datetime) -> None:
    if draft.deadline is not None:
        if draft.deadline <= now:
            raise BadOption(
                "`deadline:` is already past.",
                hint='Give a future time, like deadline:"thursday noon".',
            )
        row.deadline = draft.deadline
    if row.deadline is not None and row.deadline >= row.starts_at:
        if draft.deadline is None and draft.when is not None:
            raise BadOption(
                "The new start is before the RSVP deadline.",
                hint='Move the deadline too, like deadline:"thursday noon".',
            )
        raise BadOption(
            "`deadline:` is after the event starts.",
            hint='RSVPs must close before the start, like deadline:"thursday noon".',
        )


_TIME_ONLY = re.compile(
    r"(?:at\s+)?(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?|noon|midday|midnight)",
    re.IGNORECASE,
)


def end_time(
    text: str, start: datetime, zone: ZoneInfo, *, now: datetime, notes: list[str] | None = None
) -> datetime:
    """`ends:` as a moment (UTC), read like `when:`: in the event's `zone` (or the zone it
    names), relative days ("tomorrow 9pm") counted from `now`, as they are for `when:`. A bare
    time of day ("9pm") is on the start's own local date, so an end before the start is
    caught rather than read as the next day; "midnight" is the end of that day. How it was
    read ("1:30 happens twice on ...") is added to `notes`; BadOption for a clock time the
    zone skips on that date."""
    reading = read_time(text, now=now, zone=zone)
    if not _TIME_ONLY.fullmatch(" ".join(text.strip().split())):
        if notes is not None:
            notes.extend(reading.notes)
        return reading.at
    local_end = reading.at.astimezone(zone).replace(tzinfo=None)
    day = start.astimezone(zone).date()
    if local_end.time() == time(0):
        day += timedelta(days=1)
    wall = datetime.combine(day, local_end.time())
    note = wall_clock_check(wall, zone)  # the start's day may be the night clocks change
    if note and notes is not None:
        notes.append(note)
    return wall.replace(tzinfo=zone).astimezone(UTC)
