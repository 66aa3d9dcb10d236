"""The intake desk in a real browser: Debian's Chromium, driven by Playwright (which launches the
system browser by its path and never downloads one), against the real server.

Skipped on a developer's machine without Chromium, Playwright or axe-core (``npm ci``);
required under CI (CI=true), where ``.ci/run`` installs them.
Set PACKETS_SCREENSHOTS=docs/screenshots to refresh the README's screenshots.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import pdf_text
from webtools import EXAMPLES, FHIR_DAY, FIRST, LATER, ROOT, Server, roster_csv

# PACKETS_CHROMIUM: another Chromium build (or, in a test of this rule, one that is not there).
CHROMIUM = os.environ.get("PACKETS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Flags that work in a container: no sandbox (no user namespaces), no GPU, no network chatter.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SHOTS = os.environ.get("PACKETS_SCREENSHOTS")


def _missing() -> list[str]:
    missing = [] if Path(CHROMIUM).exists() else ["chromium (apt-get install chromium)"]
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install -e '.[test]')")
    if not AXE.exists():
        missing.append("axe-core (npm ci)")
    return missing


UNDER_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")

if _missing() and not UNDER_CI:
    pytest.skip("browser tests need " + ", ".join(_missing()), allow_module_level=True)


@pytest.fixture(scope="module")
def server():
    assert not _missing(), "CI must run the browser tests: " + ", ".join(_missing())
    s = Server(workers=1)
    s.wait_ready()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    assert not _missing(), "CI must run the browser tests: " + ", ".join(_missing())
    from playwright.sync_api import sync_playwright
    profile = tmp_path_factory.mktemp("chromium-profile")   # a fresh profile: nothing remembered
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=ARGS, accept_downloads=True,
            viewport={"width": 1100, "height": 800}, locale="en-US")
        yield context
        context.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()


def screenshot(page, name: str, full_page: bool = True) -> None:
    """Kept small: a 64-colour palette PNG."""
    if not SHOTS:
        return
    from PIL import Image
    target = ROOT / SHOTS / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    image = Image.open(io.BytesIO(page.screenshot(full_page=full_page))).convert("RGB")
    image.quantize(colors=64, dither=Image.Dither.NONE).save(target, optimize=True)


def axe_violations(page) -> list:
    """axe-core's WCAG 2.1 A and AA rules on the page as it is now (injected through DevTools, so
    the page's strict CSP stays on)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate("""async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target)}));
    }""", WCAG_AA)


# What Tab may stop on, in the page's order (no positive tabindex anywhere, so DOM order is Tab order).
TABBABLE = """() => {
    const all = Array.from(document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])'));
    // checkVisibility: not inside a closed <details>, display:none or visibility:hidden
    const shown = e => !e.disabled && (e.checkVisibility({visibilityProperty: true}) || e.matches('.skip'));
    const list = all.filter(shown);
    list.forEach((e, i) => e.setAttribute('data-walk', String(i)));
    return list.length;
}"""
FOCUSED = """() => {
    const e = document.activeElement;
    const s = getComputedStyle(e);
    return {k: e.getAttribute('data-walk'), tag: e.tagName, id: e.id, text: (e.textContent || '').trim().slice(0, 40),
            outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2, inView: (() => {
                const r = e.getBoundingClientRect();
                return r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth; })()};
}"""


def keyboard_walk(page) -> list[dict]:
    """Tab from the top of the page to its end: every control is reached once, in order, with a
    visible focus ring, scrolled into view; nothing traps the focus."""
    count = page.evaluate(TABBABLE)
    assert count > 0
    page.evaluate("document.activeElement && document.activeElement.blur()")
    stops = []
    for _ in range(4 * count + 5):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop["k"] is None:          # past the last control (the browser's own UI, or the page itself)
            break
        if stops and stop["k"] == stops[-1]["k"]:
            continue                   # the next part of one control: a date field's month, day, year
        stops.append(stop)
    assert [int(s["k"]) for s in stops] == list(range(count)), [(s["tag"], s["id"] or s["text"]) for s in stops]
    unseen = [(s["tag"], s["id"] or s["text"]) for s in stops if not s["outline"] or not s["inView"]]
    assert unseen == [], "focus not visible on: %s" % unseen
    assert stops[0]["text"] == "Skip to the page's content"
    return stops


def fill_patient(page, name="Jordan Quill-Smith", mrn="00412345"):
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("MRN").fill(mrn)
    page.get_by_label("Language").select_option("en")
    page.get_by_label("First admission").fill(FIRST.isoformat())
    page.get_by_label("Follow-up visit").fill(LATER.isoformat())


def pdf_viewer_settled(page) -> None:
    """Chromium's PDF viewer loads the PDF a second time inside its extension; closing the page
    before that finishes can hang Chromium's page close, so wait until the network is quiet."""
    page.wait_for_load_state("networkidle")


