"""Paragraphs that mix scripts: bidi order per line (UAX #9, rule L2) after the line breaks are
chosen, and HarfBuzz shaping for the runs that need it, in any packet.

reportlab orders a right-to-left paragraph before breaking it into lines: a one-style paragraph
is reordered word by word over the whole text, so punctuation that ends a Latin phrase inside
Arabic ("... / Draft translation, not yet reviewed by a qualified medical translator.") was glued
to the phrase's first word and could land on another line; and a line made of several styled
fragments (a bold word inside Arabic, a bold Arabic name in a header) was drawn with its
fragments merely reversed, each still in logical order, so Arabic came out backwards.

:class:`BidiParagraph` breaks lines on the logical text, then at draw time orders each line's
whole text with the bidi algorithm and, for styled lines, cuts the result back into fragments
by the style each character came from. Line widths do not depend on order, so the breaks and
widths reportlab computed stay valid. Any paragraph holding right-to-left letters, Arabic digits
or direction controls (a name is an isolate, FSI ... PDI) is ordered this way, whatever its
language's own direction and line breaking (a Hebrew name in a Chinese packet too).

reportlab shapes only paragraphs whose style asks for it, with the style's font. A paragraph
with a run in a font that needs shaping (a Khmer, Thai or Tamil name in an English, Arabic or
Chinese packet; Latin letters with stacked combining marks) is broken with shaping on, and
:mod:`.shaping` shapes just those runs. In a Chinese or Japanese packet such a paragraph breaks
at spaces instead of between characters, since a shaped cluster may not be cut.
"""

from __future__ import annotations

import copy
from itertools import groupby

from reportlab.pdfbase.ttfonts import ShapedStr
from reportlab.platypus import Paragraph

from .bidi import _INITIATORS, PDI, line_contexts, log2vis, needs_bidi
from .linebreak import GLUE
from .shaping import needs_shaping

_BIDI = ("RTL", "LTR")


def visual_words(words: list, direction: str, text: str | None = None) -> list[str]:
    """A one-style line's words (logical order) -> its words in visual order, left to right."""
    line = " ".join(str(w) for w in words) if text is None else text
    visual = log2vis(line, direction, clean=True)
    return [w for w in visual.split(" ") if w]


def _piece(original: str, logical: list[int], visual: str) -> str:
    """A fragment's text in visual order, keeping HarfBuzz positions where the text has them."""
    if visual == original:
        return original
    if not isinstance(original, ShapedStr):
        return visual
    out = ""
    for k, ch in zip(logical, visual):
        out += original[k] if original[k] == ch else ch  # ShapedStr slices keep their positions
    return out


def visual_fragments(words: list, direction: str, text: str | None = None, prefix: str = "") -> list:
    """A styled line's fragments (logical order) -> fragments in visual order, left to right.

    ``text`` is the line's text as ordered (controls rewritten by :func:`line_contexts`),
    ``prefix`` the isolate initiators still open from earlier lines."""
    texts = [getattr(w, "text", None) for w in words]
    if not words or any(not isinstance(t, str) for t in texts):
        return words
    owner = [(i, k) for i, t in enumerate(texts) for k in range(len(t))]
    order: list[int] = []
    line = "".join(texts) if text is None else text
    visual = log2vis(prefix + line, direction, clean=True, positions_V_to_L=order)
    order = [at - len(prefix) for at in order]
    out = []
    pos = 0
    for i, run in groupby(order, key=lambda logical: owner[logical][0]):
        logical = [owner[at][1] for at in run]
        piece = _piece(texts[i], logical, visual[pos:pos + len(logical)])
        out.append(words[i] if piece is texts[i] else words[i].clone(text=piece))
        pos += len(logical)
    return out


_ANALYSIS: dict[str, tuple[bool, bool]] = {}


