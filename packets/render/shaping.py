"""HarfBuzz shaping through reportlab (Indic scripts, Thai, Lao, Khmer, Myanmar, stacked Latin
marks), made safe for mixed fonts and bidi controls, and searchable.

Three repairs to reportlab's ``shapeFragWord``, installed by :func:`install`:

- **One font at a time.** reportlab shapes a whole word with the HarfBuzz font of its first
  fragment, then reads the glyph ids against each fragment's own font: a word whose characters
  come from two fonts (a Han name in a Hindi packet) got glyph ids of the wrong font, and the
  PDF could not be written. Each run of one font is shaped with that font.
- **Only runs that need it.** A run is shaped if its font's family asks for it (the manifest's
  ``shaping``: every run of an Indic, Thai, Lao, Khmer or Myanmar face; Latin runs with combining
  marks). Other runs are left as they are: Arabic is joined before layout and ordered by the
  bidi algorithm, and HarfBuzz would reverse it a second time. Direction controls (a name's
  isolate, FSI ... PDI) are never given to HarfBuzz, which would turn them into spaces: they stay
  characters for the bidi algorithm to read.
- **A text layer for glyphs with no code point.** Conjuncts and half forms (क्ष, the half क्)
  have no Unicode value; reportlab gives them private-use code points, and the PDF's ToUnicode
  map sends a reader who copies or searches the text to those. Each such glyph is recorded with
  the characters HarfBuzz shaped it from (its cluster, less the characters other glyphs of the
  cluster already stand for), and the ToUnicode map is written with that text.

What stays: a vowel sign drawn before its consonant (कि is drawn ि + क) is extracted in drawn
order, since ToUnicode maps glyphs, not positions.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import groupby

from reportlab.pdfbase import pdfmetrics, ttfonts

from .bidi import has_rtl
from .fonts import shaping_mode

_SHAPE = ttfonts.shapeFragWord
_TO_UNICODE = ttfonts.makeToUnicodeCMap
# (face's PostScript name, private-use code point) -> the text that glyph stands for.
_GLYPH_TEXT: dict[tuple[str, int], str] = {}


def _private(ch: str) -> bool:
    return 0xE000 <= ord(ch) <= 0xF8FF


def _record(sub: list, shaped: list) -> None:
    """Remember what text each private-use glyph of a shaped run was made from.

    Each cluster's text, less the characters its other glyphs stand for, goes to its first
    private-use glyph. A two-part vowel sign (Bengali ৌ, drawn as a part before the consonant
    and ৗ after it) leaves its first part (ে, by canonical decomposition) in one cluster while
    HarfBuzz puts the glyph drawn for it in the consonant's: such left-over text goes, in order,
    to the private-use glyphs that got none."""
    text = "".join(s for _, s in sub[1:])
    glyphs = [(ch, sd.cluster, f.fontName) for f, s in shaped[1:] if getattr(s, "__shapeData__", None)
              for ch, sd in zip(s, s.__shapeData__)]
    if not any(_private(ch) for ch, _, _ in glyphs):
        return
    starts = sorted({c for _, c, _ in glyphs}) + [len(text)]
    orphans, leftovers = [], []
    for i, (cluster, members) in enumerate(groupby(sorted(glyphs, key=lambda g: g[1]), key=lambda g: g[1])):
        members = list(members)
        rest = text[cluster:starts[i + 1]]
        for ch, _, _ in members:
            if not _private(ch):
                if ch not in rest:
                    rest, ch = unicodedata.normalize("NFD", rest), unicodedata.normalize("NFD", ch)
                rest = rest.replace(ch, "", 1)
        unnamed = [(ch, font) for ch, _, font in members if _private(ch)]
        if unnamed and rest:
            _remember(*unnamed[0], rest)  # the cluster's remaining text goes to its first unnamed glyph
        elif unnamed:
            orphans.append(unnamed[0])
        elif rest:
            leftovers.append(rest)
    for (ch, font), rest in zip(orphans, leftovers):
        _remember(ch, font, rest)


def _remember(ch: str, font: str, text: str) -> None:
    _GLYPH_TEXT.setdefault((pdfmetrics.getFont(font).face.name.decode("latin-1"), ord(ch)), text)


def _shape(sub, *args, **kwargs):
    shaped = _SHAPE(sub, *args, **kwargs)
    if shaped is not sub:
        _record(sub, shaped)
    return shaped


_CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# Combining marks of Latin, Greek and Cyrillic (the "marks" family): a letter with two marks,
# such as Yoruba ẹ́, has no precomposed character and needs the font's mark positioning.
_MARKS = re.compile(r"[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def needs_shaping(font_name: str, text: str) -> bool:
    """Whether a run of ``text`` in this registered font goes through HarfBuzz."""
    mode = shaping_mode(font_name)
    if mode == "always":
        return True
    return mode == "marks" and bool(_MARKS.search(text)) and not has_rtl(text)


def _runs(parts: list) -> list[tuple[list, bool]]:
    """A word's (frag, text) parts as runs of one font, direction controls on their own:
    [(parts, shape?)]."""
    runs: list[tuple[list, bool]] = []
    for font, group in groupby(parts, key=lambda p: p[0].fontName):
        pieces: list = []
        for f, text in group:
            for is_control, chars in groupby(text, key=lambda c: c in _CONTROLS):
                chunk = "".join(chars)
                if is_control:
                    if pieces:
                        runs.append((pieces, needs_shaping(font, "".join(t for _, t in pieces))))
                        pieces = []
                    runs.append(([(f, chunk)], False))
                else:
                    pieces.append((f, chunk))
        if pieces:
            runs.append((pieces, needs_shaping(font, "".join(t for _, t in pieces))))
    return runs


def shape_per_font(word, *args, **kwargs):
    """reportlab's ``shapeFragWord``, one font run at a time, and only runs that need it (see
    the module docstring)."""
    if isinstance(word, ttfonts.ShapedFragWord):  # shaped already (a paragraph wrapped again)
        return word
    parts = word[1:]
    if any(hasattr(f, "cbDefn") for f, _ in parts):
        return _shape(word, *args, **kwargs)
    runs = _runs(parts)
    if not any(shape for _, shape in runs):
        return word
    if len(runs) == 1:
        return _shape(word, *args, **kwargs)
    out = ttfonts.makeShapedFragWord(word)([])
    width = 0.0
    for run, shape in runs:
        run_width = sum(pdfmetrics.stringWidth(s, f.fontName, f.fontSize) for f, s in run)
        if shape:
            shaped = _shape([run_width, *run], *args, **kwargs)
            width += shaped[0]
            out.extend(shaped[1:])
        else:
            width += run_width
            out.extend(run)
    out.insert(0, width)
    return out


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, with private-use glyphs mapped to the text they stand for, and
    characters beyond the BMP (𠮷, U+20BB7) written as UTF-16 surrogate pairs: reportlab writes
    their code point in hex, which a reader takes for another character (U+20BB)."""
    face = fontname.split("+", 1)[-1]
    if not any(code > 0xFFFF or (face, code) in _GLYPH_TEXT for code in subset):
        return _TO_UNICODE(fontname, subset)
    cmap = _TO_UNICODE(fontname, subset)
    for i, code in enumerate(subset):
        text = _GLYPH_TEXT.get((face, code)) or (chr(code) if code > 0xFFFF else None)
        if text:
            cmap = cmap.replace("<%02X> <%04X>\n" % (i, code),
                                "<%02X> <%s>\n" % (i, text.encode("utf-16-be").hex().upper()), 1)
    return cmap


def install() -> None:
    from reportlab.platypus import paragraph

    paragraph.shapeFragWord = shape_per_font
    ttfonts.makeToUnicodeCMap = to_unicode_cmap
