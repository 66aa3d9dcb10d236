"""DocumentReference out: the record, for the patient's chart, of the packet they were given.

In: the PDF's bytes (as drawn), the :class:`~packets.fhir.mapping.FhirRow` it was made from and
the program's ``fhir:`` settings. Out: a FHIR R4 DocumentReference as a JSON-ready dict; as a
:class:`~packets.batch.Companion`, ``<pdf name>.documentreference.json`` written by the batch in
one step with the PDF it carries (and listed in the run's manifest), ready to POST.

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
import re
import uuid

from ..batch import Companion
from ..errors import PacketError
from .mapping import FhirRow
from .profile import FhirSettings

DOCUMENT_TYPE = {"coding": [{"system": "http://loinc.org", "code": "69730-0", "display": "Instructions"}],
                 "text": "Patient instructions and education"}
CATEGORY = [{"coding": [{"system": "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
                         "code": "clinical-note", "display": "Clinical Note"}]}]
SUFFIX = ".documentreference.json"
KIND = "documentreference"   # in the run's manifest.csv
# masterIdentifier values are urn:uuid: made from the packet's SHA-256 (see packet_identity), in this namespace.
_NAMESPACE = uuid.UUID("6f1c1b9e-2d4a-5c3e-9b7f-0a8d4e2c6b15")
# What differs between two runs that draw the same packet: the info dictionary's times and the trailer's ID.
_VOLATILE = re.compile(rb"/(?:CreationDate|ModDate) \(D:([0-9+\-Z']{1,40})\)"
                       rb"|/ID\s*\[\s*<([0-9A-Fa-f]{16,64})>\s*<([0-9A-Fa-f]{16,64})>\s*\]")


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
    from ..i18n.locales import catalog_id_for, english_name
    try:
        return f"{english_name(catalog_id_for(tag))}, {tag}"
    except (PacketError, ValueError):
        return tag


def document_reference(pdf: bytes, row: FhirRow, settings: FhirSettings, *, when: dt.datetime,
                       title: str, language: str, large_print: bool = False) -> dict:
    sha1 = base64.b64encode(hashlib.sha1(pdf).digest()).decode("ascii")
    description = f"{title}; in {_language_name(language)}" + (", large print" if large_print else "")
    doc: dict = {
        "resourceType": "DocumentReference",
        "masterIdentifier": {"system": "urn:ietf:rfc:3986", "value": packet_identity(pdf)},
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


def packet_identity(pdf: bytes) -> str:
    """The packet's identity for the chart: the SHA-256 of its bytes with the creation time and the
    file ID (which differ on every run) blanked out, as ``urn:uuid:``.

    The same packet made again (the same patient, dates, language and day) keeps its identity,
    so a rerun's conditional create (``If-None-Exist``) finds the one already filed instead of
    filing it twice; a packet that differs in any other byte is a new document. If a PDF library
    ever wrote those fields differently, nothing is blanked and every run is a new document:
    never two different packets under one identity.
    """
    def blank(match: re.Match) -> bytes:
        text = bytearray(match.group(0))
        for group in range(1, 4):
            if match.group(group) is not None:
                start, end = match.span(group)
                text[start - match.start():end - match.start()] = b"0" * (end - start)
        return bytes(text)

    stable = _VOLATILE.sub(blank, pdf)
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, hashlib.sha256(stable).hexdigest())}"


def companion(settings: FhirSettings, *, large_print: bool = False, when: dt.datetime | None = None) -> Companion:
    """The DocumentReference as a :class:`~packets.batch.Companion`: ``run_batch`` writes it in one step
    with the PDF it carries, from the row that PDF was made from (never matched up afterwards)."""
    when = when or document_time()

    def make(row, built) -> bytes:
        if not isinstance(row, FhirRow):
            raise PacketError("no DocumentReference for a row that does not come from a FHIR Patient")
        title, language = pdf_title_and_language(built.pdf)
        resource = document_reference(built.pdf, row, settings, when=when, title=title,
                                      language=language or built.language, large_print=large_print)
        return (json.dumps(resource, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    return Companion(SUFFIX, KIND, make)
