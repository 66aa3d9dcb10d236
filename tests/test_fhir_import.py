"""FHIR R4 in: Bundles of every type and Bulk Data NDJSON become the same patient records a roster holds."""

from __future__ import annotations

import dataclasses
import json

import pytest
from fhirclient.models.bundle import Bundle
from fhirclient.models.fhirelementfactory import FHIRElementFactory

from packets.errors import ConfigError
from packets.fhir import read_source, rows_from_bundle, rows_from_ndjson
from packets.fhir.profile import parse_fhir_settings
from packets.roster import read_roster
from tests.fhirdata import (EXAMPLES, appointment, bundle, encounter, load_example, mrn_identifier, patient,
                            two_cycles)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")  # 2026-11-23, the day the examples were written


def rows_of(data: dict, program):
    return rows_from_bundle(json.dumps(data).encode("utf-8"), program).rows


def by_resource(rows):
    return {r.resource: r for r in rows}


def with_settings(program, **changes):
    return dataclasses.replace(program, fhir=dataclasses.replace(program.fhir, **changes))


# -- the examples are real FHIR R4 ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["synthea-style-bundle.json", "clinic-day-bundle.json"])
def test_example_bundles_are_valid_fhir_r4(name):
    parsed = Bundle(load_example(name), strict=True)  # raises on unknown elements or wrong JSON types
    assert parsed.entry and parsed.entry[0].resource.resource_type == "Patient"


def test_example_ndjson_lines_are_valid_fhir_r4():
    for path in (EXAMPLES / "bulk-export").glob("*.ndjson"):
        for line in path.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            FHIRElementFactory.instantiate(data["resourceType"], data)


# -- the Synthea-style bundle ----------------------------------------------------------------------
def test_synthea_style_patient_maps_to_exactly_what_the_packet_needs(program):
    imported = read_source(EXAMPLES / "synthea-style-bundle.json", program)
    [row] = imported.rows
    assert row.problem is None
    assert row.resource == "Patient/b3a1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    # Only the packet's fields: no SSN, licence, passport, address, phone, race, maiden name.
    assert row.record == {
        "name": "Dorothy Ann Keller",        # use: official, its prefix "Mrs." left out
        "mrn": "00387216",                   # the identifier with mrn_system, not Synthea's MR-typed UUID
        "birth_date": "1958-04-19",
        "language": "en-US",
        "schedule": {
            # two Encounters done, then two Appointments; the 23:30 admission stays on 30 November
            "cycles": ["2026-09-08", "2026-09-29", "2026-11-30", "2026-12-21"],
            "response_scan": "2027-01-25",   # the scan after the last cycle, not the first course's
            "follow_up": "2027-02-01",
        },
    }
    everything = json.dumps(row.record) + json.dumps(row.subject)
    for secret in ("999-41-7731", "S99948213", "X71029384X", "Alder", "555-0142", "White", "Hedwig", "Brandt",
                   "Mrs."):
        assert secret not in everything


def test_name_prefix_and_suffix_only_when_the_profile_asks(program):
    data = load_example("synthea-style-bundle.json")
    data["entry"][0]["resource"]["name"][0]["suffix"] = ["PhD"]
    assert rows_of(data, program)[0].record["name"] == "Dorothy Ann Keller"
    asked = with_settings(program, name_prefixes=True, name_suffixes=True)
    assert rows_of(data, asked)[0].record["name"] == "Mrs. Dorothy Ann Keller PhD"


def test_official_name_wins_wherever_it_is_and_text_serves_when_there_are_no_parts(program):
    pat = patient("p1", family="Ruiz", given=("Ana",))
    pat["name"] = [{"use": "usual", "given": ["Anita"]}, {"use": "old", "family": "Ortega", "given": ["Ana"]},
                   {"use": "official", "family": "Ruiz", "given": ["Ana", "María"]}]
    assert rows_of(bundle(pat, *two_cycles("p1")), program)[0].record["name"] == "Ana María Ruiz"
    pat["name"] = [{"use": "official", "text": "陳美玲"}, {"use": "usual", "family": "Chen", "given": ["May"]}]
    assert rows_of(bundle(pat, *two_cycles("p1")), program)[0].record["name"] == "陳美玲"


def test_the_same_record_as_a_roster_row(program, tmp_path):
    """FHIR and the roster build one Patient through one validator: equal records, equal patients."""
    roster = tmp_path / "r.csv"
    roster.write_text("name,mrn,birth_date,language,first_admission,cycles,response_scan,follow_up\n"
                      "Ana María Ruiz,00412345,1961-07-14,es-US,,2026-11-02;2026-11-23,,2027-01-04\n",
                      encoding="utf-8")
    [csv_row] = read_roster(roster)
    fhir_row = by_resource(read_source(EXAMPLES / "clinic-day-bundle.json", program).rows)["Patient/p-1001"]
    assert fhir_row.patient() == csv_row.patient()


