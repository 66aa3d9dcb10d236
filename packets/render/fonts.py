"""Fonts: read ``fonts/manifest.yaml``, register each face with reportlab once per process,
and split text into runs by glyph coverage, so any paragraph can mix scripts.

reportlab has no font fallback: a character the font lacks prints as a box. Here each
character goes to the first family, in the locale's order, whose cmap has it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from .. import paths
from ..errors import ConfigError

_LOCK = threading.Lock()
# Characters that take the font of their neighbours instead of forcing a switch.
NEUTRAL = frozenset(" \u00a0\u200c\u200d\u200e\u200f\u202a\u202b\u202c\t")


@dataclass(frozen=True)
class Face:
    name: str          # reportlab font name
    cmap: frozenset    # code points with a glyph


@dataclass(frozen=True)
class Family:
    key: str
    regular: Face
    bold: Face

    def face(self, bold: bool) -> Face:
        return self.bold if bold else self.regular


@dataclass(frozen=True)
class FontChain:
    """The families a locale uses, primary first."""

    families: tuple[Family, ...]

    @property
    def primary(self) -> Family:
        return self.families[0]

    def face_for(self, ch: str, bold: bool) -> Face | None:
        cp = ord(ch)
        for fam in self.families:
            face = fam.face(bold)
            if cp in face.cmap:
                return face
            if bold and cp in fam.regular.cmap:  # a bold subset may be smaller than the regular
                return fam.regular
        return None

    def segments(self, text: str, bold: bool) -> list[tuple[str, str]]:
        """[(font name, text)] covering ``text``; uncovered characters go to the primary face."""
        out: list[list] = []
        for ch in text:
            if ch in NEUTRAL and out:
                out[-1][1] += ch
                continue
            face = self.face_for(ch, bold)
            name = face.name if face else self.primary.face(bold).name
            if out and out[-1][0] == name:
                out[-1][1] += ch
            else:
                out.append([name, ch])
        return [(n, t) for n, t in out]

    def missing(self, text: str) -> set[str]:
        return {ch for ch in text if ch not in NEUTRAL and not ch.isspace()
                and self.face_for(ch, False) is None}


def _load_face(name: str, path: Path) -> Face:
    if not path.is_file():
        raise ConfigError("font file is missing", file=str(path))
    with _LOCK:
        try:
            font = pdfmetrics.getFont(name)
        except KeyError:
            try:
                font = TTFont(name, str(path))
            except Exception as exc:
                raise ConfigError(f"reportlab cannot load this font ({exc})", file=str(path)) from None
            pdfmetrics.registerFont(font)
    return Face(name, frozenset(font.face.charToGlyph))


@lru_cache(maxsize=None)
def manifest(base: str | None = None) -> dict:
    path = Path(base) if base else paths.fonts_dir()
    try:
        with open(path / "manifest.yaml", encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except FileNotFoundError:
        raise ConfigError("font manifest is missing", file=str(path / "manifest.yaml")) from None
    if not isinstance(data, dict) or "families" not in data:
        raise ConfigError("expected 'families', 'fallback' and 'locales'", file=str(path / "manifest.yaml"))
    return data


@lru_cache(maxsize=None)
def family(key: str, base: str | None = None) -> Family:
    data = manifest(base)
    spec = data["families"].get(key)
    if not spec:
        raise ConfigError(f"no font family '{key}'", file="fonts/manifest.yaml")
    folder = Path(base) if base else paths.fonts_dir()
    return Family(key, _load_face(f"{key}-regular", folder / spec["regular"]),
                  _load_face(f"{key}-bold", folder / spec["bold"]))


@lru_cache(maxsize=None)
def chain_for(catalog_id: str, base: str | None = None) -> FontChain:
    data = manifest(base)
    locs = data.get("locales") or {}
    primary = locs.get(catalog_id) or locs.get(catalog_id.split("_")[0]) or locs.get("default", "latin")
    order = [primary] + [k for k in data.get("fallback", []) if k != primary]
    return FontChain(tuple(family(k, base) for k in order))
