"""HarfBuzz shaping through reportlab (Devanagari), made safe for mixed fonts and searchable.

Two repairs to reportlab's ``shapeFragWord``, installed by :func:`install`:

- **One font at a time.** reportlab shapes a whole word with the HarfBuzz font of its first
  fragment, then reads the glyph ids against each fragment's own font: a word whose characters
  come from two fonts (a Han name in a Hindi packet) got glyph ids of the wrong font, and the
  PDF could not be written. Each run of one font is shaped with that font.
- **A text layer for glyphs with no code point.** Conjuncts and half forms (क्ष, the half क्)
  have no Unicode value; reportlab gives them private-use code points, and the PDF's ToUnicode
  map sends a reader who copies or searches the text to those. Each such glyph is recorded with
  the characters HarfBuzz shaped it from (its cluster, less the characters other glyphs of the
  cluster already stand for), and the ToUnicode map is written with that text.

What stays: a vowel sign drawn before its consonant (कि is drawn ि + क) is extracted in drawn
order, since ToUnicode maps glyphs, not positions.
"""

from __future__ import annotations

from itertools import groupby

from reportlab.pdfbase import pdfmetrics, ttfonts

_SHAPE = ttfonts.shapeFragWord
_TO_UNICODE = ttfonts.makeToUnicodeCMap
# (face's PostScript name, private-use code point) -> the text that glyph stands for.
_GLYPH_TEXT: dict[tuple[str, int], str] = {}


def _private(ch: str) -> bool:
    return 0xE000 <= ord(ch) <= 0xF8FF


def _record(sub: list, shaped: list) -> None:
    """Remember what text each private-use glyph of a shaped run was made from."""
    text = "".join(s for _, s in sub[1:])
    glyphs = [(ch, sd.cluster, f.fontName) for f, s in shaped[1:] if getattr(s, "__shapeData__", None)
              for ch, sd in zip(s, s.__shapeData__)]
    if not any(_private(ch) for ch, _, _ in glyphs):
        return
    starts = sorted({c for _, c, _ in glyphs}) + [len(text)]
    for i, (cluster, members) in enumerate(groupby(sorted(glyphs, key=lambda g: g[1]), key=lambda g: g[1])):
        members = list(members)
        rest = text[cluster:starts[i + 1]]
        for ch, _, _ in members:
            if not _private(ch):
                rest = rest.replace(ch, "", 1)
        for ch, _, font in members:
            if _private(ch) and rest:
                key = (pdfmetrics.getFont(font).face.name.decode("latin-1"), ord(ch))
                _GLYPH_TEXT.setdefault(key, rest)
                rest = ""  # the cluster's remaining text goes to its first unnamed glyph


def _shape(sub, *args, **kwargs):
    shaped = _SHAPE(sub, *args, **kwargs)
    if shaped is not sub:
        _record(sub, shaped)
    return shaped


def shape_per_font(word, *args, **kwargs):
    """reportlab's ``shapeFragWord``, one font at a time (see the module docstring)."""
    if isinstance(word, ttfonts.ShapedFragWord):  # shaped already (a paragraph wrapped again)
        return word
    parts = word[1:]
    fonts = {getattr(f, "fontName", None) for f, _ in parts}
    if len(fonts) < 2 or any(hasattr(f, "cbDefn") for f, _ in parts):
        return _shape(word, *args, **kwargs)
    out = ttfonts.makeShapedFragWord(word)([])
    width = 0.0
    for _, run in groupby(parts, key=lambda p: p[0].fontName):
        run = list(run)
        sub = [sum(pdfmetrics.stringWidth(s, f.fontName, f.fontSize) for f, s in run), *run]
        shaped = _shape(sub, *args, **kwargs)
        width += shaped[0]
        out.extend(shaped[1:])
    out.insert(0, width)
    return out


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, with private-use glyphs mapped to the text they stand for."""
    face = fontname.split("+", 1)[-1]
    if not any((face, code) in _GLYPH_TEXT for code in subset):
        return _TO_UNICODE(fontname, subset)
    cmap = _TO_UNICODE(fontname, subset)
    for i, code in enumerate(subset):
        text = _GLYPH_TEXT.get((face, code))
        if text:
            cmap = cmap.replace("<%02X> <%04X>\n" % (i, code),
                                "<%02X> <%s>\n" % (i, text.encode("utf-16-be").hex().upper()), 1)
    return cmap


def install() -> None:
    from reportlab.platypus import paragraph

    paragraph.shapeFragWord = shape_per_font
    ttfonts.makeToUnicodeCMap = to_unicode_cmap
