"""The three reviews, and the production gate that asks them what may print.

- the content (``content/packet.yaml``, ``content/ui.yaml``): a clinician; the record is
  ``content/content.review.yaml``;
- a program profile: the program's own staff; the record is ``<profile>.review.yaml`` beside it;
- each catalog: a qualified medical translator; the record is the ``X-Review-*`` fields of its
  header.

A record holds who (name and credential), when, and a fingerprint of exactly what was reviewed
(:mod:`packets.fingerprint`). A missing, incomplete or damaged record counts as no review; a
record whose fingerprint no longer matches is "changed since review". Both are drafts.

API (the command line, the intake web app and FHIR import all call these):

- :func:`status` -> one :class:`ReviewState` per reviewed thing: content, the profile, each
  catalog, with its status, reviewer, date, who must act and the command they run.
- :func:`may_print` -> a :class:`Verdict`: may a packet in this language print in production,
  and if not, why (one line). :func:`packets.build.build_packet` asks it in production.
- :func:`withheld_strings` -> the translations a packet would print that fail a check.
- :func:`review_content`, :func:`review_program`, :func:`review_catalog` record a review, or
  raise :class:`ReviewRefused` listing what must be fixed first.

The profile's ``production: true`` is not part of its fingerprint: staff review the profile,
then switch production on, without a second review.

In: the content, a :class:`~packets.program.Program`, catalog ids. Out: states, verdicts,
record files. Nothing here imports reportlab.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import paths, yamlio
from .clock import printed_date
from .content import Content, iter_messages, load_content
from .errors import ConfigError, PacketError
from .fingerprint import (CHANGED, DRAFT, HEADER_BY, HEADER_DATE, HEADER_FINGERPRINT, HEADER_STATUS, REVIEWED,
                          Judgement, Record, catalog_fingerprint, content_fingerprint, judge, program_fingerprint)
from .i18n import locales
from .i18n.context import load_catalog_state
from .output import atomic_write
from .program import Program, default_path, sample_reasons

CONTENT_RECORD = "content.review.yaml"
BY_EXAMPLE = '"NAME, CREDENTIAL"'
WHO = {"content": "a clinician", "program": "the program's staff", "catalog": "a qualified medical translator"}


class ReviewRefused(PacketError):
    """A review was not recorded because its target has problems (``details``, one line each)."""

    def __init__(self, message: str, details: list[str], **kw) -> None:
        super().__init__(message, **kw)
        self.details = details


@dataclass(frozen=True)
class ReviewState:
    """The review of one thing, as staff and the web app show it."""

    kind: str                  # content | program | catalog
    target: str                # "content", the profile's file, or a catalog id such as "es"
    label: str                 # "the content", "the program profile content/program.yaml", "the Español (es) catalog"
    status: str                # reviewed | draft | changed since review
    reviewer: str = ""         # "Name, credential" of the last review, if any
    date: str = ""             # YYYY-MM-DD of the last review, if any
    detail: str = ""           # why it is not reviewed, in a few words
    file: str = ""             # the record file (content, profile) or the catalog
    command: str = ""          # what the person who must act runs
    problems: tuple[str, ...] = ()  # what blocks production even with a review (a sample profile)

    @property
    def who(self) -> str:
        """Who must act: a clinician, the program's staff or a qualified medical translator."""
        return WHO[self.kind]

    @property
    def ready(self) -> bool:
        return self.status == REVIEWED and not self.problems

    def summary(self) -> str:
        """'reviewed by NAME, CREDENTIAL on DATE', 'draft (never reviewed)', 'changed since review (...)'."""
        if self.status == REVIEWED:
            text = f"reviewed by {self.reviewer} on {self.date}"
        elif self.status == CHANGED:
            text = f"changed since review (reviewed by {self.reviewer} on {self.date})"
        else:
            text = f"draft ({self.detail})" if self.detail else "draft"
        if self.problems:
            text += "; sample: " + "; ".join(self.problems)
        return text

    def not_ready_line(self) -> str:
        """One clause for the production refusal: what is not ready, who acts, the command."""
        if self.problems:
            what = f"{self.label} is a sample ({'; '.join(self.problems)})"
            act = f"{self.who} must put in the real details, then review it"
        elif self.status == CHANGED:
            what = f"{self.label} changed since its review by {self.reviewer} on {self.date}"
            act = f"{self.who} must review it again"
        else:
            what = f"{self.label} is a draft ({self.detail or 'not reviewed'})"
            act = f"{self.who} must review it"
        return f"{what}; {act}: {self.command}"


