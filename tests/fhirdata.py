"""Small FHIR R4 resources for tests: patients, visits and bundles, built the way EHR exports are.

The codes and systems are those of content/program.yaml's fhir: block.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "fhir"
MRN_SYSTEM = "http://hospital.example.org/mrn"
VISIT = "http://hospital.example.org/visit-type"
V2 = "http://terminology.hl7.org/CodeSystem/v2-0203"


def mrn_identifier(value: str, system: str | None = MRN_SYSTEM, typed: bool = True) -> dict:
    ident: dict = {"value": value}
    if system:
        ident["system"] = system
    if typed:
        ident["type"] = {"coding": [{"system": V2, "code": "MR"}]}
    return ident


def patient(pid: str, mrn: str | None = "00412345", language: str | None = "es-US", *,
            family: str = "Ruiz", given: tuple[str, ...] = ("Ana", "María"), identifiers: list | None = None,
            **extra) -> dict:
    res: dict = {"resourceType": "Patient", "id": pid,
                 "identifier": identifiers if identifiers is not None else ([mrn_identifier(mrn)] if mrn else []),
                 "name": [{"use": "official", "family": family, "given": list(given)}],
                 "birthDate": "1961-07-14"}
    if language:
        res["communication"] = [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": language}]}}]
    res.update(extra)
    return res


def visit_type(code: str = "IL2-ADMIT") -> list:
    return [{"coding": [{"system": VISIT, "code": code}]}]


def appointment(aid: str, patient_ref: str, start: str, end: str | None = None, *, code: str = "IL2-ADMIT",
                status: str = "booked", **extra) -> dict:
    res = {"resourceType": "Appointment", "id": aid, "status": status, "serviceType": visit_type(code),
           "start": start, "participant": [{"actor": {"reference": patient_ref}, "status": "accepted"}]}
    if end:
        res["end"] = end
    res.update(extra)
    return res


def encounter(eid: str, patient_ref: str, start: str, end: str | None = None, *, code: str = "IL2-ADMIT",
              status: str = "finished", **extra) -> dict:
    res = {"resourceType": "Encounter", "id": eid, "status": status,
           "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
           "type": visit_type(code), "subject": {"reference": patient_ref}, "period": {"start": start}}
    if end:
        res["period"]["end"] = end
    res.update(extra)
    return res


def bundle(*resources, type_: str = "collection", full_urls: dict | None = None) -> dict:
    """``full_urls`` maps a resource's id to its entry's fullUrl (default: none)."""
    entries = []
    for res in resources:
        entry: dict = {"resource": res}
        if full_urls and res.get("id") in full_urls:
            entry["fullUrl"] = full_urls[res["id"]]
        entries.append(entry)
    return {"resourceType": "Bundle", "type": type_, "entry": entries}


def two_cycles(pid: str, first: str = "2026-12-01", second: str = "2026-12-22") -> list[dict]:
    """Two admissions 21 days apart (a 7-day stay, a 14-day break): a valid first course."""
    ref = f"Patient/{pid}"
    return [appointment(f"{pid}-a1", ref, f"{first}T07:00:00-08:00"),
            appointment(f"{pid}-a2", ref, f"{second}T07:00:00-08:00")]


def write(path: Path, data) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def load_example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
