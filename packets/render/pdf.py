"""Lay out a localized document with reportlab's platypus and return PDF bytes.

In: a :class:`~packets.localize.Document`, the paper size and the large-print flag.
Out: PDF bytes. One small function per block type, gathered in ``BLOCKS``.
Every page carries the patient's name and MRN, "Page X of Y" and any draft notice;
right-to-left documents mirror alignment, table column order and the page chrome.
"""

from __future__ import annotations

import copy
import io
import os
import re
from functools import lru_cache
from itertools import groupby
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Frame, PageBreak, PageTemplate,
                                Paragraph, Spacer, Table, TableStyle)
from reportlab.platypus.flowables import Flowable

from .. import localize as L
from . import arabic
from .bidi import has_rtl
from .calendar import calendar
from .fonts import FontChain, chain_for
from .styles import ACCENT, RULE, TINT, URGENT, stylesheet
from .paragraph import BidiParagraph

PAPER = {"letter": LETTER, "a4": A4}
# Phone numbers, times and number ranges inside right-to-left text: after Arabic letters the
# bidi algorithm treats digits as Arabic numbers, which a hyphen does not join, so
# "(503) 215-1234" would show as "1234-215 (503)". A left-to-right embedding keeps them whole.
NUMBERISH = re.compile(r"[+(]?\d[\d\s().\-\u2013/:]*\d\)?|\(\d\)")
LRE, PDF = "\u202a", "\u202c"
MARGIN = 0.75 * inch
HEADER_SPACE = 0.45 * inch


class Ctx:
    """What block renderers share: styles, the font chain, the direction, the frame width."""

    def __init__(self, doc: L.Document, large: bool, width: float, height: float,
                 catalog_id: str | None = None, direction: str | None = None):
        self.doc = doc
        self.height = height
        catalog_id = catalog_id or doc.catalog_id
        direction = direction or doc.direction
        self.rtl = direction == "rtl"
        self.chain: FontChain = chain_for(catalog_id)
        self.styles = stylesheet(catalog_id, direction, large)
        self.width = width
        self.large = large

    def markup(self, runs: L.Runs, style_bold: bool = False) -> str:
        return _markup(self.chain, self.rtl, tuple(runs), style_bold)

    def other(self, catalog_id: str | None, direction: str | None) -> "Ctx":
        """The context for a part of the document in another language (bilingual packets)."""
        if not catalog_id:
            return self
        return Ctx(self.doc, self.large, self.width, self.height, catalog_id, direction)

    def para(self, runs: L.Runs, style: str = "body", **over) -> Paragraph:
        st = self.styles[style]
        if not self.rtl and st.wordWrap is None and any(has_rtl(r.text) for r in runs):
            over["wordWrap"] = "LTR"  # a right-to-left name inside left-to-right text: order it
        if over:
            st = _derive(st, **over)
        return _paragraph(self.markup(runs, getattr(st, "bold", False)), st)

    def font_cmd(self) -> tuple:
        """Table style command: cells in the locale's font (reportlab's default is an unembedded Helvetica)."""
        return ("FONTNAME", (0, 0), (-1, -1), self.chain.primary_name(False))

    def cols(self, cells: list) -> list:
        """Logical column order -> visual order (mirrored for right-to-left)."""
        return list(reversed(cells)) if self.rtl else cells


@lru_cache(maxsize=16384)
def _markup(chain: FontChain, rtl: bool, runs: L.Runs, style_bold: bool) -> str:
    """Runs -> reportlab markup, each stretch in a font that draws it. Memoised: most text is
    the same in every packet of a language."""
    parts = []
    for run in runs:
        bold = run.bold or style_bold
        text = run.text
        if arabic.has_arabic(text):
            text = arabic.join(text)
        if rtl:
            text = NUMBERISH.sub(lambda m: LRE + m.group(0) + PDF, text)
        for font, text in chain.segments(text, bold):
            parts.append(f'<font face="{font}">{escape(text)}</font>')
    return "".join(parts)


_PARSED: dict = {}


def _paragraph(markup: str, style) -> Paragraph:
    """A Paragraph whose markup is parsed once per process: the same headings and body text
    recur in every packet of a language, and parsing is a large share of layout time."""
    key = (markup, style.name, style.fontName, style.fontSize, style.textColor)
    frags = _PARSED.get(key)
    if frags is None:
        frags = Paragraph(markup, style).frags
        if len(_PARSED) > 20000:
            _PARSED.clear()
        _PARSED[key] = frags
    return BidiParagraph(markup, style, frags=[copy.copy(f) for f in frags])


