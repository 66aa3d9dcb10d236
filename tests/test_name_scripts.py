"""Patients' names print as typed, in every script, in every packet language, as one bidi isolate.

Everything here is read back from the PDF: the glyphs embedded and drawn (compared with what
HarfBuzz makes of the same text and font), the order characters stand in on the paper
(pdfplumber), and which face drew a Han character.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections import Counter
from functools import lru_cache

import pdfplumber
import pytest
import uharfbuzz as hb
from bidi import get_display

from packets import fontdata, paths
from packets.build import Options, build_packet
from packets.content import load_content
from packets.i18n.context import make_context
from packets.localize import localize, plain
from packets.program import load_program
from packets.schedule import build_schedule
from tests.conftest import patient
from tests.pdfinspect import char_fonts, drawn_glyphs, font_outlines, notdef_chars, visual_chars

# One name in each script US patients write their names in.
NAMES = {
    "latin": "Nguyễn Thị Ánh Tuyết",
    "latin-marks": "Adéṣọ̀lá Ọ̀ṣúnfẹ́mi",        # Yoruba: letters with two marks, no precomposed form
    "greek": "Γιώργος Παπαδόπουλος",
    "cyrillic": "Иван Петров",
    "armenian": "Արամ Խաչատրյան",
    "georgian": "გიორგი ბერიძე",
    "hebrew": "שרה כהן",
    "arabic": "فاطمة السيد",
    "urdu": "محمد عارف چوہدری",                  # ٹ ڈ ڑ ں ہ ھ ے: Urdu's own letters, joined
    "devanagari": "राहुल शर्मा",
    "bengali": "সৌমিত্র চট্টোপাধ্যায়",
    "gurmukhi": "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ",
    "gujarati": "નરેન્દ્ર પટેલ",
    "tamil": "கார்த்திக் சுப்ரமணியன்",
    "telugu": "శ్రీనివాస్ రెడ్డి",
    "thai": "สมศักดิ์ คำแก้ว",
    "lao": "ທອງສີ່ ພົມມະຈັນ",
    "khmer": "សុខ ច័ន្ទស្រី",
    "myanmar": "အောင်ဆန်းစုကြည်",
    "ethiopic": "አበበ ቢቂላ",
    "hangul": "김민준",
    "kana": "やまだ はなこ",
    "han": "王堃 张喆 李珺",
    "han-ext-b": "𠮷田 花子",                     # U+20BB7, beyond the BMP
}
# Packet languages each script is tried in (every script in English, a spread in the others).
IN = {"en": list(NAMES),
      "ar": ["latin", "hebrew", "urdu", "bengali", "thai", "khmer", "ethiopic", "han-ext-b"],
      "zh-Hans": ["latin-marks", "armenian", "hebrew", "arabic", "tamil", "lao", "myanmar", "kana"],
      "hi": ["georgian", "hebrew", "arabic", "gurmukhi", "telugu", "thai", "hangul", "han"],
      "ja": ["greek", "cyrillic", "hebrew", "urdu", "gujarati", "khmer", "devanagari", "han-ext-b"]}
CASES = [(lang, script) for lang, scripts in IN.items() for script in scripts]


def _page_text(pdf: bytes, page: int) -> str:
    from pypdf import PdfReader
    return PdfReader(io.BytesIO(pdf)).pages[page].extract_text()


@lru_cache(maxsize=None)
def packet(name: str, lang: str) -> bytes:
    return build_packet(patient(name=name, language=lang), load_program(), Options()).pdf


@pytest.mark.parametrize("lang, script", CASES)
def test_name_prints_with_real_glyphs(lang, script):
    """No character of the name is drawn as .notdef, and the text layer holds every character
    (as a multiset, decomposed: shaped scripts extract in drawn order, a two-part vowel sign as
    its parts, Arabic as presentation forms)."""
    name = NAMES[script]
    pdf = packet(name, lang)
    assert notdef_chars(pdf, pages=[0]) == set()  # the name is on the cover and in its header
    text = unicodedata.normalize("NFKD", _page_text(pdf, 0))
    assert not Counter(unicodedata.normalize("NFKD", name).replace(" ", "")) - Counter(text)


# -- shaping -----------------------------------------------------------------------------------

SHAPED = {"devanagari": "Devanagari", "bengali": "Bengali", "gurmukhi": "Gurmukhi", "gujarati": "Gujarati",
          "tamil": "Tamil", "telugu": "Telugu", "thai": "Thai", "lao": "Lao", "khmer": "Khmer",
          "myanmar": "Myanmar"}


def _harfbuzz(path, word: str) -> list[tuple[int, int]]:
    font = hb.Font(hb.Face(hb.Blob(path.read_bytes())))
    buf = hb.Buffer()
    buf.add_str(word)
    buf.guess_segment_properties()
    hb.shape(font, buf, {"kern": True, "liga": True, "dlig": True})
    return [(i.codepoint, p.y_offset) for i, p in zip(buf.glyph_infos, buf.glyph_positions)]


def _unshaped(path, word: str) -> list[int]:
    from fontTools.ttLib import TTFont
    with TTFont(str(path), lazy=True) as tt:
        order, cmap = tt.getGlyphOrder(), tt.getBestCmap()
    return [order.index(cmap[ord(c)]) for c in word]


@pytest.mark.parametrize("lang, script", [(lang, s) for lang, s in CASES if s in SHAPED])
def test_complex_script_names_are_shaped_in_every_packet(lang, script):
    """The header and cover draw the glyphs HarfBuzz chooses for each word of the name, in its
    order and raised as HarfBuzz places them: conjuncts, reordered vowel signs, stacked marks.
    (Drawn glyph by glyph from the cmap, the sequence differs: checked first.)"""
    name = NAMES[script]
    path = paths.fonts_dir() / f"NotoSans{SHAPED[script]}-Bold.ttf"  # the name is bold in both places
    drawn = drawn_glyphs(packet(name, lang), 0, f"NotoSans{SHAPED[script]}-Bold")
    outlines = [o for o, _, _ in drawn]
    changed = False
    for word in name.split():
        shaped = _harfbuzz(path, word)
        ids = [g for g, _ in shaped]
        changed |= ids != _unshaped(path, word) or any(y for _, y in shaped)
        want = font_outlines(path, ids)
        starts = [i for i in range(len(outlines) - len(want) + 1) if outlines[i:i + len(want)] == want]
        assert len(starts) == 2, (word, len(starts))  # the cover and the page header
        for start in starts:
            for (_, rise, size), (_, y) in zip(drawn[start:start + len(want)], shaped):
                assert rise == pytest.approx(size * y / 1000, abs=0.011), word
    assert changed, "the name would look the same unshaped: it tests nothing"


# -- isolation -----------------------------------------------------------------------------------

PAGE_W, MARGIN = 612, 54
_BRACKETS = str.maketrans("()[]", "||||")


def _logical_header(name: str, lang: str) -> str:
    program, content = load_program(), load_content()
    p = patient(name=name, language=lang)
    ctx = make_context(lang, program.territory)
    return plain(localize(content, program, p, build_schedule(p, program.regimen), ctx, dt.date(2026, 1, 1)).header)


def _comparable(visual: str) -> str:
    """Visual text from the PDF -> base letters, no spaces, brackets as one mark. A lam-alef
    ligature stands for two letters that read right to left: visually alef, then lam."""
    visual = re.sub("[\ufef5-\ufefc]", lambda m: "\u0627\u0644", visual)
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", visual)).translate(_BRACKETS)


def _oracle(logical: str, rtl: bool) -> str:
    """python-bidi's Rust implementation (unicode-bidi, with isolates): the visual order."""
    visual = get_display(logical, base_dir="R" if rtl else "L")
    return re.sub(r"[\s\u2066-\u2069]", "", visual).translate(_BRACKETS)