@dataclass(frozen=True)
class Verdict:
    """May a packet print in production? ``ok``, and if not, ``reason`` in one line."""

    ok: bool
    states: tuple[ReviewState, ...] = ()
    failing: tuple[str, ...] = ()   # "file:line: problem" of strings that fail a check
    reason: str = ""


# -- records beside a file (content, profile) -------------------------------------------------

_RECORDS: dict[str, tuple[tuple[int, int], Record | None, str]] = {}


def _read_record(path: Path) -> tuple[Record | None, str]:
    """(record, damage); a missing file is (None, ""), a damaged one (None, "why")."""
    key = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None, ""
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _RECORDS.get(key)
    if cached and cached[0] == stamp:
        return cached[1], cached[2]
    record, damage = None, ""
    try:
        with open(path, encoding="utf-8") as fh:
            data = yamlio.load(fh, str(path), ConfigError)
        if not isinstance(data, dict):
            raise ConfigError("not a review record", file=str(path))
        fields = {k: yamlio.text(data.get(k), file=str(path), field=k, error=ConfigError, required=False) or ""
                  for k in ("reviewed_by", "date", "fingerprint")}
        record = Record(fields["reviewed_by"], fields["date"], fields["fingerprint"])
    except (ConfigError, OSError, UnicodeDecodeError) as err:
        damage = f"review record damaged: {getattr(err, 'message', err)}"
    _RECORDS[key] = (stamp, record, damage)
    return record, damage


def _judge_file(path: Path, fingerprint: str) -> Judgement:
    record, damage = _read_record(path)
    if damage:
        return Judgement(DRAFT, detail=damage)
    return judge(record, fingerprint)


def _write_record(path: Path, what: str, command: str, by: str, fingerprint: str) -> Path:
    text = (f"# Review record of {what}, written by\n#   {command}\n"
            "# It holds a fingerprint of exactly what was reviewed: any later change makes it a draft\n"
            "# again. Do not edit this file by hand: a damaged record counts as no review.\n"
            f"reviewed_by: {json.dumps(by, ensure_ascii=False)}\n"
            f"date: {json.dumps(printed_date().isoformat())}\n"
            f"fingerprint: {json.dumps(fingerprint)}\n")
    _RECORDS.pop(str(path), None)
    return atomic_write(path, text.encode("utf-8"))


def check_reviewer(by: str | None) -> str:
    """'Name, credential', one line: the record says who reviewed, and with what qualification."""
    by = (by or "").strip()
    name, comma, credential = by.partition(",")
    if not comma or not name.strip() or not credential.strip():
        raise ConfigError(f'--by must give a name and a credential, e.g. --by "Ana Ruiz, CCHI CoreCHI-P"; '
                          f"got '{by}'", field="--by")
    if any(ord(c) < 32 or c in '\\"' for c in by) or len(by) > 200:
        raise ConfigError("--by must be one line of at most 200 characters, without quotes or backslashes",
                          field="--by")
    return by


# -- the content ---------------------------------------------------------------------------------

_FINGERPRINTS: dict[int, tuple[object, str]] = {}


def _content_fingerprint(content: Content) -> str:
    """Cached per loaded content (it is read-only and loaded once per process)."""
    cached = _FINGERPRINTS.get(id(content))
    if cached is None or cached[0] is not content:
        cached = _FINGERPRINTS[id(content)] = (content, content_fingerprint(content))
    return cached[1]


def content_record_path(content_dir: Path | None = None) -> Path:
    return (content_dir or paths.content_dir()) / CONTENT_RECORD


