"""Every script renders: glyph coverage, font fallback, region-correct Han, right to left, CJK breaks.

These tests inspect the PDF itself (embedded fonts, glyphs drawn, text positions), not the
code's opinion of what it drew.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter

import pytest

from packets.build import Options, build_packet
from packets.fontdata import missing_glyphs
from packets.i18n.context import load_catalog_state, make_context
from packets.i18n.locales import available, native_name
from tests.conftest import patient, pdf_text
from tests.pdfinspect import embedded_fonts, notdef_chars, text_positions

LOCALES = [c for c in available()]
# A name in another script for every locale (the four cases first).
FOREIGN = {"ar": "José García", "es": "王小明", "ko": "Иван Петров", "vi": "王小明", "en": "فاطمة السيد",
           "zh_Hans": "Иван Петров", "zh_Hant": "José García", "ja": "김민준", "fa": "王小明", "hi": "Nguyễn Văn An",
           "ru": "राहुल शर्मा", "pl": "山田 花子", "ht": "محمد عبد الله", "fr": "Иван Петров", "pt": "김민준",
           "tl": "陳大文"}


@pytest.mark.parametrize("catalog_id", LOCALES)
def test_every_character_has_a_glyph(catalog_id, program):
    """Catalog text, program profile and every language's native name, in this locale's fonts."""
    texts = [program.hospital_name, program.address, program.website, program.phone_main]
    texts += [native_name(c) for c in LOCALES]
    if catalog_id != "en":
        texts += list(load_catalog_state(catalog_id).texts())
    missing = set()
    for t in texts:
        missing |= missing_glyphs(t, catalog_id)
    assert not missing, sorted(f"U+{ord(c):04X}" for c in missing)


@pytest.mark.parametrize("catalog_id", LOCALES)
def test_packet_with_foreign_name_draws_no_notdef(catalog_id, program):
    name = FOREIGN.get(catalog_id, "王小明")
    pdf = build_packet(patient(name=name, language=catalog_id.replace("_", "-")), program, Options()).pdf
    assert notdef_chars(pdf) == set()
    text = unicodedata.normalize("NFKC", " ".join(pdf_text(pdf)))
    if re.search(r"[\u0900-\u097F]", name):  # shaped: extracts in drawn order (र्मा as मार्)
        assert not Counter(name.replace(" ", "")) - Counter(text)
    elif not re.search(r"[\u0600-\u06FF]", name):  # Arabic names extract as presentation forms
        assert name.replace(" ", "") in text.replace(" ", "").replace("\n", "")


# One name per script, and words that mix scripts inside (no single font draws them whole).
EVERY_SCRIPT = "José 王小明 Иван فاطمة राहुल 김민준 Nguyễn 王José राहुल王"


@pytest.mark.parametrize("catalog_id", LOCALES)
def test_a_name_in_every_script_prints_in_every_packet(catalog_id, program):
    """Found by this test: in a Hindi packet (HarfBuzz-shaped) a bold Han name mixed two fonts
    in one word, and reportlab could not write the PDF."""
    pdf = build_packet(patient(name=EVERY_SCRIPT, language=catalog_id.replace("_", "-")), program, Options()).pdf
    assert notdef_chars(pdf) == set()
    text = unicodedata.normalize("NFKC", pdf_text(pdf)[0]).replace(" ", "")
    for part in ("José", "王小明", "Иван", "김민준", "Nguyễn", "王José"):
        assert part in text, part


def test_notdef_detector_catches_a_missing_glyph(program):
    pdf = build_packet(patient(name="Abebe ⴰⵣⵓⵍ", language="en"), program, Options()).pdf  # Tifinagh: no font
    assert notdef_chars(pdf)


@pytest.mark.parametrize("tag, region", [("zh-Hans", "CJKsc"), ("zh-Hant", "CJKtc"), ("ja", "CJKjp"),
                                         ("ko", "CJKkr")])
def test_han_characters_use_the_regions_font(tag, region, program):
    pdf = build_packet(patient(name="王小明", language=tag), program, Options()).pdf
    fonts = embedded_fonts(pdf)
    assert any(region in name for name in fonts), list(fonts)
    # The body text's primary font is the region's own: its subsets carry most glyphs.
    assert max(fonts, key=lambda n: len(fonts[n])).find(region) > 0


def _rtl_pdf(program, catalog_id="ar"):
    return build_packet(patient(name="José García", language=catalog_id), program, Options()).pdf


@pytest.mark.parametrize("catalog_id", ["ar", "fa"])
def test_rtl_cover_is_mirrored(catalog_id, program):
    pdf = _rtl_pdf(program, catalog_id)
    runs = text_positions(pdf, 0)
    name_x = min(x for x, y, t in runs if "José" in t or "García" in t)
    mrn_x = max(x for x, y, t in runs if "00412345" in t)
    page_w, margin = 612, 54
    label_column = page_w - margin - 0.34 * (page_w - 2 * margin)
    # The label column is on the right, values on the left; the header's name sits at the right.
    assert name_x < label_column
    header = [x for x, y, t in runs if y > 740 and ("José" in t or "García" in t)]
    assert header and header[0] > page_w / 2
    assert mrn_x < page_w - 54


@pytest.mark.parametrize("catalog_id", ["ar", "fa"])
def test_rtl_numbers_phones_and_latin_keep_their_order(catalog_id, program):
    text = " ".join(pdf_text(_rtl_pdf(program, catalog_id)))
    assert program.phone_24h in text      # "(503) 555-0199" whole, brackets mirrored correctly
    assert "Providence Portland Medical Center" in text
    assert "IL-2" in text
    assert "José García" in text


def test_persian_zero_width_non_joiner_survives_in_the_text_layer(program):
    """Persian writes ZWNJ inside words (می‌شود). The bidi algorithm deletes it (class BN); kept,
    a reader who copies or searches the text gets the word as written."""
    pdf = build_packet(patient(language="fa"), program, Options()).pdf
    text = unicodedata.normalize("NFKC", " ".join(pdf_text(pdf)))
    zwnj_words = {w for t in load_catalog_state("fa").texts()
                  for w in re.findall(r"\w+\u200c\w+", t) if "{" not in w}
    assert len(zwnj_words) > 10
    assert not {w for w in zwnj_words if w not in text}


@pytest.mark.parametrize("catalog_id, large", [("ja", False), ("zh_Hans", True), ("zh_Hant", False)])
def test_cjk_units_are_glued_for_layout_and_read_back_clean(catalog_id, large, program):
    """Dates, the MRN and phone numbers are glued with WORD JOINERs so a CJK line never breaks inside
    them; the joiners are layout instructions, removed before drawing: the text layer (copy, search,
    screen readers) has none, and the cover's dates read whole."""
    pdf = build_packet(patient(language=catalog_id.replace("_", "-")), program, Options(large_print=large)).pdf
    pages = pdf_text(pdf)
    assert not [p for p in pages if "\u2060" in p]
    ctx = make_context(catalog_id.replace("_", "-"), program.territory)
    cover = pages[0].splitlines()
    for unit in ("00412345", ctx.date(dt.date(1961, 7, 14)), ctx.date(dt.date(2026, 3, 3))):
        assert any(unit in line for line in cover), (unit, cover)


