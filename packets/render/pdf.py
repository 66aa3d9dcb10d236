"""Lay out a localized document with reportlab's platypus and return PDF bytes.

In: a :class:`~packets.localize.Document`, the paper size and the large-print flag.
Out: PDF bytes. One small function per block type, gathered in ``BLOCKS``.
Every page carries the patient's name and MRN, "Page X of Y" and any draft notice;
right-to-left documents mirror alignment, table column order and the page chrome.
"""

from __future__ import annotations

import copy
import hashlib
import io
import math
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
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Frame, KeepTogether, PageBreak,
                                PageTemplate, Paragraph, Spacer, Table, TableStyle)
from reportlab.platypus.flowables import Flowable

from .. import localize as L
from . import arabic
from .bidi import has_rtl
from .calendar import calendar
from .fonts import FontChain, chain_for
from .linebreak import GLUE
from .styles import ACCENT, CJK, RULE, TINT, URGENT, stylesheet
from .paragraph import BidiParagraph

PAPER = {"letter": LETTER, "a4": A4}
# Phone numbers, times and number ranges inside right-to-left text: after Arabic letters the
# bidi algorithm treats digits as Arabic numbers, which a hyphen does not join, so
# "(503) 215-1234" would show as "1234-215 (503)". A left-to-right embedding keeps them whole.
NUMBERISH = re.compile(r"[+(]?\d[\d\s().\-\u2013/:]*\d\)?|\(\d\)")
LRE, PDF = "\u202a", "\u202c"
MARGIN = 0.75 * inch
LARGE_MARGIN = 0.5 * inch  # large print: 18 pt text needs the width more than the margin
NBSP = "\u00a0"
# Spaces a line may break at (reportlab's list, less NBSP): inside a unit they become NBSP.
BREAKING_SPACE = re.compile("[ \u1680\u2000-\u200a\u202f\u205f\u3000]")


class Deliberate(PageBreak):
    """A page break by design (the calendar, the language-help page, a bilingual packet's English
    cover): the page before it may be short (docs/LAYOUT.md, rule 7)."""


def keep(flowables: list) -> KeepTogether:
    """reportlab's KeepTogether over the flowables, nested ones opened up: a KeepTogether inside
    another reports an endless height, which would send the outer one to a new page every time."""
    flat = []
    for f in flowables:
        flat.extend(f._content if isinstance(f, KeepTogether) else [f])
    return KeepTogether(flat)


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
        self.cjk = catalog_id in CJK
        self.catalog_id = catalog_id

    def markup(self, runs: L.Runs, style_bold: bool = False) -> str:
        return _markup(self.chain, self.rtl, self.cjk, tuple(runs), style_bold)

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

    def heading(self, runs: L.Runs, style: str = "h2", **over) -> Paragraph:
        """A heading: never the last thing on a page (see :func:`keep_headings`), and never with a
        lone last word on a line ("help"): its last two words are joined by a no-break space."""
        runs = tuple(runs)
        if runs and not self.cjk:
            last = runs[-1]
            head, sep, tail = last.text.rstrip().rpartition(" ")
            if sep and head and len(tail) < 12:
                runs = (*runs[:-1], L.Run(head, last.bold, last.nobreak), L.Run(NBSP + tail, last.bold, True))
        p = self.para(runs, style, **over)
        p.is_heading = True
        return p

    def font_cmd(self) -> tuple:
        """Table style command: cells in the locale's font (reportlab's default is an unembedded Helvetica)."""
        return ("FONTNAME", (0, 0), (-1, -1), self.chain.primary_name(False))

    def cols(self, cells: list) -> list:
        """Logical column order -> visual order (mirrored for right-to-left)."""
        return list(reversed(cells)) if self.rtl else cells


