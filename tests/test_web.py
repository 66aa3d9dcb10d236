"""The intake desk without a browser: forms, validation messages next to their fields, the
roster table, and the rules that keep patient data in the room (CSRF, headers, sign-in)."""

from __future__ import annotations

import io
import re
import zipfile
from html import unescape

import pytest
from pypdf import PdfReader

from packets.errors import ConfigError
from packets.web import Settings, create_app
from packets.web.server import check_listen
from packets.web.workers import InlineRenderer
from conftest import pdf_text
from webtools import FIRST, LATER, csrf, patient_form, roster_csv, table_form


@pytest.fixture(scope="module")
def renderer(program):
    return InlineRenderer(program)


@pytest.fixture(scope="module")
def app(renderer):
    return create_app(Settings(), renderer=renderer)


@pytest.fixture
def client(app):
    return app.test_client()


def post(client, path, data, page="/", **kw):
    """POST as the browser does: with the CSRF token of the page the form is on."""
    token = csrf(client.get(page).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token}, **kw)


def field_block(html: str, name: str) -> str:
    """The markup of one labelled field (label, hint, error, input)."""
    m = re.search(r'<div class="field[^"]*">\s*<label for="f-%s">.*?</div>' % re.escape(name), html, re.S)
    assert m, f"no field {name}"
    return m.group(0)


# -- the one-patient form --------------------------------------------------------------------------
def test_form_has_the_labelled_fields_and_a_date_picker(client):
    html = client.get("/").get_data(as_text=True)
    for name, label in [("name", "Name"), ("mrn", "MRN"), ("language", "Language"),
                        ("first_admission", "First admission")]:
        assert re.search(r'<label for="f-%s">%s\b' % (name, label), html), label
    assert re.search(r'<input type="date" id="f-first_admission"', html)
    # The language list: native and English names, and the review status.
    assert re.search(r'<option value="es">Español — Spanish \(draft\)</option>', html)
    assert re.search(r'<option value="zh-Hant">中文 \(繁體\) — Chinese \(Traditional\) \(draft\)</option>', html)
    for optional in ("birth_date", "response_scan", "follow_up", "cycle_1", "cycle_6"):
        assert f'id="f-{optional}"' in html
    assert 'name="large_print"' in html and 'name="bilingual"' in html and 'name="paper"' in html
    assert ">Make packet</button>" in html


def test_make_packet_shows_the_pdf_with_the_name_and_dates(client):
    r = post(client, "/packet", patient_form(follow_up=LATER.isoformat(), action="view"))
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"] == 'inline; filename="00412345-en.pdf"'
    assert r.headers["Cache-Control"] == "no-store"
    pages = pdf_text(r.data)
    assert "Jordan Quill-Smith" in pages[0]
    first = f"{FIRST:%B} {FIRST.day}, {FIRST.year}"   # "March 2, 2027" on the cover's date table
    assert first in pages[0] and f"{LATER:%B} {LATER.day}, {LATER.year}" in pages[0]


def test_download_pdf_is_an_attachment(client):
    r = post(client, "/packet", patient_form(action="download"))
    assert r.headers["Content-Disposition"] == 'attachment; filename="00412345-en.pdf"'
    assert r.data.startswith(b"%PDF")


def test_options_reach_the_build(client):
    r = post(client, "/packet", patient_form(paper="a4", large_print="1", language="es"))
    reader = PdfReader(io.BytesIO(r.data))
    width, height = (float(x) for x in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)          # A4, not the program's Letter
    assert len(reader.pages) >= 11                              # large print: 11-15 pages, normal 7-8
    assert "Jordan Quill-Smith" in pdf_text(r.data)[0]