def content_state(content: Content | None = None, content_dir: Path | None = None) -> ReviewState:
    content = content or load_content(content_dir)
    path = content_record_path(content_dir)
    j = _judge_file(path, _content_fingerprint(content))
    return ReviewState("content", "content", f"the content ({', '.join(content.files)})", j.status,
                       j.reviewer, j.date, j.detail, _rel(path), f"python generate.py review content --by {BY_EXAMPLE}")


def unsourced_blocks(content: Content) -> list[str]:
    """'file:line: section S: a paragraph block states ... without a source', one per block."""
    file = content.files[0] if content.files else "content/packet.yaml"
    return [f"{file}:{b.line}: section {s.id}: a {b.type} block has no source (add source: ID, or "
            "unsourced: REASON when it states no medical fact)"
            for s in content.sections for b in s.blocks if b.needs_source]


def review_content(by: str, content_dir: Path | None = None) -> ReviewState:
    """Record a clinician's review of the content; refused while a factual block has no source."""
    by = check_reviewer(by)
    from .content import _load_content
    content = _load_content.__wrapped__(content_dir or paths.content_dir())  # the files as they are now
    problems = unsourced_blocks(content)
    if problems:
        raise ReviewRefused(f"content review not recorded: {len(problems)} block(s) without a source", problems)
    _write_record(content_record_path(content_dir), "the content: " + ", ".join(content.files),
                  f"python generate.py review content --by {BY_EXAMPLE}", by, content_fingerprint(content))
    return content_state(content, content_dir)


# -- the program profile -------------------------------------------------------------------------

def program_record_path(program: Program) -> Path | None:
    if not program.path:
        return None
    path = Path(program.path)
    return path.with_name(path.stem + ".review.yaml")


def _program_command(program: Program) -> str:
    default = program.path and Path(program.path) == default_path().resolve()
    option = "" if default or not program.path else f" --program {program.file}"
    return f"python generate.py review program{option} --by {BY_EXAMPLE}"


_PROGRAM: dict[tuple, tuple] = {}


def program_state(program: Program) -> ReviewState:
    key = (program, program.path, str(paths.root()))
    cached = _PROGRAM.get(key)
    if cached is None:  # a profile is read once; a batch asks for every packet
        path = program_record_path(program)
        cached = _PROGRAM[key] = (path, program_fingerprint(program), tuple(sample_reasons(program)),
                                  _rel(path) if path else "", _program_command(program))
    path, fp, reasons, record, command = cached
    j = _judge_file(path, fp) if path else Judgement(DRAFT, detail="not read from a file")
    return ReviewState("program", program.file, f"the program profile {program.file}", j.status, j.reviewer,
                       j.date, j.detail, record, command, reasons)


def review_program(by: str, path: Path | str | None = None) -> ReviewState:
    """Record the program staff's review of a profile; refused while it has a validation error or
    anything that marks it a sample (fictional phone numbers, an example domain)."""
    from .program import load_program
    by = check_reviewer(by)
    try:
        program = load_program(path)
    except ConfigError as err:
        raise ReviewRefused("program review not recorded: the profile does not validate", [str(err)]) from None
    problems = [f"{program.file}: {reason}" for reason in sample_reasons(program)]
    if problems:
        raise ReviewRefused(f"program review not recorded: {len(problems)} problem(s)", problems)
    _write_record(program_record_path(program), f"the program profile {program.file}", _program_command(program),
                  by, program_fingerprint(program))
    return program_state(program)


# -- catalogs ------------------------------------------------------------------------------------

@lru_cache(maxsize=256)
def _catalog_names(catalog_id: str, root: str) -> tuple[Path, str, str]:
    path = locales.catalog_path(catalog_id)
    label = f"the {locales.english_name(catalog_id)} ({locales.bcp47(catalog_id)}) catalog {_rel(path)}"
    return path, label, f"python generate.py i18n review {locales.bcp47(catalog_id)} --by {BY_EXAMPLE}"


