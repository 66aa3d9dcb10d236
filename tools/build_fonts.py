#!/usr/bin/env python3
"""Build ``fonts/`` from Debian's Noto fonts: TrueType outlines that reportlab can load.

    apt-get install fonts-noto-core fonts-noto-cjk
    python tools/build_fonts.py            # rebuild every face and fonts/manifest.yaml

What it does:
- Latin/Greek/Cyrillic/Vietnamese (Noto Sans) and Arabic/Persian (Noto Sans Arabic) are
  merged into one face, so mixed Arabic/Latin lines need one font. Devanagari (Noto Sans
  Devanagari) is copied as it is, with its OpenType tables, so HarfBuzz forms conjuncts.
- Chinese, Japanese and Korean come from Noto Sans CJK, whose outlines are CFF (reportlab
  cannot load them). Each region's face (SC, TC, JP, KR: region-correct Han glyphs) is cut
  down with fontTools' subsetter and its cubic outlines converted to TrueType quadratics
  (cu2qu). Regular faces keep the region's standard character set; bold faces keep what the
  packet prints in bold. Both add every character of the matching catalog
  (``locales/<id>/LC_MESSAGES/packet.po``), so rerun this after a translator adds characters.
- Output is deterministic: head timestamps are the source font's.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import time
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "fonts"
LOCALES = ROOT / "locales"
NOTO = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")

COPIED = {
    "devanagari": ("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
}
# One face for Latin, Greek, Cyrillic and Arabic script: Noto Sans with Noto Sans Arabic merged
# in. Arabic text is joined into presentation forms before layout (packets.render.arabic), so
# no OpenType shaping tables are needed, and a line mixing Arabic with Latin names, digits and
# brackets (which Noto Sans Arabic lacks) is drawn from one font.
MERGED = {
    "sans": (("NotoSans-Regular.ttf", "NotoSansArabic-Regular.ttf"), "NotoSansArabicLatin-Regular.ttf",
             ("NotoSans-Bold.ttf", "NotoSansArabic-Bold.ttf"), "NotoSansArabicLatin-Bold.ttf"),
}
# family key -> (Noto CJK family name, catalog id, output stem)
CJK = {
    "cjk_sc": ("Noto Sans CJK SC", "zh_Hans", "NotoSansSC"),
    "cjk_tc": ("Noto Sans CJK TC", "zh_Hant", "NotoSansTC"),
    "cjk_jp": ("Noto Sans CJK JP", "ja", "NotoSansJP"),
    "cjk_kr": ("Noto Sans CJK KR", "ko", "NotoSansKR"),
}
LOCALE_PRIMARY = {"ar": "sans", "fa": "sans", "hi": "devanagari",
                  "zh_Hans": "cjk_sc", "zh_Hant": "cjk_tc", "ja": "cjk_jp", "ko": "cjk_kr"}
FALLBACK = ["sans", "devanagari", "cjk_sc", "cjk_jp", "cjk_kr", "cjk_tc"]


def _range(a: int, b: int) -> set[int]:
    return set(range(a, b + 1))


BASIC = (_range(0x20, 0x7E) | _range(0xA0, 0xFF) | _range(0x2010, 0x2027) | _range(0x2030, 0x205E)
         | _range(0x3000, 0x303F) | _range(0xFF01, 0xFF65) | {0x2022, 0x2026, 0x00B7, 0x30FB})
KANA = _range(0x3041, 0x309F) | _range(0x30A0, 0x30FF)
HANGUL_ALL = _range(0xAC00, 0xD7A3) | _range(0x1100, 0x11FF) | _range(0x3130, 0x318F)


def _codec_chars(codec: str, leads: range, trails: list[range], stop: bytes | None = None) -> set[int]:
    out = set()
    for lead in leads:
        for trail_range in trails:
            for trail in trail_range:
                raw = bytes([lead, trail])
                if stop is not None and raw > stop:
                    return out
                try:
                    out.update(ord(c) for c in raw.decode(codec))
                except UnicodeDecodeError:
                    pass
    return out


def region_set(key: str) -> set[int]:
    """The region's standard character set (the regular face's coverage)."""
    if key == "cjk_sc":    # GB 2312: 6,763 hanzi
        return _codec_chars("gb2312", range(0xA1, 0xF8), [range(0xA1, 0xFF)])
    if key == "cjk_tc":    # Big5 level 1: the 5,401 common hanzi (plus Big5 symbols)
        return _codec_chars("big5", range(0xA1, 0xC7), [range(0x40, 0x7F), range(0xA1, 0xFF)], stop=b"\xc6\x7e")
    if key == "cjk_jp":    # JIS X 0208: kana and 6,355 kanji
        return _codec_chars("euc_jp", range(0xA1, 0xF5), [range(0xA1, 0xFF)]) | KANA
    if key == "cjk_kr":    # every precomposed Hangul syllable and the Jamo
        return HANGUL_ALL
    raise KeyError(key)


def catalog_chars(catalog_id: str) -> set[int]:
    from babel.messages.pofile import read_po

    chars = set()
    # The catalog and its regional variants (zh_Hant_HK uses the zh_Hant fonts).
    for path in [LOCALES / catalog_id / "LC_MESSAGES" / "packet.po",
                 *sorted(LOCALES.glob(f"{catalog_id}_*/LC_MESSAGES/packet.po"))]:
        if not path.exists():
            continue
        with open(path, "rb") as fh:
            catalog = read_po(fh)
        for m in catalog:
            strings = m.string if isinstance(m.string, (list, tuple)) else [m.string]
            for s in strings:
                chars.update(ord(c) for c in (s or ""))
    return chars


def _cjk_face(family: str, bold: bool) -> TTFont:
    path = NOTO_CJK / ("NotoSansCJK-Bold.ttc" if bold else "NotoSansCJK-Regular.ttc")
    for font in TTCollection(str(path), lazy=False).fonts:
        if font["name"].getDebugName(1) == family:
            return font
    raise SystemExit(f"{family} not found in {path}; install fonts-noto-cjk")


def merge(sources: tuple[str, ...], target: str) -> None:
    from fontTools.merge import Merger, Options

    first = TTFont(str(NOTO / sources[0]))
    created, modified = first["head"].created, first["head"].modified
    merger = Merger(options=Options(drop_tables=["GSUB", "GPOS", "GDEF", "DSIG", "vhea", "vmtx"]))
    font = merger.merge([str(NOTO / s) for s in sources])
    font["head"].created, font["head"].modified = created, modified
    font.recalcTimestamp = False
    buf = io.BytesIO()
    font.save(buf)
    (FONTS / target).write_bytes(buf.getvalue())


def cff_to_glyf(font: TTFont) -> None:
    """Replace CFF outlines by TrueType quadratic outlines (as fontTools' otf2ttf snippet)."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    for table in ("VORG", "vhea", "vmtx"):
        if table in font:
            del font[table]
    hmtx = font["hmtx"]
    for name in order:
        g = glyf.glyphs[name]
        g.recalcBounds(glyf)
        width = hmtx.metrics[name][0]
        hmtx.metrics[name] = (width, getattr(g, "xMin", 0))
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.numGlyphs = len(order)
    font["maxp"] = maxp
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


def build_cjk(key: str, bold: bool, extra: set[int]) -> tuple[Path, int]:
    family, catalog_id, stem = CJK[key]
    font = _cjk_face(family, bold)
    created, modified = font["head"].created, font["head"].modified
    wanted = BASIC | extra | catalog_chars(catalog_id)
    if key == "cjk_jp":
        wanted |= KANA
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    options.drop_tables += ["vhea", "vmtx", "VORG", "DSIG"]
    sub = subset.Subsetter(options)
    sub.populate(unicodes=sorted(wanted))
    sub.subset(font)
    cff_to_glyf(font)
    font["head"].created, font["head"].modified = created, modified
    font.recalcTimestamp = False
    out = FONTS / f"{stem}-{'Bold' if bold else 'Regular'}.subset.ttf"
    buf = io.BytesIO()
    font.save(buf)
    out.write_bytes(buf.getvalue())
    return out, len(font.getGlyphOrder())


BOLD_CORE = {  # what the packet prints in bold beyond its catalog: labels, headings, names' scripts
    "cjk_sc": set(), "cjk_tc": set(), "cjk_jp": KANA,
    "cjk_kr": _codec_chars("euc_kr", range(0xB0, 0xC9), [range(0xA1, 0xFF)]),  # KS X 1001 Hangul
}


def write_licence() -> None:
    """fonts/OFL.txt: the SIL Open Font License text, from Debian's copyright file of the fonts."""
    text = Path("/usr/share/doc/fonts-noto-cjk/copyright").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(text) if "SIL OPEN FONT LICENSE Version 1.1" in line)
    end = next(i for i in range(start, len(text)) if text[i].startswith("License: "))
    body = [("" if line.strip() == "." else line[1:]) for line in text[start:end]]
    header = ["Noto Sans, Noto Sans Arabic, Noto Sans Devanagari:",
              "  Copyright 2010, 2012-2020 Google Inc.; 2015-2020 Google LLC.",
              "Noto Sans CJK (the SC, TC, JP and KR subsets in this folder):",
              "  Copyright 2014-2021 Adobe (http://www.adobe.com/). Noto is a trademark of Google Inc.",
              "None of these fonts declares a Reserved Font Name.", "",
              "These fonts are licensed under the SIL Open Font License, Version 1.1.", ""]
    (FONTS / "OFL.txt").write_text("\n".join(header + body).rstrip() + "\n", encoding="utf-8")


