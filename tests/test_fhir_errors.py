"""Bad FHIR input: each problem names the resource and a masked MRN, never the name, and never stops the others."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from packets.cli import main
from packets.errors import InputError
from packets.fhir import rows_from_bundle, rows_from_ndjson
from tests.fhirdata import (appointment, bundle, encounter, load_example, mrn_identifier, patient, two_cycles,
                            write)

SECRET = ("Secretname", "Hidden")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")  # 2026-11-23


def bad_patient(pid, mrn="00500001", language="es-US", **kw):
    return patient(pid, mrn, language, family=SECRET[0], given=(SECRET[1],), **kw)


def other_patient(pid, mrn):
    return patient(pid, mrn, "es", family="Otherperson", given=(SECRET[1],))


# Each case: resources, then the exact problem of the one failed item, then its masked MRN.
CASES = {
    "no MRN": (
        [bad_patient("p1", mrn=None), *two_cycles("p1")],
        "Patient/p1 (entry 1): Patient.identifier: no MRN: no identifier with system "
        "http://hospital.example.org/mrn and none of type MR (v2-0203)", "(no MRN)"),
    "two MRNs": (
        [bad_patient("p1", identifiers=[mrn_identifier("00500001"), mrn_identifier("00500002")]), *two_cycles("p1")],
        "Patient/p1 (entry 1): Patient.identifier: 2 MRNs with system http://hospital.example.org/mrn "
        "(****0001, ****0002); a patient has one", "(no MRN)"),
    "two MR-typed identifiers, none with the MRN system": (
        [bad_patient("p1", identifiers=[mrn_identifier("00500001", "http://a/mrn"),
                                        mrn_identifier("00500002", "http://b/mrn")]), *two_cycles("p1")],
        "Patient/p1 (entry 1): Patient.identifier: no MRN with system http://hospital.example.org/mrn and 2 "
        "identifiers of type MR (****0001, ****0002): cannot tell which is the MRN", "(no MRN)"),
    "MRN that fails the MRN rules": (
        [bad_patient("p1", mrn="0050 0001"), *two_cycles("p1")],
        "Patient/p1 (entry 1): Patient.identifier: the MRN is not an MRN of this program (eight digits)",
        "*****0001"),
    "MRN that lost its leading zeros in the EHR's interface": (
        [bad_patient("p1", mrn="500001"), *two_cycles("p1")],
        "Patient/p1 (entry 1): Patient.identifier: the MRN is not an MRN of this program (eight digits); its "
        "leading zeros were probably lost by an interface that treats MRNs as numbers: correct the export",
        "**0001"),
    "unknown language code": (
        [bad_patient("p1", language="xx-YY"), *two_cycles("p1")],
        "Patient/p1 (entry 1): Patient.communication.language: language code 'xx-YY' is not a BCP 47 language "
        "that CLDR knows (examples: en-US, es, zh-TW, vi-VN)", "****0001"),
    "a language with no packet": (
        [bad_patient("p1", language="de-DE"), *two_cycles("p1")],
        "Patient/p1 (entry 1): Patient.communication: no packet in German (Germany).", "****0001"),
    "no language": (
        [bad_patient("p1", language=None), *two_cycles("p1")],
        "Patient/p1 (entry 1): Patient.communication: no language (Patient.communication): the packet's "
        "language must come from the EHR", "****0001"),
    "two languages, none preferred": (
        [bad_patient("p1", communication=[{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": c}]}}
                                          for c in ("es", "en")]), *two_cycles("p1")],
        "Patient/p1 (entry 1): Patient.communication: 2 languages and none marked preferred", "****0001"),
    "overlapping appointments": (
        [bad_patient("p1"), appointment("a1", "Patient/p1", "2026-12-01T07:00:00-08:00", "2026-12-06T12:00:00-08:00"),
         appointment("a2", "Patient/p1", "2026-12-04T07:00:00-08:00", "2026-12-09T12:00:00-08:00")],
        "Patient/p1 (entry 1): Appointment/a2 (entry 3): the admission on 2026-12-04 overlaps Appointment/a1 "
        "(entry 2), 2026-12-01 to 2026-12-06", "****0001"),
    "two admissions on one day": (
        [bad_patient("p1"), appointment("a1", "Patient/p1", "2026-12-01T07:00:00-08:00"),
         appointment("a2", "Patient/p1", "2026-12-01T13:00:00-08:00"), *two_cycles("p1")[1:]],
        "Patient/p1 (entry 1): Appointment/a2 (entry 3): the admission on 2026-12-01 overlaps Appointment/a1 "
        "(entry 2), 2026-12-01", "****0001"),
    "a second cycle before the first may end (no end given)": (
        [bad_patient("p1"), *two_cycles("p1", "2026-12-01", "2026-12-04")],
        "Patient/p1 (entry 1): admissions: cycle 2 (2026-12-04) starts before cycle 1 may end (2026-12-07)",
        "****0001"),
    "a scan between two cycles of one course": (
        [bad_patient("p1"), *two_cycles("p1"),
         appointment("s1", "Patient/p1", "2026-12-10T09:00:00-08:00", code="IL2-SCAN")],
        "Patient/p1 (entry 1): Appointment/s1 (entry 4): the response scan on 2026-12-10 falls between cycles 1 "
        "and 2 of one course", "****0001"),
    "a follow-up before the first admission": (
        [bad_patient("p1"), *two_cycles("p1"),
         appointment("f1", "Patient/p1", "2026-11-25T09:00:00-08:00", code="IL2-FOLLOWUP")],
        "Patient/p1 (entry 1): Appointment/f1 (entry 4): the follow-up visit on 2026-11-25 comes before the "
        "first IL-2 admission (2026-12-01)", "****0001"),
    "an appointment that ends before it starts": (
        [bad_patient("p1"), appointment("a1", "Patient/p1", "2026-12-06T07:00:00-08:00", "2026-12-01T12:00:00-08:00")],
        "Patient/p1 (entry 1): Appointment/a1 (entry 2): ends (2026-12-01T12:00:00-08:00) before it starts "
        "(2026-12-06T07:00:00-08:00)", "****0001"),
    "a reference that points nowhere": (
        [appointment("a1", "Patient/nobody", "2026-12-01T07:00:00-08:00")],
        "Appointment/a1 (entry 1): its participant[1].actor: Patient/nobody points nowhere (not in this export)",
        "(no MRN)"),
    "a urn:uuid that points nowhere": (
        [encounter("e1", "urn:uuid:0b8a7a52-1a1e-4c4f-9d3e-000000000000", "2026-11-02")],
        "Encounter/e1 (entry 1): its subject: urn:uuid:0b8a7a52-1a1e-4c4f-9d3e-000000000000 points nowhere "
        "(not in this export)", "(no MRN)"),
    "a conditional reference that matches no one": (
        [appointment("a1", "Patient?identifier=http://hospital.example.org/mrn|00599999", "2026-12-01T07:00:00-08:00")],
        "Appointment/a1 (entry 1): its participant[1].actor: 'Patient?identifier=http://hospital.example.org/mrn"
        "|****9999' points nowhere (not in this export)", "(no MRN)"),
    "a conditional reference that matches two patients": (
        [other_patient("p1", "00500001"), other_patient("p2", "00500001"),
         appointment("a1", "Patient?identifier=00500001", "2026-12-01T07:00:00-08:00")],
        "Appointment/a1 (entry 3): its participant[1].actor: 'Patient?identifier=****0001' matches 2 resources "
        "(Patient/p1, Patient/p2)", "(no MRN)"),
    "a contained patient": (
        [appointment("a1", "#pat", "2026-12-01T07:00:00-08:00",
                     contained=[bad_patient("pat")])],
        "Appointment/a1 (entry 1): its participant[1].actor is a contained Patient; export the Patient as a "
        "resource of its own", "(no MRN)"),
    "a deceased patient": (
        [bad_patient("p1", deceasedDateTime="2026-11-20"), *two_cycles("p1")],
        "Patient/p1 (entry 1): Patient.deceased: is marked deceased; no packet is made", "****0001"),
    "an entry that is not FHIR": (
        [{"name": "Secretname Hidden", "mrn": "00500001"}],
        "entry 1: not a FHIR resource (no resourceType)", "(no MRN)"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_bad_input_is_one_failed_item_naming_the_resource(program, case):
    resources, problem, mrn = CASES[case]
    rows = rows_from_bundle(json.dumps(bundle(*resources)).encode(), program).rows
    failed = [r for r in rows if r.problem]
    assert len(failed) == 1, [r.problem for r in rows]
    assert failed[0].problem.startswith(problem)
    assert failed[0].masked_mrn == mrn
    assert "Secretname" not in failed[0].problem and "Hidden" not in failed[0].problem
    with pytest.raises(InputError) as exc:  # the batch sees it when it asks the row for its patient
        failed[0].patient()
    assert exc.value.message == failed[0].problem


def test_two_patients_with_one_mrn_both_fail(program):
    data = bundle(bad_patient("p1"), *two_cycles("p1"), bad_patient("p2"), *two_cycles("p2", "2026-12-02", "2026-12-23"))
    problems = sorted(r.problem for r in rows_from_bundle(json.dumps(data).encode(), program).rows)
    assert problems == [
        "Patient/p1 (entry 1): Patient.identifier: the same MRN as Patient/p2 (entry 4); merge the records in the "
        "EHR first",
        "Patient/p2 (entry 4): Patient.identifier: the same MRN as Patient/p1 (entry 1); merge the records in the "
        "EHR first"]


def test_ndjson_bad_lines_fail_alone(program):
    good = load_example("clinic-day-bundle.json")["entry"][0]["resource"]  # Patient/p-1001
    patients = (json.dumps(good) + "\n" + '{"resourceType": "Patient", "id": "x",\n'
                + '{"id": "y", "name": [{"family": "Secretname"}]}\n').encode()
    appointments = "".join(json.dumps(a) + "\n" for a in two_cycles("p-1001")).encode()
    rows = rows_from_ndjson({"Patient.ndjson": patients, "Appointment.ndjson": appointments}, program).rows
    assert [(r.where, r.problem) for r in rows] == [
        ("Patient.ndjson line 1", None),
        ("Patient.ndjson line 2", "Patient.ndjson line 2: not JSON (Expecting property name enclosed in double quotes, "
         "column 39)"),
        ("Patient.ndjson line 3", "Patient.ndjson line 3: not a FHIR resource (no resourceType)"),
    ]


# -- the command line: exit codes, one line per problem, errors.csv, no names anywhere -------------
def test_cli_one_bad_patient_never_stops_the_others(program, tmp_path, capsys):
    resources = [patient("good-1", "00400001", "es-US", family="Goodperson"), *two_cycles("good-1"),
                 patient("good-2", "00400002", "vi-VN", family="Goodperson"),
                 *two_cycles("good-2", "2026-12-02", "2026-12-23")]
    expected = []
    for name in ("no MRN", "two MRNs", "unknown language code", "overlapping appointments",
                 "a scan between two cycles of one course", "a reference that points nowhere"):
        extra, problem, mrn = CASES[name]
        # every case gets its own ids and MRN, so the cases do not collide
        tag = f"c{len(expected)}"
        text = json.dumps(extra).replace('"p1"', f'"{tag}"').replace("Patient/p1", f"Patient/{tag}") \
            .replace('"a1"', f'"{tag}-a1"').replace('"a2"', f'"{tag}-a2"').replace('"s1"', f'"{tag}-s1"') \
            .replace("p1-a", f"{tag}-a").replace("00500001", f"005{len(expected):05d}")
        resources += json.loads(text)
        expected.append(name)
    source = write(tmp_path / "bundle.json", bundle(*resources))
    out = tmp_path / "out"
    code = main(["fhir", str(source), "-o", str(out), "--jobs", "2"])
    captured = capsys.readouterr()
    assert code == 1
    assert sorted(p.name for p in out.glob("*.pdf")) == ["00400001-es.pdf", "00400002-vi.pdf"]
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == len(expected)
    assert errors[0] == (f"error: {source}: Patient/c0 (entry 7): Patient.identifier: no MRN: no identifier with "
                         "system http://hospital.example.org/mrn and none of type MR (v2-0203) (no MRN)")
    assert any("Patient/c2 (entry " in e and "'xx-YY'" in e and e.endswith("(MRN ****0002)") for e in errors)
    assert "fhir: 2 packet(s) written" in captured.out and ", 6 failed" in captured.out
    report = list(csv.DictReader(io.StringIO((out / "errors.csv").read_text(encoding="utf-8-sig"))))
    assert len(report) == 6 and report[0]["column"] == "Patient.identifier" and report[0]["line"] == "7"
    # errors.csv has batch's columns; each problem names its resource, or the line it is on
    assert all(re.match(r"(Patient|Appointment|Encounter)/[\w-]+ \(entry \d+\): ", r["problem"]) for r in report)
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.json")]
    assert len(documents) == 2
    for doc in documents:  # the attachment is the packet, which prints the name; nothing else may
        doc["content"][0]["attachment"]["data"] = ""
    everything = captured.out + captured.err + (out / "errors.csv").read_text(encoding="utf-8-sig") \
        + (out / "manifest.csv").read_text(encoding="utf-8-sig") + json.dumps(documents, ensure_ascii=False) \
        + " ".join(p.name for p in out.iterdir())
    for secret in SECRET + ("Goodperson",):
        assert secret not in everything
    assert "Traceback" not in everything and "internal error" not in everything


@pytest.mark.parametrize("content,message", [
    (b'{"resourceType": "Bundle", "entry": [\n  {"resource": {"resourceType": "Patient",}}\n]}',
     ":2: not JSON (Expecting property name enclosed in double quotes, column 43)"),
    (b'{"patients": [{"name": "Secretname Hidden"}]}', ": not a FHIR resource (no resourceType); expected a FHIR R4 "
                                                     "Bundle"),
    (b'{"resourceType": "Patient", "id": "p1"}', ": is a Patient, not a Bundle; export a Bundle or a Bulk Data "
                                                 "NDJSON folder"),
    (b'\xff\xfe{"resourceType": "Bundle"}', ": not UTF-8 text (byte 0); FHIR JSON is always UTF-8"),
    (b'{"resourceType": "Bundle", "entry": [' * 50000, ": not usable JSON (nested too deeply)"),
    (b'{"resourceType": "Bundle", "total": NaN}', ": not JSON (NaN is not JSON)"),
])
def test_cli_a_source_that_is_not_a_fhir_bundle_is_a_usage_error(tmp_path, capsys, content, message):
    source = tmp_path / "export.json"
    source.write_bytes(content)
    assert main(["fhir", str(source), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {source}{message}\n"
    assert not (tmp_path / "out").exists()


def test_cli_an_empty_folder_or_a_missing_source_is_a_usage_error(tmp_path, capsys):
    assert main(["fhir", str(tmp_path), "-o", str(tmp_path / "out")]) == 2
    assert "no .ndjson files in this folder" in capsys.readouterr().err
    assert main(["fhir", str(tmp_path / "missing.json"), "-o", str(tmp_path / "out")]) == 2
    assert "not found" in capsys.readouterr().err


# -- any damage to a real export: problems, never a crash ------------------------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from packets.errors import ConfigError, PacketError  # noqa: E402

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12) | st.sampled_from(["Patient/p-1001", "urn:uuid:x", "Patient?identifier=x", "9999-12-31T23:59:59-14:00",
                                             "0001-01-01T00:00:00+14:00", "2026-02-30", "es", "", "#p"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8)


def _paths(node, prefix=()):
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, prefix + (key,))


CLINIC_DAY = load_example("clinic-day-bundle.json")
PATHS = list(_paths(CLINIC_DAY))[1:]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), JSON_VALUES), min_size=1, max_size=4))
def test_damaged_exports_give_problems_never_a_crash(program, damage):
    data = json.loads(json.dumps(CLINIC_DAY))
    for path, value in damage:
        node = data
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this place
    try:
        rows = rows_from_bundle(json.dumps(data).encode(), program).rows
    except ConfigError:
        return  # the whole file is unusable (not a Bundle): exit 2, one line
    for row in rows:
        try:
            row.patient()
        except PacketError:
            pass
