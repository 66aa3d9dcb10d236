"""Collect translatable messages from the content YAML into ``locales/packet.pot``.

Deciding *what* is translatable is :mod:`packets.content`'s job; this module only adapts
it to Babel: :func:`extract_yaml` is a ``babel.extractors`` entry point (so ``pybabel extract
-F babel.cfg`` works on the same files) and :func:`write_template` writes the ``.pot``,
leaving it untouched when only its date would change.

References name the file only (``#: content/packet.yaml``): with line numbers, one line added
near the top of a content file rewrote a ``#:`` line in every entry below it, in every catalog.
A plural message (a number before a noun) is extracted as ``npgettext`` (msgid and
msgid_plural), with a note naming the placeholder whose number chooses the form.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
import os
from pathlib import Path
from typing import IO, Iterable, Iterator

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file

from .. import __version__, paths, yamlio
from ..content import Message, iter_messages, parse_packet, parse_ui, Content
from ..errors import ConfigError
from ..program import parse_program
from .pofiles import catalog_to_bytes

DOMAIN = "packet"
# In the order pybabel walks them (sorted), so both extractors write the same template.
SOURCE_FILES = ("content/packet.yaml", "content/program.yaml", "content/ui.yaml")
KEYWORDS = {"pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}


def messages_in(data, file: str) -> list[Message]:
    """The translatable messages of one content file, whatever kind of file it is."""
    if isinstance(data, dict) and "sections" in data:
        sections, values, resources, sources = parse_packet(data, file)
        return list(iter_messages(Content(sections, {}, values, resources, sources)))
    if isinstance(data, dict) and "messages" in data:
        return list(parse_ui(data, file).values())
    if isinstance(data, dict) and "program_name" in data:
        return list(parse_program(data, file).messages())
    raise ConfigError("not a packet, ui or program file", file=file)


def plural_note(message: Message) -> str:
    return f"Plural: the number {{{message.count}}} chooses the form."


def extract_yaml(fileobj: IO[bytes], keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor: yields ``(lineno, 'pgettext', (msgctxt, msgid), notes)``, or
    ``(lineno, 'npgettext', (msgctxt, msgid, msgid_plural), notes)`` for a plural message."""
    name = getattr(fileobj, "name", "<yaml>")
    name = _relative(name) if isinstance(name, str) else "<yaml>"
    data = yamlio.load(fileobj.read().decode("utf-8"), name, ConfigError)
    for message in messages_in(data, name):
        notes = [message.note] if message.note else []
        if message.plural is not None:
            yield message.line, "npgettext", (message.context, message.text, message.plural), \
                notes + [plural_note(message)]
        else:
            yield message.line, "pgettext", (message.context, message.text), notes


def _relative(name: str) -> str:
    try:
        return Path(name).resolve().relative_to(paths.root().resolve()).as_posix()
    except ValueError:
        return name


def _now() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc)


def build_template(files: Iterable[str] = SOURCE_FILES) -> Catalog:
    catalog = Catalog(project="IL-2 patient packets", version=__version__,
                      copyright_holder="the IL-2 packet project", charset="utf-8",
                      creation_date=_now(), fuzzy=False)
    root = paths.root()
    for rel in files:
        path = root / rel
        for lineno, msgid, comments, ctx in extract_from_file(extract_yaml, str(path), keywords=KEYWORDS):
            key = msgid[0] if isinstance(msgid, tuple) else msgid
            existing = catalog.get(key, context=ctx)
            if existing is not None:
                if existing.id != msgid:
                    raise ConfigError(f"'{key[:50]}' is in [{ctx}] twice, once as a plural text and once not "
                                      "(or with two plural forms); word one of them differently",
                                      file=rel, line=lineno)
                existing.locations.append((rel, lineno))
                existing.auto_comments += [c for c in comments if c not in existing.auto_comments]
                continue  # one entry, every note (as pybabel extract writes it)
            catalog.add(msgid, locations=[(rel, lineno)], auto_comments=comments, context=ctx)
    return catalog


def catalog_bytes(catalog: Catalog) -> bytes:
    return catalog_to_bytes(catalog)


_DATE_LINE = re.compile(rb'^"POT-Creation-Date: .*\\n"\n', re.M)


def write_template(target: Path | None = None) -> tuple[Path, bool]:
    """Write ``locales/packet.pot``. Returns (path, changed); unchanged when only the date differs."""
    target = target or paths.locales_dir() / f"{DOMAIN}.pot"
    new = catalog_bytes(build_template())
    if target.exists() and _DATE_LINE.sub(b"", target.read_bytes()) == _DATE_LINE.sub(b"", new):
        return target, False
    target.parent.mkdir(parents=True, exist_ok=True)
    from ..output import atomic_write
    atomic_write(target, new)
    return target, True
