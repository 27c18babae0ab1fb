"""Which date of an event: occurrence lookups over an event's plain values.

A one-off event has one date; a series has the dates of its repeat rule (RFC 5545 RRULE)
less the ones cancelled on their own (`EventView.skipped`). Every moment is an aware UTC
datetime; a reader's "day" is read in the zone they gave. Refusals name the dates that would
work instead.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core import zones
from bot.core.errors import BadOption
from bot.core.messages import Bold, Segment
from bot.core.timetext import YEARS_AHEAD  # how far ahead any date, one of a series too, can be
from cogs.events import recurrence
from cogs.events.cards import date_list
from cogs.events.errors import Refused
from cogs.events.views import EventView

SEARCH_LIMIT = 5000  # upcoming dates looked through for the nearest ones
PICK_ANOTHER = "Pick one of those dates, or leave date: out for the next one."


def next_dates(view: EventView, now: datetime, count: int = 3) -> list[datetime]:
    """The next `count` dates after `now` (a one-off event has at most one): one expansion of
    the repeat rule that callers pass along instead of expanding it again."""
    return recurrence.next_occurrences(
        view.rrule, view.starts_at, view.timezone, after=now, count=count, skip=view.skipped
    )


def next_date(view: EventView, now: datetime) -> datetime | None:
    found = next_dates(view, now, count=1)
    return found[0] if found else None


def upcoming(view: EventView, now: datetime, count: int = 3) -> list[datetime]:
    """The next dates of a series; [] for a one-off event."""
    return [] if view.rrule is None else next_dates(view, now, count)


def current_date(view: EventView, now: datetime) -> datetime | None:
    """The date under way at `now` (started, not yet ended), if any; None for a cancelled
    event. An event is "happening now" from its start until its end, not "over"."""
    if view.cancelled:
        return None
    last = recurrence.last_started(
        view.rrule, view.starts_at, view.timezone, now=now, skip=view.skipped
    )
    return last if last is not None and view.ends(last) > now else None


def skipped_ahead(view: EventView, now: datetime) -> list[datetime]:
    """The cancelled dates still to come, for the card."""
    return [at for at in view.skipped if at > now]


def refuse_far_ahead(wanted: date, now: datetime, option: str) -> None:
    """BadOption when `wanted` is more than YEARS_AHEAD years after `now` (a far date would
    make the repeat rule expand for a long time)."""
    if (wanted - now.date()).days > 366 * YEARS_AHEAD:
        raise BadOption(
            f"`{option}` is more than {YEARS_AHEAD} years ahead.",
            hint="Pick one of the next dates from /event show.",
        )


def date_on(view: EventView, day: datetime, zone: ZoneInfo, now: datetime) -> datetime | None:
    """The series' date on the reader's calendar day of `day`, or failing that on that day
    where the event happens; cancelled dates included. One lookup, not a walk."""
    wanted = day.astimezone(zone).date()
    refuse_far_ahead(wanted, now, "date:")
    for where in (zone, zones.zone(view)):
        at = recurrence.on_day(view.rrule, view.starts_at, view.timezone, wanted, where)
        if at is not None:
            return at
    return None


def _next_or_first(view: EventView, now: datetime) -> list[Segment]:
    return date_list(upcoming(view, now) or [view.starts_at])


def occurrence_on(view: EventView, day: datetime, zone: ZoneInfo, now: datetime) -> datetime:
    """The date on the reader's calendar day of `day` (see `date_on`). Refused when there is
    none, or when that date was cancelled on its own; a past one is left to the caller."""
    at = date_on(view, day, zone, now)
    if at is None:
        raise Refused(
            Bold(text=view.title),
            " has no date on that day. Its next dates: ",
            *_next_or_first(view, now),
            ".",
            hint=PICK_ANOTHER,
        )
    if at in view.skipped:
        raise Refused(
            "That date of ",
            Bold(text=view.title),
            ", ",
            *date_list([at]),
            ", was cancelled; the other dates go ahead. The next: ",
            *_next_or_first(view, now),
            ".",
            hint=PICK_ANOTHER,
        )
    return at


def answer_date(
    view: EventView, now: datetime, on: datetime | None, zone: ZoneInfo, dates: list[datetime]
) -> datetime:
    """Which date an RSVP is for: the next one, or the one on the day `on` (read in `zone`).
    `dates` are the next dates, already expanded by the caller. Refused when `on` is not one
    of the event's dates (a one-off event has one), and once the date has started; the
    RSVP deadline is the caller's to apply (see `refuse_after_deadline`)."""
    if on is not None and view.rrule is not None:
        occurrence = occurrence_on(view, on, zone, now)
    elif view.rrule is not None:
        if not dates:
            raise Refused(Bold(text=view.title), " has no more dates, so answers are closed.")
        occurrence = dates[0]
    else:
        occurrence = view.starts_at
        if on is not None and not _same_day(view, occurrence, on, zone):
            raise Refused(
                Bold(text=view.title),
                " is on ",
                *date_list([occurrence]),
                " only, not on the day you gave.",
                hint="Leave date: out to answer for it.",
            )
    if occurrence <= now:
        raise Refused(
            Bold(text=view.title),
            " already started (",
            *date_list([occurrence]),
            "), so answers are closed.",
        )
    return occurrence


def _same_day(view: EventView, occurrence: datetime, day: datetime, zone: ZoneInfo) -> bool:
    """Whether `day` (a date option, read in the reader's `zone`) is the occurrence's day,
    on the reader's calendar or where the event happens."""
    wanted = day.astimezone(zone).date()
    return any(occurrence.astimezone(z).date() == wanted for z in (zone, zones.zone(view)))


