"""Reading and writing ``.po`` files exactly as GNU ``msgcat --no-wrap`` writes them.

Translators' tools rewrite catalogs, so a catalog is kept in the one layout every tool
leaves alone: GNU gettext with ``--no-wrap`` (``msgcat``, ``msgmerge --previous``), polib
with ``wrapwidth=0``, Poedit and Weblate set not to wrap. Only the unwrapped layout is
shared: GNU wraps at 79 columns counting East Asian characters as two and breaking by
Unicode rules, polib by ``len()`` at spaces, Babel at 76, so no wrap width gives the
same bytes in all of them. :func:`catalog_to_bytes` writes:

- the header fields in polib's order (GNU's ``msginit`` order, then the other fields
  sorted), each value exactly as read, ``charset=UTF-8`` as ``msgmerge`` spells it;
- per entry: ``#`` translator comments, ``#.`` notes, ``#:`` references (file names, in
  lines of at most 79 columns as GNU wraps them), ``#,`` flags (``fuzzy`` first),
  ``#|`` previous msgctxt/msgid on fuzzy entries only (``msgmerge`` drops them from
  others), then the strings, one line each, split only after an embedded newline;
- obsolete entries last, with their translator comments and flags only (``msgmerge``
  drops their notes and references).

Babel's parser reads ``#|`` lines as translator comments, which its writer then writes
back as ``# |``: :func:`parse_catalog` reads them itself, and drops such stale comments.

In: bytes or paths. Out: ``(babel Catalog, Header)``; the header keeps every field,
including the review record's ``X-Review-*`` fields, byte for byte.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, unescape

from ..errors import ConfigError
from ..output import atomic_write

REVIEW_FIELDS = ("X-Review-Status", "X-Reviewed-By", "X-Reviewed-Date", "X-Review-Fingerprint")
DRAFT = "draft"
REVIEWED = "reviewed"
# GNU msginit's field order, which polib also writes; other fields follow, sorted.
HEADER_ORDER = ("Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date", "PO-Revision-Date",
                "Last-Translator", "Language-Team", "Language", "MIME-Version", "Content-Type",
                "Content-Transfer-Encoding", "Plural-Forms")
CONTENT_TYPE = "text/plain; charset=UTF-8"
REFERENCE_WIDTH = 79  # GNU wraps "#:" lines at its page width even with --no-wrap


class Header(dict):
    """A catalog's header fields, in file order, and its leading ``#`` comment lines."""

    def __init__(self, fields=(), comment: list[str] | None = None):
        super().__init__(fields)
        self.comment = list(comment or [])


# -- reading -------------------------------------------------------------------------------------

_PREVIOUS = re.compile(r'^#(~)?\|\s*(msgctxt|msgid_plural|msgid)?\s*(".*")\s*$')
_STALE = re.compile(r'^#\s+\|\s*(msgctxt|msgid_plural|msgid)?\s*".*"\s*$')  # "# | msgid" left by Babel


def _previous_ids(lines: list[str]) -> dict[int, dict[str, str]]:
    """``#|`` fields by the 1-based line of the msgid they belong to; blanks those lines
    (and stale ``# |`` ones) in ``lines`` so Babel's parser never sees them."""
    found: dict[int, dict[str, str]] = {}
    pending: dict[str, list[str]] = {}
    field = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        m = _PREVIOUS.match(stripped)
        if m or _STALE.match(stripped):
            if m and not m.group(1):  # "#~|": obsolete entries keep no previous msgid, as in polib
                field = m.group(2) or field
                if field:
                    pending.setdefault(field, []).append(m.group(3))
            lines[i] = ""
        elif stripped.startswith(("msgid ", "#~ msgid ")):
            if pending and stripped.startswith("msgid "):
                found[i + 1] = {k: unescape_lines(v) for k, v in pending.items()}
            pending, field = {}, None
    return found


def unescape_lines(quoted: list[str]) -> str:
    return "".join(unescape(q) for q in quoted)


