"""Look inside a PDF the way an auditor would: embedded fonts, glyphs drawn, text positions."""

from __future__ import annotations

import io
import re

from fontTools.ttLib import TTFont
from pypdf import PdfReader

_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def _fonts(reader: PdfReader):
    seen = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            ident = id(font)
            if ident in seen:
                continue
            seen.add(ident)
            yield font


def embedded_fonts(pdf: bytes) -> dict[str, bytes]:
    """BaseFont name -> the embedded TrueType subset."""
    out = {}
    for font in _fonts(PdfReader(io.BytesIO(pdf))):
        desc = font.get("/FontDescriptor")
        if desc is None:
            out[str(font["/BaseFont"])] = b""
            continue
        data = desc.get_object().get("/FontFile2")
        out[str(font["/BaseFont"])] = data.get_object().get_data() if data is not None else b""
    return out


def notdef_chars(pdf: bytes) -> set[str]:
    """Characters drawn with the font's .notdef glyph (a box). reportlab draws a character the
    font lacks as code 0 of its first subset (extracted as U+0000); any code whose subset glyph
    is glyph 0 or a copy of it counts too."""
    reader = PdfReader(io.BytesIO(pdf))
    bad = {"\x00"} if any("\x00" in (p.extract_text() or "") for p in reader.pages) else set()
    for font in _fonts(reader):
        desc = font.get("/FontDescriptor")
        if desc is None or "/ToUnicode" not in font:
            continue
        tt = TTFont(io.BytesIO(desc.get_object()["/FontFile2"].get_object().get_data()))
        glyf = tt["glyf"]
        order = tt.getGlyphOrder()
        notdef = glyf[order[0]].compile(glyf) if glyf[order[0]].numberOfContours else b""
        if not notdef:
            continue
        code_to_glyph = tt["cmap"].tables[0].cmap
        to_unicode = dict(_BFCHAR.findall(font["/ToUnicode"].get_object().get_data()))
        for code_hex, uni_hex in to_unicode.items():
            glyph = code_to_glyph.get(int(code_hex, 16))
            if glyph and (glyph == order[0] or glyf[glyph].compile(glyf) == notdef):
                bad.add(bytes.fromhex(uni_hex.decode()).decode("utf-16-be"))
    return bad


def text_positions(pdf: bytes, page_index: int) -> list[tuple[float, float, str]]:
    """(x, y, text) of every text run on a page, in user space."""
    out = []
    page = PdfReader(io.BytesIO(pdf)).pages[page_index]

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            out.append((x, y, text))

    page.extract_text(visitor_text=visit)
    return out


def sized_runs(pdf: bytes) -> list[tuple[int, float, str]]:
    """(page index, font size in points, text) of every text run, in drawing order."""
    out = []
    for index, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        def visit(text, cm, tm, font_dict, font_size, index=index):
            if text.strip():
                out.append((index, round(font_size * (tm[0] or 1), 1), text))

        page.extract_text(visitor_text=visit)
    return out


def spans_by_heading(pdf: bytes, size: float) -> list[tuple[str, str]]:
    """The document cut at every run drawn at ``size`` (a heading style): (heading, text up to
    the next heading), in order. Consecutive heading runs (one heading in several fonts) join."""
    spans: list[list[str]] = []
    last_was_heading = False
    for _, run_size, text in sized_runs(pdf):
        heading = abs(run_size - size) < 0.05
        if heading and not last_was_heading:
            spans.append([text, ""])
        elif heading:
            spans[-1][0] += text
        elif spans:
            spans[-1][1] += text
        last_was_heading = heading
    return [(h, t) for h, t in spans]