def _derive(style, **over):
    from reportlab.lib.styles import ParagraphStyle
    s = ParagraphStyle(style.name + "-x", parent=style, **over)
    s.bold = getattr(style, "bold", False)
    return s


class _Marker(Flowable):
    """A square list marker drawn with the canvas (no font needs a bullet or ballot-box glyph)."""

    def __init__(self, size: float):
        super().__init__()
        self.size = size

    def wrap(self, aw, ah):
        return self.size, self.size


class Box(_Marker):
    """An empty check box."""

    def draw(self):
        self.canv.setStrokeColor(ACCENT)
        self.canv.setLineWidth(1.2)
        self.canv.rect(0, -self.size * 0.15, self.size, self.size)


class Dot(_Marker):
    """A round bullet."""

    def draw(self):
        self.canv.setFillColor(ACCENT)
        r = self.size * 0.22
        self.canv.circle(self.size / 2, self.size * 0.45, r, stroke=0, fill=1)


# -- block renderers --------------------------------------------------------------------------

def heading(c: Ctx, b: L.Heading):
    p = c.para(b.runs, "h2")
    p.keepWithNext = True
    return [p]


def paragraph(c: Ctx, b: L.Paragraph):
    return [c.para(b.runs)]


class ListItem(Flowable):
    """One list item: a marker in its own column (on the right for right-to-left text) and the
    item's paragraph beside it. Like a table row it moves whole to the next page."""

    PAD_TOP, PAD_BOTTOM = 2, 3

    def __init__(self, marker: _Marker, para: Paragraph, marker_w: float, rtl: bool):
        super().__init__()
        self.marker, self.para, self.marker_w, self.rtl = marker, para, marker_w, rtl

    def wrap(self, aw, ah):
        _, ph = self.para.wrap(aw - self.marker_w, ah)
        self.width, self.height = aw, max(ph, self.marker.size) + self.PAD_TOP + self.PAD_BOTTOM
        return self.width, self.height

    def draw(self):
        column = self.width - self.marker_w if self.rtl else 0
        self.marker.drawOn(self.canv, column + (self.marker_w - self.marker.size) / 2,
                           self.height - self.PAD_TOP - self.marker.size)
        self.para.drawOn(self.canv, 0 if self.rtl else self.marker_w,
                         self.height - self.PAD_TOP - self.para.height)


def bullets(c: Ctx, b: L.Bullets):
    size = c.styles["body"].fontSize
    marker_w = size * 1.6
    items = [ListItem(Box(size * 0.8) if b.checkboxes else Dot(size), c.para(item, spaceAfter=0), marker_w, c.rtl)
             for item in b.items]
    # No lone item at the top or bottom of a page: the first two and the last two stay together.
    for i in {0, len(items) - 2} & set(range(len(items) - 1)):
        items[i].keepWithNext = True
    return [*items, Spacer(1, 4)]


def callout(c: Ctx, b: L.Callout):
    color = URGENT if b.urgent else ACCENT
    t = Table([[c.para(b.runs, "callout", textColor=color)]], colWidths=[c.width])
    edge = (-1, 0) if c.rtl else (0, 0)
    t.setStyle(TableStyle([c.font_cmd(),
        ("BACKGROUND", (0, 0), (-1, -1), TINT),
        ("LINEBEFORE" if not c.rtl else "LINEAFTER", edge, edge, 4, color),
        ("LEFTPADDING", (0, 0), (-1, -1), 10), ("RIGHTPADDING", (0, 0), (-1, -1), 10),
        ("TOPPADDING", (0, 0), (-1, -1), 7), ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
    ]))
    return [Spacer(1, 4), t, Spacer(1, 8)]


def table(c: Ctx, b: L.Table):
    out = []
    if b.title:
        out.append(c.para(b.title, "h2"))
        out[-1].keepWithNext = True
    label_w = c.width * (0.42 if b.kind == "dates" else 0.38)
    widths = c.cols([label_w, c.width - label_w])
    rows = []
    if b.header:
        rows.append(c.cols([c.para(h, "cell_label", textColor=ACCENT) for h in b.header]))
    for label, value in b.rows:
        rows.append(c.cols([c.para(label, "cell_label"), c.para(value, "cell")]))
    t = Table(rows, colWidths=widths, repeatRows=1 if b.header else 0, hAlign="CENTER")
    style = [c.font_cmd(),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.6, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ]
    if b.header:
        style += [("BACKGROUND", (0, 0), (-1, 0), TINT), ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT)]
    if b.kind == "contact":
        style += [("BOX", (0, 0), (-1, -1), 1.2, ACCENT), ("BACKGROUND", (0, 0), (-1, -1), TINT)]
    t.setStyle(TableStyle(style))
    out += [t, Spacer(1, 10)]
    return out


