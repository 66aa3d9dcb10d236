"""The education content: load and validate ``content/packet.yaml`` and ``content/ui.yaml``.

In: YAML text. Out: a :class:`Content` of plain, untranslated dataclasses. This module
also decides what is translatable (:func:`iter_messages`); collecting it into a ``.pot``
is :mod:`packets.i18n.extract`'s job.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from . import paths, yamlio
from .errors import ConfigError

UI_CONTEXT = "ui"
PROGRAM_CONTEXT = "program"

# Block types and the keys each may carry. One render function per type lives in packets.render.
BLOCK_TYPES = {
    "paragraph": {"text"},   # text: one string, or a list of sentences (see SENTENCE_BLOCKS)
    "heading": {"text"},
    "list": {"items"},
    "checklist": {"items"},
    "callout": {"text", "style"},
    "dates_at_a_glance": {"title"},
    "patient_cycles": {"title"},
    "contact_card": {"title"},
    "resource": {"ref", "text"},
}
COMMON_KEYS = {"type", "source", "note", "unsourced"}
# Blocks whose text can state a medical fact: each needs a ``source`` (one id or a list), or an
# ``unsourced`` reason saying why it states none ("a practical step"). A clinician's review is
# refused while one has neither (packets.review).
FACT_BLOCKS = frozenset({"paragraph", "list", "checklist", "callout"})
# Blocks whose ``text`` may be a list of sentences, printed as one paragraph: each sentence is a
# string of its own, so each can have its own plural number ("every {dose_interval_hours} hours."
# then "Each dose takes about {infusion_minutes} minutes.") and a plural form repeats one
# sentence, not the whole paragraph. A sentence is never split into fragments.
SENTENCE_BLOCKS = frozenset({"paragraph", "callout"})


@dataclass(frozen=True)
class Message:
    """One translatable string: msgctxt, msgid, a note for translators, where it came from.

    A plural message (a number before a noun) also has ``plural``, the English form for
    other numbers than one (gettext's msgid_plural), and ``count``, the placeholder whose
    number chooses the form.
    """

    context: str
    text: str
    note: str | None = None
    file: str = ""
    line: int = 0
    plural: str | None = None
    count: str | None = None

    @property
    def placeholders(self) -> frozenset[str]:
        return placeholders(self.text) | (placeholders(self.plural) if self.plural else frozenset())

    def english(self, n: int | None = None) -> str:
        """The English text; for a plural message, the form for the number ``n``."""
        return self.text if self.plural is None or n == 1 else self.plural


@dataclass(frozen=True)
class Block:
    type: str
    text: Message | None = None
    title: Message | None = None
    items: tuple[Message, ...] = ()
    sentences: tuple[Message, ...] = ()   # a paragraph or callout written as a list of sentences
    sources: tuple[str, ...] = ()
    ref: str | None = None
    style: str | None = None
    unsourced: str | None = None   # why a block that could state a fact needs no source
    line: int = 0

    @property
    def needs_source(self) -> bool:
        """A block that may state a medical fact, with neither a source nor a reason for none."""
        return self.type in FACT_BLOCKS and not self.sources and not self.unsourced


@dataclass(frozen=True)
class Section:
    id: str
    title: Message
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Resource:
    id: str
    name: Message
    phone: str
    url: str
    source: str | None


@dataclass(frozen=True)
class Value:
    """A value a placeholder refers to: a number, a percentage or literal text (a phone, 911)."""

    kind: str  # "number" | "percent" | "text"
    value: object
    source: str | None = None


@dataclass(frozen=True)
class Content:
    sections: tuple[Section, ...]
    ui: dict[str, Message]
    values: dict[str, Value]
    resources: dict[str, Resource]
    sources: dict[str, str]
    files: tuple[str, ...] = field(default=())

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)


def placeholders(text: str) -> frozenset[str]:
    """Named ``{placeholders}`` in a message (``{{`` escapes are not placeholders)."""
    names = set()
    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None:
            names.add(name)
    return frozenset(names)


PLURAL_KEYS = ("one", "other", "count", "note")


def _msg(value, context: str, file: str, note=None) -> Message:
    note = str(note).strip() if note else None
    if isinstance(value, dict):
        return _plural_msg(value, context, file, note)
    if isinstance(value, list):
        raise ConfigError("a list of sentences is only allowed as the text of a paragraph or callout",
                          file=file, line=yamlio.line_of(value))
    return Message(context=context, text=str(value).strip(), note=note, file=file, line=yamlio.line_of(value))


def _plural_msg(spec: dict, context: str, file: str, note) -> Message:
    """``{one: "{n} day", other: "{n} days", count: n}``: a number before a noun. An optional
    ``note`` is for this string only (which number of a range chooses the form); it follows the
    block's note."""
    line = yamlio.line_of(spec.get("one")) or yamlio.line_of(next(iter(spec), None))
    unknown = set(map(str, spec)) - set(PLURAL_KEYS)
    if unknown:
        raise ConfigError(f"a plural text takes one, other, count and note, not {', '.join(sorted(unknown))}",
                          file=file, line=line)
    own = spec.get("note")
    if own is not None and (not isinstance(own, str) or not own.strip()):
        raise ConfigError("a plural text's note must be text", file=file, line=line)
    note = " ".join(n for n in (note, own.strip() if own else None) if n) or None
    one, other, count = (spec.get(k) for k in ("one", "other", "count"))
    if not isinstance(one, str) or not isinstance(other, str) or not one.strip() or not other.strip():
        raise ConfigError("a plural text needs 'one' and 'other', the English for 1 and for other numbers",
                          file=file, line=line)
    try:
        names = placeholders(other)
    except ValueError as exc:
        raise ConfigError(f"broken placeholder in '{other[:60]}' ({exc})", file=file, line=line) from None
    if not isinstance(count, str) or count not in names:
        raise ConfigError("a plural text needs 'count', the {placeholder} of its 'other' form whose number "
                          f"chooses the form (one of: {', '.join(sorted(names)) or 'none'})", file=file, line=line)
    return Message(context=context, text=one.strip(), note=note, file=file, line=line, plural=other.strip(),
                   count=count)


def _need(mapping, key, file, what, line=0):
    if not isinstance(mapping, dict) or key not in mapping or mapping[key] in (None, ""):
        raise ConfigError(f"{what} needs '{key}'", file=file, line=line or yamlio.line_of(key))
    return mapping[key]


def parse_packet(data, file: str) -> tuple:
    """Parse packet.yaml's data into (sections, values, resources, sources)."""
    if not isinstance(data, dict) or "sections" not in data:
        raise ConfigError("expected a mapping with 'sections'", file=file)
    sources = {str(k): str(v.get("title", k)) if isinstance(v, dict) else str(v)
               for k, v in (data.get("sources") or {}).items()}

    def check_source(src, line):
        if src is not None and str(src) not in sources:
            raise ConfigError(f"unknown source '{src}'", file=file, line=line, field="source")
        return str(src) if src is not None else None

    def check_sources(src, line) -> tuple[str, ...]:
        listed = src if isinstance(src, list) else ([] if src is None else [src])
        return tuple(check_source(s, line) for s in listed)

    values = {}
    for name, spec in (data.get("values") or {}).items():
        kinds = [k for k in ("number", "percent", "text") if k in (spec or {})]
        if len(kinds) != 1:
            raise ConfigError("a value needs exactly one of number, percent, text",
                              file=file, line=yamlio.line_of(name), field=f"values.{name}")
        values[str(name)] = Value(kinds[0], spec[kinds[0]], check_source(spec.get("source"), yamlio.line_of(name)))

    resources = {}
    for spec in data.get("resources") or []:
        rid = str(_need(spec, "id", file, "a resource"))
        resources[rid] = Resource(
            id=rid,
            name=_msg(_need(spec, "name", file, "a resource"), "resources", file,
                      note="Name of an organisation. Keep the official name; you may add a translation in brackets."),
            phone=str(_need(spec, "phone", file, "a resource")),
            url=str(_need(spec, "url", file, "a resource")),
            source=check_source(spec.get("source"), yamlio.line_of(rid)),
        )

    sections = []
    seen = set()
    for spec in data["sections"]:
        sid = str(_need(spec, "id", file, "a section"))
        if sid in seen:
            raise ConfigError(f"duplicate section id '{sid}'", file=file, line=yamlio.line_of(sid))
        seen.add(sid)
        title = _msg(_need(spec, "title", file, f"section '{sid}'"), sid, file, spec.get("note"))
        blocks = []
        for b in spec.get("blocks") or []:
            btype = str(_need(b, "type", file, f"a block in section '{sid}'"))
            line = yamlio.line_of(b["type"])
            if btype not in BLOCK_TYPES:
                raise ConfigError(f"unknown block type '{btype}' (known: {', '.join(sorted(BLOCK_TYPES))})",
                                  file=file, line=line, field="type")
            extra = set(map(str, b)) - BLOCK_TYPES[btype] - COMMON_KEYS
            if extra:
                raise ConfigError(f"a {btype} block does not take {', '.join(sorted(extra))}",
                                  file=file, line=line)
            note = b.get("note")
            items = b.get("items") or []
            if "items" in BLOCK_TYPES[btype] and not items:
                raise ConfigError(f"a {btype} block needs 'items'", file=file, line=line)
            if "text" in BLOCK_TYPES[btype] and btype != "resource" and not b.get("text"):
                raise ConfigError(f"a {btype} block needs 'text'", file=file, line=line)
            ref = b.get("ref")
            if btype == "resource" and str(ref) not in resources:
                raise ConfigError(f"unknown resource '{ref}'", file=file, line=line, field="ref")
            if b.get("source") is not None and b.get("unsourced"):
                raise ConfigError("a block has a source or a reason for none (unsourced), not both",
                                  file=file, line=line)
            text = b.get("text")
            sentences = ()
            for key in ("text", "title"):
                if isinstance(b.get(key), list) and (key, btype in SENTENCE_BLOCKS) != ("text", True):
                    raise ConfigError("a list of sentences is only allowed as the text of a paragraph or callout",
                                      file=file, line=line, field=key)
            if isinstance(text, list):
                if not all(text):
                    raise ConfigError(f"a {btype} block has an empty sentence", file=file, line=line)
                sentences, text = tuple(_msg(t, sid, file, note) for t in text), None
            blocks.append(Block(
                type=btype,
                text=_msg(text, sid, file, note) if text else None,
                sentences=sentences,
                title=_msg(b["title"], sid, file, note) if b.get("title") else None,
                items=tuple(_msg(i, sid, file, note) for i in items),
                sources=check_sources(b.get("source"), line),
                ref=str(ref) if ref is not None else None,
                style=str(b["style"]) if b.get("style") else None,
                unsourced=str(b["unsourced"]).strip() if b.get("unsourced") else None,
                line=line,
            ))
        sections.append(Section(sid, title, tuple(blocks)))
    return tuple(sections), values, resources, sources


def parse_ui(data, file: str) -> dict[str, Message]:
    if not isinstance(data, dict) or not isinstance(data.get("messages"), dict):
        raise ConfigError("expected a mapping with 'messages'", file=file)
    ui = {}
    for key, spec in data["messages"].items():
        text = _need(spec, "text", file, f"ui message '{key}'", yamlio.line_of(key))
        ui[str(key)] = _msg(text, UI_CONTEXT, file, spec.get("note"))
    return ui


def _read(path: Path):
    return yamlio.load(yamlio.read_text(path, ConfigError), _rel(path), ConfigError)


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.root().resolve()))
    except ValueError:
        return str(path)


def load_content(content_dir: Path | None = None) -> Content:
    """Load the whole content once per process and folder (it is read-only)."""
    return _load_content(Path(content_dir) if content_dir else paths.content_dir())


@lru_cache(maxsize=4)
def _load_content(base: Path) -> Content:
    packet_file, ui_file = base / "packet.yaml", base / "ui.yaml"
    for f in (packet_file, ui_file):
        if not f.is_file():
            raise ConfigError("content file is missing", file=str(f))
    sections, values, resources, sources = parse_packet(_read(packet_file), _rel(packet_file))
    ui = parse_ui(_read(ui_file), _rel(ui_file))
    return Content(sections, ui, values, resources, sources, (_rel(packet_file), _rel(ui_file)))


def iter_messages(content: Content) -> Iterator[Message]:
    """Every translatable message of the content, in reading order."""
    for section in content.sections:
        yield section.title
        for block in section.blocks:
            if block.title:
                yield block.title
            if block.text:
                yield block.text
            yield from block.sentences
            yield from block.items
    for resource in content.resources.values():
        yield resource.name
    yield from content.ui.values()