@lru_cache(maxsize=16384)
def _markup(chain: FontChain, rtl: bool, cjk: bool, runs: L.Runs, style_bold: bool) -> str:
    """Runs -> reportlab markup, each stretch in a font that draws it. A unit run (a date, a
    phone number) gets no-break spaces, or in Chinese and Japanese a word joiner between its
    characters (see :mod:`.linebreak`). Memoised: most text is the same in every packet."""
    parts = []
    for run in runs:
        bold = run.bold or style_bold
        text = run.text
        if run.nobreak and not cjk:
            text = BREAKING_SPACE.sub(NBSP, text)
        if arabic.has_arabic(text):
            text = arabic.join(text)
        if rtl:
            text = NUMBERISH.sub(lambda m: LRE + m.group(0) + PDF, text)
        for i, (font, seg) in enumerate(chain.segments(text, bold)):
            if run.nobreak and cjk:
                seg = (GLUE if i else "") + GLUE.join(seg)
            parts.append(f'<font face="{font}">{escape(seg)}</font>')
    return "".join(parts)


_PARSED: dict = {}
_FRESH: dict = {}                   # keys parsed since the last forget_parsed(), in order
_SHARED: dict[bytes, bytes] = {}    # salted digest of a key -> salted digest of the patient it was parsed for
_SALT = os.urandom(16)


def _paragraph(markup: str, style) -> Paragraph:
    """A Paragraph whose markup is parsed once per process: the same headings and body text
    recur in every packet of a language, and parsing is a large share of layout time."""
    key = (markup, style.name, style.fontName, style.fontSize, style.textColor)
    frags = _PARSED.get(key)
    if frags is None:
        frags = Paragraph(markup, style).frags
        if len(_PARSED) > 20000:
            _PARSED.clear()
        if len(_FRESH) > 20000:     # nobody calls forget_parsed (a batch): nothing to track
            _FRESH.clear()
        _PARSED[key] = frags
        _FRESH[key] = None
    return BidiParagraph(markup, style, frags=[copy.copy(f) for f in frags])


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), key=_SALT, digest_size=16).digest()


def forget_parsed(patient: str) -> None:
    """After the packet of ``patient`` (its MRN): keep the paragraphs parsed for it only if another
    patient's packet parsed them too (headings, body text, common dates); drop the rest (its name,
    its MRN), so a long-running process keeps no text that only this patient's packet printed.
    Only salted digests are remembered to recognise the shared text next time."""
    who = _digest(patient)
    for key in _FRESH:
        seen = _digest(repr(key))
        first = _SHARED.get(seen)
        if first is not None and first != who:
            del _SHARED[seen]          # printed for two patients: kept
        else:
            _PARSED.pop(key, None)
            _SHARED[seen] = who
    _FRESH.clear()
    if len(_SHARED) > 50000:
        _SHARED.clear()


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
    return [c.heading(b.runs)]


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
    """A titled table of label/value rows; it never splits (a page break moves it whole)."""
    out = []
    if b.title:
        out.append(c.heading(b.title))
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
        ("TOPPADDING", (0, 0), (-1, -1), 3 if c.large else 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 4 if c.large else 6),
        ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ]
    if b.header:
        style += [("BACKGROUND", (0, 0), (-1, 0), TINT), ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT)]
    if b.kind == "contact":
        style += [("BOX", (0, 0), (-1, -1), 1.2, ACCENT), ("BACKGROUND", (0, 0), (-1, -1), TINT)]
    t.setStyle(TableStyle(style))
    return [keep([*out, t]), Spacer(1, 10)]


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
            c.para((*b.phone_label, L.Run(": "), L.Run(b.phone, True, True)), spaceAfter=2),
            c.para((L.Run(b.url, False, True),), spaceAfter=0)]
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
    """The cover; a bilingual packet's English cover follows on its own page, complete. In
    large print the dates come before the patient's details, so they stay on the cover."""
    head = [c.para(cv.program_name, "cover_program"), Spacer(1, 6), c.para(cv.title, "cover_title")]
    label_w = c.width * 0.34
    rows = [c.cols([c.para(label, "cell_label"), c.para(value, "cell")]) for label, value in cv.fields]
    pad = 3 if c.large else 5
    t = Table(rows, colWidths=c.cols([label_w, c.width - label_w]))
    t.setStyle(TableStyle([c.font_cmd(),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (0, 0), (-1, -1), 1.2, ACCENT),
        ("BACKGROUND", (0, 0), (-1, -1), TINT),
        ("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
        ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
    ]))
    fields = [keep([t]), Spacer(1, 12)]
    intro = [c.para(cv.intro)] if cv.intro else []
    dates = table(c, cv.dates)
    out = head + (dates + fields + intro if c.large else fields + intro + dates)
    if first and c.doc.second_cover:
        out += [Deliberate(), *cover(c.other(c.doc.second_catalog_id, "ltr"), c.doc.second_cover, first=False)]
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


