"""Where a roster-table row came from, carried through the page and back.

The table keeps nothing on the server: every POST carries all rows as the cells staff see. A row
imported from an EHR file (a :class:`~packets.fhir.mapping.FhirRow`) knows more than its cells:
its source Patient (the DocumentReference's ``subject``), where it is in the file (``entry 3``,
``Patient.ndjson line 12``), the admissions the EHR records as done (no "in the past" warning for
those), and the import's own problem, if any. That travels in one hidden field per row, signed
with the app's secret key (HMAC-SHA256), so a changed or forged value counts for nothing.

What staff change in the cells is checked again as they typed it; the origin decides the rest:

- a row the import refused (no MRN, two Patients with one MRN, an unknown language code...) stays
  refused whatever is typed into it: the fix belongs in the EHR, as with ``fhir`` (or leave it out);
- a row keeps its chart link (the DocumentReference in the ZIP) only while its MRN is the one the
  EHR gave: with another MRN it no longer matches the chart's Patient, and prints without one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json

from ..fhir.mapping import FhirRow
from ..roster import Row, record_from_cells

_PURPOSE = b"packets-row-origin\0"
# A FHIR element named in a problem -> the table column it belongs to.
FHIR_COLUMNS = {"Patient.name": "name", "Patient.identifier": "mrn", "Patient.communication": "language",
                "Patient.birthDate": "birth_date", "admissions": "cycles", "response scan": "response_scan",
                "follow-up": "follow_up"}


def column_of_element(element: str | None) -> str | None:
    """'Patient.communication.language' -> 'language': the table column of a FHIR element."""
    for key, column in FHIR_COLUMNS.items():
        if element and (element == key or element.startswith(key + ".")):
            return column
    return None


def _sign(secret: bytes, payload: bytes) -> str:
    return hmac.new(secret, _PURPOSE + payload, hashlib.sha256).hexdigest()


def token_for(row: Row, secret: bytes) -> str:
    """The hidden field of a row ('' for a row with nothing beyond its cells)."""
    if not isinstance(row, FhirRow):
        return ""
    data = {"file": row.file, "resource": row.resource, "where": row.where, "subject": row.subject,
            "done": list(row.done), "problem": row.problem, "problem_field": row.problem_field}
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(payload).decode("ascii") + "." + _sign(secret, payload)


def _read(token: str, secret: bytes) -> dict | None:
    encoded, _, signature = (token or "").partition(".")
    try:
        payload = base64.urlsafe_b64decode(encoded.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    if not signature or not hmac.compare_digest(signature, _sign(secret, payload)):
        return None
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def row_from(token: str, line: int, cells: dict[str, str], source: str, secret: bytes) -> Row:
    """The row for cells sent back by the browser with their hidden origin field."""
    record = record_from_cells(cells)
    data = _read(token, secret)
    if data is None:
        return Row(line, record, source)
    subject = data["subject"] if isinstance(data["subject"], dict) else {}
    ehr_mrn = (subject.get("identifier") or {}).get("value")
    if (cells.get("mrn") or "").strip() != ehr_mrn:
        subject = {}   # another MRN than the chart's: no DocumentReference for this Patient
    return FhirRow(line=line, record=record, file=data["file"], resource=data["resource"], where=data["where"],
                   subject=subject, done=tuple(data["done"]), problem=data["problem"],
                   problem_field=data["problem_field"])
