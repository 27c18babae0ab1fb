"""Numeric dates as people write them: "5.12.", "04.12.2026", "4/12", "12/4/26".

The rule, in order:
- Dotted dates are always day.month (year optional): "5.12." is 5 December everywhere that
  writes dates with dots (Germany, Austria, Switzerland, the Nordics, Eastern Europe).
- Slashed dates follow the person's locale: the platform's locale when the adapter knows it
  (Discord sends one with every interaction), else the usual locale of the country of the
  person's time zone (CLDR, through Babel: America/Chicago -> en_US -> month first,
  Europe/London -> en_GB -> day first). With no country (UTC), day first, as most of the
  world writes it. Year-first dates ("2026/12/04", "2026-12-04") are never ambiguous.
- A slashed date whose two numbers could each be the month ("4/12") is ambiguous: the
  reading taken is returned as a note, so the reply can say which it was.
- A number that cannot be a month settles the order ("25/12" is 25 December anywhere).

Every date found is rewritten as "4 December 2026" (or "4 December") before dateparser reads
the text, so its own guesses (which read "4/13" as the year 2113) never apply.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from functools import lru_cache
from typing import Literal

from bot.core.errors import BadOption

Order = Literal["DMY", "MDY"]

_NUMERIC_DATE = re.compile(
    r"(?<![\w./:+-])(\d{1,2})([./])(\d{1,2})(?:\2(\d{4}|\d{2}))?(\.?)(?![\w/]|[.:]\d)"
)
_CLOCK_LIKE = re.compile(r"\d:\d\d|\d\s*(?:am|pm|a\.m\.|p\.m\.)(?![a-z])", re.I)
_UNIT_AFTER = re.compile(r"\s*(?:h|hrs?|hours?|m|mins?|minutes?|d|days?|w|wks?|weeks?)\b", re.I)
_MONTHS = list(calendar.month_name)


def date_order(locale: str | None, zone: str | None) -> Order:
    """Day-first ("DMY") or month-first ("MDY") for slashed dates; see the module's rule.
    `locale` is a BCP 47 or POSIX tag ("en-US", "de", "pt_BR"); `zone` an IANA name."""
    if locale:
        found = _order_of_locale(locale.replace("-", "_"))
        if found is not None:
            return found
    if zone:
        country = _country_locale(zone)
        if country is not None:
            found = _order_of_locale(country)
            if found is not None:
                return found
    return "DMY"


@lru_cache(maxsize=256)
def _order_of_locale(tag: str) -> Order | None:
    from babel import Locale, UnknownLocaleError
    from babel.dates import get_date_format

    try:
        pattern = get_date_format("short", locale=Locale.parse(tag)).pattern
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    day, month = pattern.find("d"), pattern.find("M")
    if day < 0 or month < 0:
        return None
    return "DMY" if day < month else "MDY"


@lru_cache(maxsize=512)
def _country_locale(zone: str) -> str | None:
    """The locale most people in the zone's country use: "America/Chicago" -> "en_US"."""
    from babel.core import get_global

    canonical = get_global("zone_aliases").get(zone, zone)
    territory = get_global("zone_territories").get(canonical)
    if not territory:
        return None
    languages = get_global("territory_languages").get(territory) or {}
    official = [
        (info.get("population_percent", 0), lang)
        for lang, info in languages.items()
        if info.get("official_status") in ("official", "de_facto_official")
    ]
    ranked = sorted(official or [(i.get("population_percent", 0), k) for k, i in languages.items()])
    return f"{ranked[-1][1]}_{territory}" if ranked else None