ISOLATION = [
    pytest.param("ar", "J. Smith Jr.", id="latin-name-ending-in-a-period-in-arabic"),
    pytest.param("ar", "(Molly) O'Neil", id="latin-name-starting-with-a-bracket-in-arabic"),
    pytest.param("ar", 'Ana "Nena" Ruiz!', id="latin-name-with-quotes-and-mark-in-arabic"),
    pytest.param("en", "שרה (Sara)", id="hebrew-name-with-latin-nickname-in-english"),
    pytest.param("en", "مريم (Miriam) 2", id="arabic-name-ending-in-a-digit-in-english"),
    pytest.param("zh-Hans", "שרה (Sara)", id="hebrew-name-in-chinese"),
    pytest.param("fa", "Dr. Lee 3rd.", id="latin-name-ending-in-digits-and-period-in-persian"),
]


def _chars(pdf: bytes, page: int = 0) -> list[dict]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return doc.pages[page].chars


@pytest.mark.parametrize("lang, name", ISOLATION)
def test_page_header_lays_the_name_out_as_one_isolate(lang, name):
    """The page header reads as UAX #9 orders "FSI name PDI · MRN": nothing in the
    name moves the MRN or its label, and the name's own order is its own. The same text laid
    out without the isolate would read differently (checked first), so the test can fail."""
    rtl = lang in ("ar", "fa")
    logical = _logical_header(name, lang)
    assert logical.startswith("\u2068") and "\u2069" in logical
    expected = _oracle(logical, rtl)
    assert expected != _oracle(re.sub("[\u2068\u2069]", "", logical), rtl)
    pdf, other = packet(name, lang), packet("Z", lang)
    for page in (0, -1):  # the header is laid out once and drawn the same on every page
        # The header's characters: those not also printed where the same packet for "Z" has
        # them (the page label beside the header stays put).
        same = {(c["text"], round(c["x0"]), round(c["top"])) for c in _chars(other, page) if c["top"] < 60}
        mine = [c for c in _chars(pdf, page) if c["top"] < 60 and (c["text"], round(c["x0"]), round(c["top"])) not in same]
        assert _comparable("".join(c["text"] for c in sorted(mine, key=lambda c: c["x0"]))) == expected, page