@pytest.mark.parametrize("change, field, words", [
    pytest.param({"name": ""}, "name", "Name is required.", id="missing-name"),
    pytest.param({"mrn": "004 12345"}, "mrn", "MRN is not an MRN of this program (eight digits).", id="bad-mrn"),
    pytest.param({"mrn": "412345"}, "mrn", "MRN has 6 digit(s), not eight digits; type the MRN with its leading zeros.",
                 id="lost-zeros"),
    pytest.param({"language": ""}, "language", "Language is required.", id="no-language"),
    pytest.param({"first_admission": ""}, "first_admission",
                 "First admission is required (or give the cycle dates).", id="no-dates"),
    pytest.param({"birth_date": "1961-02-30"}, "birth_date", "Birth date is not a date; write it as YYYY-MM-DD",
                 id="impossible-birth-date"),
    pytest.param({"first_admission": "", "cycle_1": FIRST.isoformat(), "cycle_3": "2027-13-01"}, "cycle_3",
                 "Cycle 3 admission is not a date", id="third-cycle-field-second-date"),
    pytest.param({"language": "xx-YY"}, "language", "No packet in this language. Choose the language from the list.",
                 id="unknown-language"),
    pytest.param({"first_admission": "2099-01-06"}, "first_admission",
                 "First admission (2099-01-06) is more than two years after today", id="year-typo"),
])
def test_a_mistake_shows_next_to_its_field_in_plain_words(client, change, field, words):
    r = post(client, "/packet", patient_form(**change))
    assert r.status_code == 422 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    block = field_block(html, field)
    assert f'id="f-{field}-error"' in block and words in unescape(block)
    assert 'aria-invalid="true"' in block and f'f-{field}-error"' in block  # announced with the input
    assert f'<a href="#f-{field}">' in html                               # and linked from the summary
    assert "schedule." not in html and "cycles[" not in html              # no programmer's paths
    assert "Jordan" not in block or field == "name"


def test_the_form_keeps_what_was_typed_after_a_mistake(client):
    html = post(client, "/packet", patient_form(mrn="bad mrn!")).get_data(as_text=True)
    assert 'value="Jordan Quill-Smith"' in html and f'value="{FIRST.isoformat()}"' in html
    assert '<option value="en" selected>' in html


def test_a_past_date_asks_first_and_anyway_is_tied_to_the_data(client):
    past = patient_form(first_admission="2024-01-09")
    r = post(client, "/packet", past)
    html = r.get_data(as_text=True)
    assert r.mimetype == "text/html" and "scheduled date(s) are in the past" in html
    assert "****2345" not in html                       # one patient on screen: no masked MRN prefix
    token = re.search(r'name="confirmed" value="([0-9a-f]+)"', html).group(1)
    ok = post(client, "/packet", {**past, "confirmed": token})
    assert ok.mimetype == "application/pdf"
    # The same "anyway" with other data (another date) asks again.
    other = post(client, "/packet", {**past, "first_admission": "2024-01-16", "confirmed": token})
    assert other.mimetype == "text/html"


# -- the roster ------------------------------------------------------------------------------------
def upload(client, data: bytes, filename="roster.csv"):
    """A multipart upload, encoded in memory (the test client would spool a large one to a file)."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart
    token = csrf(client.get("/roster").get_data(as_text=True))
    boundary, body = encode_multipart({"csrf_token": token,
                                       "roster": FileStorage(io.BytesIO(data), filename, "roster")})
    return client.post("/roster", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def table_rows(html: str) -> dict[int, str]:
    """line -> the row's markup."""
    out = {}
    for tr in re.findall(r"<tr class=\"(?:ready|problem|left-out)\">.*?</tr>", html, re.S):
        out[int(re.search(r'name="r\d+-line" value="(\d+)"', tr).group(1))] = tr
    return out


def test_roster_upload_fills_the_table_with_every_row(client):
    r = upload(client, roster_csv())
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    rows = table_rows(html)
    assert sorted(rows) == [2, 3, 4, 5, 6]
    for line in (2, 3, 6):
        assert "<strong>Ready</strong>" in rows[line]
    assert "Not ready</strong><br>Column First admission: First admission is not a date" in rows[4]
    assert re.search(r'<td class="bad">\s*<label[^>]*for="r2-first_admission"', rows[4])   # the cell itself
    assert 'id="r2-first_admission" name="r2-first_admission" value="%d-02-30"' % FIRST.year in rows[4]
    assert "Not ready</strong><br>Column Language: No packet in this language. Choose the language from the list." \
        in unescape(rows[5])
    assert '<option value="xx-YY" selected>xx-YY (not a language we print)</option>' in rows[5]
    assert "3 ready" in html and "2 not ready" in html
    assert 'value="Ana María Ruiz"' in rows[2]


def test_a_row_fixed_in_the_table_becomes_ready(client):
    html = upload(client, roster_csv()).get_data(as_text=True)
    data = table_form(html)
    data["r2-first_admission"] = FIRST.isoformat()
    data["r3-leave_out"] = "1"
    r = client.post("/roster/check", data=data)
    rows = table_rows(r.get_data(as_text=True))
    assert "<strong>Ready</strong>" in rows[4]
    assert "Left out" in rows[5]