def catalog_state(catalog_id: str, loaded=None) -> ReviewState:
    """``loaded``: the catalog's state when the caller has it (a build's context does)."""
    path, label, command = _catalog_names(catalog_id, str(paths.root()))
    try:
        st = loaded or load_catalog_state(catalog_id)
    except ConfigError as err:
        return ReviewState("catalog", catalog_id, label, DRAFT, detail=f"does not parse: {err}", file=_rel(path),
                           command=command)
    if st.parts and st.parts[0].review_status == REVIEWED and st.review_status != REVIEWED:
        # a regional variant whose own review stands: its base catalog is what must be reviewed
        base = st.parts[1].catalog_id
        command = _catalog_names(base, str(paths.root()))[2]
    return ReviewState("catalog", catalog_id, label, st.review_status, st.reviewed_by, st.reviewed_date,
                       st.review_detail, _rel(path), command)


def catalog_problems(catalog_id: str, content: Content, program: Program | None) -> list[str]:
    """What stops a translator's review: any check error, fuzzy or untranslated string, or a
    string of the content (or profile) the catalog has no entry for."""
    from .i18n.checks import ERROR, check_catalog
    problems = [str(f) for f in check_catalog(catalog_id)
                if f.severity == ERROR or f.problem.startswith(("fuzzy", "untranslated"))]
    try:
        state = load_catalog_state(catalog_id)
    except ConfigError:
        return problems  # check_catalog reported where it does not parse
    have = set(state.translations) | set(state.fuzzy) | set(state.untranslated)
    wanted = list(iter_messages(content)) + (list(program.messages()) if program else [])
    missing = [m for m in wanted if (m.context, m.text) not in have]
    problems += [f"{state.path}: no entry for [{m.context}] '{m.text[:50]}' (run i18n extract and i18n update)"
                 for m in missing]
    return problems


def review_catalog(catalog_id: str, by: str, program: Program | None = None) -> ReviewState:
    """Record a qualified medical translator's review in the catalog's header (X-Review-*); the
    rest of the file is left byte for byte as it was."""
    from .i18n.pofiles import parse_catalog
    by = check_reviewer(by)
    if catalog_id == locales.SOURCE_LANGUAGE:
        raise ConfigError("English is the source language: a clinician reviews it with 'review content'",
                          field="LANG")
    if program is None:
        from .program import load_program
        program = load_program()
    path = locales.catalog_path(catalog_id)
    if not path.is_file():
        raise ConfigError("catalog not found", file=str(path))
    problems = catalog_problems(catalog_id, load_content(), program)
    if problems:
        raise ReviewRefused(f"{locales.bcp47(catalog_id)} review not recorded: {len(problems)} problem(s)",
                            problems)
    data = path.read_bytes()
    fingerprint = catalog_fingerprint(parse_catalog(data, str(path))[0])  # this file's, not a variant's merge
    new = set_header_fields(data, {HEADER_STATUS: REVIEWED, HEADER_BY: by, HEADER_DATE: printed_date().isoformat(),
                                   HEADER_FINGERPRINT: fingerprint}, str(path))
    parse_catalog(new, str(path))  # never write a file our own reader would refuse
    atomic_write(path, new)
    return catalog_state(catalog_id)


def _po_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def set_header_fields(data: bytes, fields: dict[str, str], name: str = "catalog") -> bytes:
    """Set ``fields`` in the header entry of a .po file's bytes, touching no other line: a
    field's line is replaced where it is, or added before ``Generated-By`` (else at the end
    of the header)."""
    lines = data.decode("utf-8").split("\n")
    start = next((i for i, line in enumerate(lines)
                  if line.strip() == 'msgid ""' and i + 1 < len(lines) and lines[i + 1].startswith("msgstr")), None)
    if start is None:
        raise ConfigError("catalog has no header entry", file=name)
    end = start + 2
    while end < len(lines) and lines[end].startswith('"'):
        end += 1
    header = lines[start + 2:end]
    for key, value in fields.items():
        entry = f'"{key}: {_po_escape(value)}\\n"'
        at = next((i for i, line in enumerate(header) if line.startswith(f'"{key}:')), None)
        if at is not None:
            header[at] = entry
        else:
            gen = next((i for i, line in enumerate(header) if line.startswith('"Generated-By:')), len(header))
            header.insert(gen, entry)
    return "\n".join(lines[:start + 2] + header + lines[end:]).encode("utf-8")