def _tagline_table(c: Ctx, paras: list) -> Table:
    table = Table([[p] for p in paras], colWidths=[c.width])
    table.setStyle(TableStyle([c.font_cmd(), ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                               ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def language_help(c: Ctx, lh: L.LanguageHelp) -> list:
    """The taglines on a page of their own (a deliberate break), each line in its own language's
    fonts and direction. The English title is a line of its own under the translated one. When
    the lines need two pages (large print), each page gets half of them."""
    title = [c.heading(lh.title, "h1", spaceAfter=2 if L.plain(lh.title) != L.plain(lh.english_title) else 10)]
    if L.plain(lh.title) != L.plain(lh.english_title):
        en = c.other("en", "ltr")
        title.append(en.para(lh.english_title, "h2", spaceBefore=0, alignment=2 if c.rtl else 0))
    paras = _taglines(c, lh.taglines)
    table = _tagline_table(c, paras)
    head_h = sum(p.wrap(c.width, c.height)[1] + p.getSpaceAfter() for p in title)
    if head_h + table.wrap(c.width, c.height)[1] <= c.height:
        return [Deliberate(), *title, table]
    half = (len(paras) + 1) // 2
    return [Deliberate(), *title, _tagline_table(c, paras[:half]), Deliberate(), _tagline_table(c, paras[half:])]


def _wrap_h(f, width: float) -> float:
    """A flowable's height at ``width`` (a KeepTogether's: its content's, spaces included)."""
    if isinstance(f, KeepTogether):
        return sum(_wrap_h(x, width) + x.getSpaceBefore() + x.getSpaceAfter() for x in f._content)
    if isinstance(f, (PageBreak, CondPageBreak)):
        return 0.0
    return f.wrap(width, 10000)[1]


def _first_lines_height(flow: list, start: int, width: float, lines: int = 2) -> float:
    """The height the next ``lines`` lines of text after ``flow[start - 1]`` need on a page: a
    paragraph's first lines, or whole unsplittable items (a list item, a table row, a grid)."""
    total = 0.0
    for f in flow[start:]:
        if lines <= 0:
            break
        if isinstance(f, (PageBreak, CondPageBreak)):
            break
        h = _wrap_h(f, width)
        before = f.getSpaceBefore() if total else 0
        if isinstance(f, Spacer):
            total += h
            continue
        if isinstance(f, Paragraph) and not getattr(f, "is_heading", False):
            n = len(getattr(f.blPara, "lines", ())) or 1
            k = min(n, lines)
            if n - k == 1 and not f.style.allowWidows:
                k = n  # its last line may not go alone to the next page: all of it stays
            total += before + (h if k == n else k * f.style.leading)
            lines -= k
        elif isinstance(f, Table) and len(f._rowHeights) > 1 and getattr(f, "splitByRow", 1):
            total += before + f._rowHeights[0]
            lines -= max(1, round(f._rowHeights[0] / 16))
        else:  # a heading, a list item, a grid, a kept block: it moves whole
            total += before + h
            lines -= 0 if getattr(f, "is_heading", False) else 2
        if getattr(f, "keepWithNext", False) and not getattr(f, "is_heading", False):
            lines = max(lines, 1)  # what it is kept with moves with it
    return total


def keep_headings(flow: list, width: float, breaks: frozenset | None = None) -> list:
    """Before each heading, a conditional page break: the heading starts a new page unless it and
    the first two lines of what follows fit on this one (docs/LAYOUT.md, rule 1). Unlike
    keep-with-next, this never moves a whole long paragraph and leaves a half-empty page.
    ``breaks``: numbers of headings that start a new page (see :func:`render_pdf`); given for
    the story's top level only, whose headings get numbers."""
    out = []
    n = 0
    for i, f in enumerate(flow):
        if getattr(f, "is_heading", False):
            if breaks is not None and n in breaks:
                out.append(PageBreak())
            else:
                _, h = f.wrap(width, 10000)
                out.append(CondPageBreak(f.getSpaceBefore() + h + f.getSpaceAfter()
                                         + _first_lines_height(flow, i + 1, width) + 1))
            if breaks is not None:
                f.heading_number = n
                n += 1
        out.append(f)
    return out


def _height(flow: list, width: float) -> float:
    return sum(_wrap_h(f, width) + f.getSpaceBefore() + f.getSpaceAfter() for f in flow)


def when_to_call(sc: Ctx, title: Paragraph, blocks: list) -> list:
    """A section with an urgent callout tells the patient when to call: its title, lead-in,
    list, emergency box and contacts stay on one page. If the contacts table does not fit with
    the rest (large print), the rest stays together and the table after it."""
    contact = max((i for i, b in enumerate(blocks) if isinstance(b, L.Table) and b.kind == "contact"), default=None)
    core = [title]
    for b in blocks[:contact]:
        core.extend(BLOCKS[type(b)](sc, b))
    rest = []
    for b in blocks[contact:] if contact is not None else ():
        rest.extend(BLOCKS[type(b)](sc, b))
    if _height(core + rest, sc.width) <= sc.height:
        return [keep(core + rest)]
    return [keep(core), *rest]


def story(c: Ctx, breaks: frozenset = frozenset()) -> list:
    flow = cover(c, c.doc.cover)
    if c.doc.calendar:
        flow += calendar(c, c.doc.calendar)
    for n, section in enumerate(c.doc.sections):
        part = section_flow(c, section)
        if n == len(c.doc.sections) - 1 and c.doc.sources:
            # The last section and the sources under it stay together: sources never open a page.
            part = [keep(part + sources(c))]
        flow += part
    if c.doc.language_help:
        flow += language_help(c, c.doc.language_help)
    for section in c.doc.appendix:  # a translator preview's check report: its own last page
        flow += [Deliberate(), *section_flow(c, section)]
    return keep_headings(flow, c.width, breaks)


def section_flow(c: Ctx, section: L.Section) -> list:
    """A section: its title and blocks; a section that tells when to call is kept whole."""
    sc = c.other(section.catalog_id, section.direction)
    h = sc.heading(section.title, "h1", spaceBefore=8)
    if any(isinstance(b, L.Callout) and b.urgent for b in section.blocks):
        return when_to_call(sc, h, list(section.blocks))
    flow = [h]
    for block in section.blocks:
        flow.extend(BLOCKS[type(block)](sc, block))
    return flow


def sources(c: Ctx) -> list:
    """The sources list, whole. Sources are English: in a right-to-left packet they are set left
    to right (an English line ordered as Arabic comes out scrambled), at the right edge."""
    en = c.other("en", "ltr") if c.rtl else c
    align = {"alignment": 2} if c.rtl else {}
    block = [c.para(c.doc.sources_title, "small", textColor=RULE)]
    block += [en.para((L.Run("\u2013 " + src),), "small", textColor=RULE, **align) for src in c.doc.sources]
    return [Spacer(1, 10), keep(block)]


# -- page chrome and "Page X of Y" ---------------------------------------------------------------

FOOT_BOTTOM = 0.4 * inch  # from the paper's bottom edge to the lowest footer line


class Chrome:
    """Each page's header (patient name and MRN), "Page X of Y" and notices. The header and
    notices are the same on every page: built and wrapped once; only the label is per page. The
    header wraps when the name is long (up to the longest name allowed); the body starts below
    it, so nothing runs off the paper."""

    def __init__(self, c: Ctx, size, margin: float):
        self.c, self.size, self.margin = c, size, margin
        self.inner = size[0] - 2 * margin
        self.label_w = self._label(999, 999)[0].minWidth() + 12  # the page label sits beside the header
        self.header, self.header_h = self._header(c.doc.header)
        self.notices = []
        for notice in c.doc.notices:
            # The English line of a right-to-left packet is English text: ordered left to right,
            # set at the right edge like the rest of the page.
            own = c.other("en", "ltr") if c.rtl and not has_rtl(notice) else c
            para = own.para((L.Run(notice),), "notice", alignment=2 if c.rtl else 0)
            self.notices.append((para, para.wrap(self.inner, 200)[1]))
        self.watermark = self._watermark(c.doc.watermark)

    WATERMARK = colors.HexColor("#f3cfcf")  # a light red, under the text: it never hides a word
    WATERMARK_FORM = "SampleWatermark"

    def draw_watermark(self, canvas: Canvas, _doc=None) -> None:
        """At the start of each page, under what the page prints: made once per PDF as a form."""
        if not self.watermark:
            return
        w, h = self.size
        canvas.saveState()
        if not getattr(canvas, "_sample_form", False):  # once per canvas (a layout pass may rebuild)
            canvas._sample_form = True
            canvas.beginForm(self.WATERMARK_FORM)
            canvas.translate(w / 2, h / 2)
            canvas.rotate(math.degrees(math.atan2(h, w)))
            y = sum(ph for _, _, ph in self.watermark) / 2
            for para, pw, ph in self.watermark:
                y -= ph
                para.drawOn(canvas, -pw / 2, y)
            canvas.endForm()
        canvas.doForm(self.WATERMARK_FORM)
        canvas.restoreState()

    def _watermark(self, lines: tuple[str, ...]) -> list[tuple[Paragraph, float, float]]:
        """"SAMPLE — not for patient use" in the packet's language and in English, big and light,
        across the page's diagonal, under the text: it takes no room from the text."""
        if not lines:
            return []
        w, h = self.size
        length = 0.78 * (w * w + h * h) ** 0.5
        out = []
        for line in lines:
            own = self.c.other("en", "ltr") if self.c.rtl and not has_rtl(line) else self.c
            para = own.para((L.Run(line, True),), "cover_title", alignment=1, textColor=self.WATERMARK,
                            fontSize=30, leading=36, spaceAfter=0, rightIndent=0)
            pw, ph = para.wrap(length, h)
            out.append((para, pw, ph))
        return out

    MAX_HEADER_LINES = 2

    def _header(self, runs: L.Runs) -> tuple[Paragraph, float]:
        """The name and MRN, in two lines at most: a very long name is shortened with "…" here
        (the cover prints it whole), so the header never crowds the page or runs off it."""
        width = self.inner - self.label_w
        name, rest = runs[0], runs[1:]
        # The name is a bidi isolate (FSI ... PDI): a shortened name keeps its closing PDI, or the
        # MRN after it would fall inside the isolate.
        body = name.text.removeprefix(L.FSI).removesuffix(L.PDI)
        keep = len(body)
        while True:
            shown = name.text if keep == len(body) else L.isolated(body[:keep].rstrip() + "\u2026")
            para = self.c.para((L.Run(shown, name.bold, name.nobreak), *rest), "small")
            h = para.wrap(width, self.size[1])[1]
            if len(para.blPara.lines) <= self.MAX_HEADER_LINES or keep <= 1:
                return para, h
            keep -= max(1, keep // 8)

    def _label(self, page: int, pages: int) -> tuple[Paragraph, float]:
        label = self.c.para((L.Run(self.c.doc.page_label(page, pages), False, True),), "small",
                            alignment=0 if self.c.rtl else 2)
        return label, label.wrap(self.inner, 200)[1]

    def header_top(self) -> float:
        """From the paper's top edge to the header rule."""
        return self.margin * 0.6 + self.header_h + 4

    def footer_height(self) -> float:
        """Height of the footer: the notices (draft, fallback) under a rule, or nothing."""
        return sum(h + 2 for _, h in self.notices) + (4 if self.notices else 0)

    def draw(self, canvas: Canvas, page: int, pages: int) -> None:
        w, h = self.size
        m = self.margin
        canvas.saveState()
        rule = h - self.header_top()
        label, label_h = self._label(page, pages)
        # The header's first line and the page label share a baseline: the name on the reading
        # side, "Page X of Y" on the other.
        top = rule + 4 + self.header_h
        label.drawOn(canvas, m, top - label_h)
        self.header.drawOn(canvas, m + (self.label_w if self.c.rtl else 0), rule + 4)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(m, rule, w - m, rule)
        if self.notices:
            y = FOOT_BOTTOM  # stack from the bottom up, so nothing runs off the paper or overlaps
            for para, ph in reversed(self.notices):
                para.drawOn(canvas, m, y)
                y += ph + 2
            canvas.line(m, y + 2, w - m, y + 2)
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


class _Pages(BaseDocTemplate):
    """Records, per page, how far down the body goes, where each top-level heading sits and
    whether the page ends at a deliberate break: what :func:`render_pdf` needs to mend short pages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lowest: dict[int, float] = {}
        self.headings: dict[int, list[tuple[int, float]]] = {}
        self.deliberate: set[int] = set()

    def handle_flowable(self, flowables):
        if flowables and isinstance(flowables[0], Deliberate):
            self.deliberate.add(self.page)
        super().handle_flowable(flowables)

    def afterFlowable(self, flowable):
        frame = self.frame
        if frame is None:
            return
        y = frame._y
        page = self.page
        self.lowest[page] = min(self.lowest.get(page, frame._y1p + frame._aH), y)
        number = getattr(flowable, "heading_number", None)
        if number is not None:
            top = y + flowable.height + flowable.getSpaceBefore()
            self.headings.setdefault(page, []).append((number, top))


def _short_page_fix(t: _Pages, height: float, top: float) -> int | None:
    """The heading to start a new page at, so that no page but the last (or one before a
    deliberate break) is less than a third full: a short page takes the end of the page before."""
    pages = max(t.lowest) if t.lowest else 0
    fill = {p: top - y for p, y in t.lowest.items()}
    for page in range(2, pages):
        if page in t.deliberate or fill.get(page, 0) >= height / 3 or (page - 1) in t.deliberate:
            continue
        need = height / 3 - fill.get(page, 0)
        best = None
        for number, y in t.headings.get(page - 1, ()):
            below = y - t.lowest[page - 1]
            above = fill[page - 1] - below
            if below >= need and above >= height / 3 and y < top - 1 and (best is None or below < best[1]):
                best = (number, below)
        if best:
            return best[0]
    return None


def render_pdf(doc: L.Document, *, paper: str = "letter", large_print: bool = False) -> bytes:
    """PDF bytes (encryption, when asked for, is :mod:`packets.protect`'s job, after drawing).

    A page left less than a third full because the block after it did not fit (a table, the
    when-to-call block) takes the last headed part of the page before it instead: the packet is
    laid out again with a page break before that heading (at most a few times)."""
    size = PAPER[paper]
    margin = LARGE_MARGIN if large_print else MARGIN
    width = size[0] - 2 * margin
    c = Ctx(doc, large_print, width, 0)
    chrome = Chrome(c, size, margin)
    top = chrome.header_top() + 10
    bottom = FOOT_BOTTOM + chrome.footer_height() + 14
    breaks: frozenset = frozenset()
    for _ in range(4):
        buf = io.BytesIO()
        frame = Frame(margin, bottom, width, size[1] - top - bottom, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        template = _Pages(
            buf, pagesize=size, leftMargin=margin, rightMargin=margin, topMargin=top, bottomMargin=bottom,
            title=doc.meta_title, author="IL-2 patient packet generator", subject="Patient education",
            creator="il2-packets", lang=doc.lang,
            invariant=1 if os.environ.get("SOURCE_DATE_EPOCH") else None,
        )
        template.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=chrome.draw_watermark)])
        c.height = frame._aH
        template.build(story(c, breaks), canvasmaker=_numbered_canvas(chrome.draw, c.chain.primary_name(False)))
        fix = _short_page_fix(template, frame._aH, frame._y1p + frame._aH)
        if fix is None or fix in breaks:
            break
        breaks |= {fix}
    return buf.getvalue()
