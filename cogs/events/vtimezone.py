"""VTIMEZONE components (RFC 5545 section 3.6.5) that keep working after 2037.

icalendar's `add_missing_timezones` lists every transition as RDATEs up to 2038, so a calendar
app shows a weekly series from 2038 on an hour off for half the year. A zone's current
rules are yearly ("the 2nd Sunday of March at 2:00"), and RFC 5545 says so with an RRULE in
each STANDARD and DAYLIGHT block. This module reads the transitions of one year from zoneinfo
(the system's tz database), writes each as a yearly RRULE, and checks the rule against
zoneinfo for the following decades; a zone whose rules do not repeat that way (Morocco's
Ramadan changes) gets the list of its changes over the same decades instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import YEARLY, rrule, weekday
from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

# How far ahead a yearly rule is checked against the tz database (and how far the
# fallback transition list reaches).
CHECKED_YEARS = 60


@dataclass(frozen=True, slots=True)
class _Transition:
    local: datetime  # naive wall-clock time just before the change, in the old offset
    before: timedelta
    after: timedelta
    name: str
    daylight: bool


def vtimezone(zone: str, first: date) -> Timezone:
    """The VTIMEZONE for IANA `zone`, valid from `first` (the earliest date that uses it)
    on, with no end: yearly RRULEs when the zone's rules repeat, else a transition list
    covering CHECKED_YEARS years."""
    component = Timezone.from_ical(_vtimezone_text(zone, first.year))
    assert isinstance(component, Timezone)
    return component


@lru_cache(maxsize=64)
def _vtimezone_text(zone: str, year: int) -> bytes:
    tz = ZoneInfo(zone)
    changes = _transitions(tz, year)
    component = Timezone()
    component.add("tzid", zone)
    if not changes:
        # No change this year: one offset, from the start of the year on.
        at = datetime(year, 1, 1, tzinfo=tz)
        if not any(_transitions(tz, y) for y in range(year + 1, year + CHECKED_YEARS)):
            block = TimezoneDaylight() if at.dst() else TimezoneStandard()
            block.add("dtstart", datetime(year, 1, 1))
            block.add("tzoffsetfrom", at.utcoffset())
            block.add("tzoffsetto", at.utcoffset())
            block.add("tzname", at.tzname() or zone)
            component.add_component(block)
            return component.to_ical()
        return _listed(tz, zone, year)
    rules = [(change, _yearly_rule(change)) for change in changes]
    if len(changes) > 2 or not all(_rule_holds(tz, change, rule) for change, rule in rules):
        return _listed(tz, zone, year)
    for change, rule in rules:
        block = TimezoneDaylight() if change.daylight else TimezoneStandard()
        block.add("dtstart", change.local)
        block.add("tzoffsetfrom", change.before)
        block.add("tzoffsetto", change.after)
        block.add("tzname", change.name)
        block.add("rrule", rule.recur())
        component.add_component(block)
    return component.to_ical()


def _listed(tz: ZoneInfo, zone: str, year: int) -> bytes:
    """Every change from `year` for CHECKED_YEARS years, one block per kind of change with
    its dates as RDATEs: for zones whose changes follow no yearly rule."""
    component = Timezone()
    component.add("tzid", zone)
    start = datetime(year, 1, 1, tzinfo=tz)
    opening = TimezoneDaylight() if start.dst() else TimezoneStandard()
    opening.add("dtstart", datetime(year, 1, 1))
    opening.add("tzoffsetfrom", start.utcoffset())
    opening.add("tzoffsetto", start.utcoffset())
    opening.add("tzname", start.tzname() or zone)
    component.add_component(opening)
    kinds: dict[tuple[timedelta, timedelta, str, bool], list[datetime]] = {}
    for y in range(year, year + CHECKED_YEARS):
        for change in _transitions(tz, y):
            key = (change.before, change.after, change.name, change.daylight)
            kinds.setdefault(key, []).append(change.local)
    for (before, after, name, daylight), dates in kinds.items():
        block = TimezoneDaylight() if daylight else TimezoneStandard()
        block.add("dtstart", dates[0])
        if dates[1:]:
            block.add("rdate", dates[1:])
        block.add("tzoffsetfrom", before)
        block.add("tzoffsetto", after)
        block.add("tzname", name)
        component.add_component(block)
    return component.to_ical()


def _transitions(tz: ZoneInfo, year: int) -> list[_Transition]:
    """Every offset change in `year`, found a week at a time and then to the second (no zone
    changes its offset twice within a week)."""
    found: list[_Transition] = []
    day = datetime(year, 1, 1, tzinfo=UTC) - timedelta(days=8)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) + timedelta(days=1)
    offset = day.astimezone(tz).utcoffset()
    while day < end:
        following = day + timedelta(days=7)
        next_offset = following.astimezone(tz).utcoffset()
        if next_offset != offset:
            low, high = day, following  # the change is after `low`, at or before `high`
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(tz).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            after = high.astimezone(tz)
            before_offset = offset or timedelta()
            local = (high + before_offset).replace(tzinfo=None)
            if local.year == year:
                found.append(
                    _Transition(
                        local=local.replace(second=0, microsecond=0),
                        before=before_offset,
                        after=after.utcoffset() or timedelta(),
                        name=after.tzname() or "",
                        # Clocks going forward start daylight time (Dublin's tz data calls
                        # its winter time the "negative daylight saving" one; apps do not).
                        daylight=(after.utcoffset() or timedelta()) > before_offset,
                    )
                )
            offset = next_offset
        day = following
    return found


@dataclass(frozen=True, slots=True)
class _Yearly:
    """ "The nth (or, with -1, the last) weekday of a month", every year."""

    month: int
    nth: int
    weekday: int  # Monday is 0

    def recur(self) -> vRecur:
        code = _CODES[self.weekday]
        return vRecur({"FREQ": "YEARLY", "BYMONTH": self.month, "BYDAY": f"{self.nth}{code}"})


_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _yearly_rule(change: _Transition) -> _Yearly:
    """The change's date as "the nth (or last) weekday of its month"."""
    local = change.local
    days_in_month = (local.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    # The last such weekday of the month (-1), or the nth.
    nth = -1 if local.day + 7 > days_in_month.day else (local.day - 1) // 7 + 1
    return _Yearly(month=local.month, nth=nth, weekday=local.weekday())


def _rule_holds(tz: ZoneInfo, change: _Transition, rule: _Yearly) -> bool:
    """Whether the rule's date, each year for CHECKED_YEARS, is when the zone changes."""
    expected = rrule(
        YEARLY,
        dtstart=change.local,
        bymonth=rule.month,
        byweekday=weekday(rule.weekday, rule.nth),
        count=CHECKED_YEARS,
    )
    for local in expected:
        actual = [c for c in _transitions(tz, local.year) if c.daylight == change.daylight]
        if len(actual) != 1 or actual[0].local != local or actual[0].after != change.after:
            return False
    return True