@pytest.mark.parametrize("lang, name", ISOLATION)
def test_cover_cell_lays_the_name_out_as_one_isolate(lang, name):
    """The cover's "prepared for" cell holds the name alone, in the packet's direction: its
    characters stand as the name's own order says (a trailing period stays at the end). The
    cell is found as what differs from the same cover printed for another name."""
    rtl = lang in ("ar", "fa")
    other = {(c["text"], round(c["x0"]), round(c["top"])) for c in _chars(packet("Z", lang))}
    mine = [c for c in _chars(packet(name, lang))
            if (c["text"], round(c["x0"]), round(c["top"])) not in other and c["top"] > 80]
    baseline = max(c["matrix"][5] for c in mine)  # the first line of the cell (fonts differ in ascent)
    cell = "".join(c["text"] for c in sorted((c for c in mine if abs(c["matrix"][5] - baseline) < 1),
                                             key=lambda c: c["x0"]))
    expected = _oracle("\u2068" + name + "\u2069", rtl)
    assert _comparable(cell) == expected
    if rtl:
        assert expected != _oracle(name, rtl)


def test_a_shortened_name_in_the_header_keeps_the_mrn_outside_its_isolate():
    """The header shortens a very long name with "…" (the cover prints it whole). The shortened
    name is still a closed isolate: in an Arabic header the MRN and its label stay to the left of
    the Latin name, as for a short one."""
    name = " ".join(["Maximilian Alexander Montgomery"] * 6)  # 191 characters
    pdf = packet(name, "ar")
    label = {(c["text"], round(c["x0"]), round(c["top"])) for c in _chars(packet("Z", "ar")) if c["top"] < 60}
    header = [c for c in _chars(pdf) if c["top"] < 60 and (c["text"], round(c["x0"]), round(c["top"])) not in label]
    latin = [c["x0"] for c in header if c["text"].isascii() and c["text"].isalpha()]
    digits = [c["x0"] for c in header if c["text"].isdigit()]
    assert "\u2026" in "".join(c["text"] for c in header)
    assert len(digits) == 8 and max(digits) < min(latin)


