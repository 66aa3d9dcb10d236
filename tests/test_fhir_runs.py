"""A FHIR run's files: the manifest lists every DocumentReference, a rerun leaves none of a packet it
did not rebuild, and the past-date warning speaks of booked or derived dates, not of cycles done."""

from __future__ import annotations

import csv
import io
import json

import pytest

from packets.batch import run_batch
from packets.build import Options
from packets.cli import main
from packets.fhir import rows_from_bundle
from packets.roster import Row
from tests.fhirdata import appointment, bundle, encounter, patient, two_cycles, write

TODAY = "2026-11-23"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")  # 2026-11-23


def report(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


# -- the manifest and the stale-file rule ---------------------------------------------------------
def test_a_rerun_removes_every_file_of_a_patient_it_refuses_and_lists_what_it_wrote(tmp_path, capsys):
    people = {"a": ("00400001", "es"), "b": ("00400002", "vi"), "c": ("00400003", "es")}

    def export(broken: dict) -> list:
        out = []
        for n, (pid, (mrn, lang)) in enumerate(people.items()):
            out.append(patient(pid, mrn, lang, **broken.get(pid, {})))
            out += two_cycles(pid, f"2026-12-0{n + 1}", f"2026-12-2{n + 2}")
        return out

    source, out = tmp_path / "export.json", tmp_path / "out"
    write(source, bundle(*export({})))
    assert main(["fhir", str(source), "-o", str(out), "--jobs", "1"]) == 0
    first = {p.name for p in out.iterdir()}
    for mrn, lang in people.values():
        assert {f"{mrn}-{lang}.pdf", f"{mrn}-{lang}.ics", f"{mrn}-{lang}.documentreference.json"} <= first
    assert [(r["kind"], r["file"]) for r in report(out / "manifest.csv")] == [
        (kind, f"{mrn}-{lang}.{ext}") for mrn, lang in people.values()
        for kind, ext in (("packet", "pdf"), ("documentreference", "documentreference.json"))]
    capsys.readouterr()

    # The next export: a's record is marked inactive, c's appointments overlap. Neither gets a packet,
    # and yesterday's PDF, calendar and DocumentReference of both are gone, not left to print or to file.
    resources = export({"a": {"active": False}})
    overlap = appointment("c-extra", "Patient/c", "2026-12-04T07:00:00-08:00")
    write(source, bundle(*resources, overlap))
    assert main(["fhir", str(source), "-o", str(out), "--jobs", "1"]) == 1
    captured = capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == ["00400002-vi.documentreference.json", "00400002-vi.ics",
                                                     "00400002-vi.pdf", "errors.csv", "manifest.csv"]
    assert [(r["kind"], r["line"], r["mrn"], r["file"]) for r in report(out / "manifest.csv")] == [
        ("packet", "4", "****0002", "00400002-vi.pdf"),
        ("documentreference", "4", "****0002", "00400002-vi.documentreference.json")]
    assert [(r["line"], r["mrn"]) for r in report(out / "errors.csv")] == [("1", "****0001"), ("7", "****0003")]
    assert "removed 2 older packet(s) of refused patients, with their calendar and DocumentReference files" \
        in captured.err


def test_a_document_reference_that_cannot_be_made_fails_its_row_only(program, tmp_path):
    """A roster row has no FHIR Patient to name: that row fails and its PDF is not written without its
    DocumentReference; the FHIR rows beside it are written whole."""
    from packets.fhir.documents import companion
    rows = rows_from_bundle(json.dumps(bundle(patient("p1", "00400001", "es"), *two_cycles("p1"))).encode(),
                            program).rows
    plain = Row(9, {"name": "Ana Ruiz", "mrn": "00400009", "language": "vi",
                    "schedule": {"first_admission": "2026-12-03"}}, "roster.csv")
    result = run_batch(list(rows) + [plain], program, Options(), tmp_path / "o", jobs=1,
                       companions=[companion(program.fhir)])
    assert [p.name for p in result.written] == ["00400001-es.pdf"]
    assert [(e["line"], e["problem"]) for e in result.errors] == [
        (9, "no DocumentReference for a row that does not come from a FHIR Patient")]
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "00400001-es.documentreference.json", "00400001-es.ics", "00400001-es.pdf", "errors.csv", "manifest.csv"]


