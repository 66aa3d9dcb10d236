"""Import from EHR file, without a browser: a FHIR Bundle or Bulk Data NDJSON fills the roster
table through the ``fhir`` command's own import, prints the same way, and its ZIP holds what
``generate.py fhir -o`` writes; a bad file is a plain message, never an error page."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import zipfile
from html import unescape

import pytest
from fhirclient.models.documentreference import DocumentReference
from pypdf import PdfReader

from packets.cli import main
from packets.web import Settings, create_app
from packets.web.workers import InlineRenderer
from conftest import pdf_text
from tests.fhirdata import EXAMPLES, appointment, bundle, patient, two_cycles
from webtools import FHIR_DAY, csrf, table_form

BUNDLE = EXAMPLES / "clinic-day-bundle.json"
BULK = EXAMPLES / "bulk-export"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FHIR_DAY)   # the day the examples were written for


@pytest.fixture(scope="module")
def app(program):
    return create_app(Settings(), renderer=InlineRenderer(program))


@pytest.fixture
def client(app):
    return app.test_client()


def upload(client, files: dict[str, bytes]):
    token = csrf(client.get("/ehr").get_data(as_text=True))
    data = {"csrf_token": token, "ehr": [(io.BytesIO(b), name) for name, b in files.items()]}
    return client.post("/ehr", data=data, content_type="multipart/form-data")


def table_rows(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return re.findall(r"<tr class=.*?</tr>", body, re.S)


def status_of(tr: str) -> str:
    cell = re.search(r'<td id="r\d+-status" class="status-cell">(.*?)</td>', tr, re.S).group(1)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())


def error_of(html: str) -> str:
    m = re.search(r'<p id="f-ehr-error">(.*?)</p>', html, re.S)
    assert m, "no message next to the file field"
    return unescape(m.group(1))


def test_a_bundle_fills_the_roster_table_with_its_patients(client):
    r = upload(client, {BUNDLE.name: BUNDLE.read_bytes()})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    rows = table_rows(html)
    assert [status_of(tr) for tr in rows] == ["Ready"] * 3     # past Encounters are done: no warning
    expected = [("entry 1", "Ana María Ruiz", "00412345", "es-US"), ("entry 2", "陳美玲", "00633210", "zh-TW"),
                ("entry 3", "Văn An Nguyễn", "00519876", "vi-VN")]
    for tr, (where, name, mrn, language) in zip(rows, expected):
        assert re.search(rf'<td class="where">.*?{where}</td>', tr)
        assert f'value="{name}"' in unescape(tr) and f'value="{mrn}"' in tr
        assert f'<option value="{language}" selected>' in tr
    assert f"Name, entry 1" in html and "Where in the file" in html
    assert 'value="2026-11-02; 2026-11-23"' in rows[0] and 'value="2027-01-04"' in rows[0]   # cycles, follow-up
    assert f"{BUNDLE.name}: 3 rows, <strong>3 ready</strong>" in html


def test_bulk_data_ndjson_files_fill_the_table(client):
    files = {p.name: p.read_bytes() for p in sorted(BULK.iterdir())}   # Observation.ndjson is skipped
    html = unescape(upload(client, files).get_data(as_text=True))
    rows = table_rows(html)
    assert [re.search(r'<td class="where">.*?>([^<>]+)</td>', tr, re.S).group(1) for tr in rows] == \
        ["Patient.ndjson line 1", "Patient.ndjson line 2", "Patient.ndjson line 3"]
    assert [status_of(tr) for tr in rows] == ["Ready"] * 3
    assert 'value="Fatima Haddad"' in rows[0] and '<option value="ru-RU" selected>' in rows[1]
    assert "1 patient(s) in the file have no IL-2 admission: no packet for them." in html


def test_the_zip_holds_what_the_fhir_command_writes(client, tmp_path):
    """The same files as ``generate.py fhir -o``: each PDF with its calendar and DocumentReference,
    and manifest.csv; each DocumentReference valid FHIR R4 and carrying exactly its PDF."""
    html = upload(client, {BUNDLE.name: BUNDLE.read_bytes()}).get_data(as_text=True)
    r = client.post("/roster/zip", data=table_form(html))
    assert r.mimetype == "application/zip" and r.headers["Cache-Control"] == "no-store"
    web = zipfile.ZipFile(io.BytesIO(r.data))
    out = tmp_path / "out"
    assert main(["fhir", str(BUNDLE), "-o", str(out), "--jobs", "1"]) == 0
    assert sorted(web.namelist()) == sorted(p.name for p in out.iterdir())
    assert web.read("manifest.csv") == (out / "manifest.csv").read_bytes()
    for name in (n for n in web.namelist() if n.endswith(".documentreference.json")):
        document = json.loads(web.read(name))
        DocumentReference(document, strict=True)                      # valid R4, no unknown elements
        pdf = web.read(name.replace(".documentreference.json", ".pdf"))
        attachment = document["content"][0]["attachment"]
        assert base64.b64decode(attachment["data"]) == pdf and attachment["size"] == len(pdf)
        cli = json.loads((out / name).read_text(encoding="utf-8"))
        assert document["subject"] == cli["subject"] and document["type"] == cli["type"]
    ana = json.loads(web.read("00412345-es.documentreference.json"))
    assert ana["subject"]["reference"] == "Patient/p-1001" and ana["subject"]["identifier"]["value"] == "00412345"


def test_the_print_file_is_the_batch_combined_file(client):
    html = upload(client, {BUNDLE.name: BUNDLE.read_bytes()}).get_data(as_text=True)
    r = client.post("/roster/print", data={**table_form(html), "sort_by_language": "1"})
    assert r.mimetype == "application/pdf"
    pages = pdf_text(r.data)
    assert len(PdfReader(io.BytesIO(r.data)).pages) % 2 == 0
    mrns = [(re.search(r"\b(00\d{6})\b", t) or [None, None])[1] for t in pages]
    starts = [i for i, m in enumerate(mrns) if m and m not in mrns[:i]]
    assert [mrns[i] for i in starts] == ["00412345", "00519876", "00633210"]   # by language: es, vi, zh-Hant
    assert all(i % 2 == 0 for i in starts)                                     # each on a front page


BAD_FILES = [
    pytest.param({"clinic.json": b"{\"resourceType\": \"Bundle\", "}, "clinic.json, line 1: not JSON", id="not-json"),
    pytest.param({"clinic.json": b'{"entry": []}'}, "clinic.json: not a FHIR resource (no resourceType)", id="not-fhir"),
    pytest.param({"one.json": json.dumps(patient("p-1")).encode()}, "one.json is a Patient, not a Bundle",
                 id="a-patient-not-a-bundle"),
    pytest.param({"clinic.json": b"\xff\xfe{}"}, "clinic.json: not UTF-8 text", id="not-utf8"),
    pytest.param({"roster.csv": b"name,mrn\n"}, "roster.csv is not an EHR file", id="a-roster"),
    pytest.param({"a.json": b"{}", "Patient.ndjson": b""}, "Upload either one FHIR Bundle (.json) or the .ndjson",
                 id="bundle-and-ndjson"),
    pytest.param({"a.json": b"{}", "b.json": b"{}"}, "Upload one FHIR Bundle (.json) at a time", id="two-bundles"),
    pytest.param({"Observation.ndjson": b"{}\n"}, "None of these files holds Patients", id="no-patients-file"),
    pytest.param({"empty.json": json.dumps(bundle(patient("p-1"))).encode()},
                 "No patient in empty.json has an IL-2 admission (1 patient(s) without one)", id="no-admissions"),
]


@pytest.mark.parametrize("files, words", BAD_FILES)
def test_a_bad_ehr_file_is_a_plain_message_on_the_form(client, files, words):
    r = upload(client, files)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and r.mimetype == "text/html"
    assert "The EHR file could not be used" in html and error_of(html).startswith(words)
    assert 'aria-invalid="true"' in html and "Traceback" not in html and "internal error" not in html
    assert "Ruiz" not in html and "María" not in html            # the file's patients are never echoed


def test_no_file_chosen(client):
    r = upload(client, {})
    assert r.status_code == 422 and error_of(r.get_data(as_text=True)) == "Choose the EHR file first."


def test_a_profile_without_fhir_settings_says_so(tmp_path, program, monkeypatch):
    from conftest import REAL_PROFILE
    profile = tmp_path / "program.yaml"
    profile.write_text(REAL_PROFILE, encoding="utf-8")          # no fhir: block
    client = create_app(Settings(program_path=profile), renderer=InlineRenderer(program)).test_client()
    r = upload(client, {BUNDLE.name: BUNDLE.read_bytes()})
    assert r.status_code == 422 and "has no fhir: block" in error_of(r.get_data(as_text=True))


def broken_day() -> bytes:
    """Three patients: one good, one without an MRN, one in a language no catalog serves."""
    return json.dumps(bundle(
        patient("p-1", "00412345", "es"), *two_cycles("p-1"),
        patient("p-2", None, "en", family="Hidden", given=("Nomrn",)), *two_cycles("p-2"),
        patient("p-3", "00519876", "xx-YY", family="Hidden", given=("Nolang",)), *two_cycles("p-3"),
    )).encode()


def test_a_bad_patient_is_a_row_naming_its_resource_and_never_stops_the_others(client):
    html = upload(client, {"day.json": broken_day()}).get_data(as_text=True)
    rows = table_rows(html)
    statuses = [status_of(tr) for tr in rows]
    assert statuses[0] == "Ready"
    assert statuses[1].startswith("Not ready Column MRN: Patient/p-2 (entry 4): Patient.identifier:")
    assert statuses[2].startswith("Not ready Column Language: Patient/p-3 (entry 7): Patient.communication.language: "
                                  "language code 'xx-YY' is not a BCP 47 language")
    assert 'class="bad"' in rows[1] and 'class="bad"' in rows[2]
    assert "Nomrn" not in statuses[1] and "Nolang" not in statuses[2]   # messages never name the patient
    zipped = zipfile.ZipFile(io.BytesIO(client.post("/roster/zip", data=table_form(html)).data))
    errors = list(csv.DictReader(io.StringIO(zipped.read("errors.csv").decode("utf-8-sig"))))
    assert [e["line"] for e in errors] == ["4", "7"] and "Patient/p-2 (entry 4)" in errors[0]["problem"]
    assert errors[1]["mrn"] == "****9876"
    assert "Hidden" not in zipped.read("errors.csv").decode("utf-8-sig")


# -- a row's origin travels with it through the table --------------------------------------------
def ehr_table(client) -> dict:
    return table_form(upload(client, {BUNDLE.name: BUNDLE.read_bytes()}).get_data(as_text=True))


def zip_names(client, form) -> list[str]:
    r = client.post("/roster/zip", data=form)
    assert r.mimetype == "application/zip", unescape(r.get_data(as_text=True))[-2000:]
    return zipfile.ZipFile(io.BytesIO(r.data)).namelist()


def test_a_fixed_row_keeps_its_chart_link_and_its_done_admissions(client):
    form = ehr_table(client)
    form["r0-follow_up"] = "2027-01-11"                 # staff move the follow-up visit
    names = zip_names(client, form)                     # no warning: 2026-11-02 is a done Encounter
    assert "00412345-es.documentreference.json" in names


def test_another_mrn_prints_without_a_chart_link(client):
    form = ehr_table(client)
    form["r0-mrn"] = "00412399"                         # no longer the MRN of the chart's Patient/p-1001
    names = zip_names(client, form)
    assert "00412399-es.pdf" in names and "00412399-es.documentreference.json" not in names
    assert "00633210-zh-Hant.documentreference.json" in names       # the others keep theirs


def test_a_refused_row_stays_refused_whatever_is_typed(client):
    html = upload(client, {"day.json": broken_day()}).get_data(as_text=True)
    form = table_form(html)
    form.update({"r1-name": "Typed Over", "r1-mrn": "00500001"})   # an MRN typed over the EHR's refusal
    again = client.post("/roster/check", data=form).get_data(as_text=True)
    assert status_of(table_rows(again)[1]).startswith("Not ready Column MRN: Patient/p-2 (entry 4)")


def test_a_forged_origin_counts_for_nothing(client):
    form = ehr_table(client)
    payload, _, signature = form["r0-origin"].partition(".")
    data = json.loads(base64.urlsafe_b64decode(payload))
    data["subject"]["reference"] = "Patient/someone-else"
    form["r0-origin"] = base64.urlsafe_b64encode(json.dumps(data).encode()).decode() + "." + signature
    html = client.post("/roster/check", data=form).get_data(as_text=True)
    assert 'name="r0-origin"' not in html                     # a typed row now, without a chart link
    assert re.search(r'<td class="where">.*?>1</td>', table_rows(html)[0], re.S)