def test_cjk_lines_never_start_with_closing_punctuation(program):
    pdf = build_packet(patient(language="zh-Hans"), program, Options()).pdf
    for page in pdf_text(pdf):
        for line in page.splitlines():
            assert not line[:1] or line[0] not in "，。、；：！？）」』】", line


@pytest.mark.parametrize("catalog_id", ["ja", "zh_Hans", "zh_Hant", "ko"])
def test_no_latin_word_is_split_across_lines(catalog_id, program):
    pdf = build_packet(patient(language=catalog_id.replace("_", "-")), program, Options()).pdf
    sources = list(load_catalog_state(catalog_id).texts()) + [program.hospital_name, program.address]
    words = {w for t in sources for w in re.findall(r"[A-Za-z]{4,}", t)}
    words |= {"translation", "reviewed", "qualified", "medical", "translator"}  # the English draft notice
    for page in pdf_text(pdf):
        lines = page.splitlines()
        for a, b in zip(lines, lines[1:]):
            tail, head = re.search(r"[A-Za-z]+$", a), re.match(r"^[A-Za-z]+", b)
            if tail and head:  # a break between two letters: fine at a space, wrong inside a word
                assert tail.group(0) + head.group(0) not in words, (a, b)


def test_korean_breaks_lines_only_between_words(program):
    """Korean separates words with spaces and breaks only there (not between syllables, as
    Chinese and Japanese may)."""
    pdf = build_packet(patient(language="ko"), program, Options()).pdf
    words = {w for t in load_catalog_state("ko").texts() for w in re.findall(r"[\uac00-\ud7a3]+", t)}
    breaks = 0
    for page in pdf_text(pdf):
        lines = page.splitlines()
        for a, b in zip(lines, lines[1:]):
            tail, head = re.search(r"[\uac00-\ud7a3]+$", a), re.match(r"^[\uac00-\ud7a3]+", b)
            if tail and head:
                breaks += 1
                assert tail.group(0) + head.group(0) not in words, (a, b)
    assert breaks > 10  # the packet has many wrapped Korean lines, so the check had work to do


