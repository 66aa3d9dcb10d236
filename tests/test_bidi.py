"""Right-to-left order: the Unicode bidi algorithm as reportlab uses it, checked on mixed lines.

Visual strings read left to right as drawn on the page.
"""

from __future__ import annotations

import pytest
from bidi import get_display

from packets.render.bidi import log2vis
from packets.render.pdf import LRE, NUMBERISH, PDF

MIRROR = str.maketrans("()[]", ")(][")


@pytest.mark.parametrize("logical", [
    pytest.param("برنامج IL-2 عالي الجرعة", id="latin-word-with-digit"),
    pytest.param("اسم المريض: José García (MRN 00412345)", id="latin-name-in-brackets"),
    pytest.param("يبدأ العلاج في الثلاثاء، 3 مارس 2026 (الدورة 1).", id="date-and-bracketed-number"),
    pytest.param("ابقَ في وحدة الأورام في Providence Portland Medical Center.", id="latin-phrase-with-mark"),
    pytest.param("تماس بگیرید: ۱۲۳ (ساعت ۸)", id="persian-digits"),
])
def test_order_matches_python_bidi_rust_implementation(logical):
    """Same visual order as python-bidi's Rust (unicode-bidi) display, which does not mirror."""
    rust = get_display(logical, base_dir="R")
    ours = log2vis(logical, "RTL")
    assert ours.translate(MIRROR) == rust or ours == rust


def test_brackets_are_mirrored_and_paired():
    assert log2vis("اتصل (مهم) الآن", "RTL") == "نآلا (مهم) لصتا"
    assert log2vis("المريض José García (MRN 123)", "RTL").startswith("José García (MRN 123)")


def test_positions_map_every_visual_char_to_its_logical_index():
    text = "اتصل على 911 الآن"
    v2l: list[int] = []
    visual = log2vis(text, "RTL", positions_V_to_L=v2l)
    assert sorted(v2l) == list(range(len(text)))
    assert all(visual[v] == text[l] or visual[v] in "()" for v, l in enumerate(v2l))


def test_left_to_right_base_keeps_latin_order():
    assert log2vis("Call 911 now", "LTR") == "Call 911 now"


def wrapped(text):
    return NUMBERISH.sub(lambda m: LRE + m.group(0) + PDF, text)


@pytest.mark.parametrize("logical, shown", [
    pytest.param("اتصل على (503) 215-1234 الآن", "(503) 215-1234", id="us-phone"),
    pytest.param("اتصل على 1-800-227-2345", "1-800-227-2345", id="toll-free"),
    pytest.param("من 1 إلى 4 ساعات", "4 ىلإ 1", id="range-in-words"),
])
def test_phone_numbers_stay_whole_inside_arabic(logical, shown):
    visual = log2vis(wrapped(logical), "RTL")
    assert shown in visual
    assert LRE not in visual and PDF not in visual  # controls are cleaned out


def test_without_embedding_uba_splits_the_phone():
    """Why the embedding exists: digits after Arabic letters become Arabic numbers (W2)."""
    assert "215-1234" not in log2vis("اتصل على (503) 215-1234 الآن", "RTL")


def test_code_points_unassigned_in_pythons_unicode_data_are_ordered_not_fatal():
    # found by hypothesis: python-bidi asserted on a character with no bidi class
    assert log2vis("\u061b\U00018d09 abc", "LTR") == "\u061b\U00018d09 abc"
    assert log2vis("\U00018d09 \u0627\u0628", "RTL").endswith("\U00018d09")


def _drawn_lines(logical: str, width: float) -> list[str]:
    """Draw a one-style right-to-left paragraph at ``width`` and read its lines back from the PDF."""
    import io

    from pypdf import PdfReader
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfgen.canvas import Canvas

    from packets.render.arabic import join
    from packets.render.fonts import chain_for
    from packets.render.paragraph import BidiParagraph

    style = ParagraphStyle("t", fontName=chain_for("ar").primary_name(False), fontSize=10, leading=13,
                           wordWrap="RTL", alignment=2)
    para = BidiParagraph(join(logical), style)
    buf = io.BytesIO()
    canvas = Canvas(buf)
    para.wrap(width, 500)
    para.drawOn(canvas, 72, 400)
    canvas.save()
    text = PdfReader(io.BytesIO(buf.getvalue())).pages[0].extract_text()
    return [line.replace(" ", "") for line in text.splitlines() if line.strip()]


def test_wrapped_latin_phrase_keeps_its_punctuation_on_its_own_line():
    """Bidi order is per line (UAX #9, L2): the period ending an English phrase inside an Arabic
    paragraph stays on the line where the phrase ends. reportlab's whole-paragraph word order
    glued it to "Draft" on the first line."""
    lines = _drawn_lines("ترجمة مسودة، لم يراجعها بعد مترجم طبي مؤهل. / Draft translation, not yet "
                         "reviewed by a qualified medical translator.", 300)
    assert len(lines) == 2, lines
    first, last = lines
    assert "Draft" in first and "." + "Draft" not in first
    assert "translator" in last and "." in last
