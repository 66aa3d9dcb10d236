"""Bidi order for paragraphs, per line (UAX #9, rule L2), after the line breaks are chosen.

reportlab orders a right-to-left paragraph before breaking it into lines: a one-style paragraph
is reordered word by word over the whole text, so punctuation that ends a Latin phrase inside
Arabic ("... / Draft translation, not yet reviewed by a qualified medical translator.") was glued
to the phrase's first word and could land on another line; and a line made of several styled
fragments (a bold word inside Arabic, a bold Arabic name in a header) was drawn with its
fragments merely reversed, each still in logical order, so Arabic came out backwards.

:class:`BidiParagraph` breaks lines on the logical text, then at draw time orders each line's
whole text with the bidi algorithm and, for styled lines, cuts the result back into fragments
by the style each character came from. Line widths do not depend on order, so the breaks and
widths reportlab computed stay valid.
"""

from __future__ import annotations

import copy
from itertools import groupby

from reportlab.platypus import Paragraph

from .bidi import log2vis

_BIDI = ("RTL", "LTR")


def visual_words(words: list, direction: str) -> list[str]:
    """A one-style line's words (logical order) -> its words in visual order, left to right."""
    visual = log2vis(" ".join(str(w) for w in words), direction, clean=True)
    return [w for w in visual.split(" ") if w]


def visual_fragments(words: list, direction: str) -> list:
    """A styled line's fragments (logical order) -> fragments in visual order, left to right."""
    texts = [getattr(w, "text", None) for w in words]
    if not words or any(not isinstance(t, str) for t in texts):
        return words
    owner = [i for i, t in enumerate(texts) for _ in t]
    order: list[int] = []
    visual = log2vis("".join(texts), direction, clean=True, positions_V_to_L=order)
    out = []
    pos = 0
    for i, run in groupby(order, key=lambda logical: owner[logical]):
        n = len(list(run))
        out.append(words[i].clone(text=visual[pos:pos + n]))
        pos += n
    return out


class BidiParagraph(Paragraph):
    """A Paragraph whose lines are put in bidi order one by one (see the module docstring)."""

    def wrap(self, availWidth, availHeight):
        # Tables wrap each cell to size the row, then again to draw it: the lines are the same.
        memo = self.__dict__.get("_wrap_memo")
        if memo and memo[0] == availWidth and memo[1] is self.__dict__.get("blPara"):
            self.width, self.height = memo[2]
            return memo[2]
        size = super().wrap(availWidth, availHeight)
        self._wrap_memo = (availWidth, self.blPara, size)
        return size

    def breakLines(self, width):
        style = self.style
        if style.wordWrap not in _BIDI:
            return super().breakLines(width)
        logical = copy.copy(style)
        logical.wordWrap = None  # reportlab then keeps the words in logical order
        self.style = logical
        try:
            return super().breakLines(width)
        finally:
            self.style = style

    def drawPara(self, debug=0):
        direction = self.style.wordWrap
        lines = getattr(self.blPara, "lines", None)
        if direction not in _BIDI or not lines:
            return super().drawPara(debug)
        if self.blPara.kind == 0:  # one style: lines are (extra space, words)
            saved = list(lines)
            lines[:] = [(space, visual_words(words, direction)) for space, words in saved]
            try:
                return super().drawPara(debug)
            finally:
                lines[:] = saved
        saved = [line.words for line in lines]  # styled lines: fragments
        try:
            for line in lines:
                ordered = visual_fragments(line.words, direction)
                # reportlab reverses a right-to-left line's fragments before drawing them
                line.words = ordered[::-1] if direction == "RTL" else ordered
            return super().drawPara(debug)
        finally:
            for line, words in zip(lines, saved):
                line.words = words
