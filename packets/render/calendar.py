"""Month calendar pages: one grid per month with the patient's hospital days, breaks, scans
and visits, distinct by pattern as well as colour so the page reads in black and white.

In: a :class:`~packets.localize.Calendar` and the render context. Out: flowables.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import PageBreak, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from .. import localize as L
from .styles import ACCENT, RULE, URGENT

HOSPITAL = ACCENT
MAYBE = colors.HexColor("#4f7fae")
BREAK = colors.HexColor("#d9e2ec")
VISIT = colors.black
CELL_H = 34
LARGE_CELL_H = 31  # large print: two months fit a page (18 pt numbers, marks still clear)


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
    if "visit" in kinds:  # a heavy black frame inside the cell, with a white edge on dark fills
        canv.setStrokeColor(colors.white)
        canv.setLineWidth(1)
        canv.rect(5, 5, w - 10, h - 10, stroke=1, fill=0)
        canv.setStrokeColor(VISIT)
        canv.setLineWidth(3)
        canv.setLineJoin(0)
        canv.rect(2.5, 2.5, w - 5, h - 5, stroke=1, fill=0)


class MonthGrid(Flowable):
    """One month: weekday names over a 7-column grid of days, drawn straight onto the canvas
    (a Table of per-day flowables cost more than the rest of the packet's layout)."""

    def __init__(self, heads: list, weeks: list[list], col: float, font: str, size: float, cell_h: float):
        super().__init__()
        self.heads, self.weeks, self.col = heads, weeks, col  # both in visual (column) order
        self.font, self.size = font, size
        self.cell_h = cell_h
        self.head_h = max(p.wrap(col - 4, 100)[1] for p in heads) + 6
        self.width, self.height = 7 * col, self.head_h + len(weeks) * self.cell_h

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        c, col, ch = self.canv, self.col, self.cell_h
        for i, head in enumerate(self.heads):
            head.drawOn(c, i * col + 2, self.height - self.head_h + 3)
        grid_top = self.height - self.head_h
        for r, week in enumerate(self.weeks):
            y = grid_top - (r + 1) * ch
            for i, day in enumerate(week):
                if day:
                    c.saveState()
                    c.translate(i * col, y)
                    self._day(day)
                    c.restoreState()
        c.setStrokeColor(RULE)
        c.setLineWidth(0.6)
        c.grid([i * col for i in range(8)], [grid_top - r * ch for r in range(len(self.weeks) + 1)])
        c.setStrokeColor(ACCENT)
        c.setLineWidth(1.2)
        c.line(0, grid_top, self.width, grid_top)

    def _day(self, day: L.Day) -> None:
        c, w, h, size = self.canv, self.col, self.cell_h, self.size
        draw_marks(c, w, h, day.kinds)
        strong = "hospital" in day.kinds
        if "maybe" in day.kinds and not strong:  # keep the number readable over the hatching
            c.setFillColor(colors.white)
            c.rect(w / 2 - size * 0.9, h / 2 - size * 0.6, size * 1.8, size * 1.2, stroke=0, fill=1)
        c.setFillColor(colors.white if strong else colors.black)
        c.setFont(self.font, size)
        c.drawCentredString(w / 2, h / 2 - size * 0.35, day.number)


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
    heads = c.cols([c.para((L.Run(n),), "small", alignment=1) for n in month.weekdays])
    grid = MonthGrid(heads, [c.cols(list(week)) for week in month.weeks], col,
                     c.chain.primary_name(True), c.styles["body"].fontSize, LARGE_CELL_H if c.large else CELL_H)
    title = c.heading(month.title)  # the grid is one flowable: it never splits, and its title stays on
    return [title, grid, Spacer(1, 10)]


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
    t.splitByRow = 0  # the legend stays whole
    return [t, Spacer(1, 8)]


def calendar(c, cal: L.Calendar) -> list:
    out = [PageBreak(), c.heading(cal.title, "h1")]
    out += legend(c, cal)
    for month in cal.months:
        out += month_grid(c, month)
    return out