def _raw_header(lines: list[str]) -> Header:
    """The header's fields and comment lines, as written (Babel keeps only the fields it knows)."""
    comment: list[str] = []
    start = None
    for i, line in enumerate(lines):
        s = line.strip()
        if s.startswith("msgid "):
            start = i if s == 'msgid ""' else None
            break
        if s.startswith("#") and not s.startswith(("#,", "#.", "#:", "#|", "#~")):
            comment.append(s[1:].removeprefix(" "))
        elif s:
            comment = []
    if start is None:
        return Header((), comment)
    chunks = []
    for line in lines[start + 1:]:
        s = line.strip()
        if s.startswith("msgstr"):
            s = s[len("msgstr"):].strip()
        elif not s.startswith('"'):
            break
        chunks.append(s)
    fields = []
    for row in unescape_lines(chunks).split("\n"):
        key, sep, value = row.partition(":")
        if sep and key.strip():
            fields.append((key.strip(), value.strip()))
    return Header(fields, comment)


def parse_catalog(data: bytes, name: str) -> tuple[Catalog, Header]:
    from .posyntax import check_syntax
    check_syntax(data, name)  # Babel reads an unterminated string without a word (cut short)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"is not UTF-8 text (byte 0x{data[exc.start]:02X}); save the catalog as UTF-8 "
                          "(Poedit: Catalog > Properties > Charset)", file=name,
                          line=data.count(b"\n", 0, exc.start) + 1) from None
    lines = text.removeprefix("\ufeff").split("\n")
    header = _raw_header(lines)
    previous = _previous_ids(lines)
    try:
        catalog = read_po(io.StringIO("\n".join(lines)), abort_invalid=True)
    except Exception as exc:  # babel raises PoFileError and friends
        line = getattr(exc, "lineno", None)
        raise ConfigError(f"cannot read catalog ({exc})", file=name,
                          line=line + 1 if isinstance(line, int) else None) from None
    for message in list(catalog) + list(catalog.obsolete.values()):
        prev = previous.get(message.lineno or 0)
        if prev and message.id:
            ids = [prev.get("msgid", "")] + ([prev["msgid_plural"]] if "msgid_plural" in prev else [])
            message.previous_id = ids
            message.previous_context = prev.get("msgctxt")
    return catalog, header


def read_catalog(path: Path) -> tuple[Catalog, Header]:
    return parse_catalog(Path(path).read_bytes(), str(path))


def extra_headers(data: bytes) -> dict[str, str]:
    """The ``X-`` fields of a catalog's header."""
    return {k: v for k, v in _raw_header(data.decode("utf-8").split("\n")).items() if k.startswith("X-")}


# -- writing -------------------------------------------------------------------------------------

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\a": "\\a", "\b": "\\b",
            "\f": "\\f", "\v": "\\v"}
_TO_ESCAPE = re.compile(r'[\\"\n\t\r\a\b\f\v]')


def _quote(text: str) -> str:
    return '"' + _TO_ESCAPE.sub(lambda m: _ESCAPES[m.group(0)], text) + '"'


def string_lines(keyword: str, text: str, prefix: str = "") -> list[str]:
    """``msgid "..."`` on one line; a string with a newline before its end starts with ``""``
    and breaks after each newline, as GNU does with ``--no-wrap``."""
    parts = re.split(r"(?<=\n)(?=.)", text, flags=re.S)
    if len(parts) == 1:
        return [f"{prefix}{keyword} {_quote(text)}"]
    return [f'{prefix}{keyword} ""'] + [f"{prefix}{_quote(p)}" for p in parts]


def _natural(key: str):
    return [int(c) if c.isdigit() else c.lower() for c in re.split("([0-9]+)", key)]


def header_fields(header: dict[str, str]) -> list[tuple[str, str]]:
    known = [(k, header[k]) for k in HEADER_ORDER if k in header]
    rest = sorted((k for k in header if k not in HEADER_ORDER), key=_natural)
    return known + [(k, header[k]) for k in rest]