def test_devanagari_conjuncts_are_searchable(program):
    """Conjuncts and half forms have no code point; the PDF's ToUnicode map gives the text they
    were shaped from, not private-use code points. (A vowel sign drawn before its consonant, as
    in कि, still extracts in drawn order: words with ि or a reph are left out here.)"""
    pdf = build_packet(patient(language="hi"), program, Options()).pdf
    text = " ".join(pdf_text(pdf))
    assert sum(1 for c in text if 0xE000 <= ord(c) <= 0xF8FF) <= 5
    words = {w for t in load_catalog_state("hi").texts() for w in re.findall(r"[\u0900-\u097F]+", t)
             if "\u094d" in w and "\u093f" not in w and "र्" not in w}
    found = {w for w in words if w in text}
    assert len(words) > 20 and len(found) >= 0.85 * len(words), sorted(words - found)


def test_devanagari_conjuncts_are_shaped(program):
    """With HarfBuzz shaping the conjunct क्ष is one glyph, so fewer glyphs than characters."""
    import packets.render  # noqa: F401  (registers fonts)
    from reportlab.pdfbase.ttfonts import shapeStr
    from packets.render.fonts import chain_for
    font = chain_for("hi").primary_name(False)
    shaped = shapeStr("क्षेत्र", font, 12)
    assert len(shaped) < len("क्षेत्र")


@pytest.mark.parametrize("catalog_id", ["ar", "fa"])
def test_rtl_lines_with_bold_words_keep_their_order(catalog_id, program):
    """A line mixing styles (bold inside Arabic, a bold name in the header) is ordered as a whole.

    pypdf hands back right-to-left runs in logical order when they were drawn in visual order;
    a run drawn in the wrong order comes back reversed, and its words are not found.
    """
    pdf = build_packet(patient(name="فاطمة السيد", language=catalog_id), program, Options()).pdf
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", " ".join(pdf_text(pdf))))
    bold = [re.sub(r"\s", "", unicodedata.normalize("NFKC", b))
            for t in load_catalog_state(catalog_id).texts() for b in re.findall("<b>(.*?)</b>", t)]
    bold = [b for b in bold if re.fullmatch(r"[\u0600-\u06FF\u200c]+", b)]  # pure Arabic script
    assert bold
    missing = [b for b in bold if b not in text]
    assert not missing
    assert "فاطمةالسيد" in text


def _letters(text: str) -> str:
    """The Arabic-script letters of a text, compatibility forms folded (embedded Latin, digits,
    spaces and punctuation left out: they are ordered by rules of their own)."""
    return "".join(re.findall(r"[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc]",
                              unicodedata.normalize("NFKC", text)))


def _logical(chars) -> str:
    """Right-to-left characters in reading order (from the right): their letters."""
    return _letters("".join(c["text"] for c in sorted(chars, key=lambda c: -c["x0"])))


@pytest.mark.parametrize("catalog_id", ["ar", "fa"])
def test_a_bold_phrase_stands_between_its_neighbours_on_a_right_to_left_line(catalog_id, program):
    """The paragraph that explains IL-2 has a bold phrase inside right-to-left text. Read back from
    its line: the bold characters spell the phrase, the regular text on their right is what comes
    before it, the text on their left what follows (fragments drawn in the wrong order put the
    sentence's parts on the wrong sides)."""
    import io

    import pdfplumber
    from packets.content import load_content
    content = load_content()
    ctx = make_context(catalog_id, program.territory)
    message = next(b.text for s in content.sections for b in s.blocks
                   if b.text is not None and "<b>immune system</b>" in b.text.text)
    before, bold, after = (_letters(part) for part in re.split(r"</?b>", ctx.gettext(message)))
    pdf = build_packet(patient(language=catalog_id), program, Options()).pdf
    found = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            chars = [c for c in page.chars if c.get("matrix", (1, 0, 0))[1] == 0]  # not the watermark
            strong = [c for c in chars if "Bold" in c["fontname"]]
            for top in sorted({round(c["top"]) for c in strong}):
                on_line = [c for c in chars if abs(c["top"] - top) < 1.5]
                phrase = [c for c in on_line if "Bold" in c["fontname"]]
                if _logical(phrase) != bold:
                    continue
                left_edge, right_edge = min(c["x0"] for c in phrase), max(c["x1"] for c in phrase)
                found.append((_logical([c for c in on_line if c["x0"] >= right_edge - 0.5]),
                              _logical([c for c in on_line if c["x1"] <= left_edge + 0.5])))
    [(right, left)] = found
    assert len(right) + len(left) >= 8, (right, left)  # the phrase shares its line with its sentence
    assert before.endswith(right) if right else True, (right, before)
    assert after.startswith(left) if left else True, (left, after)
