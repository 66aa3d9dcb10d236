"""Fonts for reportlab: register each face of the manifest once per process, and split text
into runs by glyph coverage so any paragraph can mix scripts.

reportlab has no font fallback: a character the font lacks prints as a box. The chain and
coverage come from :mod:`packets.fontdata`; this module only maps them to reportlab names.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
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
                pdfmetrics.registerFont(TTFont(name, str(face.path)))
            except Exception as exc:
                raise ConfigError(f"reportlab cannot load this font ({exc})", file=str(face.path)) from None
    return name


def font_name(key: str, face: fontdata.FaceData, fam: fontdata.FamilyData) -> str:
    return _register(f"{key}-{'bold' if face is fam.bold else 'regular'}", face)


@dataclass(frozen=True)
class FontChain:
    """The families a locale uses, primary first, as reportlab font names."""

    families: tuple[fontdata.FamilyData, ...]

    def primary_name(self, bold: bool) -> str:
        fam = self.families[0]
        return font_name(fam.key, fam.bold if bold else fam.regular, fam)

    def segments(self, text: str, bold: bool) -> list[tuple[str, str]]:
        """[(font name, text)] covering ``text``; uncovered characters go to the primary face."""
        by_key = {f.key: f for f in self.families}
        out: list[list] = []
        for ch in text:
            if ch in fontdata.NEUTRAL and out:
                out[-1][1] += ch
                continue
            found = fontdata.face_for(self.families, ch, bold)
            name = font_name(found[0], found[1], by_key[found[0]]) if found else self.primary_name(bold)
            if out and out[-1][0] == name:
                out[-1][1] += ch
            else:
                out.append([name, ch])
        return [(n, t) for n, t in out]


@lru_cache(maxsize=None)
def chain_for(catalog_id: str) -> FontChain:
    chain = FontChain(fontdata.chain(catalog_id))
    chain.primary_name(False), chain.primary_name(True)  # register the primary faces up front
    return chain
