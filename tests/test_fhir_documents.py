"""DocumentReference out: valid FHIR R4, carrying exactly the PDF; POSTed with a token.

Validation uses fhirclient's models, generated from FHIR 4.0.1 (R4), the version EHRs speak here;
fhir.resources ships R4B (and R5) models instead. fhirclient's strict mode rejects unknown
elements and wrong JSON types (``size: "12"``, which fhir.resources' pydantic models coerce
silently); the base64 and hash it does not check are checked below against the PDF's bytes.
"""

from __future__ import annotations

import base64
import csv
import dataclasses
import hashlib
import io
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fhirclient.models.documentreference import DocumentReference
from pypdf import PdfReader

from packets.batch import run_batch
from packets.build import Options
from packets.cli import main
from packets.fhir import rows_from_bundle
from packets.fhir.documents import SUFFIX, companion, packet_identity
from packets.fhir.mapping import FhirRow
from packets.fhir.profile import Reference
from tests.fhirdata import EXAMPLES, appointment, bundle, mrn_identifier, patient, two_cycles

TOKEN = "test-token-0c5f9a"
SOURCE_DATE_EPOCH = "1795392000"  # 2026-11-23


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)


@pytest.fixture(scope="module")
def clinic_day(tmp_path_factory):
    out = tmp_path_factory.mktemp("fhir") / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        assert main(["fhir", str(EXAMPLES / "clinic-day-bundle.json"), "-o", str(out), "--jobs", "1"]) == 0
    return out


EXPECTED = {  # file stem -> (source Patient, language, its English name)
    "00412345-es": ("Patient/p-1001", "es", "Spanish"),
    "00633210-zh-Hant": ("Patient/p-1002", "zh-Hant", "Chinese (Traditional)"),
    "00519876-vi": ("Patient/p-1003", "vi", "Vietnamese"),
}


def test_a_document_reference_beside_each_pdf(clinic_day):
    assert sorted(p.name for p in clinic_day.glob("*.json")) == sorted(
        f"{stem}.documentreference.json" for stem in EXPECTED)


@pytest.mark.parametrize("stem", list(EXPECTED))
def test_document_reference_round_trips_and_carries_exactly_the_pdf(clinic_day, stem):
    data = json.loads((clinic_day / f"{stem}.documentreference.json").read_text(encoding="utf-8"))
    model = DocumentReference(data, strict=True)     # FHIR R4 (4.0.1) models: unknown elements, wrong types fail
    assert model.as_json() == data                   # and nothing is lost or changed on the way back
    pdf = (clinic_day / f"{stem}.pdf").read_bytes()
    attachment = model.content[0].attachment
    assert base64.b64decode(attachment.data, validate=True) == pdf
    assert attachment.size == len(pdf)
    assert base64.b64decode(attachment.hash) == hashlib.sha1(pdf).digest()
    assert attachment.contentType == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf))
    patient_ref, lang, english = EXPECTED[stem]
    assert attachment.language == str(reader.trailer["/Root"]["/Lang"]) == lang
    assert attachment.title == reader.metadata.title
    assert model.description == f"{reader.metadata.title}; in {english}, {lang}"
    assert model.status == "current"
    assert [(c.system, c.code) for c in model.type.coding] == [("http://loinc.org", "69730-0")]
    assert [(c.system, c.code) for c in model.category[0].coding] == [
        ("http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category", "clinical-note")]
    assert model.subject.reference == patient_ref
    assert model.subject.identifier.system == "http://hospital.example.org/mrn"
    assert model.subject.identifier.value == stem.split("-")[0]
    assert data["date"] == "2026-11-23T00:00:00Z" and model.date.datetime.utcoffset().total_seconds() == 0
    assert model.custodian.display == "Providence Portland Medical Center"
    assert model.masterIdentifier.value.startswith("urn:uuid:")


def test_document_reference_has_no_name_or_other_data_from_the_source(clinic_day):
    text = "".join(p.read_text(encoding="utf-8") for p in clinic_day.glob("*.json"))
    for secret in ("Ruiz", "María", "陳美玲", "Nguyễn", "1961-07-14", "Sra."):
        assert secret not in text


