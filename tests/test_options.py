"""Packet options and catalog gates, seen from the PDF and the command line.

Bilingual packets, QR codes that a phone can read, drafts refused for production, incomplete
catalogs refused (or built with visible English fallback), and the translator's extract/init/update.
"""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
import zxingcpp
from PIL import Image, ImageDraw
from pypdf import PdfReader
from pypdf.generic import ContentStream

from conftest import build, patient, pdf_text
from packets import paths
from packets.cli import main
from packets.content import load_content
from packets.i18n.pofiles import read_catalog, write_catalog


def joined(pdf: bytes) -> str:
    return " ".join(" ".join(pdf_text(pdf)).split())


# --- bilingual ---------------------------------------------------------------------------------

def test_bilingual_packet_has_both_languages(program):
    pages = build(patient(), program, bilingual=True)
    first, second = (" ".join(t.split()) for t in pdf_text(pages)[:2])
    assert "Su guía sobre el tratamiento con IL-2 en dosis altas" in first and "Preparado para" in first
    # the English cover follows on its own page, complete, for the caregiver or nurse
    assert "Your guide to high-dose IL-2 treatment" in second and "Prepared for Ana María Ruiz" in second
    assert "Cycle 2: go into the hospital Tuesday, March 24, 2026" in second
    pdf = joined(pages)
    assert "Side effects and when to call" in pdf and "Efectos secundarios y cuándo llamar" in pdf
    assert "Después de cada sección sigue el mismo texto en inglés." in pdf
    assert "About IL-2 treatment" in pdf and "Sobre el tratamiento con IL-2" in pdf
    # the patient's dates in both languages
    assert "martes, 3 de marzo de 2026" in pdf and "Tuesday, March 3, 2026" in pdf


def test_bilingual_sections_come_in_pairs_the_patients_language_first(program, content):
    """Read back heading by heading: each section in Spanish, then the same section in English."""
    from packets.i18n.context import make_context
    from packets.render.styles import BASE
    from tests.pdfinspect import spans_by_heading
    es, en = make_context("es", program.territory), make_context("en", program.territory)
    pairs = [(es.gettext(s.title), en.gettext(s.title)) for s in content.sections if s.id != "cover"]
    headings = [" ".join(h.split()) for h, _ in spans_by_heading(build(patient(), program, bilingual=True),
                                                                 BASE["h1"]["fontSize"])]
    start = headings.index(pairs[0][0])
    assert headings[start:start + 2 * len(pairs)] == [title for pair in pairs for title in pair]


def test_monolingual_packet_has_no_english_sections(program):
    pdf = joined(build(patient(), program))
    assert "Sobre el tratamiento con IL-2" in pdf
    assert "About IL-2 treatment" not in pdf and "Tuesday, March 3, 2026" not in pdf


# --- QR codes ----------------------------------------------------------------------------------

def qr_paths(pdf: bytes):
    """Every filled path made of many rectangles (a QR code), as lists of (x, y, w, h)."""
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        rects = []
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"re":
                rects.append(tuple(float(v) for v in operands))
            elif op in (b"f", b"f*", b"B", b"b", b"S", b"n"):
                if len(rects) > 40:
                    yield rects
                rects = []


def decode(rects, scale=8) -> str:
    """Paint the rectangles black on white with a quiet zone and let an independent decoder read them."""
    x0 = min(r[0] for r in rects)
    y0 = min(r[1] for r in rects)
    box = min(r[3] for r in rects)
    x1 = max(r[0] + r[2] for r in rects)
    y1 = max(r[1] + r[3] for r in rects)
    size = (int(round((x1 - x0) / box)) + 8) * scale, (int(round((y1 - y0) / box)) + 8) * scale
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    for x, y, w, h in rects:
        left = (x - x0) / box * scale + 4 * scale
        top = (y1 - y - h) / box * scale + 4 * scale  # PDF y grows upwards
        draw.rectangle([left, top, left + w / box * scale - 1, top + h / box * scale - 1], fill=0)
    found = zxingcpp.read_barcodes(img)
    assert len(found) == 1, "no QR code could be read"
    return found[0].text


def test_every_resource_url_has_a_readable_qr_code_and_is_printed(program):
    urls = {r.url for r in load_content().resources.values()} | {str(program.website)}
    pdf = build(patient(language="en"), program)
    decoded = [decode(rects) for rects in qr_paths(pdf)]
    text = joined(pdf)
    resource_urls = {r.url for r in load_content().resources.values()}
    assert resource_urls <= set(decoded), decoded
    assert set(decoded) <= urls
    for url in decoded:
        assert url in text


# --- catalog gates -----------------------------------------------------------------------------

@pytest.fixture
def patient_file(tmp_path):
    path = tmp_path / "patient.yaml"
    path.write_text("name: Ana María Ruiz\nmrn: '00412345'\nlanguage: es-US\n"
                    "schedule:\n  first_admission: 2026-03-03\n", encoding="utf-8")
    return path


