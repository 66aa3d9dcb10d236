"""The packet as a patient and an auditor see it: text, dates, fonts and metadata in the PDF."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from packets.i18n.context import load_catalog_state
from tests.conftest import build, patient, pdf_text


D = dt.date


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def test_spanish_packet_has_name_dates_and_headings(spanish_pdf, content):
    text = norm(" ".join(pdf_text(spanish_pdf)))
    assert "Ana María Ruiz" in text
    assert "martes, 3 de marzo de 2026" in text       # first admission, long form with weekday
    assert "martes, 24 de marzo de 2026" in text      # second admission, derived from the regimen
    es = load_catalog_state("es").translations
    for section in content.sections:
        heading = norm(es[(section.id, section.title.text)])
        assert heading in text, heading


def test_every_page_names_patient_and_counts_pages(spanish_pdf):
    pages = pdf_text(spanish_pdf)
    assert len(pages) >= 3
    es = load_catalog_state("es").translations
    template = es[("ui", "Page {page} of {pages}")]
    for i, page in enumerate(pages, 1):
        assert "Ana María Ruiz" in page
        assert "00412345" in page
        label = template.format(page=i, pages=len(pages))
        assert label in norm(page), label


def test_draft_catalog_shows_notice_on_every_page(spanish_pdf):
    es = load_catalog_state("es")
    assert es.review_status == "draft"
    for page in pdf_text(spanish_pdf):
        assert "not yet reviewed by a qualified medical translator" in norm(page)


def test_metadata_is_generic_and_carries_language(spanish_pdf):
    reader = PdfReader(io.BytesIO(spanish_pdf))
    meta = reader.metadata
    blob = " ".join(str(v) for v in meta.values())
    assert "Ana" not in blob and "Ruiz" not in blob and "00412345" not in blob
    assert "IL-2" in meta.title
    assert reader.trailer["/Root"]["/Lang"] == "es"


def test_fonts_are_embedded_subsets(spanish_pdf):
    reader = PdfReader(io.BytesIO(spanish_pdf))
    fonts = set()
    for page in reader.pages:
        for f in page["/Resources"]["/Font"].values():
            f = f.get_object()
            fonts.add(f["/BaseFont"])
            desc = f["/DescendantFonts"][0].get_object()["/FontDescriptor"] if "/DescendantFonts" in f \
                else f.get("/FontDescriptor")
            if desc is not None:
                assert "/FontFile2" in desc.get_object(), f["/BaseFont"]
    assert fonts and all(re.match(r"/[A-Z]{6}\+", name) for name in fonts), fonts



def _font_sizes(pdf: bytes) -> list[float]:
    sizes = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        def visit(text, cm, tm, font_dict, font_size):
            if text.strip():
                sizes.append(round(font_size * tm[0], 1) if tm[0] else font_size)
        page.extract_text(visitor_text=visit)
    return sizes


def test_type_sizes(spanish_pdf):
    sizes = _font_sizes(spanish_pdf)
    body = max(set(sizes), key=sizes.count)  # the commonest size is the body text
    assert body >= 12
    assert min(sizes) >= 10                  # header and footer


def test_markup_in_name_is_printed_literally(program):
    name = 'Zoë <font size=40>O\'Brien</font> & "Co" <b>x'
    pdf = build(patient(name=name, language="en"), program)
    text = norm(" ".join(pdf_text(pdf)))
    assert norm(name) in text


def test_same_input_same_bytes(sample_patient, program, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    assert build(sample_patient, program) == build(sample_patient, program)


def test_english_packet_paper_and_content(program):
    pdf = build(patient(language="en"), program)
    reader = PdfReader(io.BytesIO(pdf))
    w, h = (float(x) for x in reader.pages[0].mediabox[2:])
    assert (round(w), round(h)) == (612, 792)  # US Letter for a US program
    text = norm(" ".join(pdf_text(pdf)))
    assert "Tuesday, March 3, 2026" in text
    assert "(503) 555-0199" in text and "911" in text


def test_a4_for_program_outside_the_us(sample_patient):
    from packets import paths
    from packets.program import load_program
    gb = load_program(paths.root() / "examples" / "program-tip.yaml")
    pdf = build(patient(language="en"), gb)
    w, h = (float(x) for x in PdfReader(io.BytesIO(pdf)).pages[0].mediabox[2:])
    assert (round(w), round(h)) == (595, 842)
    text = norm(" ".join(pdf_text(pdf)))
    assert "Tuesday, 3 March 2026" in text  # British long date (CLDR en_GB)
    assert "999" in text


def _squeeze(text: str) -> str:
    """Without spaces: a cell's lines are joined where the layout broke them, with or without one."""
    return re.sub(r"\s", "", text)


