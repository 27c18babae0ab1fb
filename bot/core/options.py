"""Turning option values (text from Slack and the console, typed values from Discord) into
the Python values handlers receive, with errors that say what to type instead."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from bot.core.commands import CLEAR, CLEAR_WORDS, CommandSpec, Option, OptionKind
from bot.core.control_chars import remove_control_characters
from bot.core.errors import BadOption
from bot.core.timetext import NotADuration, parse_duration, read_time
from bot.core.types import Invocation

_PERSON = re.compile(r"^<@!?([A-Za-z0-9]+)(?:\|[^>]*)?>$")
_CHANNEL = re.compile(r"^<#([A-Za-z0-9]+)(?:\|[^>]*)?>$")
_TRUE = {"yes", "y", "true", "on", "1"}
_FALSE = {"no", "n", "false", "off", "0"}


# The longest value any option takes when it declares no limit of its own: Discord's limit for
# a string option (6000 characters, the `max_length` ceiling of its application commands API).
DEFAULT_MAX_LENGTH = 6000


def about_option(name: str, message: str) -> str:
    """A value's error said about its option, mid-sentence: ("every", "A duration must be
    longer than zero.") -> "`every:` a duration must be longer than zero." The first word
    loses its capital unless it is "I" or not a plain word (a `code` value, a name like "UTC")."""
    first = message.split(" ", 1)[0]
    if first != "I" and first[:1].isupper() and (first[1:].islower() or len(first) == 1):
        message = message[0].lower() + message[1:]
    return f"`{name}:` {message}"


def convert_options(spec: CommandSpec, raw: dict[str, Any], inv: Invocation) -> dict[str, Any]:
    """Typed handler arguments from option values (strings, or typed values from a form).

    Control characters are removed from every string first (see bot.core.control_chars); a
    required option that is missing, empty or only blanks gets the usual "needs `title:`"
    answer; an optional one left blank counts as not given (its name is kept in
    `inv.left_blank`), except that a clearable one given as "none" (or "", for one that
    `blank_clears`) becomes CLEAR ("remove this value"). Each date option's reading (zone
    named, ambiguous date) is kept in `inv.readings`. Raises BadOption.
    """
    for name in raw:
        if spec.option(name) is None:
            names = ", ".join(o.name for o in spec.options) or "none"
            raise BadOption(
                f"/{spec.name} has no option `{name}`.", hint=f"Its options are: {names}."
            )
    cleaned = {
        name: remove_control_characters(value, keep_newlines=spec.option(name).long)  # type: ignore[union-attr]
        if isinstance(value, str)
        else value
        for name, value in raw.items()
    }
    for opt in spec.options:  # what is missing is said before what is wrong
        if opt.required and _left_empty(cleaned.get(opt.name)):
            example = f"\nExample: {spec.examples[0]}" if spec.examples else ""
            raise BadOption(
                f"/{spec.name} needs `{opt.name}:` ({opt.description.rstrip('.')}).",
                hint=f"Usage: {spec.usage()}{example}",
            )
    inv.left_blank = frozenset(
        name
        for name, value in cleaned.items()
        if isinstance(value, str) and _left_empty(value) and not _clears(spec.option(name), value)  # type: ignore[arg-type]
    )
    return {
        name: convert(spec.option(name), value, inv, spec)  # type: ignore[arg-type]
        for name, value in cleaned.items()
        if not _left_empty(value) or _clears(spec.option(name), value)  # type: ignore[arg-type]
    }


def _clears(opt: Option, value: Any) -> bool:
    """A clearable option given as "none" (or empty, for one that `blank_clears`): remove
    what it holds."""
    if not (opt.clearable and isinstance(value, str)):
        return False
    word = value.strip().lower()
    return word in CLEAR_WORDS and (bool(word) or opt.blank_clears)


def _left_empty(value: Any) -> bool:
    """An option left blank (in a form, or typed as "") counts as not given."""
    return value is None or (isinstance(value, str) and not value.strip())


def convert(opt: Option, value: Any, inv: Invocation, spec: CommandSpec) -> Any:
    """One option's value for the handler; BadOption saying what to type instead. An error
    names the option (`setting:`) only when the person typed its name; a value typed without
    one (`/event reminders maybe`) is named by what was typed."""
    if _clears(opt, value):
        return CLEAR
    named = opt.name not in inv.unnamed
    if opt.kind is OptionKind.INTEGER:
        return _integer(opt, value, named)
    if opt.kind is OptionKind.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if not named:
            raise BadOption(f"`{value}` is not yes or no.")
        raise BadOption(f"`{opt.name}:` must be yes or no, not `{value}`.")
    text = str(value).strip()
    try:
        if opt.kind is OptionKind.DURATION:
            return value if isinstance(value, timedelta) else parse_duration(text)
        if opt.kind in (OptionKind.DATETIME, OptionKind.DATE):
            if isinstance(value, datetime):
                return value
            reading = read_time(
                text,
                now=inv.now,
                zone=inv.zone,
                locale=inv.locale,
                need_time=opt.kind is OptionKind.DATETIME,
            )
            inv.readings[opt.name] = reading
            return reading.at
    except BadOption as exc:
        # Say which option, so a form can show the mistake on the right field.
        hint = exc.hint
        if named and isinstance(exc, NotADuration):
            hint = f'Try {opt.name}:"2 days", {opt.name}:90m or {opt.name}:1h30m.'
        raise BadOption(
            about_option(opt.name, exc.message) if named else exc.message, hint=hint
        ) from None
    limit = opt.max_length if opt.max_length is not None else DEFAULT_MAX_LENGTH
    if len(text) > limit:
        raise BadOption(
            f"`{opt.name}:` is {len(text)} characters long; the limit is {limit}."
            if named
            else f"That text is {len(text)} characters long; the limit is {limit}.",
            hint="Shorten it and try again.",
        )
    if opt.kind is OptionKind.PERSON:
        return _person(opt, text)
    if opt.kind is OptionKind.CHANNEL:
        match = _CHANNEL.match(text)
        if match:
            return match.group(1)
        channel = text.lstrip("#").strip()
        if not channel:
            raise BadOption(f"`{opt.name}:` must name a channel, like {opt.name}:#general.")
        return channel
    if not text and opt.required:
        raise BadOption(f"`{opt.name}:` cannot be empty.", hint=f"Usage: {spec.usage()}")
    if opt.choices:
        lowered = text.lower()
        for choice in opt.choices:
            if choice.lower() == lowered:
                return choice
        for word, choice in opt.synonyms:
            if word.lower() == lowered:
                return choice
        if named:
            raise BadOption(
                f"`{opt.name}:` must be one of {', '.join(opt.choices)}, not `{text}`.",
                hint=f"For example {opt.name}:{opt.choices[0]}",
            )
        alone = len(inv.unnamed) == 1  # the only word typed after the command
        raise BadOption(
            f"`{text}` is not one of {', '.join(opt.choices)}.",
            hint=f"For example /{spec.name} {opt.choices[0]}"
            if alone
            else f"For example {opt.name}:{opt.choices[0]}",
        )
    return text


def _integer(opt: Option, value: Any, named: bool = True) -> int:
    if isinstance(value, bool):
        raise BadOption(f"`{opt.name}:` must be a whole number.")
    try:
        number = value if isinstance(value, int) else int(str(value).strip().lstrip("+"))
    except ValueError:
        raise BadOption(
            f"`{opt.name}:` must be a whole number, not `{value}`."
            if named
            else f"`{value}` is not a whole number.",
            hint=f"For example {opt.name}:{opt.min_value if opt.min_value is not None else 1}",
        ) from None
    if opt.min_value is not None and number < opt.min_value:
        raise BadOption(_range_text(opt, number, named))
    if opt.max_value is not None and number > opt.max_value:
        raise BadOption(_range_text(opt, number, named))
    return number


def _range_text(opt: Option, number: int, named: bool = True) -> str:
    if not named:
        low = f"{opt.min_value}" if opt.min_value is not None else "any number"
        high = f"{opt.max_value}" if opt.max_value is not None else "up"
        return f"{number} is out of range: the accepted values are {low} to {high}."
    if opt.min_value is not None and opt.max_value is not None:
        return f"`{opt.name}:` must be between {opt.min_value} and {opt.max_value}, not {number}."
    if opt.min_value is not None:
        return f"`{opt.name}:` must be at least {opt.min_value}, not {number}."
    return f"`{opt.name}:` must be at most {opt.max_value}, not {number}."


def _person(opt: Option, text: str) -> str:
    match = _PERSON.match(text)
    if match:
        return match.group(1)
    if text.startswith("<"):
        raise BadOption(f"`{opt.name}:` must name a person, like {opt.name}:@alex.")
    cleaned = text.lstrip("@").strip()
    if not cleaned:
        raise BadOption(f"`{opt.name}:` must name a person, like {opt.name}:@alex.")
    return cleaned