def long_date(d) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def test_the_form_makes_a_pdf_with_the_name_and_the_dates(page, server):
    page.goto(server.url)
    screenshot(page, "1-one-patient")
    fill_patient(page)
    with page.expect_response(lambda r: r.url.endswith("/packet")) as shown:
        page.get_by_role("button", name="Make packet").click()
    response = shown.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")   # shown, ready to print
    pdf_viewer_settled(page)
    if SHOTS:
        page.wait_for_timeout(1500)                                          # the PDF viewer draws
        screenshot(page, "2-packet-in-the-browser", full_page=False)
    page.go_back()
    fill_patient(page)
    with page.expect_download() as saved:
        page.get_by_role("button", name="Download PDF").click()
    download = saved.value
    assert download.suggested_filename == "00412345-en.pdf"
    cover = pdf_text(Path(download.path()).read_bytes())[0]
    assert "Jordan Quill-Smith" in cover and "00412345" in cover
    assert long_date(FIRST) in cover and long_date(LATER) in cover


def test_a_mistake_appears_next_to_its_field(page, server):
    page.goto(server.url)
    fill_patient(page, mrn="00412345!")
    page.get_by_role("button", name="Make packet").click()
    error = page.locator("#f-mrn-error")
    assert error.is_visible()
    assert " ".join(error.text_content().split()) == "Error: MRN is not an MRN of this program (eight digits)."
    label, box, field = (page.locator(s).bounding_box() for s in ('label[for="f-mrn"]', "#f-mrn-error", "#f-mrn"))
    assert label["y"] < box["y"] < field["y"]                 # between the field's label and its input
    assert abs(box["x"] - field["x"]) < 2
    mrn = page.get_by_label("MRN")
    assert mrn.get_attribute("aria-invalid") == "true" and mrn.input_value() == "00412345!"
    assert "MRN is not an MRN of this program" in mrn.evaluate(
        "e => e.getAttribute('aria-describedby').split(' ').map(i => document.getElementById(i).textContent).join(' ')")
    assert page.get_by_label("Name", exact=True).input_value() == "Jordan Quill-Smith"   # nothing retyped
    screenshot(page, "3-a-mistake")
    assert axe_violations(page) == []


def upload_roster(page, server, tmp_path):
    roster = tmp_path / "roster.csv"          # the test's own file, as staff pick it in the dialog
    roster.write_bytes(roster_csv())
    page.goto(server.url + "roster")
    page.get_by_label("Roster").set_input_files(str(roster))
    page.get_by_role("button", name="Check the roster").click()
    page.wait_for_selector("table.roster")


def test_a_roster_with_good_and_bad_rows_fills_the_table(page, server, tmp_path):
    upload_roster(page, server, tmp_path)
    rows = page.locator("table.roster tbody tr")
    assert rows.count() == 5
    status = [" ".join(rows.nth(i).locator("td.status-cell").inner_text().split()) for i in range(5)]
    assert status[0] == status[1] == status[4] == "Ready"
    assert status[2].startswith("Not ready Column First admission: First admission is not a date")
    assert status[3] == "Not ready Column Language: No packet in this language. Choose the language from the list."
    assert page.get_by_label("Name, line 2").input_value() == "Ana María Ruiz"
    assert page.get_by_role("status").inner_text().endswith("3 ready, 2 not ready (left out of printing until fixed).")
    page.set_viewport_size({"width": 1800, "height": 800})   # the whole table, as on a wide screen
    screenshot(page, "4-roster-table")
    assert axe_violations(page) == []
    # Fixed in the table: a real date, and another language from the list.
    page.get_by_label("First admission, line 4").fill(FIRST.isoformat())
    page.get_by_label("Language, line 5").select_option("fr")
    page.get_by_role("button", name="Check again").click()
    assert page.get_by_role("status").inner_text().endswith("5 ready.")