def test_print_file_is_one_duplex_safe_pdf_of_the_ready_rows(client):
    data = table_form(upload(client, roster_csv()).get_data(as_text=True))
    r = client.post("/roster/print", data=data)
    assert r.mimetype == "application/pdf" and r.headers["Content-Disposition"].startswith("attachment;")
    assert r.headers["Cache-Control"] == "no-store"
    pages = pdf_text(r.data)
    mrns = [(re.search(r"\b(00\d{6})\b", t) or [None, None])[1] for t in pages]   # each page's header
    starts = [i for i, m in enumerate(mrns) if m and m not in mrns[:i]]
    assert [mrns[i] for i in starts] == ["00412345", "00519876", "00633210"]
    assert all(i % 2 == 0 for i in starts)                         # each packet starts on an odd page
    assert all(not pages[i].strip() for i, m in enumerate(mrns) if m is None)   # padding is blank
    text = "\n".join(pages)
    assert "Wei Okafor" in text and "Secret Badday" not in text and "Secret Nolang" not in text


def test_single_pdfs_come_as_a_zip_with_the_rows_left_out(client):
    data = table_form(upload(client, roster_csv()).get_data(as_text=True))
    r = client.post("/roster/zip", data=data)
    assert r.mimetype == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(r.data))
    names = set(zf.namelist())
    assert {"00412345-es.pdf", "00519876-vi.pdf", "00633210-en.pdf", "errors.csv"} <= names
    assert "Nguyễn Văn An" in pdf_text(zf.read("00519876-vi.pdf"))[0]
    errors = zf.read("errors.csv").decode("utf-8-sig")
    assert "****0001" in errors and "****0002" in errors and "Secret" not in errors


def test_nothing_prints_when_no_row_is_ready(client):
    data = table_form(upload(client, roster_csv()).get_data(as_text=True))
    for i in range(5):
        data[f"r{i}-leave_out"] = "1"
    r = client.post("/roster/print", data=data)
    assert r.status_code == 422 and "No row is ready to print" in r.get_data(as_text=True)


@pytest.mark.parametrize("content, filename, words", [
    pytest.param(b"name,mrn\r\nA,1\r\n", "roster.csv", "roster.csv: missing column(s): language, first_admission",
                 id="missing-columns"),
    pytest.param("name,mrn,language,first_admission\r\nJosé,1,es,2027-01-01\r\nRenée,2,fr,2027-01-01\r\n"
                 .encode("cp1252"), "roster.csv", "not UTF-8", id="windows-1252"),
    pytest.param(b"%PDF-1.4", "scan.pdf", "This is not a roster file", id="not-a-roster"),
    pytest.param(b"name,mrn,language,first_admission\r\n", "roster.csv", "roster.csv has no patient rows.", id="empty"),
])
def test_a_roster_that_cannot_be_read_says_why(client, content, filename, words):
    r = upload(client, content, filename)
    assert r.status_code in (413, 422)
    html = r.get_data(as_text=True)
    assert words in unescape(html) and 'id="f-roster-error"' in html


def test_upload_size_and_row_limits_have_clear_messages(renderer):
    app = create_app(Settings(max_upload_bytes=64 * 1024, max_rows=3), renderer=renderer)
    client = app.test_client()
    big = upload(client, b"name,mrn,language,first_admission\r\n" + b"x" * 100_000)
    assert big.status_code == 413
    assert "The file is larger than 0.0625 MB" in big.get_data(as_text=True)
    many = upload(client, roster_csv())
    assert many.status_code == 413
    assert "The roster has 5 rows; at most 3 can be printed at once" in many.get_data(as_text=True)


def test_an_upload_is_never_spooled_to_a_temporary_file(client, monkeypatch):
    """Werkzeug writes uploads over 500 KB to a temporary file unless told otherwise."""
    import tempfile
    import werkzeug.formparser

    def no_disk(*a, **kw):
        raise AssertionError("an upload went to a temporary file")
    monkeypatch.setattr(werkzeug.formparser, "SpooledTemporaryFile", no_disk)
    for name in ("SpooledTemporaryFile", "TemporaryFile", "NamedTemporaryFile", "mkstemp"):
        monkeypatch.setattr(tempfile, name, no_disk)
    padding = b"\r\n" * 400_000                                  # 800 KB of empty lines
    r = upload(client, roster_csv() + padding)
    assert r.status_code == 200 and "3 ready" in r.get_data(as_text=True)