def _references(message: Message) -> list[str]:
    """File names only: a moved line changes no catalog (see docs/TRANSLATING.md)."""
    files = list(dict.fromkeys(f.replace("\\", "/") for f, _ in sorted(message.locations, key=lambda x: x[0])))
    lines, line = [], "#:"
    for f in files:
        if line != "#:" and len(line) + 1 + len(f) > REFERENCE_WIDTH:
            lines.append(line)
            line = "#:"
        line += " " + f
    return lines + ([line] if files else [])


def _flags(message: Message, obsolete: bool = False) -> list[str]:
    flags = set(message.flags)
    fuzzy = "fuzzy" in flags
    flags.discard("fuzzy")
    out = (["fuzzy"] if fuzzy else []) + sorted(flags)
    return [f"#, {', '.join(out)}"] if out else []


def _strings(catalog: Catalog, message: Message, prefix: str) -> list[str]:
    out = []
    if message.context is not None:
        out += string_lines("msgctxt", message.context, prefix)
    if isinstance(message.id, (list, tuple)):
        out += string_lines("msgid", message.id[0], prefix)
        out += string_lines("msgid_plural", message.id[1], prefix)
        strings = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string or ""]
        for i in range(max(catalog.num_plurals, 1)):
            out += string_lines(f"msgstr[{i}]", strings[i] if i < len(strings) else "", prefix)
    else:
        out += string_lines("msgid", message.id, prefix)
        string = message.string[0] if isinstance(message.string, (list, tuple)) else message.string
        out += string_lines("msgstr", string or "", prefix)
    return out


def _entry(catalog: Catalog, message: Message, obsolete: bool = False) -> list[str]:
    out = [f"# {c}" if c else "#" for c in message.user_comments]
    if not obsolete:
        for note in message.auto_comments:
            out += [f"#. {line}".rstrip() for line in note.split("\n")]
        out += _references(message)
    out += _flags(message)
    if message.fuzzy and message.previous_id and not obsolete:
        ctx = getattr(message, "previous_context", None)
        if ctx is not None:
            out += string_lines("msgctxt", ctx, "#| ")
        out += string_lines("msgid", message.previous_id[0], "#| ")
        if len(message.previous_id) > 1:
            out += string_lines("msgid_plural", message.previous_id[1], "#| ")
    return out + _strings(catalog, message, "#~ " if obsolete else "")


def catalog_to_bytes(catalog: Catalog, header: dict[str, str] | None = None) -> bytes:
    """The catalog in GNU ``--no-wrap`` layout. ``header`` gives the header fields (a
    :class:`Header` from :func:`read_catalog` also gives the comment lines); fields it
    lacks come from the Babel catalog."""
    fields = dict(header or {})
    for key, value in catalog.mime_headers:
        if key not in fields and key != "Generated-By":
            fields[key] = value
    if fields.get("Content-Type", "").lower().replace(" ", "") == "text/plain;charset=utf-8":
        fields["Content-Type"] = CONTENT_TYPE
    comment = getattr(header, "comment", None)
    if comment is None:
        comment = [line[1:].removeprefix(" ") for line in catalog.header_comment.split("\n") if line]
    out = [f"# {c}" if c else "#" for c in comment]
    if catalog.fuzzy:
        out.append("#, fuzzy")
    out += ['msgid ""', 'msgstr ""'] + [_quote(f"{k}: {v}\n") for k, v in header_fields(fields)]
    for message in catalog:
        if message.id:
            out += [""] + _entry(catalog, message)
    for message in catalog.obsolete.values():
        out += [""] + _entry(catalog, message, obsolete=True)
    return ("\n".join(out) + "\n").encode("utf-8")


def write_catalog(path: Path, catalog: Catalog, header: dict[str, str] | None = None) -> None:
    atomic_write(path, catalog_to_bytes(catalog, header))