def test_author_and_custodian_come_from_the_profile(program, tmp_path):
    from packets.fhir.documents import document_reference
    import datetime as dt
    settings = dataclasses.replace(program.fhir, author=Reference(reference="Organization/ppmc-edu"),
                                   custodian=Reference(reference="Organization/ppmc", display="PPMC"))
    row = FhirRow(line=1, record={"mrn": "00412345"}, file="b.json", subject={"reference": "Patient/p1"})
    doc = document_reference(b"%PDF-1.4\n", row, settings, when=dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc),
                             title="Guide", language="es", large_print=True)
    assert doc["author"] == [{"reference": "Organization/ppmc-edu"}]
    assert doc["custodian"] == {"reference": "Organization/ppmc", "display": "PPMC"}
    assert doc["description"] == "Guide; in Spanish, es, large print"
    DocumentReference(doc, strict=True)


def _header_mrn(pdf: bytes) -> str:
    """The MRN printed in the running header of the packet's second page ('Name · MRN 00412345')."""
    header = [line for line in PdfReader(io.BytesIO(pdf)).pages[1].extract_text().splitlines() if " · " in line]
    assert len(header) == 1, header
    return header[0].rsplit(" ", 1)[-1]


def test_each_document_reference_carries_its_own_rows_pdf(program, tmp_path):
    """Two patients whose MRNs are prefixes of each other's file names (a profile without an MRN
    format allows '123' and '123-4'): each DocumentReference is written from the row its PDF was
    drawn from, so it names that row's Patient and carries that PDF, never the other one."""
    loose = dataclasses.replace(program, mrn_pattern=None, mrn_description=None)
    data = bundle(patient("short", identifiers=[mrn_identifier("123")], language="es", family="Uno"),
                  *two_cycles("short"),
                  patient("long", identifiers=[mrn_identifier("123-4")], language="es", family="Dos"),
                  *two_cycles("long", "2026-12-02", "2026-12-23"))
    rows = rows_from_bundle(json.dumps(data).encode(), loose).rows
    result = run_batch(rows, loose, Options(), tmp_path / "o", jobs=1, companions=[companion(loose.fhir)])
    assert sorted(p.name for p in result.written) == ["123-4-es.pdf", "123-es.pdf"]
    assert len(result.packets) == 2
    for packet in result.packets:
        doc = json.loads(packet.companion(companion(loose.fhir)).read_text(encoding="utf-8"))
        pdf = packet.pdf.read_bytes()
        attachment = base64.b64decode(doc["content"][0]["attachment"]["data"])
        assert attachment == pdf                                   # the bytes of this row's own PDF
        assert doc["subject"]["reference"] == packet.row.resource  # this row's Patient
        assert doc["subject"]["identifier"]["value"] == packet.row.record["mrn"] == _header_mrn(attachment)
    by_patient = {p.row.resource: p.pdf.name for p in result.packets}
    assert by_patient == {"Patient/short": "123-es.pdf", "Patient/long": "123-4-es.pdf"}


def test_the_identity_of_a_packet_ignores_only_the_time_it_was_drawn(clinic_day):
    """Two runs draw the same packet with a different creation time and file ID (without
    SOURCE_DATE_EPOCH every run does): one identity, so the EHR's conditional create does not
    file it twice. Any other difference is another document."""
    pdf = (clinic_day / "00412345-es.pdf").read_bytes()
    info = re.search(rb"/CreationDate \(D:(\d{14})", pdf)
    ident = re.search(rb"/ID\s*\[<([0-9a-f]+)><([0-9a-f]+)>\]", pdf)
    assert info and ident, "the PDF no longer writes the fields packet_identity blanks"
    later = pdf.replace(info.group(0), b"/CreationDate (D:20261124093015").replace(b"/ModDate (D:" + info.group(1),
                                                                                  b"/ModDate (D:20261124093015")
    for group, digit in ((1, b"f"), (2, b"e")):
        later = later.replace(ident.group(group), digit * len(ident.group(group)))
    assert later != pdf and len(later) == len(pdf)
    assert packet_identity(later) == packet_identity(pdf)
    index = pdf.index(b"stream") + 20  # one byte of the first content stream
    other = pdf[:index] + bytes([pdf[index] ^ 1]) + pdf[index + 1:]
    assert packet_identity(other) != packet_identity(pdf)
    doc = json.loads((clinic_day / "00412345-es.documentreference.json").read_text(encoding="utf-8"))
    assert doc["masterIdentifier"]["value"] == packet_identity(pdf)