def rewrite_numeric_dates(text: str, order: Order) -> tuple[str, list[str]]:
    """`text` with each numeric date written out ("4/12" -> "4 December" in DMY order), and a
    note for each ambiguous one saying how it was read. A dotted pair that reads as a time of
    day ("18.30", "5.30pm") becomes "18:30"/"5:30pm". Raises BadOption for a date that
    cannot exist ("31/4", "30.02.2027")."""
    notes: list[str] = []
    has_clock = bool(_CLOCK_LIKE.search(text))

    def rewrite(match: re.Match[str]) -> str:
        first, sep, second, year_text, dot = match.groups()
        token = match.group(0)
        a, b = int(first), int(second)
        bare = sep == "." and year_text is None and not dot
        if bare and (len(second) != 2 or _UNIT_AFTER.match(text, match.end())):
            return token  # "in 1.5 hours" is an amount, not a date
        if bare and not has_clock and len(second) == 2 and a <= 23 and b <= 59:
            return f"{a}:{second}"  # "18.30" or "friday 10.30": a time of day
        if bare and b > 12:
            return token  # not a date; dateparser may still make sense of it
        year = _year(year_text)
        if sep == ".":
            day, month, ambiguous = a, b, False
        else:
            ambiguous = a <= 12 and b <= 12 and a != b
            day, month = (a, b) if order == "DMY" else (b, a)
            if month > 12 and day <= 12:
                day, month = month, day
        if not _exists(day, month, year):
            raise not_a_date(token.rstrip(".") if sep == "/" else token, day, month, year)
        written = f"{day} {_MONTHS[month]}" + (f" {year}" if year else "")
        if ambiguous:
            first_part = "day" if order == "DMY" else "month"
            notes.append(
                f"I read {token} as {written} ({first_part} first); write the month as a "
                f"word, like {day} {_MONTHS[month][:3]}, to be sure."
            )
        return written

    rewritten = _NUMERIC_DATE.sub(rewrite, text)
    # "5.30pm": a dotted time with am/pm, which dateparser does not read.
    rewritten = re.sub(
        r"(?<![\w.:])(\d{1,2})\.(\d{2})(?=\s*(?:am|pm|a\.m\.|p\.m\.)(?![a-z]))",
        r"\1:\2",
        rewritten,
        flags=re.I,
    )
    return rewritten, notes


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def _exists(day: int, month: int, year: int | None) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    if year is None:
        return day <= calendar.monthrange(2024, month)[1]  # a leap year: 29 February exists
    if not 1 <= year <= 9999:
        return False
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


_ISO_DATE = re.compile(r"(?<![\w./:+-])(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?![\w/]|[.:]\d)")
_MONTH_WORDS = "|".join(
    sorted({m.lower() for m in _MONTHS[1:]} | {m[:3].lower() for m in _MONTHS[1:]}, key=len)[::-1]
)
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_WORDS})\.?(?:,?\s+(\d{{4}}))?\b", re.I
)
_MONTH_DAY = re.compile(
    rf"\b({_MONTH_WORDS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", re.I
)


def check_calendar_dates(text: str) -> None:
    """Raise BadOption (see `not_a_date`) for a calendar date in `text` that does not exist,
    in any form read here: "2027-02-29", "2027/2/30", "29 Feb 2027", "February 30, 2027",
    "31st of April". Returns None when every date found exists."""
    for match in _ISO_DATE.finditer(text):
        year, month, day = (int(g) for g in match.groups())
        if not _exists(day, month, year):
            raise not_a_date(match.group(0), day, month, year)
    for match in _DAY_MONTH.finditer(text):
        _check_words(match.group(0), match.group(1), match.group(2), match.group(3))
    for match in _MONTH_DAY.finditer(text):
        _check_words(match.group(0), match.group(2), match.group(1), match.group(3))


def _check_words(token: str, day: str, month_word: str, year: str | None) -> None:
    month = [m[:3].lower() for m in _MONTHS[1:]].index(month_word[:3].lower()) + 1
    if not _exists(int(day), month, _year(year)):
        raise not_a_date(token, int(day), month, _year(year))


def not_a_date(token: str, day: int, month: int, year: int | None) -> BadOption:
    """The refusal for a day that the month does not have: "`2027-02-29` is not a date
    (February 2027 has 28 days)."; a month outside 1..12 is named as such."""
    if not 1 <= month <= 12:
        why = f"there is no month {month}"
    elif year is None:
        why = f"{_MONTHS[month]} has at most {calendar.monthrange(2024, month)[1]} days"
    elif 1 <= year <= 9999:
        why = f"{_MONTHS[month]} {year} has {calendar.monthrange(year, month)[1]} days"
    else:
        why = f"the year {year} is outside the calendar"
    return BadOption(
        f"`{token}` is not a date ({why}).",
        hint='Write the day and month, like "4.12." or "4 Dec", or "2026-12-04".',
    )
