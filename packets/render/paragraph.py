"""Bidi order for lines that mix styles (a bold word inside Arabic, a bold Arabic name in a header).

reportlab orders a one-style paragraph with the bidi algorithm, but a line made of several styled
fragments is drawn with its fragments merely reversed, each still in logical order: Arabic came out
backwards wherever a line held bold text. :class:`BidiParagraph` orders such lines at draw time,
per line (UAX #9, rule L2) over the line's whole text, then cuts the result back into fragments by
the style each character came from. The line breaks and widths reportlab computed are kept.
"""

from __future__ import annotations

from itertools import groupby

from reportlab.platypus import Paragraph

from .bidi import log2vis


def visual_fragments(words: list, direction: str) -> list:
    """A line's fragments (logical order) -> fragments in visual order, left to right."""
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
    """A Paragraph whose mixed-style lines are drawn in bidi order (see the module docstring)."""

    def drawPara(self, debug=0):
        direction = self.style.wordWrap
        lines = getattr(self.blPara, "lines", None)
        if self.blPara.kind != 1 or direction not in ("RTL", "LTR") or not lines:
            return super().drawPara(debug)
        saved = [line.words for line in lines]
        try:
            for line in lines:
                ordered = visual_fragments(line.words, direction)
                # reportlab reverses a right-to-left line's fragments before drawing them
                line.words = ordered[::-1] if direction == "RTL" else ordered
            return super().drawPara(debug)
        finally:
            for line, words in zip(lines, saved):
                line.words = words