# -- languages and status ----------------------------------------------------------------------------
def test_languages_page_lists_every_language_with_review_status_and_preview(client):
    from packets.i18n.locales import available
    html = client.get("/languages").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", html, re.S)
    assert len(rows) == len(available())
    french = next(r for r in rows if "Français" in r)
    assert "French" in french and "Draft" in french and "/languages/fr/preview.pdf" in french
    r = client.get("/languages/fr/preview.pdf")
    assert r.mimetype == "application/pdf" and "Ana María Ruiz" in pdf_text(r.data)[0]
    assert client.get("/languages/xx/preview.pdf").status_code == 404


@pytest.mark.parametrize("path", ["/", "/roster", "/ehr", "/languages"])
def test_status_banner_on_every_page(client, path):
    html = client.get(path).get_data(as_text=True)
    banner = re.search(r'<section class="status [^"]+" aria-label="Program status">.*?</section>', html, re.S)
    text = unescape(banner.group(0))
    assert "Not in production." in text and "say SAMPLE" in text
    assert "Not ready yet: the content: draft; the program profile: draft and a sample; " \
        "15 of 15 translations not reviewed" in text
    # who must act and the command, as python generate.py status says it
    assert 'A clinician must act: <code>python generate.py review content --by "NAME, CREDENTIAL"</code>' in text
    assert "A qualified medical translator must act: <code>python generate.py i18n review es" in text


@pytest.fixture
def production_root(tmp_path, monkeypatch):
    """A copy of the content and catalogs, a real (non-sample) profile in production, with the
    content, the profile and the Spanish catalog reviewed: the shipped files are never reviewed."""
    import shutil
    from packets import paths, review
    from conftest import REAL_PROFILE
    root = tmp_path / "root"
    shutil.copytree(paths.content_dir(), root / "content")
    shutil.copytree(paths.locales_dir(), root / "locales")
    (root / "fonts").symlink_to(paths.root() / "fonts")
    (root / "content" / "program.yaml").write_text(REAL_PROFILE + "production: true\n", encoding="utf-8")
    monkeypatch.setenv("PACKETS_ROOT", str(root))
    review.review_content("Dana Whitfield, MD")
    review.review_program("Sam Lee, RN, program manager")
    review.review_catalog("es", "Lucía Ortega, CMI")
    return root


def test_production_prints_only_what_is_reviewed(production_root, capsys):
    app = create_app(Settings())
    client = app.test_client()
    html = unescape(client.get("/").get_data(as_text=True))
    assert "In production." in html and "Not ready yet: 14 of 15 translations not reviewed" in html
    assert '<option value="es">Español — Spanish (reviewed)</option>' in html
    ok = post(client, "/packet", patient_form(language="es"))
    assert ok.mimetype == "application/pdf" and "Jordan Quill-Smith" in pdf_text(ok.data)[0]
    refused = post(client, "/packet", patient_form(language="fr"))
    text = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422
    assert "Not ready for production: the French (fr) catalog" in text
    assert "a qualified medical translator must review it: python generate.py i18n review fr" in text
    # Word for word the reason the command line gives (build raises the gate's own verdict).
    from packets.cli import main
    from packets.review import may_print
    from packets.program import load_program
    reason = may_print(load_program(), "fr").reason
    assert reason[:1].upper() + reason[1:] in text
    patient_file = production_root / "p.yaml"
    patient_file.write_text(f"name: Jordan Quill-Smith\nmrn: '00412345'\nlanguage: fr\n"
                            f"schedule: {{first_admission: {FIRST.isoformat()}}}\n", encoding="utf-8")
    assert main(["build", str(patient_file), "-o", str(production_root / "out")]) == 2
    assert reason in capsys.readouterr().err
    # The languages page says who reviewed Spanish and when; French is a draft.
    languages = unescape(client.get("/languages").get_data(as_text=True))
    spanish = next(r for r in re.findall(r"<tr>.*?</tr>", languages, re.S) if "Español" in r)
    assert re.search(r"Reviewed by Lucía Ortega, CMI on \d{4}-\d{2}-\d{2}", spanish)
    # A translator's preview still works in production (never for a patient).
    assert client.get("/languages/fr/preview.pdf").mimetype == "application/pdf"