@pytest.mark.parametrize("catalog_id", ["en", "es", "zh_Hant"])
def test_dates_table_rows_read_back_each_date_beside_its_label(catalog_id, program, content):
    """Row by row, read back from the cover's table: each label with its own date, in date order
    (planned tests typed out of order are listed by date), the estimated scan marked "about"."""
    from packets.i18n.context import make_context
    from tests.pdfinspect import ruled_rows
    tag = catalog_id.replace("_", "-")
    schedule = {"first_admission": "2026-03-03", "follow_up": "2026-05-12",
                "tests": [{"name": "Blood tests", "date": "2026-02-27"},
                          {"name": "Echocardiogram", "date": "2026-02-20"}]}
    pdf = build(patient(language=tag, schedule=schedule), program)
    ctx = make_context(tag, program.territory)

    def label(key, **values):
        return re.sub(r"</?b>", "", ctx.gettext(content.ui[key])).format(**values)

    one, two = ctx.number(1), ctx.number(2)
    expected = [
        (label("test_before", test="Echocardiogram"), ctx.date(D(2026, 2, 20))),
        (label("test_before", test="Blood tests"), ctx.date(D(2026, 2, 27))),
        (label("cycle_admission", cycle=one), ctx.date(D(2026, 3, 3))),
        (label("cycle_discharge", cycle=one), ctx.date_range(D(2026, 3, 7), D(2026, 3, 9))),
        (label("break"), ctx.date_range(D(2026, 3, 10), D(2026, 3, 23))),
        (label("cycle_admission", cycle=two), ctx.date(D(2026, 3, 24))),
        (label("cycle_discharge", cycle=two), ctx.date_range(D(2026, 3, 28), D(2026, 3, 30))),
        (label("response_scan"), label("approx_date", date=ctx.date(D(2026, 4, 27), after_preposition=True))),
        (label("follow_up"), ctx.date(D(2026, 5, 12))),
    ]
    rows = ruled_rows(pdf)
    assert [(_squeeze(a), _squeeze(b)) for a, b in rows] == [(_squeeze(a), _squeeze(b)) for a, b in expected]


@pytest.mark.parametrize("tag, printed", [("en", "Printed on Thursday, January 1, 2026"),
                                          ("es", "Impreso el jueves, 1 de enero de 2026")])
def test_printed_date_is_the_day_of_source_date_epoch(tag, printed, program, monkeypatch):
    """Reproducible builds: the cover's "printed on" line is the day SOURCE_DATE_EPOCH names, not today."""
    from tests.pdfinspect import page_lines
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00 UTC
    lines = page_lines(build(patient(language=tag), program), 0)
    assert printed in lines, lines


@pytest.mark.parametrize("tag", ["en", "es", "vi"])
def test_bold_phrases_print_bold_and_the_words_around_them_regular(tag, program, content):
    """The paragraph that explains IL-2, read back word by word with its weight: "immune system"
    (and its translation) bold, every other word regular."""
    from packets.i18n.context import make_context
    from tests.pdfinspect import weighted_words
    ctx = make_context(tag, program.territory)
    message = next(b.text for s in content.sections for b in s.blocks
                   if b.text is not None and "<b>immune system</b>" in b.text.text)
    expected, bold = [], False
    for part in re.split(r"(</?b>)", ctx.gettext(message)):
        if part in ("<b>", "</b>"):
            bold = part == "<b>"
        else:
            expected += [(w, bold) for w in re.findall(r"\w[\w-]*", part)]
    assert any(b for _, b in expected) and not all(b for _, b in expected)
    printed = [(w, b) for text, b in weighted_words(build(patient(language=tag), program))
               for w in re.findall(r"\w[\w-]*", text)]
    words = [w for w, _ in expected]
    starts = [i for i in range(len(printed)) if [w for w, _ in printed[i:i + len(words)]] == words]
    assert len(starts) == 1, (starts, words)
    assert printed[starts[0]:starts[0] + len(words)] == expected
