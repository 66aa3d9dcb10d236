"""Read a packet's pages back as a reviewer sees them: lines of text with their positions, sizes
and colours, and the rules drawn on the page (PyMuPDF). Used by ``test_layout.py``.

Coordinates are PyMuPDF's: points, origin at the top-left, y growing downwards.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import pymupdf

BIDI_CONTROLS = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2060\u200c\u200d")
OPENING = "([{（［｛「『【〔〈《"
CLOSING = ")]}）］｝」』】〕〉》"


def rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))


def _rgb(color) -> tuple[int, int, int]:
    return tuple(round(c * 255) for c in color[:3])


def norm_char(ch: str) -> str:
    """A drawn character as plain text: presentation forms to letters, no marks, no controls."""
    if ch in BIDI_CONTROLS:
        return ""
    if ch.isspace():
        return " "
    out = unicodedata.normalize("NFKC", ch)
    return "".join(c for c in out if unicodedata.category(c) not in ("Mn", "Mc", "Cf"))


def signature(text: str) -> Counter:
    """The letters of a text, order aside (robust to right-to-left order and shaping)."""
    return Counter(c for ch in text for c in norm_char(ch) if not c.isspace())


def is_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


@dataclass
class Span:
    text: str
    x0: float
    x1: float
    base: float     # the baseline's y
    size: float
    color: tuple
    font: str

    @property
    def ink(self) -> tuple[float, float, float, float]:
        """Where the glyphs' ink is, roughly: cap height above the baseline, a little below."""
        return self.x0, self.base - 0.72 * self.size, self.x1, self.base + 0.12 * self.size


@dataclass(eq=False)
class Line:
    spans: list[Span]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)

    @cached_property
    def signature(self) -> Counter:
        return signature(self.text)

    @cached_property
    def logical(self) -> str:
        return logical(self)

    @property
    def x0(self) -> float:
        return min(s.x0 for s in self.spans)

    @property
    def x1(self) -> float:
        return max(s.x1 for s in self.spans)

    @property
    def base(self) -> float:
        return self.spans[0].base

    @property
    def size(self) -> float:
        return max(s.size for s in self.spans)

    @property
    def top(self) -> float:
        return self.base - 0.75 * self.size

    @property
    def bottom(self) -> float:
        return self.base + 0.2 * self.size

    def chars(self) -> str:
        """Its normalised characters in visual order, spaces dropped."""
        return "".join(norm_char(c) for c in self.text).replace(" ", "")


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    hlines: list[tuple[float, float, float]]   # (y, x0, x1) of horizontal rules drawn
    vlines: list[tuple[float, float, float]]   # (x, y0, y1) of vertical rules drawn
    header_rule: float = 0.0
    footer_rule: float | None = None
    body: list[Line] = field(default_factory=list)
    chrome: list[Line] = field(default_factory=list)


def _spans(page) -> list[Span]:
    """Runs of characters in one font, size and colour on one baseline (a trace span can hold
    several lines of a paragraph)."""
    out = []
    for s in page.get_texttrace():
        if abs(s["dir"][1]) > 1e-3:  # a SAMPLE watermark across the page is not its text layout
            continue
        run: list = []
        for c in [*s["chars"], None]:
            if c is not None and c[0] < 0:
                continue
            if run and (c is None or abs(c[2][1] - run[-1][2][1]) > 0.5 or c[2][0] < run[-1][2][0] - 0.5):
                text = "".join(chr(ch[0]) for ch in run)
                if text.strip():
                    x0 = min(ch[3][0] for ch in run)
                    x1 = max(ch[3][2] for ch in run)
                    out.append(Span(text, x0, x1, run[0][2][1], s["size"], _rgb(s["color"]), s["font"]))
                run = []
            if c is not None:
                run.append(c)
    return out