# -- POST to a FHIR server ------------------------------------------------------------------------
class FhirServer:
    """A FHIR server on this machine's loopback: records each request and answers like a FHIR server,
    conditional create included (``If-None-Exist``: 200 and nothing created when the identifier is filed)."""

    def __init__(self, refuse_subject: str | None = None):
        self.requests: list[dict] = []
        self.created: dict[str, dict] = {}   # 'system|value' of the masterIdentifier -> the document filed
        self.refuse_subject = refuse_subject
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self.answer(401, outcome("security", "Invalid bearer token"))
                doc = json.loads(body)
                if doc.get("subject", {}).get("reference") == server.refuse_subject:
                    return self.answer(422, outcome("processing",
                                                    f"Unknown subject {server.refuse_subject} on this server"))
                condition = self.headers.get("If-None-Exist", "")
                key = condition.removeprefix("identifier=")
                if condition and key in server.created:
                    return self.answer(200, b"")
                server.created[key] = doc
                n = len(server.created)
                self.answer(201, b"", {"Location": f"{server.base}/DocumentReference/doc-{n}/_history/1"})

            def answer(self, status, body, headers=None):
                self.send_response(status)
                if body:
                    self.send_header("Content-Type", "application/fhir+json")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_port}/fhir"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def outcome(code: str, diagnostics: str) -> bytes:
    return json.dumps({"resourceType": "OperationOutcome",
                       "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}]}).encode()


def test_post_sends_each_document_with_the_token_and_reports_a_refusal_per_patient(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PACKETS_FHIR_TOKEN", TOKEN)
    out = tmp_path / "out"
    with FhirServer(refuse_subject="Patient/p-1002") as server:
        code = main(["fhir", str(EXAMPLES / "clinic-day-bundle.json"), "-o", str(out), "--jobs", "1",
                     "--post", server.base])
    captured = capsys.readouterr()
    assert code == 1
    assert len(server.requests) == 3
    for request in server.requests:
        assert request["path"] == "/fhir/DocumentReference"
        headers = request["headers"]
        assert headers["Authorization"] == f"Bearer {TOKEN}"
        assert headers["Content-Type"] == "application/fhir+json; charset=utf-8"
        sent = json.loads(request["body"])
        stem = {v[0]: k for k, v in EXPECTED.items()}[sent["subject"]["reference"]]
        assert sent == json.loads((out / f"{stem}.documentreference.json").read_text(encoding="utf-8"))
        assert headers["If-None-Exist"] == f"identifier=urn:ietf:rfc:3986|{sent['masterIdentifier']['value']}"
    source = EXAMPLES / "clinic-day-bundle.json"
    problem = (f"Patient/p-1002 (entry 2): DocumentReference not posted to {server.base}: HTTP 422 Unprocessable "
               "Entity: error: Unknown subject Patient/p-1002 on this server; 00633210-zh-Hant.pdf and "
               "00633210-zh-Hant.documentreference.json are kept (rerun the same command today to post it)")
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {source}: {problem} (MRN ****3210)"]
    assert (out / "00633210-zh-Hant.pdf").is_file() and (out / "00633210-zh-Hant.documentreference.json").is_file()
    # Recorded, not only printed: the run's errors.csv has the row's line, masked MRN and the reason.
    assert report(out / "errors.csv") == [{"line": "2", "column": "", "mrn": "****3210", "problem": problem}]
    assert "0 failed; 3 DocumentReference(s) written, 2 posted, 1 NOT posted (rerun today to post them); see " \
           f"{out / 'errors.csv'}" in captured.out
    assert TOKEN not in captured.out + captured.err + (out / "errors.csv").read_text(encoding="utf-8-sig")


def report(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_a_rerun_posts_what_failed_and_files_nothing_twice(tmp_path, monkeypatch, capsys):
    """Without SOURCE_DATE_EPOCH (as in production) each run draws its PDFs at another time: the
    rerun still finds the documents the server filed the first time and adds only the missing one."""
    import datetime as dt
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    monkeypatch.setenv("PACKETS_FHIR_TOKEN", TOKEN)
    first = dt.date.today() + dt.timedelta(days=10)
    resources = []
    for n, (pid, language) in enumerate([("p-a", "es"), ("p-b", "vi")]):
        start = first + dt.timedelta(days=n)
        resources += [patient(pid, f"0040000{n}", language), *two_cycles(pid, start.isoformat(),
                                                                         (start + dt.timedelta(days=21)).isoformat())]
    source = tmp_path / "export.json"
    source.write_text(json.dumps(bundle(*resources)), encoding="utf-8")
    out = tmp_path / "out"
    with FhirServer(refuse_subject="Patient/p-b") as server:
        assert main(["fhir", str(source), "-o", str(out), "--jobs", "1", "--post", server.base]) == 1
        assert [r["line"] for r in report(out / "errors.csv")] == ["4"]
        server.refuse_subject = None  # the EHR knows the patient now
        assert main(["fhir", str(source), "-o", str(out), "--jobs", "1", "--post", server.base]) == 0
    out_text = capsys.readouterr().out
    assert "2 DocumentReference(s) written, 2 posted (1 already on the server)\n" in out_text
    assert not (out / "errors.csv").exists()
    sent = [json.loads(r["body"]) for r in server.requests]
    assert [d["subject"]["reference"] for d in sent] == ["Patient/p-a", "Patient/p-b"] * 2
    assert [d["subject"]["reference"] for d in server.created.values()] == ["Patient/p-a", "Patient/p-b"]
    assert sent[0]["masterIdentifier"] == sent[2]["masterIdentifier"]  # the same packet, the same identity


def test_post_with_a_refused_token_fails_every_patient_and_keeps_the_files(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PACKETS_FHIR_TOKEN", "expired-token")
    out = tmp_path / "out"
    with FhirServer() as server:
        code = main(["fhir", str(EXAMPLES / "synthea-style-bundle.json"), "-o", str(out), "--jobs", "1",
                     "--post", server.base + "/"])
    err = capsys.readouterr().err
    assert code == 1 and len(server.requests) == 1
    assert (": Patient/b3a1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d (entry 1): DocumentReference not posted to "
            f"{server.base}: HTTP 401 Unauthorized: error: Invalid bearer token;") in err
    assert report(out / "errors.csv")[0]["mrn"] == "****7216"
    assert (out / "00387216-en.pdf").is_file()
    assert "expired-token" not in err


def test_post_to_a_server_that_is_not_there(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PACKETS_FHIR_TOKEN", TOKEN)
    with FhirServer() as server:
        base = server.base  # the port is free again once the server is closed
    code = main(["fhir", str(EXAMPLES / "synthea-style-bundle.json"), "-o", str(tmp_path / "o"), "--jobs", "1",
                 "--post", base])
    assert code == 1
    assert f"DocumentReference not posted to {base}: could not reach the server (" in capsys.readouterr().err
    assert "could not reach the server" in (tmp_path / "o" / "errors.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("env,url,message", [
    ({}, "https://ehr.example.org/fhir", "--post needs the server's bearer token in PACKETS_FHIR_TOKEN"),
    ({"PACKETS_FHIR_TOKEN": TOKEN}, "http://ehr.example.org/fhir", "use https://"),
    ({"PACKETS_FHIR_TOKEN": TOKEN}, "https://ehr.example.org/fhir?token=x", "without a query"),
    ({"PACKETS_FHIR_TOKEN": TOKEN}, "ehr.example.org", "base URL"),
])
def test_post_is_refused_before_anything_is_built(tmp_path, monkeypatch, capsys, env, url, message):
    monkeypatch.delenv("PACKETS_FHIR_TOKEN", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    code = main(["fhir", str(EXAMPLES / "synthea-style-bundle.json"), "-o", str(tmp_path / "o"), "--post", url])
    assert code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
