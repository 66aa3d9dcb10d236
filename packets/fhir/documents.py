"""DocumentReference out: the record, for the patient's chart, of the packet they were given.

In: the PDF's bytes (as written), the :class:`~packets.fhir.mapping.FhirRow` it was made from and
the program's ``fhir:`` settings. Out: a FHIR R4 DocumentReference as a JSON-ready dict, and
``<pdf name>.documentreference.json`` written beside each PDF (atomically), ready to POST.

The document type is LOINC 69730-0 "Instructions" (https://loinc.org/69730-0/): a document
(scale Doc, class DOC.ONTOLOGY) that "records instructions given to a patient", such as
potential complications, use of medications and follow-up with healthcare providers, which is
what the packet is. As a LOINC document code it is in US Core's DocumentReference type value
set (LOINC codes whose scale is Doc). The category is US Core's ``clinical-note``, the category
US Core servers file and search notes by.

Nothing but the MRN and the source Patient's id identifies the patient here: no name.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..output import atomic_write
from .mapping import FhirRow
from .profile import FhirSettings

DOCUMENT_TYPE = {"coding": [{"system": "http://loinc.org", "code": "69730-0", "display": "Instructions"}],
                 "text": "Patient instructions and education"}
CATEGORY = [{"coding": [{"system": "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
                         "code": "clinical-note", "display": "Clinical Note"}]}]
SUFFIX = ".documentreference.json"
# masterIdentifier values are urn:uuid: made from the PDF's SHA-256, in this namespace.
_NAMESPACE = uuid.UUID("6f1c1b9e-2d4a-5c3e-9b7f-0a8d4e2c6b15")


@dataclass
class Document:
    row: FhirRow
    pdf: Path
    path: Path          # the DocumentReference JSON beside the PDF
    resource: dict


def document_time() -> dt.datetime:
    """Now; with SOURCE_DATE_EPOCH set, that day at midnight UTC (the same input, the same bytes)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        from ..build import printed_date
        return dt.datetime.combine(printed_date(), dt.time(), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def pdf_title_and_language(pdf: bytes) -> tuple[str, str]:
    """The packet's title and BCP 47 language, as the PDF itself declares them."""
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(pdf))
    title = (reader.metadata.title if reader.metadata else None) or "IL-2 patient packet"
    lang = reader.trailer["/Root"].get("/Lang")
    return str(title), str(lang) if lang else ""


def _language_name(tag: str) -> str:
    """'zh-Hant' -> 'Chinese (Traditional), zh-Hant': for the chart, read in English."""
    from ..errors import PacketError
    from ..i18n.locales import catalog_id_for, english_name
    try:
        return f"{english_name(catalog_id_for(tag))}, {tag}"
    except (PacketError, ValueError):
        return tag


def document_reference(pdf: bytes, row: FhirRow, settings: FhirSettings, *, when: dt.datetime,
                       title: str, language: str, large_print: bool = False) -> dict:
    sha1 = base64.b64encode(hashlib.sha1(pdf).digest()).decode("ascii")
    master = uuid.uuid5(_NAMESPACE, hashlib.sha256(pdf).hexdigest())
    description = f"{title}; in {_language_name(language)}" + (", large print" if large_print else "")
    doc: dict = {
        "resourceType": "DocumentReference",
        "masterIdentifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{master}"},
        "status": "current",
        "type": DOCUMENT_TYPE,
        "category": CATEGORY,
        "subject": row.subject,
        "date": _instant(when),
    }
    if settings.author:
        doc["author"] = [settings.author.as_json()]
    if settings.custodian:
        doc["custodian"] = settings.custodian.as_json()
    doc["description"] = description
    doc["content"] = [{"attachment": {
        "contentType": "application/pdf",
        "language": language,
        "data": base64.b64encode(pdf).decode("ascii"),
        "size": len(pdf),
        "hash": sha1,
        "title": title,
        "creation": _instant(when),
    }}]
    return doc


@dataclass
class Matched:
    pairs: list[tuple[FhirRow, Path]]     # each patient row and its one PDF
    unclear: list[FhirRow]                # rows with two PDFs, which should never happen: no document
    unowned: list[Path]                   # PDFs no row's MRN matches: no document, never a guess


def match_pdfs(rows: list[FhirRow], written: list[Path]) -> Matched:
    """Which written PDF is which patient's: its name starts with the MRN and a '-'.

    The longest MRN wins ('123-4-en.pdf' belongs to MRN 123-4, not 123). A DocumentReference
    must never carry another patient's packet, so anything unclear gets none.
    """
    good = [r for r in rows if not r.problem and r.record.get("mrn")]
    owner: dict[Path, FhirRow] = {}
    pdfs = [p for p in written if p.suffix.lower() == ".pdf"]
    for path in pdfs:
        owners = [r for r in good if path.name.startswith(str(r.record["mrn"]) + "-")]
        if owners:
            owner[path] = max(owners, key=lambda r: len(str(r.record["mrn"])))
    per_row: dict[int, list[Path]] = {}
    for path, row in owner.items():
        per_row.setdefault(id(row), []).append(path)
    matched, unclear = [], []
    for row in good:
        paths = per_row.get(id(row), [])
        if len(paths) == 1:
            matched.append((row, paths[0]))
        elif len(paths) > 1:
            unclear.append(row)
    return Matched(matched, unclear, [p for p in pdfs if p not in owner])


def write_documents(rows: list[FhirRow], written: list[Path], settings: FhirSettings, *,
                    large_print: bool = False, when: dt.datetime | None = None) -> tuple[list[Document], Matched]:
    """A DocumentReference JSON beside each PDF of this run; also what could not be matched."""
    when = when or document_time()
    matched = match_pdfs(rows, written)
    docs = []
    for row, pdf_path in matched.pairs:
        pdf = pdf_path.read_bytes()  # the bytes as they are on disk: the attachment is exactly that file
        title, language = pdf_title_and_language(pdf)
        resource = document_reference(pdf, row, settings, when=when, title=title,
                                      language=language or row.record.get("language", ""), large_print=large_print)
        target = pdf_path.with_name(pdf_path.name[:-4] + SUFFIX)
        atomic_write(target, (json.dumps(resource, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        docs.append(Document(row, pdf_path, target, resource))
    return docs, matched
