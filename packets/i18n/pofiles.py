"""Reading and writing ``.po`` files, keeping our review header fields.

Babel's ``write_po`` drops header fields it does not know, such as ``X-Review-Status``.
:func:`read_catalog` returns them beside the Babel catalog and :func:`write_catalog`
puts them back, so a round trip through our tools never loses a review.

In: file paths or bytes. Out: ``(babel Catalog, {extra header: value})``.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import normalize, read_po, write_po

from ..errors import ConfigError
from ..output import atomic_write

REVIEW_FIELDS = ("X-Review-Status", "X-Reviewed-By", "X-Reviewed-Date")
DRAFT = "draft"
REVIEWED = "reviewed"


def _header_text(data: bytes) -> str:
    """The msgstr of the header entry (msgid ""), unescaped."""
    from babel.messages.pofile import denormalize

    lines = data.decode("utf-8").splitlines()
    in_header = False
    chunks: list[str] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not in_header:
            if stripped == 'msgid ""' and i + 1 < len(lines) and lines[i + 1].startswith("msgstr"):
                in_header = True
            continue
        if stripped.startswith("msgstr"):
            chunks.append(stripped[len("msgstr"):].strip())
        elif stripped.startswith('"'):
            chunks.append(stripped)
        else:
            break
    return denormalize("\n".join(chunks)) if chunks else ""


def extra_headers(data: bytes) -> dict[str, str]:
    fields = {}
    for line in _header_text(data).split("\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip().startswith("X-"):
            fields[key.strip()] = value.strip()
    return fields


def parse_catalog(data: bytes, name: str) -> tuple[Catalog, dict[str, str]]:
    try:  # our catalogs are UTF-8 (Poedit and Weblate write it); any other charset is a clear error
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"is not UTF-8 text (byte 0x{data[exc.start]:02X}); save the catalog as UTF-8 "
                          "(Poedit: Catalog > Properties > Charset)", file=name,
                          line=data.count(b"\n", 0, exc.start) + 1) from None
    try:
        catalog = read_po(io.BytesIO(data), abort_invalid=True)
    except Exception as exc:  # babel raises PoFileError and friends
        raise ConfigError(f"cannot read catalog ({exc})", file=name) from None
    return catalog, extra_headers(data)


def read_catalog(path: Path) -> tuple[Catalog, dict[str, str]]:
    return parse_catalog(Path(path).read_bytes(), str(path))


WIDTH = 100


def _entry_head(context: str | None, msgid: str, prefix: str = "") -> str:
    head = f"{prefix}msgctxt {normalize(context, prefix=prefix, width=WIDTH)}\n" if context else ""
    return head + f"{prefix}msgid {normalize(msgid, prefix=prefix, width=WIDTH)}\n"


def _with_previous_ids(data: bytes, catalog: Catalog) -> bytes:
    """Add ``#| msgid`` lines (the source text a fuzzy entry was translated from).

    Babel's own ``include_previous`` wraps a long previous msgid inside its quotes, which
    msgfmt rejects, so the lines are written here with the same wrapping as a msgid.
    """
    text = data.decode("utf-8")
    for message in catalog:
        if not message.id or not message.previous_id or not isinstance(message.id, str):
            continue
        previous = message.previous_id[0] if isinstance(message.previous_id, (list, tuple)) else message.previous_id
        if previous == message.id:
            continue
        head = _entry_head(message.context, message.id)
        text = text.replace(head, _entry_head(None, previous, prefix="#| ") + head, 1)
    return text.encode("utf-8")


def catalog_to_bytes(catalog: Catalog, extra: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=WIDTH, sort_output=False, include_previous=False)
    data = _with_previous_ids(buf.getvalue(), catalog)
    if extra:
        anchor = b'"Generated-By:'
        insert = b"".join(f'"{k}: {v}\\n"\n'.encode("utf-8") for k, v in extra.items())
        pos = data.find(anchor)
        if pos < 0:
            raise ConfigError("catalog header has no Generated-By line to anchor review fields")
        data = data[:pos] + insert + data[pos:]
    return data


def write_catalog(path: Path, catalog: Catalog, extra: dict[str, str] | None = None) -> None:
    atomic_write(path, catalog_to_bytes(catalog, extra))