def test_production_roster_marks_unreviewed_languages(production_root):
    client = create_app(Settings()).test_client()
    html = upload(client, roster_csv()).get_data(as_text=True)
    rows = table_rows(html)
    assert "<strong>Ready</strong>" in rows[2]                                   # Spanish: reviewed
    assert "Column Language: Not ready for production: the Vietnamese (vi) catalog" in unescape(rows[3])
    assert "<strong>Ready</strong>" in rows[6]                                   # English: the source


def test_a_translation_edited_after_review_is_draft_again(production_root):
    po = production_root / "locales" / "es" / "LC_MESSAGES" / "packet.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Su guía', 'msgstr "Tu guía', 1), encoding="utf-8")
    client = create_app(Settings()).test_client()
    html = unescape(client.get("/languages").get_data(as_text=True))
    spanish = next(r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if "Español" in r)
    assert "Changed since review" in spanish and "last reviewed by Lucía Ortega, CMI" in spanish
    refused = post(client, "/packet", patient_form(language="es"))
    assert "changed since its review by Lucía Ortega, CMI" in unescape(refused.get_data(as_text=True))


# -- security --------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/packet", "/roster", "/roster/check", "/roster/print", "/roster/zip", "/ehr"])
def test_a_post_without_csrf_token_is_refused(client, path):
    r = client.post(path, data=patient_form())
    assert r.status_code == 400 and "This form has expired" in r.get_data(as_text=True)
    assert r.mimetype == "text/html"
    forged = client.post(path, data={**patient_form(), "csrf_token": "forged"})
    assert forged.status_code == 400


@pytest.mark.parametrize("path, method", [("/", "get"), ("/roster", "get"), ("/ehr", "get"), ("/languages", "get"),
                                          ("/static/style.css", "get"), ("/nowhere", "get"),
                                          ("/packet", "post"), ("/languages/fr/preview.pdf", "get")])
def test_security_headers_on_every_response(client, path, method):
    r = post(client, path, patient_form()) if method == "post" else client.get(path)
    r.close()
    h = r.headers
    csp = h["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert h["X-Content-Type-Options"] == "nosniff" and h["Referrer-Policy"] == "no-referrer"
    if path != "/static/style.css":
        assert h["Cache-Control"] == "no-store"


def test_no_inline_script_or_style_in_any_template():
    from packets import web
    from pathlib import Path
    for tpl in (Path(web.__file__).parent / "templates").glob("*.html"):
        text = tpl.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), tpl.name
        assert not re.search(r"\son[a-z]+=", text), tpl.name
        assert not re.search(r"\sstyle=|<style", text), tpl.name


def test_patient_data_never_goes_in_a_url(client):
    """Every form that carries patient data is POST; a GET with it in the query does nothing."""
    for path in ("/", "/roster", "/ehr"):
        html = client.get(path).get_data(as_text=True)
        for form in re.findall(r"<form[^>]*>", html):
            assert 'method="post"' in form, form
    assert client.get("/packet?name=Jordan").status_code == 405


def test_passphrase_sign_in(renderer):
    app = create_app(Settings(passphrase="correct horse battery"), renderer=renderer)
    app.config["SIGN_IN_DELAY"] = 0
    client = app.test_client()
    assert client.get("/").status_code == 302 and client.get("/roster").headers["Location"].endswith("/sign-in")
    page = client.get("/sign-in").get_data(as_text=True)
    wrong = client.post("/sign-in", data={"passphrase": "guess", "csrf_token": csrf(page)})
    assert wrong.status_code == 401 and "not right" in wrong.get_data(as_text=True)
    ok = client.post("/sign-in", data={"passphrase": "correct horse battery", "csrf_token": csrf(page)})
    assert ok.status_code == 302
    assert client.get("/").status_code == 200