def test_a_name_broken_across_lines_stays_isolated_on_each_line():
    """A long Latin name in an Arabic cell breaks over two lines; the second line still reads as
    the end of the name (UAX #9 orders each line with the levels of the whole paragraph): the
    period of "Jr." stays after it instead of jumping to the line's left end."""
    import io

    import pdfplumber
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfgen.canvas import Canvas

    from packets.render.fonts import chain_for
    from packets.render.paragraph import BidiParagraph

    style = ParagraphStyle("t", fontName=chain_for("ar").primary_name(False), fontSize=10, leading=13,
                           wordWrap="RTL", alignment=2)
    para = BidiParagraph("\u2068Maximilian Alexander Montgomery Jr.\u2069 ·  رقم", style)
    buf = io.BytesIO()
    canvas = Canvas(buf)
    para.wrap(150, 500)
    assert len(para.blPara.lines) == 2
    para.drawOn(canvas, 72, 400)
    canvas.save()
    with pdfplumber.open(io.BytesIO(buf.getvalue())) as doc:
        tops = sorted({round(c["top"]) for c in doc.pages[0].chars})
    last = _comparable(visual_chars(buf.getvalue(), 0, tops[-1] - 1, tops[-1] + 1))
    assert last == "مقر·MontgomeryJr.", last


# -- Han: regions, coverage, Extension B -------------------------------------------------------------

def test_han_character_is_drawn_in_its_regions_style():
    """骨 is drawn differently in Japan and in China. A Japanese packet draws it with the
    Japanese face, a Chinese one with the Simplified Chinese face, and the outlines differ."""
    ja, zh = packet("骨川 太郎", "ja"), packet("骨川 太郎", "zh-Hans")
    assert set(char_fonts(ja, 0, "骨")) == {"AAAAAA+NotoSansCJKjp-Regular"}
    assert set(char_fonts(zh, 0, "骨")) == {"AAAAAA+NotoSansCJKsc-Regular"}
    jp_glyphs = {o for o, _, _ in drawn_glyphs(ja, 0, "CJKjp-Regular")}
    sc_glyphs = {o for o, _, _ in drawn_glyphs(zh, 0, "CJKsc-Regular")}
    assert jp_glyphs and sc_glyphs and jp_glyphs != sc_glyphs


def test_name_with_kana_keeps_japanese_han_in_an_english_packet():
    """In a packet without Han of its own, a name with kana takes its kanji from the Japanese
    face; a name of kanji alone takes the Simplified Chinese style."""
    assert set(char_fonts(packet("山田 はなこ", "en"), 0, "山")) == {"AAAAAA+NotoSansCJKjp-Regular"}
    assert set(char_fonts(packet("山田 太郎", "en"), 0, "山")) == {"AAAAAA+NotoSansCJKsc-Regular"}


def test_han_beyond_gb2312_and_big5_uses_the_wide_face():
    """堃 喆 珺 are common in given names and lie outside GB 2312 and Big5: they come from the
    wide Han face, and print in Chinese and Traditional Chinese packets."""
    for lang in ("zh-Hans", "zh-Hant"):
        pdf = packet("王堃 张喆 李珺", lang)
        assert notdef_chars(pdf, pages=[0]) == set()
        assert "NotoSansCJKhan-Regular" in "".join(char_fonts(pdf, 0, "堃喆珺"))


@pytest.mark.parametrize("lang", ["ja", "en", "zh-Hant"])
def test_extension_b_name_prints_and_is_searchable(lang):
    """𠮷 (U+20BB7) is drawn, and the text layer gives it back (a reader used to get U+20BB)."""
    pdf = packet("𠮷田 花子", lang)
    assert notdef_chars(pdf, pages=[0]) == set()
    assert "𠮷田" in visual_chars(pdf, 0, 0, 60)


def _codec_han(codec: str, leads, trails, prefix=b"") -> set[str]:
    out = set()
    for lead in leads:
        for trail in trails:
            try:
                out.update((prefix + bytes([lead, trail])).decode(codec))
            except UnicodeDecodeError:
                pass
    return {c for c in out if re.match("CJK (UNIFIED|COMPATIBILITY) IDEOGRAPH", unicodedata.name(c, ""))}


# Unicode 13 and 14 additions that Debian's Noto Sans CJK (2.004) does not draw yet.
NOTO_GAPS = {chr(c) for c in [*range(0x4DB6, 0x4DC0), *range(0x9FF0, 0xA000)]}