# -- several patients, languages, reference forms ---------------------------------------------------
def test_clinic_day_three_patients_three_languages_every_reference_form(program):
    rows = by_resource(read_source(EXAMPLES / "clinic-day-bundle.json", program).rows)
    assert sorted(rows) == ["Patient/p-1001", "Patient/p-1002", "Patient/p-1003"]
    ruiz, chen, nguyen = rows["Patient/p-1001"], rows["Patient/p-1002"], rows["Patient/p-1003"]
    # Ruiz: an Encounter (Patient/ID) and the fulfilled Appointment it carried out are one stay; the
    # second stay's Appointment names the patient by absolute URL.
    assert ruiz.record["language"] == "es-US"           # the preferred one of en and es-US
    assert ruiz.record["schedule"] == {"cycles": ["2026-11-02", "2026-11-23"], "follow_up": "2027-01-04"}
    # Chen: the only language; UTC instants at 07:30Z are 23:30 the day before in Portland; the
    # cancelled Appointment does not count.
    assert chen.record["language"] == "zh-TW"
    assert chen.record["schedule"] == {"cycles": ["2026-12-07", "2026-12-29"], "response_scan": "2027-02-08"}
    # Nguyễn: an Encounter by urn:uuid fullUrl, an Appointment by conditional reference on the MRN.
    assert nguyen.record["language"] == "vi-VN"
    assert nguyen.record["name"] == "Văn An Nguyễn"
    assert nguyen.record["schedule"] == {"cycles": ["2026-11-09", "2026-11-30"]}
    assert nguyen.subject["reference"] == "Patient/p-1003"


@pytest.mark.parametrize("bundle_type", ["collection", "searchset", "transaction", "batch", "document",
                                         "message", "transaction-response"])
def test_every_bundle_type_reads_the_same(program, bundle_type):
    data = load_example("clinic-day-bundle.json")
    data["type"] = bundle_type
    rows = rows_of(data, program)
    assert [(r.resource, r.record["schedule"]["cycles"][0]) for r in rows] == [
        ("Patient/p-1001", "2026-11-02"), ("Patient/p-1002", "2026-12-07"), ("Patient/p-1003", "2026-11-09")]


def test_history_bundle_uses_the_newest_version_and_honours_deletions(program):
    old = patient("p1", language="es-US")
    new = patient("p1", language="vi-VN")
    data = {"resourceType": "Bundle", "type": "history", "entry": [
        {"resource": new, "request": {"method": "PUT", "url": "Patient/p1"}},
        {"resource": old, "request": {"method": "PUT", "url": "Patient/p1"}},
        {"request": {"method": "DELETE", "url": "Appointment/p1-a3"}},
        {"resource": appointment("p1-a3", "Patient/p1", "2026-12-02T07:00:00-08:00"),
         "request": {"method": "POST", "url": "Appointment"}},
        *({"resource": r, "request": {"method": "POST", "url": "Appointment"}} for r in two_cycles("p1"))]}
    [row] = rows_of(data, program)
    assert row.record["language"] == "vi-VN"
    assert row.record["schedule"]["cycles"] == ["2026-12-01", "2026-12-22"]  # the deleted overlap is gone


def test_searchset_with_included_patient_and_outcome_entry(program):
    data = bundle(*two_cycles("p1"), patient("p1"), type_="searchset")
    data["entry"][2]["search"] = {"mode": "include"}
    data["entry"].append({"resource": {"resourceType": "OperationOutcome", "issue": [
        {"severity": "information", "code": "informational"}]}, "search": {"mode": "outcome"}})
    [row] = rows_of(data, program)
    assert row.problem is None and row.line == 3  # the Patient's entry number


# -- time zones -----------------------------------------------------------------------------------
@pytest.mark.parametrize("start,time_zone,day", [
    ("2026-12-01T23:30:00-08:00", "America/Los_Angeles", "2026-12-01"),   # its own offset: that local day
    ("2026-12-01T23:30:00-08:00", None, "2026-12-01"),
    ("2026-12-02T07:30:00Z", "America/Los_Angeles", "2026-12-01"),        # UTC export, Portland's clock
    ("2026-12-02T07:30:00Z", None, "2026-12-02"),                         # no zone in the profile: the offset's
    ("2026-12-01T23:30:00+09:00", "Asia/Tokyo", "2026-12-01"),
    ("2026-12-01", "America/Los_Angeles", "2026-12-01"),                  # a bare date is that date
])
def test_an_admission_is_on_its_local_day(program, start, time_zone, day):
    prog = with_settings(program, time_zone=time_zone)
    data = bundle(patient("p1"), appointment("a1", "Patient/p1", start))
    assert rows_of(data, prog)[0].record["schedule"]["cycles"] == [day]