def test_trusted_sign_on_header(renderer):
    app = create_app(Settings(trust_header="X-Remote-User"), renderer=renderer)
    client = app.test_client()
    assert client.get("/").status_code == 401
    assert client.get("/", headers={"X-Remote-User": "nurse.kim"}).status_code == 200
    # Only the proxy may set it: the same header straight from another computer is refused.
    assert client.get("/", headers={"X-Remote-User": "nurse.kim"},
                      environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 403


@pytest.mark.parametrize("host, settings, ok", [
    ("127.0.0.1", Settings(), True),
    ("localhost", Settings(), True),
    ("::1", Settings(), True),
    ("0.0.0.0", Settings(), False),
    ("192.168.1.20", Settings(), False),
    ("0.0.0.0", Settings(passphrase="correct horse battery"), True),
    ("0.0.0.0", Settings(trust_header="X-Remote-User"), True),
    ("0.0.0.0", Settings(passphrase="short"), False),
])
def test_listening_beyond_this_computer_needs_sign_in(host, settings, ok):
    if ok:
        check_listen(host, settings)
    else:
        with pytest.raises(ConfigError):
            check_listen(host, settings)


def test_serve_refuses_a_public_address_without_sign_in(capsys, monkeypatch):
    from packets.cli import main
    monkeypatch.delenv("PACKETS_WEB_PASSPHRASE", raising=False)
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "error: --host 0.0.0.0 would let other computers reach the intake desk" in err
    assert "PACKETS_WEB_PASSPHRASE" in err and "--trust-header" in err


def test_every_mistake_of_the_form_at_once(client):
    """The validator reports all problems of a record; each appears next to its own field."""
    r = post(client, "/packet", patient_form(name="", mrn="4123", birth_date="1961-13-01"))
    html = unescape(r.get_data(as_text=True))
    assert "Name is required." in field_block(html, "name")
    assert "MRN has 4 digit(s)" in field_block(html, "mrn")
    assert "Birth date is not a date" in field_block(html, "birth_date")
    assert html.count('aria-invalid="true"') == 3


def test_an_excel_workbook_fills_the_table(client):
    """The scheduling system's .xlsx, read from memory, as the CSV is."""
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "mrn", "language", "first_admission"])
    sheet.append(["Ana María Ruiz", "00412345", "es-US", FIRST])
    cell = sheet.cell(row=3, column=2, value=519876)       # a numeric MRN shown as 00519876
    cell.number_format = "00000000"
    sheet.cell(row=3, column=1, value="Nguyễn Văn An")
    sheet.cell(row=3, column=3, value="vi")
    sheet.cell(row=3, column=4, value=FIRST)
    buf = io.BytesIO()
    book.save(buf)
    html = upload(client, buf.getvalue(), "today.xlsx").get_data(as_text=True)
    rows = table_rows(html)
    assert sorted(rows) == [2, 3] and all("<strong>Ready</strong>" in r for r in rows.values())
    assert 'value="00519876"' in rows[3] and f'value="{FIRST.isoformat()}"' in rows[2]


@pytest.mark.parametrize("ci, outcome", [("", "skipped"), ("true", "failed")])
def test_browser_tests_skip_locally_but_are_required_under_ci(ci, outcome, tmp_path):
    """Without Chromium the browser tests skip on a developer's machine, and fail under CI."""
    import os
    import subprocess
    import sys
    from webtools import ROOT
    env = {**os.environ, "CI": ci, "PACKETS_CHROMIUM": str(tmp_path / "no-chromium")}
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_web_browser.py"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    summary = r.stdout.strip().splitlines()[-1]
    if outcome == "skipped":
        assert r.returncode == 5 and summary.startswith("1 skipped in "), r.stdout[-800:]   # 5: nothing ran
        assert "browser tests need chromium (apt-get install chromium)" in r.stdout
    else:
        assert r.returncode == 1 and " error" in summary and "passed" not in summary, r.stdout[-800:]
        assert "AssertionError: CI must run the browser tests: chromium" in r.stdout


def test_no_patient_text_stays_in_the_worker_after_its_answer(client):
    """The renderer memoises text (most of it is the same in every packet); the web app's workers
    drop it after every request, so a patient's name, MRN and dates are not kept in memory."""
    from packets.i18n import context
    from packets.render import arabic, bidi, paragraph, pdf
    r = post(client, "/packet", patient_form(name="Secret Memo-Keeper", language="ar"))
    assert r.mimetype == "application/pdf"
    assert "Secret Memo-Keeper" in pdf_text(r.data)[0]
    for memo in (pdf._markup, bidi._visual, bidi.has_rtl, bidi.needs_bidi, arabic.join, context._format,
                 context._range_parts):
        assert memo.cache_info().currsize == 0, memo.__name__
    assert not any("Memo-Keeper" in key for key in paragraph._ANALYSIS)
    assert not any("Memo-Keeper" in key[0] for key in pdf._PARSED)
