"""Month calendar pages: one grid per month with the patient's hospital days, breaks, scans
and visits, distinct by pattern as well as colour so the page reads in black and white.

In: a :class:`~packets.localize.Calendar` and the render context. Out: flowables.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import CondPageBreak, KeepTogether, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from .. import localize as L
from .styles import ACCENT, RULE, URGENT

HOSPITAL = ACCENT
MAYBE = colors.HexColor("#4f7fae")
BREAK = colors.HexColor("#d9e2ec")
CELL_H = 34


def draw_marks(canv, w: float, h: float, kinds: frozenset) -> None:
    """The pattern of each kind, drawn inside a w x h box whose lower-left corner is (0, 0)."""
    if "hospital" in kinds:
        canv.setFillColor(HOSPITAL)
        canv.rect(0, 0, w, h, stroke=0, fill=1)
    elif "maybe" in kinds:  # diagonal hatching
        canv.saveState()
        path = canv.beginPath()
        path.rect(0, 0, w, h)
        canv.clipPath(path, stroke=0, fill=0)
        canv.setStrokeColor(MAYBE)
        canv.setLineWidth(2)
        step = 6
        for x in range(-int(h), int(w) + 1, step):
            canv.line(x, 0, x + h, h)
        canv.restoreState()
    elif "break" in kinds:  # light fill with a dotted floor
        canv.setFillColor(BREAK)
        canv.rect(0, 0, w, h, stroke=0, fill=1)
        canv.saveState()  # a row of dots: one dashed line with round caps
        canv.setStrokeColor(ACCENT)
        canv.setLineWidth(1.8)
        canv.setLineCap(1)
        canv.setDash([0.01, 6])
        canv.line(4, 3, w - 3, 3)
        canv.restoreState()
    if "scan" in kinds:  # a ring
        canv.setStrokeColor(URGENT)
        canv.setLineWidth(2.2)
        canv.circle(w / 2, h / 2, min(w, h) / 2 - 2.5, stroke=1, fill=0)
    if "visit" in kinds:  # a triangle in the corner
        canv.setFillColor(URGENT)
        p = canv.beginPath()
        p.moveTo(w - 12, h)
        p.lineTo(w, h)
        p.lineTo(w, h - 12)
        p.close()
        canv.drawPath(p, stroke=0, fill=1)


class DayCell(Flowable):
    def __init__(self, day: L.Day, width: float, font: str, size: float):
        super().__init__()
        self.day, self.width, self.height = day, width, CELL_H * size / 12
        self.font, self.size = font, size

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        c = self.canv
        draw_marks(c, self.width, self.height, self.day.kinds)
        strong = "hospital" in self.day.kinds
        if "maybe" in self.day.kinds and not strong:  # keep the number readable over the hatching
            c.setFillColor(colors.white)
            c.rect(self.width / 2 - self.size * 0.9, self.height / 2 - self.size * 0.6,
                   self.size * 1.8, self.size * 1.2, stroke=0, fill=1)
        c.setFillColor(colors.white if strong else colors.black)
        c.setFont(self.font, self.size)
        c.drawCentredString(self.width / 2, self.height / 2 - self.size * 0.35, self.day.number)


class Swatch(Flowable):
    def __init__(self, kind: str, size: float):
        super().__init__()
        self.kind, self.w, self.h = kind, size * 2.2, size * 1.6

    def wrap(self, aw, ah):
        return self.w, self.h

    def draw(self):
        draw_marks(self.canv, self.w, self.h, frozenset({self.kind}))
        self.canv.setStrokeColor(RULE)
        self.canv.setLineWidth(0.6)
        self.canv.rect(0, 0, self.w, self.h, stroke=1, fill=0)


def month_grid(c, month: L.Month) -> list:
    col = c.width / 7
    size = c.styles["body"].fontSize
    font = c.chain.primary_name(True)
    head = c.cols([c.para((L.Run(n),), "small", alignment=1) for n in month.weekdays])
    rows = [head]
    for week in month.weeks:
        rows.append(c.cols([DayCell(d, col, font, size) if d else Spacer(0, 0) for d in week]))
    t = Table(rows, colWidths=[col] * 7)
    t.setStyle(TableStyle([c.font_cmd(),
        ("GRID", (0, 1), (-1, -1), 0.6, RULE),
        ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("LEFTPADDING", (0, 1), (-1, -1), 0), ("RIGHTPADDING", (0, 1), (-1, -1), 0),
        ("TOPPADDING", (0, 1), (-1, -1), 0), ("BOTTOMPADDING", (0, 1), (-1, -1), 0),
    ]))
    return [KeepTogether([c.para(month.title, "h2"), t, Spacer(1, 10)])]


def legend(c, cal: L.Calendar) -> list:
    size = c.styles["body"].fontSize
    per_row = 2
    cells = []
    for kind, label in cal.legend:
        cells.append([Swatch(kind, size), c.para(label, "cell")])
    rows = []
    for i in range(0, len(cells), per_row):
        chunk = cells[i:i + per_row]
        chunk += [[Spacer(0, 0), Spacer(0, 0)]] * (per_row - len(chunk))
        rows.append(c.cols([x for pair in chunk for x in (c.cols(pair))]))
    sw = size * 2.2 + 8
    widths = c.cols([w for _ in range(per_row) for w in c.cols([sw, c.width / per_row - sw])])
    t = Table(rows, colWidths=widths)
    t.setStyle(TableStyle([c.font_cmd(), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    return [KeepTogether([t]), Spacer(1, 8)]


def calendar(c, cal: L.Calendar) -> list:
    out = [CondPageBreak(c.height), c.para(cal.title, "h1")]
    out += legend(c, cal)
    for month in cal.months:
        out += month_grid(c, month)
    return out

