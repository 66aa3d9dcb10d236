"""Fingerprints of exactly what a reviewer saw, and how a review record is judged.

In: parsed objects (the :class:`~packets.content.Content`, a :class:`~packets.program.Program`,
a Babel catalog). Out: ``"sha256:<hex>"`` strings and a :class:`Judgement`.

A fingerprint covers meaning, not bytes: rewrapping a ``.po`` file, moving its reference
lines, reordering its entries or editing translator notes leave it unchanged; any change of
text, of a placeholder value, a source, a phone number or a fuzzy flag changes it. So a
mechanical reformat keeps a review, and any edit of what a patient reads withdraws it.

This module imports nothing of the project, so both the catalog loader and
:mod:`packets.review` can use it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

REVIEWED, DRAFT, CHANGED = "reviewed", "draft", "changed since review"
# Fields that never reach a patient: where a string came from, notes for translators, and
# the profile's production switch (turned on after the review, see packets.review).
SKIPPED_FIELDS = frozenset({"file", "line", "note", "files", "path", "production"})


def canonical(obj):
    """Plain JSON-able data: dataclasses become dicts without :data:`SKIPPED_FIELDS`."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: canonical(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if f.name not in SKIPPED_FIELDS}
    if isinstance(obj, dict):
        return {str(k): canonical(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, (list, tuple)):
        return [canonical(v) for v in obj]
    if isinstance(obj, (frozenset, set)):
        return sorted(canonical(v) for v in obj)
    if isinstance(obj, bool) or obj is None:
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj)
    return str(obj)


def digest(data) -> str:
    text = json.dumps(canonical(data), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_fingerprint(content) -> str:
    """The English content as a clinician reviews it: every section and block in order (type,
    style, sources, texts), the placeholder values, the resources and the source list."""
    return digest({"sections": content.sections, "ui": content.ui, "values": content.values,
                   "resources": content.resources, "sources": content.sources})


def program_fingerprint(program) -> str:
    """The profile as its staff review it: names, phones, address, website, territory, regimen."""
    return digest(program)


CATALOG_HEADERS = ("Language", "Plural-Forms")


def catalog_fingerprint(catalog) -> str:
    """A Babel catalog's meaning: its language and plural rule, and every non-obsolete entry as
    (msgctxt, msgid[, msgid_plural], msgstr forms, fuzzy), sorted. References, notes, wrapping
    and order are left out."""
    headers = dict(catalog.mime_headers)
    entries = []
    for m in catalog:
        if not m.id:
            continue
        ids = list(m.id) if isinstance(m.id, (list, tuple)) else [m.id]
        strings = list(m.string) if isinstance(m.string, (list, tuple)) else [m.string or ""]
        entries.append([m.context or "", ids, [s or "" for s in strings], bool(m.fuzzy)])
    entries.sort()
    return digest({"headers": {h: headers.get(h, "") for h in CATALOG_HEADERS}, "entries": entries})


@dataclass(frozen=True)
class Record:
    """What a review recorded: who (name, credential), when, and the fingerprint they saw."""

    reviewer: str = ""
    date: str = ""
    fingerprint: str = ""
    status: str = REVIEWED    # a catalog header can say draft while keeping the last review


@dataclass(frozen=True)
class Judgement:
    status: str               # reviewed | draft | changed since review
    reviewer: str = ""
    date: str = ""
    detail: str = ""          # why it is not reviewed, in a few words


HEADER_STATUS, HEADER_BY, HEADER_DATE, HEADER_FINGERPRINT = (
    "X-Review-Status", "X-Reviewed-By", "X-Reviewed-Date", "X-Review-Fingerprint")


def catalog_record(headers: dict[str, str]) -> Record | None:
    """The review record a catalog header carries (None when it has no review fields)."""
    if not any(headers.get(h) for h in (HEADER_BY, HEADER_DATE, HEADER_FINGERPRINT)) \
            and (headers.get(HEADER_STATUS, "").strip().lower() != REVIEWED):
        return None
    return Record(headers.get(HEADER_BY, "").strip(), headers.get(HEADER_DATE, "").strip(),
                  headers.get(HEADER_FINGERPRINT, "").strip(),
                  headers.get(HEADER_STATUS, "").strip().lower())


def _valid_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
        return True
    except ValueError:
        return False


def judge(record: Record | None, current: str) -> Judgement:
    """A missing, incomplete or damaged record counts as no review; a complete record whose
    fingerprint differs from ``current`` is "changed since review"."""
    if record is None:
        return Judgement(DRAFT, detail="never reviewed")
    missing = [name for name, value in (("reviewer", record.reviewer), ("date", record.date),
                                        ("fingerprint", record.fingerprint)) if not value.strip()]
    if missing:
        return Judgement(DRAFT, detail=("not reviewed" if record.status != REVIEWED
                                        else "review record incomplete (no " + ", no ".join(missing) + ")"))
    if not _valid_date(record.date.strip()) or not record.fingerprint.startswith("sha256:") \
            or "," not in record.reviewer:
        return Judgement(DRAFT, detail="review record damaged")
    if record.fingerprint.strip() != current:
        return Judgement(CHANGED, record.reviewer, record.date, "changed since review")
    if record.status != REVIEWED:
        return Judgement(DRAFT, record.reviewer, record.date, "marked draft")
    return Judgement(REVIEWED, record.reviewer, record.date)