@lru_cache(maxsize=64)
def qr_modules(url: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code's dark modules, computed once per URL (the same in every packet)."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(url)
    qr.make()
    return tuple(tuple(bool(m) for m in row) for row in qr.modules)


class QrCode(Flowable):
    """A QR code drawn as one path of dark runs, with a quiet zone of 4 modules."""

    def __init__(self, url: str, size: float):
        super().__init__()
        self.url, self.size = url, size
        self.width = self.height = size

    def wrap(self, aw, ah):
        return self.size, self.size

    def draw(self):
        modules = qr_modules(self.url)
        n = len(modules) + 8
        box = self.size / n
        path = self.canv.beginPath()
        for r, row in enumerate(modules):
            y = self.size - (r + 5) * box
            c = 0
            for dark, run in groupby(row):
                count = len(list(run))
                if dark:
                    path.rect((c + 4) * box, y, count * box, box)
                c += count
        self.canv.setFillColor(colors.black)
        self.canv.drawPath(path, stroke=0, fill=1)


def resource(c: Ctx, b: L.Resource):
    """Name, description, phone and URL, with a QR code of the URL beside them."""
    text = [c.para(b.name, "h2", spaceBefore=0), c.para(b.text, spaceAfter=2),
            c.para((*b.phone_label, L.Run(": "), L.Run(b.phone, True)), spaceAfter=2),
            c.para((L.Run(b.url),), spaceAfter=0)]
    qr = 1.0 * inch
    t = Table([c.cols([text, QrCode(b.url, qr)])], colWidths=c.cols([c.width - qr - 12, qr + 12]))
    t.setStyle(TableStyle([c.font_cmd(), ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 10)]))
    return [t]  # one row: a table never splits inside a row


BLOCKS = {
    L.Heading: heading,
    L.Paragraph: paragraph,
    L.Bullets: bullets,
    L.Callout: callout,
    L.Table: table,
    L.Resource: resource,
}


def cover(c: Ctx, cv: L.Cover, first: bool = True):
    """The cover; a bilingual packet's English cover follows on its own page, complete."""
    out = [c.para(cv.program_name, "cover_program"), Spacer(1, 6), c.para(cv.title, "cover_title")]
    label_w = c.width * 0.34
    rows = [c.cols([c.para(label, "cell_label"), c.para(value, "cell")]) for label, value in cv.fields]
    t = Table(rows, colWidths=c.cols([label_w, c.width - label_w]))
    t.setStyle(TableStyle([c.font_cmd(),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (0, 0), (-1, -1), 1.2, ACCENT),
        ("BACKGROUND", (0, 0), (-1, -1), TINT),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
    ]))
    out += [t, Spacer(1, 12)]
    if cv.intro:
        out.append(c.para(cv.intro))
    out += table(c, cv.dates)
    if first and c.doc.second_cover:
        out += [PageBreak(), *cover(c.other(c.doc.second_catalog_id, "ltr"), c.doc.second_cover, first=False)]
    return out


_TAGLINES: dict = {}


def _taglines(c: Ctx, taglines: tuple) -> list:
    """The taglines' paragraphs, laid out once per process: every packet of a program prints the
    same lines at the same width. A paragraph keeps no page state after it is drawn."""
    key = (taglines, c.width, c.large)
    paras = _TAGLINES.get(key)
    if paras is None:
        if len(_TAGLINES) > 32:
            _TAGLINES.clear()
        paras = _TAGLINES[key] = [c.other(t.catalog_id, t.direction).para((*t.name, L.Run(": "), *t.text), "cell")
                                  for t in taglines]
    return paras