def test_download_the_combined_print_file_and_the_zip(page, server, tmp_path):
    upload_roster(page, server, tmp_path)
    with page.expect_download() as saved:
        page.get_by_role("button", name="Print file (one PDF, duplex-safe)").click()
    pdf = Path(saved.value.path()).read_bytes()
    assert saved.value.suggested_filename.startswith("print-all-")
    pages = pdf_text(pdf)
    mrns = [(re.search(r"\b(00\d{6})\b", t) or [None, None])[1] for t in pages]
    starts = [i for i, m in enumerate(mrns) if m and m not in mrns[:i]]
    assert [mrns[i] for i in starts] == ["00412345", "00519876", "00633210"] and all(i % 2 == 0 for i in starts)
    assert len(PdfReader(io.BytesIO(pdf)).pages) % 2 == 0
    with page.expect_download() as saved:
        page.get_by_role("button", name="Single PDFs (ZIP)").click()
    names = zipfile.ZipFile(saved.value.path()).namelist()
    assert {"00412345-es.pdf", "00519876-vi.pdf", "00633210-en.pdf", "errors.csv"} <= set(names)


def test_the_form_works_with_the_keyboard_alone(page, server):
    page.goto(server.url)
    order = []
    for _ in range(40):                      # Tab through the whole page once
        page.keyboard.press("Tab")
        ident = page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")
        if not order or order[-1] != ident:
            order.append(ident)
        if ident == "Download PDF":
            break
    fields = [i for i in order if i.startswith("f-")]
    assert fields == ["f-name", "f-mrn", "f-language", "f-birth_date", "f-first_admission", "f-response_scan",
                      "f-follow_up", "f-large_print", "f-bilingual", "f-paper"]
    assert order.index("f-paper") < order.index("Make packet") < order.index("Download PDF")
    assert order[0] == "Skip to the page's content"
    # Focus is visible on every stop: a 3 px outline.
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineWidth") == "3px"
    # Fill it in and make the packet without the mouse.
    page.goto(server.url)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")                                  # the skip link
    while page.evaluate("document.activeElement.id") != "f-name":
        page.keyboard.press("Tab")
    page.keyboard.type("Kim Keyboard-Only")
    page.keyboard.press("Tab")
    page.keyboard.type("00900004")
    page.keyboard.press("Tab")
    page.keyboard.type("English")                                 # type-ahead in the language list
    page.keyboard.press("Tab")                                    # birth date: left empty
    while page.evaluate("document.activeElement.id") != "f-first_admission":
        page.keyboard.press("Tab")
    page.keyboard.type(FIRST.strftime("%m%d%Y"))                  # month, day, year segments
    assert page.locator("#f-first_admission").input_value() == FIRST.isoformat()
    assert page.locator("#f-language").input_value() == "en"
    with page.expect_response(lambda r: r.url.endswith("/packet")) as shown:
        page.keyboard.press("Enter")                              # submits the form
    assert shown.value.status == 200 and shown.value.headers["content-type"] == "application/pdf"
    pdf_viewer_settled(page)


@pytest.mark.parametrize("path", ["", "roster", "ehr", "languages", "no-such-page"])
def test_every_page_passes_axe_wcag21_aa(page, server, path):
    page.goto(server.url + path)
    assert axe_violations(page) == []
    if path == "languages":
        page.set_viewport_size({"width": 1100, "height": 1000})
        screenshot(page, "5-languages", full_page=False)        # the first ten languages: a small picture


def test_the_warning_page_passes_axe(page, server):
    page.goto(server.url)
    fill_patient(page)
    page.get_by_label("First admission").fill("2024-01-09")
    page.get_by_label("Follow-up visit").fill("")
    page.get_by_role("button", name="Make packet").click()
    assert "Check before printing" in page.get_by_role("alert").inner_text()
    assert axe_violations(page) == []


