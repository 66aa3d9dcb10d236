"""Fonts for reportlab: register each face of the manifest once per process, and split text
into runs by glyph coverage so any paragraph can mix scripts.

reportlab has no font fallback: a character the font lacks prints as a box. The chain and
coverage come from :mod:`packets.fontdata`; this module only maps them to reportlab names, and
remembers which registered fonts need HarfBuzz shaping (:func:`shaping_mode`).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import NamedTuple

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from .. import fontdata
from ..errors import ConfigError

_LOCK = threading.Lock()
_SHAPING: dict[str, str] = {}  # reportlab font name -> the family's shaping mode


def _register(name: str, face: fontdata.FaceData, shaping: str | None = None) -> str:
    with _LOCK:
        try:
            pdfmetrics.getFont(name)
        except KeyError:
            try:
                # Subsets carry only the glyphs drawn: reportlab otherwise puts all of ASCII in
                # every subset, ~10 KB for each CJK face the language-help page touches.
                font = TTFont(name, str(face.path), asciiReadable=False)
            except Exception as exc:
                raise ConfigError(f"reportlab cannot load this font ({exc})", file=str(face.path)) from None
            _cache_subsets(font)
            if font.shapable:
                # reportlab's shaper calls font.hbAddPrivate (for glyphs with no code point, such as
                # Arabic joining forms), which only exists once hbFont() has run on that font.
                font.hbFont(12)
            pdfmetrics.registerFont(font)
            if shaping:
                _SHAPING[name] = shaping
    return name


def shaping_mode(font_name: str) -> str | None:
    """How runs in this registered font are shaped: "always", "marks" or None (never)."""
    return _SHAPING.get(font_name)


class _Subset(bytes):
    """A cut font program that carries its deflated form, made the first time it is written."""

    deflated: bytes | None = None


def _cache_subsets(font: TTFont) -> None:
    """Build each distinct subset of a face once per process, and compress it once. The
    language-assistance page draws the same few glyphs of the CJK, Arabic and Devanagari faces
    in every packet, and reportlab would otherwise cut (in Python) and deflate the same subset
    again for each PDF."""
    make = font.face.makeSubset
    cache: dict[tuple[int, ...], _Subset] = {}

    def make_subset(subset):
        key = tuple(subset)
        data = cache.get(key)
        if data is None:
            if len(cache) >= 16:  # bounded: a face whose subset varies per packet gains nothing
                cache.clear()
            data = cache[key] = _Subset(make(subset))
        return data

    font.face.makeSubset = make_subset


def install_compression_cache() -> None:
    """reportlab deflates every stream when it writes a PDF: a font subset is deflated once."""
    from reportlab.pdfbase import pdfdoc

    deflate = pdfdoc.PDFZCompress.encode

    def encode(text):
        if not isinstance(text, _Subset):
            return deflate(text)
        if text.deflated is None:
            text.deflated = deflate(text)
        return text.deflated

    pdfdoc.PDFZCompress.encode = encode


def font_name(key: str, face: fontdata.FaceData, fam: fontdata.FamilyData) -> str:
    """The reportlab name of a family's face (a family with no bold has one name)."""
    return _register(f"{key}-{'regular' if face is fam.regular else 'bold'}", face, fam.shaping)


_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


class Segment(NamedTuple):
    font: str       # reportlab font name
    text: str
    covered: bool   # False: no face of the chain draws these characters (they print as boxes)


