"""Which fonts a language uses, and which characters they cover (no reportlab here).

In: ``fonts/manifest.yaml`` and the font files. Out: per catalog id, an ordered chain of
families (the locale's primary family first, then the manifest's fallback order) with
their cmaps, read with fontTools. The renderer registers the same files with reportlab;
``i18n check`` and the glyph tests use this module directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from fontTools.ttLib import TTFont

from . import paths, yamlio
from .errors import ConfigError

# Characters that never need a glyph of their own (spaces, joiners, direction marks).
NEUTRAL = frozenset(" \u00a0\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u2066\u2067\u2068\u2069\t\n")


@dataclass(frozen=True)
class FaceData:
    path: Path
    cmap: frozenset
    units_per_em: int
    advances: dict  # code point -> advance width in font units


@dataclass(frozen=True)
class FamilyData:
    key: str
    regular: FaceData
    bold: FaceData


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
    try:
        with TTFont(str(path)) as font:
            cmap = font.getBestCmap()
            hmtx = font["hmtx"].metrics
            upem = font["head"].unitsPerEm
    except Exception as exc:
        raise ConfigError(f"cannot read font ({exc})", file=str(path)) from None
    return FaceData(path, frozenset(cmap), upem, {cp: hmtx[g][0] for cp, g in cmap.items()})


@lru_cache(maxsize=None)
def family(key: str, base: str | None = None) -> FamilyData:
    spec = manifest(base)["families"].get(key)
    if not spec:
        raise ConfigError(f"no font family '{key}'", file="fonts/manifest.yaml")
    folder = Path(base) if base else paths.fonts_dir()
    return FamilyData(key, face(folder / spec["regular"]), face(folder / spec["bold"]))


@lru_cache(maxsize=None)
def chain_keys(catalog_id: str, base: str | None = None) -> tuple[str, ...]:
    data = manifest(base)
    locs = data.get("locales") or {}
    primary = locs.get(catalog_id) or locs.get(catalog_id.split("_")[0]) or locs.get("default", "latin")
    return tuple([primary] + [k for k in data.get("fallback", []) if k != primary])


def chain(catalog_id: str, base: str | None = None) -> tuple[FamilyData, ...]:
    return tuple(family(k, base) for k in chain_keys(catalog_id, base))


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