def _lines(spans: list[Span]) -> list[Line]:
    """Spans on one baseline and close together make a line; a wide gap starts another (a
    table's next column)."""
    lines: list[Line] = []
    for s in sorted(spans, key=lambda s: (round(s.base, 0), s.x0)):
        last = lines[-1] if lines else None
        if last and abs(last.base - s.base) < 1.0 and s.x0 - last.x1 < 0.4 * s.size:
            last.spans.append(s)
        else:
            lines.append(Line([s]))
    return sorted(lines, key=lambda ln: (round(ln.base, 0), ln.x0))


def read(pdf: bytes) -> list[Page]:
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    pages = []
    for i, page in enumerate(doc):
        hl, vl = [], []
        for d in page.get_drawings():
            if "s" not in (d.get("type") or ""):
                continue
            for item in d["items"]:
                if item[0] == "l":
                    p, q = item[1], item[2]
                    if abs(p.y - q.y) < 0.1:
                        hl.append((p.y, min(p.x, q.x), max(p.x, q.x)))
                    elif abs(p.x - q.x) < 0.1:
                        vl.append((p.x, min(p.y, q.y), max(p.y, q.y)))
                elif item[0] == "re":
                    r = item[1]
                    hl += [(r.y0, r.x0, r.x1), (r.y1, r.x0, r.x1)]
                    vl += [(r.x0, r.y0, r.y1), (r.x1, r.y0, r.y1)]
        w, h = page.rect.width, page.rect.height
        pg = Page(i + 1, w, h, _lines(_spans(page)), hl, vl)
        # The chrome's rules span the text width: the topmost is under the header, a second one
        # in the lower part of the page sits over the footer's notices.
        wide = sorted(y for y, x0, x1 in hl if x1 - x0 > 0.8 * w - 1)
        pg.header_rule = wide[0] if wide else 0.0
        lower = [y for y in wide if y > h * 0.7]
        pg.footer_rule = lower[-1] if lower else None
        bottom = pg.footer_rule if pg.footer_rule is not None else h
        pg.body = [ln for ln in pg.lines if pg.header_rule < ln.base < bottom]
        pg.chrome = [ln for ln in pg.lines if ln not in pg.body]
        pages.append(pg)
    return pages


_LTR_RUN = ("L", "EN", "AN", "ES", "CS", "ET")


def logical(line: Line) -> str:
    """A line's characters in reading order, normalised, spaces dropped. A right-to-left line
    is drawn in visual order: reversed, with its runs of digits and Latin letters put back."""
    text = "".join(c for c in line.text if c not in BIDI_CONTROLS)
    if not is_rtl(text):
        return "".join(norm_char(c) for c in text).replace(" ", "")
    rev, out, run = text[::-1], [], []
    for c in rev + "\x00":
        if c != "\x00" and unicodedata.bidirectional(c) in _LTR_RUN:
            run.append(c)
            continue
        out.extend(reversed(run))
        run = []
        if c != "\x00":
            out.append(c)
    return "".join(norm_char(c) for c in out).replace(" ", "")


@lru_cache(maxsize=None)
def flat(text: str) -> str:
    """Logical text (from the document model), normalised like :func:`logical`, spaces dropped."""
    return "".join(norm_char(c) for c in text if c not in BIDI_CONTROLS).replace(" ", "")


def broken_across(unit: str, a: Line, b: Line) -> bool:
    """Is ``unit`` split between the end of line ``a`` and the start of line ``b``: printed
    across the junction of the two lines in reading order?"""
    u, ta, tb = flat(unit), a.logical, b.logical
    if not u or not ta or not tb:
        return False
    joined = ta + tb
    start = joined.find(u, max(0, len(ta) - len(u) + 1))
    while start != -1 and start < len(ta):
        if start + len(u) > len(ta):
            return True
        start = joined.find(u, start + 1)
    return False


def next_in_column(lines: list[Line], i: int) -> Line | None:
    """The line under ``lines[i]`` in the same column (its continuation, if any)."""
    a = lines[i]
    for b in lines[i + 1:]:
        if b.base - a.base > 2.2 * max(a.size, b.size):
            return None
        if b.base - a.base > 1 and min(a.x1, b.x1) - max(a.x0, b.x0) > -2:
            return b
    return None
