"""The text grammar shared by Slack and the console: `/event create title:"Winter party"`.

Words before the first option name the command; `key:value` pairs name options; double quotes
(straight or typographic, as Slack and phones produce) group words, and so do single quotes
that open a value (`title:'Ana's party'`; an apostrophe inside a word stays a letter); a
backslash makes the next quote or backslash literal (`title:"The \\"big\\" one"`); bare words
after the command fill the required options in order, so `/rsvp 4f2a yes` works too.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from bot.core.commands import CommandSpec
from bot.core.errors import BadOption

_OPEN_QUOTES = {'"': '"', "“": "”", "„": "“", "”": "”", "«": "»"}
_SINGLE_QUOTES = "'‘’"  # straight, and the curly ones phones type
_ESCAPABLE = "\\\"'“”„«»‘’"
# A line with none of these reads the same when split at white space (`_plain_tokens`).
_QUOTING = frozenset(_OPEN_QUOTES) | frozenset(_SINGLE_QUOTES) | frozenset(_ESCAPABLE)


@dataclass(slots=True)
class Token:
    text: str
    quoted: bool = False
    key: str | None = None  # set when the token was written key:value
    spaced: bool = False  # written "key: value", with a space after the colon

    def as_written(self) -> str:
        if self.key is None:
            return self.text
        return f"{self.key}:{' ' if self.spaced else ''}{self.text}"


def tokenize(line: str) -> list[Token]:
    """The words of `line` as tokens (module docstring: quotes, escapes, `key:value`).
    Raises BadOption when a double quote is not closed."""
    if _QUOTING.isdisjoint(line):
        return _plain_tokens(line)  # most commands: a few times cheaper than reading by character
    return _read_tokens(line)


def _plain_tokens(line: str) -> list[Token]:
    """What `_read_tokens` gives for a line without quotes or backslashes: the words split at
    white space; a word is `key:value` at its first colon after a key (`_is_key`), and
    `key:` alone takes the next word as its value (tests/core/test_grammar.py checks the two
    agree)."""
    tokens: list[Token] = []
    words = line.split()
    i, n = 0, len(words)
    while i < n:
        word = words[i]
        i += 1
        head, colon, rest = word.partition(":")
        if not colon or not _is_key(head):
            tokens.append(Token(text=word))
        elif rest:
            tokens.append(Token(text=rest, key=head.lower()))
        else:  # "title: Winter" -> the next word is the value
            value = words[i] if i < n else ""
            i += 1
            tokens.append(Token(text=value, key=head.lower(), spaced=True))
    return tokens


def _read_tokens(line: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(line)
    while i < n:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            break
        buf: list[str] = []
        quoted = False
        key: str | None = None
        spaced = False
        while i < n and not line[i].isspace():
            ch = line[i]
            if ch == "\\" and i + 1 < n and line[i + 1] in _ESCAPABLE:
                buf.append(line[i + 1])  # \" is a quote character, not the start of a group
                i += 2
                continue
            single = ch in _SINGLE_QUOTES and not buf  # an apostrophe inside a word stays
            if ch in _OPEN_QUOTES or single:
                found = _quoted(line, i + 1, ch, single=single)
                if found is None and single:
                    buf.append(ch)  # an unmatched apostrophe ('90s) is part of the word
                    i += 1
                    continue
                if found is None:
                    shown = "".join(buf) + line[i : i + 20]
                    raise BadOption(
                        f"A quote is not closed near `{shown}`.",
                        hint='Put values with spaces in double quotes, like title:"Winter party".',
                    )
                text, end = found
                buf.append(text)
                quoted = True
                i = end + 1
                continue
            if ch == ":" and key is None and not quoted and buf and _is_key("".join(buf)):
                key = "".join(buf).lower()
                buf = []
                i += 1
                if i >= n or line[i].isspace():
                    # "title: Winter" -> the next word (or quoted group) is the value.
                    spaced = True
                    while i < n and line[i].isspace():
                        i += 1
                continue
            buf.append(ch)
            i += 1
        tokens.append(Token(text="".join(buf), quoted=quoted, key=key, spaced=spaced))
    return tokens


def _quoted(line: str, start: int, opener: str, *, single: bool) -> tuple[str, int] | None:
    """The text of a quoted group opened just before `start`, with backslash escapes
    resolved, and the index of its closing quote; None when it is never closed. A single
    quote closes only before a space or the end, so "'Ana's party'" keeps its apostrophe."""
    out: list[str] = []
    j, n = start, len(line)
    while j < n:
        ch = line[j]
        if ch == "\\" and j + 1 < n and line[j + 1] in _ESCAPABLE:
            out.append(line[j + 1])
            j += 2
            continue
        if single:
            closes = ch in _SINGLE_QUOTES and (j + 1 == n or line[j + 1].isspace())
        else:
            close = _OPEN_QUOTES[opener]
            closes = ch == close or (close in "”“" and ch in '"”“')
        if closes:
            return "".join(out), j
        out.append(ch)
        j += 1
    return None


def quote(value: str) -> str:
    """`value` as one double-quoted group the grammar reads back unchanged (the inverse of
    tokenizing `key:"..."`): backslashes and double quotes are escaped with a backslash."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _is_key(word: str) -> bool:
    return word.replace("_", "").isalpha() and len(word) <= 32