def test_sign_in_page_passes_axe_and_works_by_keyboard(browser):
    """The passphrase sign-in (the setting for serving other computers), on its own server."""
    server = Server(workers=1, env={"PACKETS_WEB_PASSPHRASE": "correct horse battery staple"})
    page = browser.new_page()
    try:
        server.wait_ready()
        page.goto(server.url + "roster")
        assert page.url.endswith("/sign-in")                     # nothing is shown before signing in
        assert axe_violations(page) == []
        screenshot(page, "8-sign-in")
        keyboard_walk(page)
        page.get_by_label("Passphrase").focus()
        page.keyboard.type("correct horse battery staple")
        page.keyboard.press("Enter")
        page.wait_for_selector("h1:has-text(\"One patient's packet\")")
        assert page.get_by_role("button", name="Sign out").is_visible()
    finally:
        page.close()
        server.stop()


@pytest.mark.parametrize("path", ["", "roster", "ehr", "languages", "roster-table", "ehr-table", "no-such-page"])
def test_every_page_can_be_walked_with_the_keyboard(page, server, tmp_path, path):
    if path == "roster-table":
        upload_roster(page, server, tmp_path)
    elif path == "ehr-table":
        page.goto(server.url + "ehr")
        page.get_by_label("EHR file").set_input_files(str(EXAMPLES / "clinic-day-bundle.json"))
        page.get_by_role("button", name="Check the EHR file").click()
        page.wait_for_selector("table.roster")
    else:
        page.goto(server.url + path)
    keyboard_walk(page)


@pytest.fixture(scope="module")
def ehr_server():
    """A server on the day the FHIR examples were written for: their admissions are ahead."""
    s = Server(workers=1, env={"SOURCE_DATE_EPOCH": FHIR_DAY})
    s.wait_ready()
    yield s
    s.stop()


def test_import_from_an_ehr_file_fills_the_table_and_prints(page, ehr_server):
    page.goto(ehr_server.url)
    page.get_by_role("link", name="Import from EHR file").click()
    assert axe_violations(page) == []
    screenshot(page, "6-import-from-ehr")
    page.get_by_label("EHR file").set_input_files(str(EXAMPLES / "clinic-day-bundle.json"))
    page.get_by_role("button", name="Check the EHR file").click()
    page.wait_for_selector("table.roster")
    rows = page.locator("table.roster tbody tr")
    assert rows.count() == 3
    assert [" ".join(rows.nth(i).locator("td.status-cell").inner_text().split()) for i in range(3)] == ["Ready"] * 3
    assert [page.get_by_label(f"Name, entry {i}").input_value() for i in (1, 2, 3)] == \
        ["Ana María Ruiz", "陳美玲", "Văn An Nguyễn"]
    assert [page.get_by_label(f"MRN, entry {i}").input_value() for i in (1, 2, 3)] == \
        ["00412345", "00633210", "00519876"]
    assert page.get_by_role("status").inner_text() == "clinic-day-bundle.json: 3 rows, 3 ready."
    page.set_viewport_size({"width": 1800, "height": 800})
    screenshot(page, "7-ehr-rows-in-the-table")
    assert axe_violations(page) == []
    # Fixed in the table with the keyboard: a later follow-up visit, then Enter checks it again.
    page.get_by_label("Follow-up visit, entry 1").focus()
    page.keyboard.type("01112027")
    page.keyboard.press("Enter")
    page.wait_for_selector("table.roster")
    assert page.get_by_label("Follow-up visit, entry 1").input_value() == "2027-01-11"
    assert page.get_by_role("status").inner_text().endswith("3 ready.")
    with page.expect_download() as saved:
        page.get_by_role("button", name="Print file (one PDF, duplex-safe)").click()
    assert saved.value.suggested_filename == "print-all-2026-11-23.pdf"
    pdf = Path(saved.value.path()).read_bytes()
    pages = pdf_text(pdf)
    mrns = [(re.search(r"\b(00\d{6})\b", t) or [None, None])[1] for t in pages]
    starts = [i for i, m in enumerate(mrns) if m and m not in mrns[:i]]
    assert [mrns[i] for i in starts] == ["00412345", "00633210", "00519876"] and all(i % 2 == 0 for i in starts)
    assert "Ana María Ruiz" in pages[0] and "lunes, 11 de enero de 2027" in pages[0]   # the fixed follow-up
