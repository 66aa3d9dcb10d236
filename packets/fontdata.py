"""Which fonts a language uses, and which characters they cover (no reportlab here).

In: ``fonts/manifest.yaml`` and the font files. Out: per catalog id, an ordered chain of
families (the locale's primary family first, then the manifest's fallback order) with
their cmaps, read with fontTools. The renderer registers the same files with reportlab;
``i18n check``, the build's warnings and the glyph tests use this module directly.

A face's cmap and advances are read the first time a character is looked up in it, so a
process that prints only Latin text never reads the CJK faces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import yaml
from fontTools.ttLib import TTFont

from . import paths, yamlio
from .errors import ConfigError

# Characters that never need a glyph of their own: spaces, and the invisible format characters
# (joiners, direction marks, embeddings, overrides, isolates, word joiner, Arabic letter mark,
# zero-width no-break space). The font build gives every face empty zero-width glyphs for the
# latter, so one that reaches a PDF neither draws a box nor takes space.
INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                      "\u2060\u2066\u2067\u2068\u2069\u061c\ufeff")
NEUTRAL = frozenset(" \u00a0\t\n") | INVISIBLE


class FaceData:
    """One font file: its cmap, units per em and advance widths, read on first use."""

    def __init__(self, path: Path):
        self.path = path

    @cached_property
    def _tables(self) -> tuple[frozenset, int, dict]:
        try:
            with TTFont(str(self.path), lazy=True) as font:
                # Glyph names are not needed, and deriving them (post format 3) costs more than
                # reading the cmap of a 23,000-glyph face: number the glyphs instead.
                font.setGlyphOrder([f"g{i}" for i in range(font["maxp"].numGlyphs)])
                cmap = font.getBestCmap()
                hmtx = font["hmtx"].metrics
                upem = font["head"].unitsPerEm
        except Exception as exc:
            raise ConfigError(f"cannot read font ({exc})", file=str(self.path)) from None
        return frozenset(cmap), upem, {cp: hmtx[g][0] for cp, g in cmap.items()}

    @property
    def cmap(self) -> frozenset:
        return self._tables[0]

    @property
    def units_per_em(self) -> int:
        return self._tables[1]

    @property
    def advances(self) -> dict:  # code point -> advance width in font units
        return self._tables[2]


@dataclass(frozen=True)
class FamilyData:
    key: str
    regular: FaceData
    bold: FaceData          # the regular face itself for a family with no bold (the wide Han face)
    shaping: str | None = None  # "always": HarfBuzz shapes every run; "marks": runs with combining marks


@lru_cache(maxsize=None)
def manifest(base: str | None = None) -> dict:
    folder = Path(base) if base else paths.fonts_dir()
    path = folder / "manifest.yaml"
    if not path.is_file():
        raise ConfigError("font manifest is missing", file=str(path))
    try:
        data = yaml.safe_load(yamlio.read_text(path, ConfigError))
    except (yaml.YAMLError, RecursionError) as exc:
        raise ConfigError(f"not valid YAML ({type(exc).__name__})", file=str(path)) from None
    if not isinstance(data, dict) or not isinstance(data.get("families"), dict):
        raise ConfigError("expected 'families', 'fallback' and 'locales'", file=str(path))
    return data


@lru_cache(maxsize=None)
def face(path: Path) -> FaceData:
    if not path.is_file():
        raise ConfigError("font file is missing", file=str(path))
    return FaceData(path)


@lru_cache(maxsize=None)
def family(key: str, base: str | None = None) -> FamilyData:
    spec = manifest(base)["families"].get(key)
    if not spec:
        raise ConfigError(f"no font family '{key}'", file="fonts/manifest.yaml")
    folder = Path(base) if base else paths.fonts_dir()
    return FamilyData(key, face(folder / spec["regular"]), face(folder / spec["bold"]), spec.get("shaping"))


@lru_cache(maxsize=None)
def chain_keys(catalog_id: str, base: str | None = None) -> tuple[str, ...]:
    data = manifest(base)
    locs = data.get("locales") or {}
    parts = catalog_id.split("_")  # zh_Hant_HK -> zh_Hant -> zh
    primary = next((locs[k] for k in ("_".join(parts[:n]) for n in range(len(parts), 0, -1)) if k in locs),
                   locs.get("default", "sans"))
    return tuple([primary] + [k for k in data.get("fallback", []) if k != primary])


@lru_cache(maxsize=None)
def chain(catalog_id: str, base: str | None = None) -> tuple[FamilyData, ...]:
    return tuple(family(k, base) for k in chain_keys(catalog_id, base))


@lru_cache(maxsize=None)
def _hints(base: str | None = None) -> tuple[tuple[str, re.Pattern], ...]:
    out = []
    for key, ranges in (manifest(base).get("hints") or {}).items():
        spans = [r.split("-") for r in str(ranges).split()]
        out.append((key, re.compile("[" + "".join(f"\\U{int(a, 16):08x}-\\U{int(b, 16):08x}" for a, b in spans) + "]")))
    return tuple(out)


_HAN_PROBE = 0x4E00  # 一: a face without it draws no Han


def preferred(families: tuple[FamilyData, ...], text: str) -> tuple[FamilyData, ...]:
    """The chain for ``text``: in a packet whose own face draws no Han, a run with kana (or
    Hangul) tries the Japanese (or Korean) face right after the primary one, so the Han
    characters of a Japanese or Korean name keep their own region's style."""
    hints = _hints()
    if not hints or _HAN_PROBE in families[0].regular.cmap:
        return families
    for key, pattern in hints:
        if pattern.search(text):
            hinted = [f for f in families if f.key == key]
            return (families[0], *hinted, *(f for f in families[1:] if f.key != key))
    return families


def face_for(families: tuple[FamilyData, ...], ch: str, bold: bool) -> tuple[str, FaceData] | None:
    """The (family key, face) that draws ``ch``: bold if it has it, else the family's regular."""
    cp = ord(ch)
    for fam in families:
        chosen = fam.bold if bold else fam.regular
        if cp in chosen.cmap:
            return fam.key, chosen
        if bold and cp in fam.regular.cmap:
            return fam.key, fam.regular
    return None


def missing_glyphs(text: str, catalog_id: str) -> set[str]:
    """Characters of ``text`` that no font of the locale's chain can draw."""
    fams = chain(catalog_id)
    return {ch for ch in text if ch not in NEUTRAL and face_for(fams, ch, False) is None}


def text_width(text: str, catalog_id: str, size: float, bold: bool = False) -> float:
    """Approximate advance width in points (no kerning or shaping): for fit checks."""
    fams = chain(catalog_id)
    width = 0.0
    for ch in text:
        found = face_for(fams, ch, bold)
        if found:
            f = found[1]
            width += f.advances.get(ord(ch), f.units_per_em // 2) * size / f.units_per_em
    return width