class FontChain:
    """The families a locale uses, primary first, as reportlab font names."""

    def __init__(self, families: tuple[fontdata.FamilyData, ...]):
        self.families = families
        self._by_key = {f.key: f for f in families}
        self._memo: dict[tuple[str, bool], str | None] = {}
        self._variants: dict[tuple[str, ...], FontChain] = {}
        self._primary = {b: font_name(families[0].key, families[0].bold if b else families[0].regular,
                                      families[0]) for b in (False, True)}

    def primary_name(self, bold: bool) -> str:
        return self._primary[bold]

    def _for_text(self, text: str) -> "FontChain":
        """This chain, or its variant for a run with kana or Hangul (:func:`fontdata.preferred`)."""
        families = fontdata.preferred(self.families, text)
        if families is self.families:
            return self
        key = tuple(f.key for f in families)
        variant = self._variants.get(key)
        if variant is None:
            variant = self._variants[key] = FontChain(families)
        return variant

    def _name_for(self, ch: str, bold: bool) -> str | None:
        key = (ch, bold)
        if key not in self._memo:
            found = fontdata.face_for(self.families, ch, bold)
            self._memo[key] = font_name(found[0], found[1], self._by_key[found[0]]) if found else None
        return self._memo[key]

    def _word_font(self, word: str, bold: bool) -> str | None:
        """The first face of the chain that draws the whole word, if any."""
        for fam in self.families:
            face = fam.bold if bold else fam.regular
            if all(ord(ch) in face.cmap or ch in fontdata.NEUTRAL for ch in word):
                return font_name(fam.key, face, fam)
        return None

    def split(self, text: str, bold: bool) -> list[Segment]:
        """Segments covering ``text`` in order; characters no face draws are segments of their
        own with ``covered=False`` (in the primary face, where they print as boxes), so a caller
        can mark them.

        A word stays in one font whenever one font can draw all of it (a Vietnamese name in a
        Japanese packet is drawn wholly in the Latin face, not partly with the Japanese face's
        Latin letters), except a word with Han characters: each of those takes the first face
        of the chain that has it, which draws it in the region's style. A bold word that some character of has no bold face for (the CJK
        bold faces carry only the catalogs' characters; the wide Han face has no bold) is drawn
        wholly in regular faces, rather than mixing weights inside a name.
        """
        fam = self.families[0]
        cmap = (fam.bold if bold else fam.regular).cmap
        if all(ord(ch) in cmap for ch in text):  # the common case: one run in the primary face
            return [Segment(self._primary[bold], text, True)] if text else []
        return self._for_text(text)._split(text, bold)

    def _split(self, text: str, bold: bool) -> list[Segment]:
        out: list[list] = []

        def add(name, chunk, covered=True):
            if out and out[-1][0] == name and out[-1][2] == covered:
                out[-1][1] += chunk
            else:
                out.append([name, chunk, covered])

        for token in re.split(r"(\s+)", text):
            if not token:
                continue
            if token.isspace():
                add(out[-1][0] if out else self._primary[bold], token)
                continue
            # Han goes character by character, so each takes its region's face in chain order
            # (a word's faces are all Noto CJK: mixing them inside a word does not show).
            name = None if _HAN.search(token) else self._word_font(token, bold)
            weight = bold
            if name is None and bold:
                name = None if _HAN.search(token) else self._word_font(token, False)
                if name is None and any(self._name_for(ch, True) == self._name_for(ch, False)
                                        for ch in token if ch not in fontdata.NEUTRAL):
                    weight = False  # some character has no bold: per character, all regular
            if name:
                add(name, token)
                continue
            for ch in token:  # a word mixing scripts no single font covers: per character
                if ch in fontdata.NEUTRAL and out:
                    out[-1][1] += ch
                    continue
                found = self._name_for(ch, weight)
                add(found or self._primary[weight], ch, found is not None)
        return [Segment(*s) for s in out]

    def segments(self, text: str, bold: bool) -> list[tuple[str, str]]:
        """[(font name, text)] covering ``text``; uncovered characters go to the primary face."""
        out: list[list[str]] = []
        for seg in self.split(text, bold):
            if out and out[-1][0] == seg.font:
                out[-1][1] += seg.text
            else:
                out.append([seg.font, seg.text])
        return [(n, t) for n, t in out]

    def uncovered(self, text: str) -> set[str]:
        """The characters of ``text`` no face of this chain draws."""
        return {ch for seg in self.split(text, False) if not seg.covered for ch in seg.text}


@lru_cache(maxsize=None)
def chain_for(catalog_id: str) -> FontChain:
    return FontChain(fontdata.chain(catalog_id))
