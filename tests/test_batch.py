"""Intake batch printing: bad rows reported safely, good rows printed, duplex-safe combined PDF."""

from __future__ import annotations

import csv
import io
import re

import pytest
from pypdf import PasswordType, PdfReader

from packets import paths
from packets.batch import combine, run_batch
from packets.build import Options
from packets.cli import main
from packets.roster import read_roster

HEADER = "name,mrn,birth_date,language,first_admission,cycles,response_scan,follow_up\r\n"
GOOD = '"Ruiz, Ana María",00412345,1961-07-14,en,2026-03-03,,,2026-05-12\r\n'
ROWS = (
    GOOD
    + '"Secret Name One",00500001,1961-07-14,en,2026-02-30,,,\r\n'        # line 3: impossible date
    + '"Secret Name Two",00500002,,xx-YY,2026-03-03,,,\r\n'              # line 4: unknown language
    + '"Multi\r\nLine Name",00500003,,en,2026-03-03,2026-03-03;2026-03-10,,\r\n'  # lines 5-6: short break
    + '"Li Wei",00633210,,en,,2026-03-17;2026-04-07,2026-05-12,\r\n'     # line 7: good, explicit cycles
)


@pytest.fixture
def roster(tmp_path):
    f = tmp_path / "roster.csv"
    f.write_bytes(("\ufeff" + HEADER + ROWS).encode("utf-8"))  # Excel: BOM and CRLF
    return f


def test_csv_with_bom_crlf_quotes_and_a_line_break_in_a_cell(roster):
    rows = read_roster(roster)
    # One record is one line: the cell with a line break is two refused lines, never one merged row.
    assert [r.line for r in rows] == [2, 3, 4, 5, 6, 7]
    assert rows[0].record["name"] == "Ruiz, Ana María"
    assert [bool(r.problems) for r in rows] == [False, False, False, True, True, False]
    assert rows[5].record["schedule"]["cycles"] == ["2026-03-17", "2026-04-07"]


def test_bad_rows_never_stop_good_rows(roster, tmp_path, program):
    out = tmp_path / "out"
    result = run_batch(read_roster(roster), program, Options(), out, jobs=1)
    assert sorted(p.name for p in result.written) == ["00412345-en.pdf", "00633210-en.pdf"]
    assert [(e["line"], e["column"]) for e in result.errors] == [
        (3, "first_admission"), (4, "language"), (5, ""), (6, "")]
    report = list(csv.DictReader(io.StringIO((out / "errors.csv").read_text(encoding="utf-8-sig"))))
    assert [r["mrn"] for r in report] == ["****0001", "****0002", "(no MRN)", "(no MRN)"]
    assert "not closed on this line" in report[2]["problem"] and "quote" in report[3]["problem"]
    blob = (out / "errors.csv").read_text(encoding="utf-8-sig")
    assert "Secret" not in blob and "Multi" not in blob and "Line Name" not in blob


def test_cli_batch_exit_1_with_one_line_per_problem_and_no_names(roster, tmp_path, capsys):
    assert main(["batch", str(roster), "-o", str(tmp_path / "o"), "--jobs", "2"]) == 1
    captured = capsys.readouterr()
    errors = [l for l in captured.err.splitlines() if l.startswith("error:")]
    assert len(errors) == 4
    assert f"{roster}:3: column first_admission:" in errors[0] and "****0001" in errors[0]
    everything = captured.out + captured.err
    assert "Secret" not in everything and "Ruiz" not in everything and "Traceback" not in everything
    assert "2 packet(s) written" in captured.out and "4 row(s) failed" in captured.out