def language_help(c: Ctx, lh: L.LanguageHelp) -> list:
    """One page of taglines; each line in its own language's fonts and direction."""
    title = lh.title if L.plain(lh.title) == L.plain(lh.english_title) else \
        (*lh.title, L.Run(" / "), *lh.english_title)
    heading = c.para(title, "h1")
    heading.keepWithNext = True
    rows = [[para] for para in _taglines(c, lh.taglines)]
    table = Table(rows, colWidths=[c.width])
    table.setStyle(TableStyle([c.font_cmd(), ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                               ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    # Its own page, unless the page it would start on is still nearly empty (the end of the
    # sources, say): then it shares that page rather than leave a page with a few lines on it.
    needed = heading.wrap(c.width, c.height)[1] + table.wrap(c.width, c.height)[1] + 24
    return [CondPageBreak(max(needed, c.height * 0.72)), heading, table]


def story(c: Ctx) -> list:
    flow = cover(c, c.doc.cover)
    if c.doc.calendar:
        flow += calendar(c, c.doc.calendar)
    for section in c.doc.sections:
        sc = c.other(section.catalog_id, section.direction)
        flow.append(CondPageBreak(1.6 * inch))  # a section heading never ends a page with next to nothing under it
        flow.append(Spacer(1, 8))
        h = sc.para(section.title, "h1")
        h.keepWithNext = True
        flow.append(h)
        for block in section.blocks:
            flow.extend(BLOCKS[type(block)](sc, block))
    if c.doc.sources:
        block = [c.para(c.doc.sources_title, "small", textColor=RULE)]
        block += [c.para((L.Run("– " + src),), "small", textColor=RULE) for src in c.doc.sources]
        for para in block[:-1]:  # the list of sources stays whole
            para.keepWithNext = True
        flow += [Spacer(1, 10), *block]
    if c.doc.language_help:
        flow += language_help(c, c.doc.language_help)
    return flow


# -- page chrome and "Page X of Y" ---------------------------------------------------------------

FOOT_BOTTOM = 0.4 * inch  # from the paper's bottom edge to the lowest footer line


class Chrome:
    """Each page's header (patient name and MRN), "Page X of Y" and notices. The header and
    notices are the same on every page: built and wrapped once; only the label is per page."""

    def __init__(self, c: Ctx, size):
        self.c, self.size = c, size
        self.inner = size[0] - 2 * MARGIN
        self.header = c.para(c.doc.header, "small")
        self.header.wrap(self.inner, HEADER_SPACE)
        self.notices = []
        for notice in c.doc.notices:
            # The English line of a right-to-left packet is English text: ordered left to right,
            # set at the right edge like the rest of the page.
            own = c.other("en", "ltr") if c.rtl and not has_rtl(notice) else c
            para = own.para((L.Run(notice),), "notice", alignment=2 if c.rtl else 0)
            self.notices.append((para, para.wrap(self.inner, 200)[1]))

    def _label(self, page: int, pages: int) -> tuple[Paragraph, float]:
        label = self.c.para((L.Run(self.c.doc.page_label(page, pages)),), "small",
                            alignment=0 if self.c.rtl else 2)
        return label, label.wrap(self.inner, 200)[1]

    def footer_height(self) -> float:
        """Height of the footer with the widest page label ("Page 999 of 999")."""
        return sum(h for _, h in [self._label(999, 999), *self.notices]) + 2 * len(self.notices)

    def draw(self, canvas: Canvas, page: int, pages: int) -> None:
        w, h = self.size
        canvas.saveState()
        self.header.drawOn(canvas, MARGIN, h - MARGIN + 8)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, h - MARGIN + 4, w - MARGIN, h - MARGIN + 4)
        y = FOOT_BOTTOM  # stack from the bottom up, so nothing runs off the paper or overlaps
        for para, ph in reversed([self._label(page, pages), *self.notices]):
            para.drawOn(canvas, MARGIN, y)
            y += ph + 2
        canvas.line(MARGIN, y + 2, w - MARGIN, y + 2)
        canvas.restoreState()


def _numbered_canvas(draw, font: str):
    class NumberedCanvas(Canvas):
        """Defers page chrome to save(), when the page count is known."""

        def __init__(self, *args, **kwargs):
            kwargs["initialFontName"] = kwargs.get("initialFontName") or font  # never Helvetica
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for i, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                draw(self, i, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def render_pdf(doc: L.Document, *, paper: str = "letter", large_print: bool = False) -> bytes:
    """PDF bytes (encryption, when asked for, is :mod:`packets.protect`'s job, after drawing)."""
    size = PAPER[paper]
    buf = io.BytesIO()
    top = MARGIN + HEADER_SPACE - 0.2 * inch
    width = size[0] - 2 * MARGIN
    c = Ctx(doc, large_print, width, 0)
    chrome = Chrome(c, size)
    bottom = FOOT_BOTTOM + chrome.footer_height() + 14
    frame = Frame(MARGIN, bottom, width, size[1] - top - bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    template = BaseDocTemplate(
        buf, pagesize=size, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=top, bottomMargin=bottom,
        title=doc.meta_title, author="IL-2 patient packet generator", subject="Patient education",
        creator="il2-packets", lang=doc.lang,
        invariant=1 if os.environ.get("SOURCE_DATE_EPOCH") else None,
    )
    template.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    c.height = frame._aH
    template.build(story(c), canvasmaker=_numbered_canvas(chrome.draw, c.chain.primary_name(False)))
    return buf.getvalue()