# -- what staff, the web app and the build ask --------------------------------------------------

def status(program: Program, content: Content | None = None,
           catalog_ids: list[str] | None = None) -> list[ReviewState]:
    """The content, the profile and every catalog (or ``catalog_ids``), in that order."""
    ids = catalog_ids if catalog_ids is not None else [c for c in locales.available()[1:]
                                                        if c not in locales.PSEUDO]
    return [content_state(content), program_state(program)] + [catalog_state(c) for c in ids]


_PRINTED: dict[tuple[int, Program], tuple[object, dict]] = {}


def printed_messages(content: Content, program: Program) -> dict:
    """(msgctxt, msgid) -> Message, for every string a packet can print: the content's and the profile's."""
    key = (id(content), program)
    cached = _PRINTED.get(key)
    if cached is None or cached[0] is not content:
        messages = {(m.context, m.text): m for m in [*iter_messages(content), *program.messages()]}
        cached = _PRINTED[key] = (content, messages)
    return cached[1]


def withheld_strings(catalog_id: str, content: Content, program: Program, loaded=None) -> dict:
    """(msgctxt, msgid) -> :class:`~packets.i18n.checks.Finding` for each translation the packet
    would print that fails a check. The checks run once per catalog version. ``loaded``: the
    catalog's state when the caller has it."""
    from .i18n.checks import string_errors
    if catalog_id == locales.SOURCE_LANGUAGE:
        return {}
    return string_errors(loaded or load_catalog_state(catalog_id), catalog_id, printed_messages(content, program))


def may_print(program: Program, language: str, content: Content | None = None, loaded=None) -> Verdict:
    """May a packet in ``language`` (a BCP 47 tag or catalog id) print in production?

    Yes when the content, the profile and the language's catalog are all reviewed and unchanged
    since, the profile is no sample, and no string the packet prints fails a check. Otherwise
    ``reason`` says, in one line, what is not ready, who must act and the command they run.
    A catalog that does not parse raises :class:`ConfigError` (file:line), in every mode.
    ``loaded``: the catalog's state when the caller has it (the build's context does).
    """
    content = content or load_content()
    catalog_id = language if language == locales.SOURCE_LANGUAGE or locales.catalog_path(language).is_file() \
        else locales.catalog_id_for(language)
    states = [content_state(content), program_state(program)]
    if catalog_id != locales.SOURCE_LANGUAGE:
        loaded = loaded or load_catalog_state(catalog_id)  # raises with file:line when it does not parse
        states.append(catalog_state(catalog_id, loaded))
    failing = tuple(f"{_rel(f.file)}:{f.line}: {f.msgid if len(f.msgid) <= 40 else f.msgid[:37] + '...'}: "
                    f"{f.problem}" for f in withheld_strings(catalog_id, content, program, loaded).values())
    not_ready = [s for s in states if not s.ready]
    if not not_ready and not failing:
        return Verdict(True, tuple(states))
    clauses = []
    if failing:
        more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
        clauses.append(f"{failing[0]}{more}; a qualified medical translator must fix it: python generate.py "
                       f"i18n check {locales.bcp47(catalog_id)}")
    clauses += [s.not_ready_line() for s in not_ready]
    return Verdict(False, tuple(states), failing, "not ready for production: " + " | ".join(clauses))


def _rel(path: Path | str) -> str:
    return _relative(str(path), str(paths.root()))


@lru_cache(maxsize=1024)
def _relative(path: str, root: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return path


__all__ = ["ReviewState", "Verdict", "ReviewRefused", "status", "may_print", "withheld_strings",
           "review_content", "review_program", "review_catalog", "content_state", "program_state",
           "catalog_state", "set_header_fields", "REVIEWED", "DRAFT", "CHANGED"]