def refuse_after_deadline(
    view: EventView, occurrence: datetime, now: datetime, *, gives_back: bool, answered: str | None
) -> None:
    """Refused once the RSVP deadline of the date has passed (answers close at the deadline
    itself), unless the answer only gives seats back (`seating.gives_back`): a "no" or fewer
    guests still count after it, so the seat goes to the waitlist and reminders stop. The
    hint fits the person's answer so far (`answered`, None if they gave none): only someone
    holding a seat, a maybe or a place on the waitlist is told what they can still change."""
    deadline = view.deadline_for(occurrence)
    if deadline is None or now < deadline or gives_back:
        return
    ask = "Ask the organizer if you still want to come; they can add you."
    if answered in ("going", "maybe", "waitlist"):
        fewer = " or bring fewer guests" if answered != "waitlist" else ""
        hint = f"You can still say no{fewer}. {ask}"
    else:
        hint = ask
    raise Refused(
        "Answers for ", Bold(text=view.title), " closed at ", *date_list([deadline]), ".", hint=hint
    )


def reporting_date(view: EventView, now: datetime, on: datetime | None, zone: ZoneInfo) -> datetime:
    """For attendee lists, follow-ups and check-in: the given day, else the date under way or
    just past (within a day of its end), else the next one. Refused (naming the event, the
    date and the next dates) when the given day has no date or its date was cancelled, and
    for a one-off event given another day than its own (as /rsvp refuses it)."""
    if view.rrule is None:
        if on is not None and not _same_day(view, view.starts_at, on, zone):
            raise Refused(
                Bold(text=view.title),
                " does not repeat: it is on ",
                *date_list([view.starts_at]),
                " only.",
                hint="Leave date: out.",
            )
        return view.starts_at
    if on is not None:
        return occurrence_on(view, on, zone, now)  # a cancelled date is refused by name
    last = recurrence.last_started(
        view.rrule, view.starts_at, view.timezone, now=now, skip=view.skipped
    )
    if last is not None and view.ends(last) + timedelta(days=1) > now:
        return last
    return next_date(view, now) or last or view.starts_at


def date_to_cancel(view: EventView, day: datetime, zone: ZoneInfo, now: datetime) -> datetime:
    """The series' date on the given day (the reader's calendar day, or failing that the
    day where the event happens); refused, with nearby dates, if it cannot be cancelled."""
    pick = f"Pick one of those dates, like /event cancel id:{view.code} date:YYYY-MM-DD"
    found = date_on(view, day, zone, now)
    wanted = day.astimezone(zone).date()
    if wanted < now.astimezone(zone).date() or (found is not None and found <= now):
        when: list[Segment] = [" (", *date_list([found]), ")"] if found is not None else []
        raise Refused(
            "That date of ",
            Bold(text=view.title),
            " is in the past",
            *when,
            ". Its next dates: ",
            *_next_or_first(view, now),
            ".",
            hint=pick,
        )
    if found is not None and found in view.skipped:
        raise Refused(
            Bold(text=view.title),
            " on ",
            *date_list([found]),
            " is already cancelled. A cancelled date cannot be brought back; to meet that "
            "day after all, plan a one-off event with /event create.",
            hint=f"See the dates still planned with /event show id:{view.code}",
        )
    if found is None:
        raise Refused(
            Bold(text=view.title),
            " has no date on that day. The nearest: ",
            *date_list(nearest(view, day, now)),
            ".",
            hint=pick,
        )
    return found


def nearest(view: EventView, day: datetime, now: datetime, count: int = 3) -> list[datetime]:
    """The upcoming dates closest to `day`, in order: what was probably meant."""
    seen: list[datetime] = []
    after = 0
    for at in recurrence.occurrences(
        view.rrule, view.starts_at, view.timezone, after=now, skip=view.skipped
    ):
        seen.append(at)
        if at > day:
            after += 1
        if after >= count or len(seen) > SEARCH_LIMIT:
            break
    return sorted(sorted(seen, key=lambda at: abs(at - day))[:count])


def follow_edit(
    before: EventView, after: EventView, now: datetime, moments: list[datetime]
) -> dict[datetime, datetime | None]:
    """Where each upcoming date of the old schedule goes in the new one: the k-th upcoming
    date becomes the k-th, so answering only the 3rd date still means the 3rd. Dates are
    counted raw on both sides (cancelled ones included) so they map by position alike; a
    moment with no counterpart maps to None. `moments` must be sorted."""
    if not moments:
        return {}
    index: dict[datetime, int] = {}
    for k, at in enumerate(
        recurrence.occurrences(before.rrule, before.starts_at, before.timezone, after=now)
    ):
        if at > moments[-1]:
            break
        index[at] = k
    new = recurrence.next_occurrences(
        after.rrule,
        after.starts_at,
        after.timezone,
        after=now,
        count=max(index.values(), default=-1) + 1,
    )
    return {
        old: new[index[old]] if index.get(old, len(new)) < len(new) else None for old in moments
    }


def moved_skips(before: EventView, after: EventView, now: datetime) -> list[int]:
    """Dates cancelled on their own follow an edit as answers do, so "not in December" stays
    true when the time changes. Past ones stay; a one-off event has none. UNIX seconds."""
    if after.rrule is None:
        return []
    kept = [at for at in before.skipped if at <= now]
    mapped = follow_edit(before, after, now, sorted(at for at in before.skipped if at > now))
    kept += [new for new in mapped.values() if new is not None]
    return sorted({int(at.timestamp()) for at in kept})