def write_manifest(families: dict[str, tuple[str, str]]) -> None:
    lines = ["# Which font family serves which script and locale. Built by tools/build_fonts.py.", "families:"]
    for key, (reg, bold) in families.items():
        lines.append(f"  {key + ':':<11} {{regular: {reg}, bold: {bold}}}")
    lines += ["# Families tried, in this order, for a character the locale's primary family lacks.",
              f"fallback: [{', '.join(FALLBACK)}]",
              "# The primary family of each catalog id; any id not listed uses `default`.",
              "locales:", "  default: sans"]
    lines += [f"  {cid}: {key}" for cid, key in LOCALE_PRIMARY.items()]
    (FONTS / "manifest.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def self_check(families: dict[str, tuple[str, str]]) -> None:
    from reportlab.pdfbase.ttfonts import TTFont as RLFont

    slowest = (0.0, "")
    for key, files in families.items():
        for name in files:
            t = time.perf_counter()
            RLFont(f"check-{name}", str(FONTS / name))
            slowest = max(slowest, (time.perf_counter() - t, name))
    print(f"reportlab loads every face; slowest: {slowest[1]} in {slowest[0] * 1000:.0f} ms")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=sorted(CJK), action="append", help="rebuild only these CJK families")
    args = ap.parse_args(argv)
    FONTS.mkdir(exist_ok=True)
    families: dict[str, tuple[str, str]] = {}
    for key, (reg_src, reg, bold_src, bold) in MERGED.items():
        for sources in (reg_src, bold_src):
            missing = [s for s in sources if not (NOTO / s).exists()]
            if missing:
                raise SystemExit(f"{missing} missing; install fonts-noto-core")
        merge(reg_src, reg)
        merge(bold_src, bold)
        families[key] = (reg, bold)
    for key, (reg, bold) in COPIED.items():
        for name in (reg, bold):
            src = NOTO / name
            if not src.exists():
                raise SystemExit(f"{src} is missing; install fonts-noto-core")
            shutil.copyfile(src, FONTS / name)
        families[key] = (reg, bold)
    for key in CJK:
        stem = CJK[key][2]
        names = (f"{stem}-Regular.subset.ttf", f"{stem}-Bold.subset.ttf")
        if not args.only or key in args.only:
            t = time.perf_counter()
            reg, n_reg = build_cjk(key, False, region_set(key))
            bold, n_bold = build_cjk(key, True, BOLD_CORE[key])
            print(f"{key}: {n_reg} + {n_bold} glyphs in {time.perf_counter() - t:.0f} s")
        families[key] = names
    write_manifest(families)
    write_licence()
    total = 0
    keep = {name for pair in families.values() for name in pair}
    for stale in FONTS.glob("*.ttf"):
        if stale.name not in keep:
            stale.unlink()
    for f in sorted(FONTS.glob("*.ttf")):
        size = f.stat().st_size
        total += size
        print(f"{f.name:<40} {size / 1e6:6.2f} MB")
    print(f"{'total':<40} {total / 1e6:6.2f} MB")
    self_check(families)
    return 0


if __name__ == "__main__":
    sys.exit(main())