# -- the past-date warning ------------------------------------------------------------------------
def _warnings(program, tmp_path, *resources) -> list[str]:
    rows = rows_from_bundle(json.dumps(bundle(*resources)).encode(), program).rows
    assert [r.problem for r in rows] == [None]
    return run_batch(rows, program, Options(), tmp_path / "o", jobs=1).warnings


def _stays(pid, *starts, kind=encounter, **kw) -> list[dict]:
    return [kind(f"{pid}-{n}", f"Patient/{pid}", f"{day}T07:30:00-07:00", **kw) for n, day in enumerate(starts)]


def test_no_warning_for_cycles_the_ehr_records_as_done(program, tmp_path):
    """Course 1 done (two finished Encounters and the scan), course 2 booked: nothing to check."""
    resources = [patient("p1", "00400001", "es"), *_stays("p1", "2026-08-03", "2026-08-24"),
                 encounter("p1-scan", "Patient/p1", "2026-09-28T09:00:00-07:00", code="IL2-SCAN"),
                 *_stays("p1", "2026-12-01", "2026-12-22", kind=appointment)]
    assert _warnings(program, tmp_path, *resources) == []


@pytest.mark.parametrize("what,first_stay", [
    ("a booked Appointment that is past (the export is stale, or the visit was never closed)",
     lambda: _stays("p1", "2026-11-02", kind=appointment)),
    ("a planned Encounter that is past", lambda: _stays("p1", "2026-11-02", status="planned")),
])
def test_a_booked_date_in_the_past_still_warns(program, tmp_path, what, first_stay):
    resources = [patient("p1", "00400001", "es"), *first_stay(),
                 appointment("p1-next", "Patient/p1", "2026-11-23T07:30:00-08:00")]
    # the admission and the last possible discharge day of that stay; today's admission is not past
    assert _warnings(program, tmp_path, *resources) == [
        "****0001: 2 scheduled date(s) are in the past, the first 2026-11-02; check the schedule"]


def test_a_derived_date_in_the_past_still_warns(program, tmp_path):
    """Both cycles done and no scan booked: the estimated scan (four weeks after) is already past."""
    resources = [patient("p1", "00400001", "es"), *_stays("p1", "2026-08-03", "2026-08-24")]
    assert _warnings(program, tmp_path, *resources) == [
        "****0001: 1 scheduled date(s) are in the past, the first 2026-09-28; check the schedule"]


def test_a_roster_row_with_the_same_dates_warns_as_before(program, tmp_path):
    """A roster cannot say a cycle is done: every past date is worth a look there."""
    row = Row(2, {"name": "Ana Ruiz", "mrn": "00400001", "language": "es",
                  "schedule": {"cycles": ["2026-08-03", "2026-08-24", "2026-12-01", "2026-12-22"]}}, "roster.csv")
    result = run_batch([row], program, Options(), tmp_path / "o", jobs=1)
    assert result.warnings == [  # two admissions and their last possible discharge days
        "****0001: 4 scheduled date(s) are in the past, the first 2026-08-03; check the schedule"]


def test_ndjson_rows_on_the_same_line_of_two_files_are_two_failures(tmp_path, capsys):
    """errors.csv keeps batch's columns; its line is the line in the file the problem names."""
    good = [patient("good", "00400001", "es"), *two_cycles("good")]
    folder = tmp_path / "export"
    folder.mkdir()
    idle = patient("idle", "00400002", "vi")  # no IL-2 admission: skipped, not an error
    (folder / "Patient.ndjson").write_text(json.dumps(good[0]) + "\n" + json.dumps(idle) + "\n" + '{"id": "x"}\n',
                                           encoding="utf-8")
    lost = appointment("lost", "Patient/nobody", "2026-12-01T07:00:00-08:00")
    (folder / "Appointment.ndjson").write_text("".join(json.dumps(r) + "\n" for r in [*good[1:], lost]),
                                               encoding="utf-8")
    out = tmp_path / "out"
    assert main(["fhir", str(folder), "-o", str(out), "--jobs", "1"]) == 1
    assert ", 2 failed, 1 patient(s) without IL-2 admissions skipped;" in capsys.readouterr().out
    assert [(r["line"], r["column"], r["problem"]) for r in report(out / "errors.csv")] == [
        ("3", "Appointment.participant[1].actor", "Appointment/lost (Appointment.ndjson line 3): its "
         "participant[1].actor: Patient/nobody points nowhere (not in this export)"),
        ("3", "resourceType", "Patient.ndjson line 3: not a FHIR resource (no resourceType)")]
