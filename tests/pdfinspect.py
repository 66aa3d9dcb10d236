"""Look inside a PDF the way an auditor would: embedded fonts, glyphs drawn, text positions."""

from __future__ import annotations

import io
import re

from fontTools.ttLib import TTFont
from pypdf import PdfReader

_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def _fonts(reader: PdfReader, pages=None):
    seen = set()
    for page in (reader.pages if pages is None else [reader.pages[i] for i in pages]):
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


def notdef_chars(pdf: bytes, pages: list[int] | None = None) -> set[str]:
    """Characters drawn with the font's .notdef glyph (a box). reportlab draws a character the
    font lacks as code 0 of its first subset (extracted as U+0000); any code whose subset glyph
    is glyph 0 or a copy of it counts too. ``pages``: only these (all by default)."""
    reader = PdfReader(io.BytesIO(pdf))
    chosen = reader.pages if pages is None else [reader.pages[i] for i in pages]
    bad = {"\x00"} if any("\x00" in (p.extract_text() or "") for p in chosen) else set()
    for font in _fonts(reader, pages):
        desc = font.get("/FontDescriptor")
        if desc is None or "/ToUnicode" not in font:
            continue
        tt = TTFont(io.BytesIO(desc.get_object()["/FontFile2"].get_object().get_data()))
        glyf = tt["glyf"]
        order = tt.getGlyphOrder()
        notdef = glyf.glyphs[order[0]].compile(glyf, recalcBBoxes=False)  # stored bytes; empty: no outline
        if not notdef:
            continue
        code_to_glyph = tt["cmap"].tables[0].cmap
        to_unicode = dict(_BFCHAR.findall(font["/ToUnicode"].get_object().get_data()))
        for code_hex, uni_hex in to_unicode.items():
            glyph = code_to_glyph.get(int(code_hex, 16))
            # the glyph's bytes as stored (expanding every glyph to compare is slow)
            if glyph and (glyph == order[0] or glyf.glyphs[glyph].compile(glyf, recalcBBoxes=False) == notdef):
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


def _outline(tt: TTFont, glyph: str) -> tuple:
    """A glyph's outline as flat coordinates (composites resolved), comparable across subsets."""
    glyf = tt["glyf"]
    coords, ends, _ = glyf[glyph].getCoordinates(glyf)
    return tuple(coords), tuple(ends)