class BidiParagraph(Paragraph):
    """A Paragraph whose lines are put in bidi order one by one, and whose runs are shaped where
    their font needs it (see the module docstring)."""

    def _analysis(self) -> tuple[bool, bool]:
        """(needs bidi order, needs shaping), memoised by markup: most text recurs in every packet."""
        found = _ANALYSIS.get(self.text)
        if found is None:
            frags = [f for f in self.frags if isinstance(getattr(f, "text", None), str)]
            text = "".join(f.text for f in frags)
            shape = any(needs_shaping(f.fontName, f.text) for f in frags)
            found = (needs_bidi(text), bool(shape))
            if len(_ANALYSIS) > 20000:
                _ANALYSIS.clear()
            _ANALYSIS[self.text] = found
        return found

    def _direction(self) -> str | None:
        wrap = self.style.wordWrap
        if wrap in _BIDI:
            return wrap
        return "LTR" if self._analysis()[0] else None

    def wrap(self, availWidth, availHeight):
        # Tables wrap each cell to size the row, then again to draw it: the lines are the same.
        memo = self.__dict__.get("_wrap_memo")
        if memo and memo[0] == availWidth and memo[1] is self.__dict__.get("blPara"):
            self.width, self.height = memo[2]
            return memo[2]
        size = super().wrap(availWidth, availHeight)
        self._wrap_memo = (availWidth, self.blPara, size)
        return size

    def _break_with(self, width, **over):
        style = self.style
        changed = copy.copy(style)
        for key, value in over.items():
            setattr(changed, key, value)
        self.style = changed
        try:
            return Paragraph.breakLines(self, width)
        finally:
            self.style = style

    def breakLines(self, width):
        over = {}
        if self.style.wordWrap in _BIDI:
            over["wordWrap"] = None  # reportlab then keeps the words in logical order
        if not self.style.shaping and self._analysis()[1]:
            over["shaping"] = 1
        return self._break_with(width, **over) if over else super().breakLines(width)

    def breakLinesCJK(self, maxWidths):
        if self._analysis()[1]:  # a shaped run in CJK text: break at spaces, shape the runs
            # The word joiners that keep a CJK unit whole (.linebreak) would sit between the
            # letters HarfBuzz must see side by side; breaking at spaces, they are not needed.
            self.frags = [f.clone(text=f.text.replace(GLUE, "")) if GLUE in (getattr(f, "text", "") or "") else f
                          for f in self.frags]
            return self._break_with(maxWidths, wordWrap=None, shaping=1)
        return super().breakLinesCJK(maxWidths)

    def drawPara(self, debug=0):
        direction = self._direction()
        lines = getattr(self.blPara, "lines", None)
        if direction is None or not lines:
            return super().drawPara(debug)
        one_style = self.blPara.kind == 0  # one style: lines are (extra space, words)
        memo = self.__dict__.get("_bidi_memo")  # the page header is drawn on every page
        if memo and memo[0] is self.blPara:
            contexts, todo = memo[1]
        else:
            texts = [" ".join(str(w) for w in line[1]) if one_style
                     else "".join(getattr(f, "text", "") or "" for f in line.words) for line in lines]
            if any(c in t for t in texts for c in (*_INITIATORS, PDI)):
                contexts = line_contexts(texts)
            else:
                contexts = [("", t) for t in texts]
            # A left-to-right line with nothing to reorder or hide is drawn as it is.
            todo = [direction == "RTL" or needs_bidi(prefix + t) for prefix, t in contexts]
            self._bidi_memo = (self.blPara, (contexts, todo))
        if one_style:
            saved = list(lines)
            lines[:] = [(space, visual_words(words, direction, ctx[0] + ctx[1])) if do else (space, words)
                        for (space, words), ctx, do in zip(saved, contexts, todo)]
            try:
                return super().drawPara(debug)
            finally:
                lines[:] = saved
        saved = [line.words for line in lines]  # styled lines: fragments
        try:
            for line, (prefix, text), do in zip(lines, contexts, todo):
                if not do:
                    continue
                ordered = visual_fragments(line.words, direction, text, prefix)
                # reportlab reverses a right-to-left line's fragments before drawing them
                line.words = ordered[::-1] if self.style.wordWrap == "RTL" else ordered
            return super().drawPara(debug)
        finally:
            for line, words in zip(lines, saved):
                line.words = words