# -- Bulk Data NDJSON ------------------------------------------------------------------------------
def test_ndjson_export_folder(program):
    imported = read_source(EXAMPLES / "bulk-export", program)
    assert imported.without_admissions == 1          # bulk-04 has a check-up, no IL-2 admission
    assert [(r.where, r.resource, r.record["language"], r.record["schedule"]["cycles"]) for r in imported.rows] == [
        ("Patient.ndjson line 1", "Patient/bulk-01", "ar", ["2026-11-03", "2026-11-24"]),
        ("Patient.ndjson line 2", "Patient/bulk-02", "ru-RU", ["2026-12-02", "2026-12-23"]),
        ("Patient.ndjson line 3", "Patient/bulk-03", "ht", ["2026-12-09"]),
    ]


def test_ndjson_from_memory_equals_the_folder_and_unneeded_types_are_not_parsed(program):
    files = {p.name: p.read_bytes() for p in (EXAMPLES / "bulk-export").iterdir()}
    files["Observation.ndjson"] = b"this is never parsed: the packet needs no Observations\n"
    files["Claim.000.ndjson"] = b"{not json either\n"
    from_memory = rows_from_ndjson(files, program, "upload")
    from_disk = read_source(EXAMPLES / "bulk-export", program)
    assert [(r.resource, r.record) for r in from_memory.rows] == [(r.resource, r.record) for r in from_disk.rows]
    assert all(r.problem is None for r in from_memory.rows)


def test_gzipped_ndjson(program, tmp_path):
    import gzip
    for p in (EXAMPLES / "bulk-export").iterdir():
        (tmp_path / (p.name + ".gz")).write_bytes(gzip.compress(p.read_bytes()))
    assert len(read_source(tmp_path, program).rows) == 3


# -- the profile's fhir: block ---------------------------------------------------------------------
GOOD_BLOCK = {"mrn_system": "http://h/mrn", "admission_codes": [{"system": "http://h/v", "code": "A"}]}


@pytest.mark.parametrize("change,field,message", [
    ({"admission_codes": []}, "fhir.admission_codes", "is required"),
    ({"admission_codes": [{"system": "http://h/v"}]}, "fhir.admission_codes[1]", "{system: URI, code: CODE}"),
    ({"scan_codes": [{"system": "http://h/v", "code": "A"}]}, "fhir", "in both admission_codes and scan_codes"),
    ({"time_zone": "Portland"}, "fhir.time_zone", "not an IANA time zone"),
    ({"mrn_sytem": "x"}, "fhir", "unknown key(s): mrn_sytem"),
    ({"name_prefixes": "yes"}, "fhir.name_prefixes", "true or false"),
    ({"custodian": {"reference": "not a reference"}}, "fhir.custodian.reference", "Type/id"),
])
def test_profile_block_mistakes_name_the_key(change, field, message):
    with pytest.raises(ConfigError) as exc:
        parse_fhir_settings({**GOOD_BLOCK, **change}, "program.yaml")
    assert exc.value.field == field and message in exc.value.message


def test_a_profile_without_the_block_cannot_import(program):
    with pytest.raises(ConfigError, match="no fhir: block"):
        rows_from_bundle(b"{}", dataclasses.replace(program, fhir=None))


def test_mrn_by_type_when_the_profile_names_no_system(program):
    prog = with_settings(program, mrn_system=None)
    pat = patient("p1", identifiers=[{"system": "http://hl7.org/fhir/sid/us-ssn", "value": "999-12-3456",
                                      "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                                           "code": "SS"}]}},
                                     mrn_identifier("00412345", system="http://other/mrn")])
    assert rows_of(bundle(pat, *two_cycles("p1")), prog)[0].record["mrn"] == "00412345"


def test_identifier_only_and_absolute_references(program):
    """A logical reference (identifier, no reference) and a full URL on another base both find the Patient."""
    first, second = two_cycles("p1")
    first["participant"][0]["actor"] = {"identifier": {"system": "http://hospital.example.org/mrn",
                                                       "value": "00412345"}}
    second["participant"][0]["actor"] = {"reference": "https://ehr.example.org/fhir/Patient/p1/_history/3"}
    [row] = rows_of(bundle(patient("p1"), first, second), program)
    assert row.problem is None and row.record["schedule"]["cycles"] == ["2026-12-01", "2026-12-22"]


def test_a_practitioner_or_location_that_is_not_in_the_export_does_not_matter(program):
    first, second = two_cycles("p1")
    first["participant"].append({"actor": {"reference": "Practitioner/not-exported"}})
    first["participant"].append({"actor": {"reference": "urn:uuid:00000000-0000-4000-8000-00000000dead"}})
    [row] = rows_of(bundle(patient("p1"), first, second), program)
    assert row.problem is None