def drawn_glyphs(pdf: bytes, page_index: int, font_part: str) -> list[tuple[tuple, float, float]]:
    """Every glyph drawn on a page in a font whose BaseFont contains ``font_part``, in drawing
    order: (outline, text rise in points, font size)."""
    from pypdf.generic import ContentStream

    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[page_index]
    fonts = page["/Resources"]["/Font"]
    parsed: dict = {}

    def subset(resource):
        if resource not in parsed:
            font = fonts[resource].get_object()
            if font_part not in str(font["/BaseFont"]):
                parsed[resource] = None
            else:
                data = font["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
                tt = TTFont(io.BytesIO(data))
                parsed[resource] = (tt, tt["cmap"].tables[0].cmap)
        return parsed[resource]

    out, current, size, rise = [], None, 0.0, 0.0
    for operands, op in ContentStream(page.get_contents(), reader).operations:
        if op == b"Tf":
            current, size = subset(operands[0]), float(operands[1])
        elif op == b"Ts":
            rise = float(operands[0])
        elif op in (b"Tj", b"TJ") and current:
            tt, codes = current
            items = operands[0] if op == b"TJ" else [operands[0]]
            for item in items:
                if isinstance(item, (int, float)) or not hasattr(item, "original_bytes"):
                    continue
                for code in item.original_bytes:
                    out.append((_outline(tt, codes[code]), rise, size))
    return out


def font_outlines(path, glyph_ids: list[int]) -> list[tuple]:
    """Outlines of glyphs of a font file, by glyph id (as HarfBuzz returns them)."""
    with TTFont(str(path)) as tt:
        order = tt.getGlyphOrder()
        return [_outline(tt, order[g]) for g in glyph_ids]


def visual_chars(pdf: bytes, page_index: int, top: float, bottom: float, x0: float = 0, x1: float = 1e9) -> str:
    """The characters drawn in a band of a page (pdfplumber's top/bottom, in points from the top),
    left to right as they stand on the paper: the order a reader's eye meets them."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = [c for c in doc.pages[page_index].chars
                 if top <= c["top"] < bottom and x0 <= c["x0"] < x1]
    return "".join(c["text"] for c in sorted(chars, key=lambda c: c["x0"]))


def char_fonts(pdf: bytes, page_index: int, text: str) -> list[str]:
    """The BaseFont of each drawn occurrence of the characters of ``text`` on a page."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [c["fontname"] for c in doc.pages[page_index].chars if c["text"] in text]


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


# -- reading what a page shows at a place: table rows, calendar cells -----------------------------

def _flat(obj) -> bool:
    """A character set horizontally (the SAMPLE watermark runs across the page's diagonal)."""
    matrix = obj.get("matrix")
    return obj.get("object_type") != "char" or matrix is None or (abs(matrix[1]) < 1e-6 and abs(matrix[2]) < 1e-6)


def page_lines(pdf: bytes, page_index: int) -> list[str]:
    """The page's lines of text as pdfplumber joins them, the diagonal watermark left out."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return (doc.pages[page_index].filter(_flat).extract_text() or "").splitlines()


def weighted_words(pdf: bytes) -> list[tuple[str, bool]]:
    """Every word of the document in drawing order (reading order on left-to-right pages), with
    whether it is set in a bold face; a word changing weight midway is two words. The diagonal
    watermark is left out."""
    import pdfplumber

    out = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            for word in page.filter(_flat).extract_words(extra_attrs=["fontname"], use_text_flow=True):
                out.append((word["text"], "Bold" in word["fontname"]))
    return out


def _near(color, rgb, tol=0.02) -> bool:
    return isinstance(color, (tuple, list)) and len(color) == 3 and all(abs(a - b) <= tol for a, b in zip(color, rgb))


def _hex(color) -> tuple[float, float, float]:
    return (color.red, color.green, color.blue)


def ruled_rows(pdf: bytes, page_index: int | None = None, label_share: float = 0.42,
               rtl: bool = False) -> list[tuple[str, str]]:
    """The rows of a label/value table with a header row and rows separated by full-width rules
    (the dates table): (label, value) per row, each cell's lines joined by a space. The header
    row is left out. ``page_index``: the page (default: the first page that has such a table);
    ``label_share``: the width of the label column; ``rtl``: the label column is on the right."""
    import pdfplumber

    if page_index is None:
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            pages = len(doc.pages)
        for index in range(pages):
            try:
                return ruled_rows(pdf, index, label_share, rtl)
            except LookupError:
                continue
        raise AssertionError("no table with a header rule in the PDF")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[page_index].filter(_flat)
        rules = [line for line in page.lines if abs(line["top"] - line["bottom"]) < 0.5]
        if not rules:
            raise LookupError(f"no table on page {page_index + 1}")
        widest = max(line["x1"] - line["x0"] for line in rules)
        full = sorted({round(line["top"], 1) for line in rules if line["x1"] - line["x0"] > widest - 1})
        x0 = min(line["x0"] for line in rules if line["x1"] - line["x0"] > widest - 1)
        x1 = x0 + widest
        split = x0 + (1 - label_share if rtl else label_share) * widest
        doubled = [y for y in full if sum(1 for line in rules if abs(line["top"] - y) < 0.5
                                          and line["x1"] - line["x0"] > widest - 1) > 1]
        if not doubled:
            raise LookupError(f"no table with a header rule on page {page_index + 1}")
        full = [y for y in full if y >= doubled[0]]
        rows = []
        for top, bottom in zip(full, full[1:]):
            left = page.crop((x0, top, split, bottom)).extract_text() or ""
            right = page.crop((split, top, x1, bottom)).extract_text() or ""
            label, value = (right, left) if rtl else (left, right)
            if not label.strip() and not value.strip():  # below the table
                break
            rows.append((" ".join(label.split()), " ".join(value.split())))
        return rows


def _inside(obj, box) -> bool:
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def _marks(page, lines, box) -> set[str]:
    """The calendar marks drawn in a box (x0, top, x1, bottom) of a page, told by their colours and
    strokes (see calendar_grids)."""
    from packets.render.calendar import BREAK, HOSPITAL, MAYBE, VISIT
    from packets.render.styles import URGENT

    width = box[2] - box[0]
    marks = set()
    for rect in page.rects:
        if not _inside(rect, box) or rect["width"] < width * 0.5:
            continue
        if rect["fill"] and _near(rect.get("non_stroking_color"), _hex(HOSPITAL)):
            marks.add("hospital")
        if rect["fill"] and _near(rect.get("non_stroking_color"), _hex(BREAK)):
            marks.add("break")
        if rect["stroke"] and rect["linewidth"] >= 2.5 and _near(rect.get("stroking_color"), _hex(VISIT)):
            marks.add("visit")
    # Hatching is clipped to its box, but its lines are read unclipped: a few of a box's lines have
    # their middle over the next box.
    if sum(1 for line in lines if _inside(line, box) and _near(line.get("stroking_color"), _hex(MAYBE))) >= width / 12:
        marks.add("maybe")
    if any(_inside(curve, box) and _near(curve.get("stroking_color"), _hex(URGENT)) for curve in page.curves):
        marks.add("scan")
    return marks


def calendar_legend(pdf: bytes, page_index: int) -> list[tuple[set[str], str]]:
    """The calendar's legend on a page, in reading order: (the marks drawn in each swatch, the
    words beside it). A swatch is a small box framed in the rule grey; its label is the text
    on its right, up to the next swatch (a left-to-right page)."""
    import pdfplumber

    from packets.render.styles import RULE

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[page_index].filter(_flat)
        lines = page.lines
        frames = [r for r in page.rects if r["stroke"] and not r["fill"] and abs(r["linewidth"] - 0.6) < 0.05
                  and _near(r.get("stroking_color"), _hex(RULE)) and r["height"] > 0
                  and abs(r["width"] / r["height"] - 2.2 / 1.6) < 0.05]
        frames.sort(key=lambda r: (round(r["top"]), r["x0"]))
        out = []
        for frame in frames:
            h = frame["height"]
            same_row = [f for f in frames if abs(f["top"] - frame["top"]) < 1]
            right = min((f["x0"] for f in same_row if f["x0"] > frame["x1"]), default=page.width)
            band = (frame["x1"], max(0, frame["top"] - h * 0.6), right, min(page.height, frame["bottom"] + h * 0.6))
            text = page.within_bbox(band).extract_text() or ""  # characters wholly inside the band
            out.append((_marks(page, lines, (frame["x0"], frame["top"], frame["x1"], frame["bottom"])),
                        " ".join(text.split())))
        return out


def calendar_grids(pdf: bytes) -> list[dict]:
    """Every month grid drawn in the PDF, in page order: ``{"page", "heads", "rows"}``. ``heads``:
    the weekday names over the columns, left to right as printed; ``rows``: each week, left to
    right as printed, of (day number or None, set of marks). The marks are read from what is
    drawn in the cell: "hospital" (a fill in the accent blue), "maybe" (blue hatching),
    "break" (a light fill), "scan" (a red ring), "visit" (a heavy black frame)."""
    import unicodedata

    import pdfplumber

    from packets.render.styles import RULE

    grids = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for index, page in enumerate(doc.pages):
            lines = page.lines
            vertical: dict[tuple, list[float]] = {}
            for line in lines:
                if abs(line["x0"] - line["x1"]) < 0.5 and _near(line.get("stroking_color"), _hex(RULE)):
                    vertical.setdefault((round(line["top"], 1), round(line["bottom"], 1)), []).append(line["x0"])
            chars = [c for c in page.chars if _flat(c)]
            for (top, bottom), xs in sorted(vertical.items()):
                xs = sorted(set(round(x, 1) for x in xs))
                if len(xs) != 8:
                    continue
                ys = sorted({round(line["top"], 1) for line in lines if abs(line["top"] - line["bottom"]) < 0.5
                             and abs(line["x0"] - xs[0]) < 1 and abs(line["x1"] - xs[-1]) < 1
                             and top - 0.5 <= line["top"] <= bottom + 0.5})

                # The weekday names: the line of text right above the grid.
                above = [ch for ch in chars if xs[0] <= ch["x0"] and ch["x1"] <= xs[-1] + 1
                         and top - 40 < ch["bottom"] and (ch["top"] + ch["bottom"]) / 2 < top]
                base = max((ch["bottom"] for ch in above), default=top)
                above = [ch for ch in above if base - ch["bottom"] < ch["size"] * 0.4]
                heads = ["".join(ch["text"] for ch in sorted(above, key=lambda ch: ch["x0"])
                                 if xs[c] <= (ch["x0"] + ch["x1"]) / 2 <= xs[c + 1]) for c in range(7)]
                rows = []
                for r in range(len(ys) - 1):
                    row = []
                    for c in range(7):
                        cell = (xs[c], ys[r], xs[c + 1], ys[r + 1])
                        digits = "".join(ch["text"] for ch in sorted(chars, key=lambda ch: ch["x0"])
                                         if _inside(ch, cell))
                        number = int("".join(str(unicodedata.digit(d)) for d in digits)) if digits else None
                        marks = _marks(page, lines, cell)
                        row.append((number, marks))
                    rows.append(row)
                grids.append({"page": index, "heads": heads, "rows": rows})
    return grids