def split_command(line: str) -> tuple[list[str], list[Token]]:
    """The leading bare words (command path candidates) and every token."""
    text = line.strip()
    if text.startswith("/"):
        text = text[1:]
    tokens = tokenize(text)
    words = []
    for tok in tokens:
        if tok.key is not None or tok.quoted:
            break
        words.append(tok.text)
    return words, tokens


def bind_options(
    spec: CommandSpec, tokens: list[Token], unnamed: set[str] | None = None
) -> dict[str, str]:
    """Map the tokens after the command path onto the command's declared options.

    Bare words after `key:value` continue that value (people forget quotes), so
    `title:Winter party when:friday` means what it says. Bare words before any key fill the
    options in declaration order (`/rsvp 4f2a yes`); their names are added to `unnamed`.
    """
    values: dict[str, str] = {}
    positional: list[str] = []
    last: str | None = None
    for tok in tokens:
        opt = spec.option(tok.key) if tok.key is not None else None
        if tok.key is not None and opt is None and not tok.text.startswith("//"):
            close = difflib.get_close_matches(tok.key, [o.name for o in spec.options], n=1)
            if close or last is None or not tok.spaced:
                names = ", ".join(o.name for o in spec.options) or "none"
                hint = f"Did you mean `{close[0]}:`? " if close else ""
                raise BadOption(
                    f"/{spec.name} has no option `{tok.key}`.",
                    hint=f"{hint}Its options are: {names}. Usage: {spec.usage()}",
                )
            # "description:Bring snacks: chips" — prose puts a space after its colon;
            # an option name never does, so this is part of the value.
        if opt is None:
            word = tok.as_written()
            if last is None:
                positional.append(word)
            else:
                values[last] = f"{values[last]} {word}".strip()
            continue
        if opt.name in values:
            raise BadOption(f"`{opt.name}:` is given twice.", hint=f"Usage: {spec.usage()}")
        values[opt.name] = tok.text
        last = opt.name
    free = [o.name for o in spec.options if o.name not in values]
    if positional and not free:
        raise BadOption(
            f"I did not understand `{' '.join(positional)}`.",
            hint=f"Write options as key:value, quoting spaces. Usage: {spec.usage()}",
        )
    for i, word in enumerate(positional):
        if i < len(free):
            values[free[i]] = word
            if unnamed is not None:
                unnamed.add(free[i])
        else:
            values[free[-1]] = f"{values[free[-1]]} {word}"
    return values