def test_cli_batch_exit_0_when_all_good(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01: no date is past
    f = tmp_path / "r.csv"
    f.write_text(HEADER + GOOD, encoding="utf-8")
    out = tmp_path / "o"
    assert main(["batch", str(f), "-o", str(out), "--jobs", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == f"batch: 1 packet(s) written to {out} (listed in {out / 'manifest.csv'}), " \
        "0 row(s) failed"
    assert not [line for line in captured.err.splitlines() if line.startswith(("error", "warning"))]
    assert sorted(p.name for p in out.iterdir()) == ["00412345-en.ics", "00412345-en.pdf", "manifest.csv"]
    assert _sheets(out / "00412345-en.pdf")[0] == "00412345"  # the row's own packet


def _sheets(pdf) -> list[str | None]:
    """The MRN in each page's header (None for a blank page), read back from the PDF."""
    out = []
    for page in PdfReader(pdf).pages:
        found = re.findall(r" · \D*(\d{8})$", page.extract_text() or "", re.M)  # "Name · MRN 00412345"
        assert len(set(found)) <= 1
        out.append(found[0] if found else None)
    return out


def test_combined_pdf_starts_every_packet_on_an_odd_page(tmp_path, program):
    # Patients whose packets have odd and even numbers of pages (languages and schedules differ).
    rows = read_roster_text(tmp_path, HEADER + GOOD + '"Li Wei",00633210,,es,,2026-03-17;2026-04-07,2026-05-12,\r\n'
                            + '"Zoë Ågren",00744321,,en,2026-04-14,,,2026-08-12\r\n'
                            + '"Aiko Sato",00855555,,ja,2026-03-03,,,\r\n')
    combined = tmp_path / "all.pdf"
    result = run_batch(rows, program, Options(), tmp_path / "o", jobs=1, combined=combined)
    sizes = [len(PdfReader(p).pages) for p in result.written]
    pages = _sheets(combined)
    starts = [i for i, mrn in enumerate(pages) if mrn and (i == 0 or pages[i - 1] != mrn)]
    # Every packet starts on an odd page (1-based), in roster order, and is whole and unmixed.
    assert [pages[i] for i in starts] == ["00412345", "00633210", "00744321", "00855555"]
    assert all(i % 2 == 0 for i in starts), starts
    for start, n in zip(starts, sizes):
        assert pages[start:start + n] == [pages[start]] * n
    # A sheet (two sides) never carries two patients; padding pages are blank.
    for sheet in range(0, len(pages), 2):
        assert len({m for m in pages[sheet:sheet + 2] if m}) <= 1
    assert len(pages) == sum(n + n % 2 for n in sizes)
    assert any(n % 2 for n in sizes), sizes  # the test means something only if some packet is odd


def read_roster_text(tmp_path, text):
    f = tmp_path / "r.csv"
    f.write_text(text, encoding="utf-8")
    return read_roster(f)


def test_combine_pads_odd_packets():
    from reportlab.pdfgen.canvas import Canvas
    def pdf(pages):
        buf = io.BytesIO()
        c = Canvas(buf)
        for _ in range(pages):
            c.drawString(100, 100, "x")
            c.showPage()
        c.save()
        return buf.getvalue()
    assert len(PdfReader(io.BytesIO(combine([pdf(3), pdf(2), pdf(1)]))).pages) == 4 + 2 + 2


def test_yaml_roster(tmp_path, program):
    f = tmp_path / "r.yaml"
    f.write_text('- name: A B\n  mrn: "00000001"\n  language: en\n  schedule: {first_admission: 2026-03-03}\n'
                 '- name: C D\n  mrn: "00000002"\n  language: en\n  schedule: {first_admission: nope}\n',
                 encoding="utf-8")
    rows = read_roster(f)
    assert [r.line for r in rows] == [1, 5]
    result = run_batch(rows, program, Options(), tmp_path / "o", jobs=1)
    assert len(result.written) == 1 and result.errors[0]["line"] == 5


def test_missing_column_is_a_configuration_error(tmp_path, capsys):
    f = tmp_path / "r.csv"
    f.write_text("name,mrn\r\nA,1\r\n", encoding="utf-8")
    assert main(["batch", str(f), "-o", str(tmp_path / "o")]) == 2
    assert "missing column(s): language, first_admission" in capsys.readouterr().err


def test_encrypted_packets(tmp_path, monkeypatch):
    f = tmp_path / "r.csv"
    f.write_text(HEADER + GOOD, encoding="utf-8")
    monkeypatch.setenv("PACKETS_PDF_PASSWORD", "correct horse")
    assert main(["batch", str(f), "-o", str(tmp_path / "o"), "--encrypt", "--jobs", "1"]) == 0
    reader = PdfReader(tmp_path / "o" / "00412345-en.pdf")
    assert reader.is_encrypted
    encrypt = reader.trailer["/Encrypt"].get_object()
    assert (encrypt["/V"], encrypt["/R"]) == (5, 6)                       # AES-256, revision 6 (PDF 2.0)
    assert encrypt["/CF"]["/StdCF"]["/CFM"] == "/AESV3"
    assert reader.decrypt("wrong password") == PasswordType.NOT_DECRYPTED
    # The user password opens it as the user, never as the owner: the owner password is another, random one.
    assert PdfReader(tmp_path / "o" / "00412345-en.pdf").decrypt("correct horse") == PasswordType.USER_PASSWORD
    reader = PdfReader(tmp_path / "o" / "00412345-en.pdf", password="correct horse")
    assert "MRN 00412345" in reader.pages[0].extract_text()
    # No unencrypted file with the patient's dates beside the encrypted PDF.
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["00412345-en.pdf", "manifest.csv"]


@pytest.mark.parametrize("password, code", [("1234567", 2), ("12345678", 0)])
def test_a_pdf_password_has_at_least_eight_characters(password, code, tmp_path, monkeypatch, capsys):
    f = tmp_path / "r.csv"
    f.write_text(HEADER + GOOD, encoding="utf-8")
    monkeypatch.setenv("PACKETS_PDF_PASSWORD", password)
    assert main(["batch", str(f), "-o", str(tmp_path / "o"), "--encrypt", "--jobs", "1"]) == code
    captured = capsys.readouterr()
    if code:
        assert captured.err.strip() == "error: the PDF password must have at least 8 characters"
        assert not (tmp_path / "o").exists() or not list((tmp_path / "o").glob("*.pdf"))
    else:
        assert PdfReader(tmp_path / "o" / "00412345-en.pdf").decrypt(password) == PasswordType.USER_PASSWORD


def test_encrypting_removes_an_old_calendar_file(tmp_path, monkeypatch):
    f = tmp_path / "r.csv"
    f.write_text(HEADER + GOOD, encoding="utf-8")
    assert main(["batch", str(f), "-o", str(tmp_path / "o"), "--jobs", "1"]) == 0
    assert (tmp_path / "o" / "00412345-en.ics").is_file()
    monkeypatch.setenv("PACKETS_PDF_PASSWORD", "correct horse")
    assert main(["batch", str(f), "-o", str(tmp_path / "o"), "--encrypt", "--jobs", "1"]) == 0
    assert not (tmp_path / "o" / "00412345-en.ics").exists()


def test_example_roster_is_valid():
    rows = read_roster(paths.root() / "examples" / "roster.csv")
    assert len(rows) == 5
    for r in rows:
        r.patient()


# -- a bug in one row never stops the others -------------------------------------------------------

THREE = HEADER + GOOD + '"Secret Name",00633210,,en,2026-03-17,,,\r\n' + '"Zoë Ågren",00744321,,en,2026-04-14,,,\r\n'


@pytest.mark.parametrize("where", ["validating", "building"])
def test_an_unexpected_error_in_one_row_never_stops_the_batch(where, tmp_path, capsys, monkeypatch):
    """A bug (not a bad input) while one row is read or drawn: that row fails with a plain
    "internal error" line that repeats nothing of the exception (it may hold a name); every other
    row is printed."""
    import packets.batch
    import packets.roster

    def crash(record_mrn):
        if record_mrn == "00633210":
            raise RuntimeError("Secret Name broke something")

    if where == "validating":
        real = packets.roster.parse_patient

        def parse(record, *args, **kwargs):
            crash(record.get("mrn"))
            return real(record, *args, **kwargs)
        monkeypatch.setattr(packets.roster, "parse_patient", parse)
    else:
        real = packets.batch.build_packet

        def build(patient, *args, **kwargs):
            crash(patient.mrn)
            return real(patient, *args, **kwargs)
        monkeypatch.setattr(packets.batch, "build_packet", build)
    f = tmp_path / "r.csv"
    f.write_text(THREE, encoding="utf-8")
    out = tmp_path / "o"
    assert main(["batch", str(f), "-o", str(out), "--jobs", "1"]) == 1
    captured = capsys.readouterr()
    assert [line for line in captured.err.splitlines() if line.startswith("error:")] == [
        f"error: {f}:3: internal error (RuntimeError) (MRN ****3210)"]
    assert f"batch: 2 packet(s) written to {out}" in captured.out and "1 row(s) failed" in captured.out
    assert sorted(p.name for p in out.glob("*.pdf")) == ["00412345-en.pdf", "00744321-en.pdf"]
    assert [(r["line"], r["mrn"], r["problem"]) for r in csv.DictReader(
        io.StringIO((out / "errors.csv").read_text(encoding="utf-8-sig")))] == [
        ("3", "****3210", "internal error (RuntimeError)")]
    assert "Secret" not in captured.out + captured.err + (out / "errors.csv").read_text(encoding="utf-8-sig")


def test_sort_by_language_orders_the_combined_pdf_by_language_then_roster_order(tmp_path, capsys):
    f = tmp_path / "r.csv"
    f.write_text(HEADER + '"Ana Ruiz",00412345,,es,2026-03-03,,,\r\n' + '"Li Wei",00633210,,en,2026-03-03,,,\r\n'
                 + '"Aiko Sato",00855555,,ja,2026-03-03,,,\r\n' + '"Zoë Ågren",00744321,,en,2026-03-03,,,\r\n',
                 encoding="utf-8")
    combined = tmp_path / "all.pdf"
    for extra, order in (([], ["00412345", "00633210", "00855555", "00744321"]),
                         (["--sort-by-language"], ["00633210", "00744321", "00412345", "00855555"])):
        assert main(["batch", str(f), "-o", str(tmp_path / "o"), "--jobs", "1", "--combined", str(combined),
                     *extra]) == 0
        assert f"; combined: {combined}" in capsys.readouterr().out
        pages = _sheets(combined)
        starts = [pages[i] for i, mrn in enumerate(pages) if mrn and (i == 0 or pages[i - 1] != mrn)]
        assert starts == order, extra