def test_every_han_character_of_the_name_standards_has_a_glyph_in_every_packet():
    """All of CJK Unified Ideographs and Extension A (less the 26 newest, which Noto lacks), and
    every Han character of JIS X 0213 and HKSCS, Extension B included, in every packet language."""
    blocks = {chr(c) for c in [*range(0x4E00, 0xA000), *range(0x3400, 0x4DC0)]}
    jis = _codec_han("euc_jis_2004", range(0xA1, 0xFF), range(0xA1, 0xFF))
    jis |= _codec_han("euc_jis_2004", range(0xA1, 0xFF), range(0xA1, 0xFF), b"\x8f")
    hkscs = _codec_han("big5hkscs", range(0x81, 0xFF), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])
    assert len({c for c in jis | hkscs if ord(c) > 0xFFFF}) > 1900
    for catalog_id in ("en", "ar", "hi", "zh_Hans", "zh_Hant", "ja", "ko"):
        assert fontdata.missing_glyphs("".join(blocks | jis | hkscs), catalog_id) == NOTO_GAPS


# -- when a character truly cannot print ----------------------------------------------------------

def test_unprintable_character_warning_blames_the_fonts_not_the_spelling():
    built = build_packet(patient(name="王\u9fff明", language="zh-Hans"), load_program(), Options())
    [warning] = [w for w in built.warnings if "U+" in w]
    assert "U+9FFF" in warning and "fonts lack" in warning
    assert "spelling" not in warning and "王" not in warning


# -- the fonts folder ---------------------------------------------------------------------------------

def test_fonts_folder_is_complete_and_under_the_size_limit():
    folder = paths.fonts_dir()
    files = {spec[k] for spec in fontdata.manifest()["families"].values() for k in ("regular", "bold")}
    assert all((folder / f).is_file() for f in files)
    assert (folder / "OFL.txt").read_text().count("SIL Open Font License") >= 1
    assert sum(p.stat().st_size for p in folder.iterdir()) < 40_000_000


def test_every_face_draws_invisible_controls_as_nothing():
    """A stray direction mark or isolate control takes no width and draws no box, in any face."""
    for key in fontdata.manifest()["families"]:
        fam = fontdata.family(key)
        for face in {fam.regular, fam.bold}:
            for ch in fontdata.INVISIBLE:
                assert ord(ch) in face.cmap and face.advances[ord(ch)] == 0, (face.path.name, hex(ord(ch)))


def test_renderer_and_fontdata_agree_on_every_names_faces():
    """What the renderer draws each character with is a face that has it (fontdata's cmaps,
    which i18n check and the build's warning use); a Han character is drawn by the family
    fontdata's chain order gives (its region's style); and both agree on what nothing covers."""
    import packets.render  # noqa: F401  (installs the render hooks)
    from reportlab.pdfbase import pdfmetrics

    from packets.render.fonts import chain_for

    faces = {str(f.path): f for key in fontdata.manifest()["families"]
             for f in (fontdata.family(key).regular, fontdata.family(key).bold)}
    family_of = {f.path: key for key in fontdata.manifest()["families"]
                 for f in (fontdata.family(key).regular, fontdata.family(key).bold)}
    for catalog_id in ("en", "ar", "hi", "zh_Hans", "ja"):
        chain = chain_for(catalog_id)
        fams = fontdata.chain(catalog_id)
        for name in [*NAMES.values(), "山田 はなこ", "Ana \u9fff"]:
            text = unicodedata.normalize("NFC", name)
            for bold in (False, True):
                for seg in chain.split(text, bold):
                    drawn_by = faces[pdfmetrics.getFont(seg.font).face.filename]
                    for ch in seg.text.replace(" ", ""):
                        if not seg.covered:
                            assert fontdata.face_for(fams, ch, bold) is None
                            continue
                        assert ord(ch) in drawn_by.cmap, (catalog_id, ch)
                        if re.match("CJK UNIFIED", unicodedata.name(ch, "")):
                            # a bold word with some character lacking a bold face is all regular
                            expect = fontdata.face_for(fontdata.preferred(fams, text), ch, bold)[0]
                            assert family_of[drawn_by.path] == expect, ch
            assert chain.uncovered(text) == fontdata.missing_glyphs(text, catalog_id)
