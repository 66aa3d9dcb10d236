"""A strict line check of ``.po`` syntax, run before Babel reads a catalog.

Babel's reader is lenient: an unterminated string (``msgstr "Llámenos de inmediat``) is read
with its last character cut off, and an unescaped quote or an unknown escape inside a string
goes through. GNU ``msgfmt`` rejects all three, but it may be absent where packets are built.
This check rejects them everywhere, with the file and line.

In: the bytes of a ``.po`` file. Out: nothing, or a :class:`ConfigError` naming file:line.
"""

from __future__ import annotations

import re

from ..errors import ConfigError

_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s*(.*)$")
# C escapes that GNU gettext accepts inside a string.
_ESCAPES = set("\\\"abfnrtv?01234567x")


def _string_problem(text: str) -> str | None:
    """None if ``text`` is exactly one C string literal ("..."), else what is wrong with it."""
    if not text.startswith('"'):
        return 'a string must start with "'
    i = 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text):
                return "unterminated string (a closing \" is missing)"
            if text[i + 1] not in _ESCAPES:
                return f"unknown escape \\{text[i + 1]} (write \\\\ for a backslash)"
            i += 2
            continue
        if ch == '"':
            rest = text[i + 1:].strip()
            if rest:
                return 'text after the closing " (write \\" for a quote inside the text)'
            return None
        i += 1
    return "unterminated string (a closing \" is missing)"


def check_syntax(data: bytes, name: str) -> None:
    """Raise :class:`ConfigError` at the first line that is not valid ``.po`` syntax."""
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark some editors add is not an error
    except UnicodeDecodeError:
        return  # the reader says so, with the byte (pofiles.parse_catalog)
    in_string = False  # may a continuation line ("...") follow?
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("#~"):  # obsolete entries never print; msgfmt skips them too
            in_string = False
            continue
        if not line or line.startswith("#"):
            in_string = False
            continue
        if line.startswith('"'):
            problem = None if in_string else "a string line must follow msgid, msgstr or msgctxt"
            problem = problem or _string_problem(line)
        else:
            m = _KEYWORD.match(line)
            if not m:
                problem = "not a keyword (msgctxt, msgid, msgid_plural, msgstr) and not a string"
            else:
                problem = _string_problem(m.group(2))
                in_string = True
        if problem:
            raise ConfigError(f"catalog syntax: {problem}", file=name, line=number)