def test_require_reviewed_refuses_a_draft_with_exit_2(patient_file, tmp_path, capsys):
    code = main(["build", str(patient_file), "-o", str(tmp_path / "out"), "--require-reviewed"])
    err = capsys.readouterr().err
    assert code == 2
    assert "draft" in err and "es/LC_MESSAGES/packet.po" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def make_unfinished(tmp_path, monkeypatch, empty=("About IL-2 treatment",), fuzzy=("How IL-2 works",)):
    """A copy of the locales where these Spanish strings are untranslated or fuzzy."""
    root = tmp_path / "root"
    shutil.copytree(paths.locales_dir(), root / "locales")
    for name in ("content", "fonts"):
        (root / name).symlink_to(paths.root() / name)
    po = root / "locales" / "es" / "LC_MESSAGES" / "packet.po"
    cat, extra = read_catalog(po)
    by_id = {m.id: m for m in cat if m.id}
    for msgid in empty:
        by_id[msgid].string = ""
    for msgid in fuzzy:
        by_id[msgid].flags.add("fuzzy")
    write_catalog(po, cat, extra)
    monkeypatch.setenv("PACKETS_ROOT", str(root))
    return root


@pytest.fixture
def unfinished_root(tmp_path, monkeypatch):
    """A copy of the locales where Spanish has one untranslated and one fuzzy string."""
    return make_unfinished(tmp_path, monkeypatch)


def test_unfinished_catalog_is_refused_with_counts(unfinished_root, patient_file, tmp_path, capsys):
    code = main(["build", str(patient_file), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "1 untranslated and 1 fuzzy" in err and "--allow-fallback" in err


@pytest.mark.parametrize("empty, fuzzy, counts", [((), ("How IL-2 works",), "0 untranslated and 1 fuzzy"),
                                                  (("About IL-2 treatment",), (), "1 untranslated and 0 fuzzy")])
def test_one_fuzzy_or_one_untranslated_string_alone_is_refused(tmp_path, monkeypatch, patient_file, capsys,
                                                               empty, fuzzy, counts):
    """A fuzzy string is a translation nobody has checked since the English changed: it does not
    print, so the packet would be partly English; refused like an untranslated one."""
    make_unfinished(tmp_path, monkeypatch, empty, fuzzy)
    assert main(["build", str(patient_file), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and f"the es catalog has {counts} strings" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_allow_fallback_prints_english_and_says_so(unfinished_root, patient_file, tmp_path, capsys):
    code = main(["build", str(patient_file), "-o", str(tmp_path / "out"), "--allow-fallback"])
    assert code == 0
    pdf = (tmp_path / "out" / "00412345-es.pdf").read_bytes()
    text = joined(pdf)
    assert "About IL-2 treatment" in text and "How IL-2 works" in text
    assert "Parte del texto de este folleto está en inglés porque su traducción no está terminada." in text


# --- translator commands -----------------------------------------------------------------------

@pytest.fixture
def translator_root(tmp_path, monkeypatch):
    root = tmp_path / "root"
    (root / "locales").mkdir(parents=True)
    shutil.copy(paths.locales_dir() / "packet.pot", root / "locales")
    shutil.copytree(paths.content_dir(), root / "content")
    monkeypatch.setenv("PACKETS_ROOT", str(root))
    return root


def test_extract_leaves_the_template_alone_when_only_the_date_would_change(translator_root, capsys):
    before = (translator_root / "locales" / "packet.pot").read_bytes()
    assert main(["i18n", "extract"]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert (translator_root / "locales" / "packet.pot").read_bytes() == before


def test_init_then_update_marks_changed_new_and_removed(translator_root, capsys):
    assert main(["i18n", "init", "es"]) == 0
    po = translator_root / "locales" / "es" / "LC_MESSAGES" / "packet.po"
    cat, extra = read_catalog(po)
    assert extra["X-Review-Status"] == "draft"
    assert cat.plural_forms.startswith("nplurals=")
    for m in cat:
        if m.id:
            # a stand-in translation (every form of a plural one); only its state is checked
            m.string = tuple("traducido " + m.id[-1] for _ in m.string) if m.pluralizable else "traducido " + m.id
    write_catalog(po, cat, extra)

    packet = translator_root / "content" / "packet.yaml"
    text = packet.read_text(encoding="utf-8")
    text = text.replace("text: How IL-2 works", "text: How IL-2 treatment works")  # changed
    text = text.replace("text: More cycles\n", "text: More cycles later\n")  # changed
    text = text.replace("      - type: paragraph\n        unsourced: how to reach the clinic\n"
                        "        text: For questions that can wait, call the clinic at {phone_main}.\n", "")  # removed
    packet.write_text(text, encoding="utf-8")
    assert main(["i18n", "extract"]) == 0
    assert main(["i18n", "update"]) == 0
    out = capsys.readouterr().out
    cat, extra = read_catalog(po)
    assert "2 fuzzy, 0 untranslated, 1 obsolete" in out
    fuzzy = {m.id for m in cat if m.id and m.fuzzy}
    assert fuzzy == {"How IL-2 treatment works", "More cycles later"}
    assert [m.id for m in cat.obsolete.values()] == ["For questions that can wait, call the clinic at {phone_main}."]
    raw = po.read_text(encoding="utf-8")
    assert '#| msgid "How IL-2 works"' in raw  # the translator sees what the English was
    assert "#~ msgid" in raw
    assert extra["X-Review-Status"] == "draft"
    if shutil.which("msgfmt"):
        result = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
