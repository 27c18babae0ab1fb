"""Removing control characters from what people type, before anything stores or reads it.

PostgreSQL refuses NUL (U+0000) in text columns, terminals act on escape sequences, and a
lone UTF-16 surrogate (which a JSON payload can carry) cannot be encoded as UTF-8 at all. None
of them means anything in a title, a place or a date, so every option value and button value
passes through `remove_control_characters` in the dispatcher.

Format characters (Unicode category Cf) are invisible and can spoof text: a right-to-left
override (U+202E) in a title flips the "(id)" printed after it, and zero-width spaces make two
names look alike (Unicode Technical Report #36, "Unicode Security Considerations", section 2.4,
and UAX #9 for the bidi embeddings U+202A-U+202E and isolates U+2066-U+2069). They are removed
too, except the zero-width joiner U+200D (emoji such as the technologist, 👩 U+200D 💻) and the
zero-width non-joiner U+200C (required spelling in Persian and several Indic scripts).
"""

from __future__ import annotations

import re
import unicodedata

# Unicode categories Cc (C0, DEL, C1 controls), Cs (surrogates) and Cf (format characters:
# bidi embeddings, overrides and isolates, zero-width spaces, BOM, tags) but for _KEPT_FORMAT.
_REMOVED = {"Cc", "Cs", "Cf"}
_KEPT_FORMAT = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner


def _removed(ch: str) -> bool:
    return unicodedata.category(ch) in _REMOVED and ch not in _KEPT_FORMAT


_NEWLINES = re.compile(r"\r\n?|[\u0085\u2028\u2029]")
# Whole ECMA-48 escape sequences (ECMA-48 5th ed., sections 5.3-5.6): control strings (OSC
# window titles, DCS, SOS, PM, APC) up to their terminator, CSI sequences (colours, cursor
# moves, screen clears) up to their final byte, and two-byte escapes. Removing the sequence
# whole keeps its parameters ("]0;owned") from being left behind as text.
_ESCAPE_SEQUENCES = re.compile(
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|\x1b[ -/]*[0-~]?"
)


def remove_control_characters(text: str, *, keep_newlines: bool = False) -> str:
    """`text` without control characters, invisible format characters (bidi overrides,
    zero-width spaces; ZWJ and ZWNJ are kept) and lone surrogates.

    Whitespace controls (tab, newline, vertical tab, form feed, the C1 "next line") become a
    plain space, or, with `keep_newlines` (multi-line fields), newlines and tabs are kept with
    CR and CRLF turned into LF. Terminal escape sequences are dropped whole, parameters
    included, and every other control character is dropped. Plain text
    without any control character is returned unchanged (the common case costs one scan).
    """
    if text.isprintable():
        # No character of categories C* or Z* but the space (str.isprintable), so none of
        # the ones removed below: the common case, checked at C speed.
        return text
    if not any(_removed(ch) or ch in "\u2028\u2029" for ch in text):
        return text
    text = _ESCAPE_SEQUENCES.sub("", text)
    if keep_newlines:
        text = _NEWLINES.sub("\n", text)
    out: list[str] = []
    for ch in text:
        if keep_newlines and ch in "\n\t":
            out.append(ch)
        elif ch in "\u2028\u2029":
            out.append(" ")
        elif _removed(ch):
            if ch.isspace():
                out.append(" ")
        else:
            out.append(ch)
    return "".join(out)
