"""Fonts for reportlab: register each face of the manifest once per process, and split text
into runs by glyph coverage so any paragraph can mix scripts.

reportlab has no font fallback: a character the font lacks prints as a box. The chain and
coverage come from :mod:`packets.fontdata`; this module only maps them to reportlab names.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from .. import fontdata
from ..errors import ConfigError

_LOCK = threading.Lock()


def _register(name: str, face: fontdata.FaceData) -> str:
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
    return name


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
    return _register(f"{key}-{'bold' if face is fam.bold else 'regular'}", face)


class FontChain:
    """The families a locale uses, primary first, as reportlab font names."""

    def __init__(self, families: tuple[fontdata.FamilyData, ...]):
        self.families = families
        self._by_key = {f.key: f for f in families}
        self._memo: dict[tuple[str, bool], str] = {}
        self._primary = {b: font_name(families[0].key, families[0].bold if b else families[0].regular,
                                      families[0]) for b in (False, True)}

    def primary_name(self, bold: bool) -> str:
        return self._primary[bold]

    def _name_for(self, ch: str, bold: bool) -> str:
        key = (ch, bold)
        name = self._memo.get(key)
        if name is None:
            found = fontdata.face_for(self.families, ch, bold)
            name = font_name(found[0], found[1], self._by_key[found[0]]) if found else self._primary[bold]
            self._memo[key] = name
        return name

    def _word_font(self, word: str, bold: bool) -> str | None:
        """The first face of the chain that draws the whole word, if any."""
        for fam in self.families:
            face = fam.bold if bold else fam.regular
            if all(ord(ch) in face.cmap or ch in fontdata.NEUTRAL for ch in word):
                return font_name(fam.key, face, fam)
        return None

    def segments(self, text: str, bold: bool) -> list[tuple[str, str]]:
        """[(font name, text)] covering ``text``; uncovered characters go to the primary face.

        A word stays in one font whenever one font can draw all of it ("(ICU)" in an Arabic
        packet is drawn wholly in the Latin face), because reportlab shapes each word with a
        single HarfBuzz font.
        """
        fam = self.families[0]
        cmap = (fam.bold if bold else fam.regular).cmap
        if all(ord(ch) in cmap for ch in text):  # the common case: one run in the primary face
            return [(self._primary[bold], text)] if text else []
        out: list[list] = []

        def add(name, chunk):
            if out and out[-1][0] == name:
                out[-1][1] += chunk
            else:
                out.append([name, chunk])

        for token in re.split(r"(\s+)", text):
            if not token:
                continue
            if token.isspace():
                add(out[-1][0] if out else self._primary[bold], token)
                continue
            # A bold word whose characters the bold subset lacks (CJK bold faces carry only the
            # catalogs' characters) stays whole in the regular face rather than mixing weights.
            name = self._word_font(token, bold) or (self._word_font(token, False) if bold else None)
            if name:
                add(name, token)
                continue
            for ch in token:  # a word mixing scripts no single font covers: per character
                if ch in fontdata.NEUTRAL and out:
                    out[-1][1] += ch
                else:
                    add(self._name_for(ch, bold), ch)
        return [(n, t) for n, t in out]


@lru_cache(maxsize=None)
def chain_for(catalog_id: str) -> FontChain:
    return FontChain(fontdata.chain(catalog_id))
