#!/usr/bin/env python3
"""Build ``fonts/`` from Debian's Noto fonts: TrueType outlines that reportlab can load.

    apt-get install fonts-noto-core fonts-noto-cjk
    python tools/build_fonts.py            # rebuild every face and fonts/manifest.yaml

What it does:
- Latin/Greek/Cyrillic/Vietnamese (Noto Sans) and Arabic/Persian/Urdu (Noto Sans Arabic) are
  merged into one face, so mixed Arabic/Latin lines need one font. Its OpenType tables are kept
  for Latin letters with stacked combining marks (the renderer shapes those runs); Arabic is
  joined into presentation forms before layout and never shaped.
- Every other script a patient's name may be written in (Hebrew, Armenian, Georgian, Ethiopic,
  the Indic scripts, Thai, Lao, Khmer, Myanmar) is copied from its Noto Sans face with its
  OpenType tables, so HarfBuzz forms conjuncts, reorders vowels and places marks.
- Chinese, Japanese and Korean come from Noto Sans CJK, whose outlines are CFF (reportlab
  cannot load them). Faces are cut down with fontTools' subsetter and their cubic outlines
  converted to TrueType quadratics (cu2qu); OpenType layout is dropped (nothing shapes CJK), which
  halves the glyph count. Han characters:
  - ``cjk_sc`` (Simplified Chinese style) keeps GB 2312; ``han`` is one wide face in the same style
    with every other Han character Noto Sans CJK has: CJK Unified Ideographs, Extension A, the
    Extension B characters of the name standards (JIS X 0213, HKSCS) and others such as 𠮷, and
    the compatibility ideographs. It has no bold: a bold name takes those from the regular face.
  - ``cjk_tc``, ``cjk_jp`` and ``cjk_kr`` keep their standard sets (Big5 level 1, JIS X 0208,
    Hangul) plus every Han character whose glyph in their region differs from the Simplified
    Chinese one. Every Han character therefore prints in its region's style: either the region's
    face has it, or the region draws it exactly as ``cjk_sc``/``han`` do.
  Every CJK face also gets each character of its catalog (``locales/<id>/LC_MESSAGES/packet.po``),
  so rerun this after a translator adds characters.
- Every face gets empty, zero-width glyphs for the invisible format characters (direction marks,
  embeddings, isolates, joiners), so a stray one never draws a box or takes space.
- Output is deterministic: head timestamps are the source font's.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from functools import lru_cache
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable
from fontTools.ttLib.tables._g_l_y_f import Glyph

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "fonts"
LOCALES = ROOT / "locales"
NOTO = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")

# One face for Latin, Greek, Cyrillic and Arabic script: Noto Sans with Noto Sans Arabic merged in.
MERGED = {"sans": (("NotoSans", "NotoSansArabic"), "NotoSansArabicLatin")}
# family key -> (Noto Sans face, how the renderer shapes it). "always": every run of the family
# goes through HarfBuzz (conjuncts, reordering, mark placement); None: never needed.
SCRIPTS = {
    "hebrew": ("NotoSansHebrew", None),        # right to left, no joining (points rare in names)
    "armenian": ("NotoSansArmenian", None),
    "georgian": ("NotoSansGeorgian", None),
    "ethiopic": ("NotoSansEthiopic", None),    # a syllabary: one glyph per character
    "devanagari": ("NotoSansDevanagari", "always"),
    "bengali": ("NotoSansBengali", "always"),
    "gurmukhi": ("NotoSansGurmukhi", "always"),
    "gujarati": ("NotoSansGujarati", "always"),
    "tamil": ("NotoSansTamil", "always"),
    "telugu": ("NotoSansTelugu", "always"),
    "thai": ("NotoSansThai", "always"),
    "lao": ("NotoSansLao", "always"),
    "khmer": ("NotoSansKhmer", "always"),
    "myanmar": ("NotoSansMyanmar", "always"),
}
# family key -> (Noto CJK family name, catalog id, output stem)
CJK = {
    "cjk_sc": ("Noto Sans CJK SC", "zh_Hans", "NotoSansSC"),
    "cjk_tc": ("Noto Sans CJK TC", "zh_Hant", "NotoSansTC"),
    "cjk_jp": ("Noto Sans CJK JP", "ja", "NotoSansJP"),
    "cjk_kr": ("Noto Sans CJK KR", "ko", "NotoSansKR"),
}
HAN_STEM = "NotoSansHan"
HAN_STYLE = "cjk_sc"  # the wide face draws Han in this region's style
LOCALE_PRIMARY = {"ar": "sans", "fa": "sans", "hi": "devanagari",
                  "zh_Hans": "cjk_sc", "zh_Hant": "cjk_tc", "ja": "cjk_jp", "ko": "cjk_kr"}
# Tried in this order for a character the locale's primary family lacks. Small script faces
# first (they load fast); then Simplified-style Han (cjk_sc, han), which by construction draws
# every Han character the other regions' faces leave out exactly as those regions do; the other
# CJK faces last, for kana and Hangul.
FALLBACK = ["sans", *SCRIPTS, "cjk_sc", "han", "cjk_jp", "cjk_kr", "cjk_tc"]

HINTS = {"cjk_jp": "3040-30FF 31F0-31FF FF66-FF9F", "cjk_kr": "1100-11FF 3130-318F AC00-D7A3"}

# Invisible format characters: zero-width joiners and non-joiners, direction marks, embeddings,
# overrides and isolates, word joiner, Arabic letter mark, zero-width no-break space.
INVISIBLE = [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
             0x2060, 0x2066, 0x2067, 0x2068, 0x2069, 0x061C, 0xFEFF]
JOINERS = frozenset({0x200C, 0x200D})


def _range(a: int, b: int) -> set[int]:
    return set(range(a, b + 1))


BASIC = (_range(0x20, 0x7E) | _range(0xA0, 0xFF) | _range(0x2010, 0x2027) | _range(0x2030, 0x205E)
         | _range(0x3000, 0x303F) | _range(0xFF01, 0xFF65) | {0x2022, 0x2026, 0x00B7, 0x30FB})
KANA = _range(0x3041, 0x309F) | _range(0x30A0, 0x30FF) | _range(0x31F0, 0x31FF) | _range(0xFF65, 0xFF9F)
HANGUL_ALL = (_range(0xAC00, 0xD7A3) | _range(0x1100, 0x11FF) | _range(0x3130, 0x318F)
              | _range(0xFFA0, 0xFFDC))
URO, EXT_A = _range(0x4E00, 0x9FFF), _range(0x3400, 0x4DBF)
EXT_B_ON = _range(0x20000, 0x3134F)  # Extensions B to G
COMPAT = _range(0xF900, 0xFAFF) | _range(0x2F800, 0x2FA1F)


def _codec_chars(codec: str, leads: range, trails: list[range], stop: bytes | None = None,
                 prefix: bytes = b"") -> set[int]:
    out = set()
    for lead in leads:
        for trail_range in trails:
            for trail in trail_range:
                raw = bytes([lead, trail])
                if stop is not None and raw > stop:
                    return out
                try:
                    out.update(ord(c) for c in (prefix + raw).decode(codec))
                except UnicodeDecodeError:
                    pass
    return out


@lru_cache(maxsize=None)
def name_standard(key: str) -> frozenset[int]:
    """Characters of the standards names are registered in, from Python's codecs."""
    both = [range(0x40, 0x7F), range(0xA1, 0xFF)]
    if key == "jis_x_0213":   # Japanese, both planes (EUC-JIS-2004)
        return frozenset(_codec_chars("euc_jis_2004", range(0xA1, 0xFF), [range(0xA1, 0xFF)])
                         | _codec_chars("euc_jis_2004", range(0xA1, 0xFF), [range(0xA1, 0xFF)], prefix=b"\x8f"))
    if key == "hkscs":        # Hong Kong (Big5-HKSCS)
        return frozenset(_codec_chars("big5hkscs", range(0x81, 0xFF), both))
    if key == "ks_x_1001":    # Korean, with its 4,888 hanja
        return frozenset(_codec_chars("euc_kr", range(0xA1, 0xFF), [range(0xA1, 0xFF)]))
    raise KeyError(key)


def region_set(key: str) -> set[int]:
    """The region's standard character set (the regular face's base coverage)."""
    if key == "cjk_sc":    # GB 2312: 6,763 hanzi
        return _codec_chars("gb2312", range(0xA1, 0xF8), [range(0xA1, 0xFF)])
    if key == "cjk_tc":    # Big5 level 1: the 5,401 common hanzi (plus Big5 symbols)
        return _codec_chars("big5", range(0xA1, 0xC7), [range(0x40, 0x7F), range(0xA1, 0xFF)], stop=b"\xc6\x7e")
    if key == "cjk_jp":    # JIS X 0208: kana and 6,355 kanji
        return _codec_chars("euc_jp", range(0xA1, 0xF5), [range(0xA1, 0xFF)]) | KANA
    if key == "cjk_kr":    # every precomposed Hangul syllable and the Jamo
        return HANGUL_ALL
    raise KeyError(key)


def han_set(cmap: dict) -> set[int]:
    """Every Han character Noto Sans CJK draws: CJK Unified Ideographs, Extension A, the
    Extension B (and later) characters of the name standards and beyond (such as 𠮷, U+20BB7),
    and the compatibility ideographs."""
    return {cp for cp in URO | EXT_A | EXT_B_ON | COMPAT if cp in cmap}


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


@lru_cache(maxsize=None)
def cjk_cmaps() -> dict[str, dict[int, str]]:
    """family key -> the region face's cmap (code point -> glyph name in the shared CFF)."""
    col = TTCollection(str(NOTO_CJK / "NotoSansCJK-Regular.ttc"), lazy=True)
    by_name = {f["name"].getDebugName(1): f for f in col.fonts}
    return {key: by_name[family].getBestCmap() for key, (family, _, _) in CJK.items()}


def region_glyph_differs(key: str) -> set[int]:
    """Han characters whose glyph in this region differs from the Simplified Chinese one."""
    cmaps = cjk_cmaps()
    own, base = cmaps[key], cmaps[HAN_STYLE]
    return {cp for cp in han_set(base) if own.get(cp) != base[cp]}


def _cjk_face(family: str, bold: bool) -> TTFont:
    path = NOTO_CJK / ("NotoSansCJK-Bold.ttc" if bold else "NotoSansCJK-Regular.ttc")
    for font in TTCollection(str(path), lazy=False).fonts:
        if font["name"].getDebugName(1) == family:
            return font
    raise SystemExit(f"{family} not found in {path}; install fonts-noto-cjk")


def add_invisible(font: TTFont, keep: frozenset[int] = frozenset()) -> None:
    """Map the invisible format characters to one empty zero-width glyph. Noto draws some of them
    as visible marks (a dotted box for LRE, a 600-unit space for the word joiner), for editors
    that show them; here one that reaches the page must not show. ``keep``: characters whose
    glyph stays (ZWJ and ZWNJ in the faces HarfBuzz shapes, whose substitutions match them)."""
    cmap, hmtx, glyf = font.getBestCmap(), font["hmtx"], font["glyf"]

    def invisible(cp):
        name = cmap.get(cp)
        return name is not None and hmtx.metrics[name][0] == 0 and not glyf[name].numberOfContours

    todo = [cp for cp in INVISIBLE if cp not in keep and not invisible(cp)]
    if not todo:
        return
    order = list(font.getGlyphOrder())
    name = "invisible.zerowidth"
    order.append(name)
    glyph = Glyph()
    glyph.numberOfContours = 0
    glyf.glyphs[name] = glyph
    hmtx.metrics[name] = (0, 0)
    for table in font["cmap"].tables:
        if table.isUnicode() and table.format in (4, 12):
            for cp in todo:
                table.cmap[cp] = name
    font.setGlyphOrder(order)
    glyf.glyphOrder = order
    if "post" in font and font["post"].formatType == 2.0:
        font["post"].glyphOrder = order


def _save(font: TTFont, name: str, created: int, modified: int) -> Path:
    font["head"].created, font["head"].modified = created, modified
    font.recalcTimestamp = False
    buf = io.BytesIO()
    font.save(buf)
    out = FONTS / name
    out.write_bytes(buf.getvalue())
    return out


def merge(stems: tuple[str, ...], target: str, weight: str) -> Path:
    from fontTools.merge import Merger, Options

    first = TTFont(str(NOTO / f"{stems[0]}-{weight}.ttf"))
    merger = Merger(options=Options(drop_tables=["DSIG", "vhea", "vmtx"]))
    font = merger.merge([str(NOTO / f"{s}-{weight}.ttf") for s in stems])
    add_invisible(font)
    return _save(font, f"{target}-{weight}.ttf", first["head"].created, first["head"].modified)


def copy_script(stem: str, weight: str, shaped: bool) -> Path:
    src = NOTO / f"{stem}-{weight}.ttf"
    if not src.exists():
        raise SystemExit(f"{src} is missing; install fonts-noto-core")
    font = TTFont(str(src))
    if "DSIG" in font:
        del font["DSIG"]  # the signature no longer matches once glyphs are added
    add_invisible(font, keep=JOINERS if shaped else frozenset())
    return _save(font, src.name, font["head"].created, font["head"].modified)


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
    post.formatType = 3.0  # no glyph names: ~9 bytes a glyph, and nothing here reads them
    post.extraNames = []
    post.mapping = {}
    font.sfntVersion = "\x00\x01\x00\x00"


def _rename(font: TTFont, family: str, postscript: str, weight: str) -> None:
    """A face cut to a different set than Noto's own gets its own names, so a PDF never holds
    two different fonts under one name."""
    for rec in font["name"].names:
        if rec.nameID in (1, 16):
            rec.string = family
        elif rec.nameID == 3:
            rec.string = f"{postscript}-{weight};build_fonts"
        elif rec.nameID == 4:
            rec.string = f"{family} {weight}"
        elif rec.nameID == 6:
            rec.string = f"{postscript}-{weight}"


def build_cjk(family: str, bold: bool, wanted: set[int], out_name: str,
              names: tuple[str, str] | None = None) -> tuple[Path, int]:
    font = _cjk_face(family, bold)
    created, modified = font["head"].created, font["head"].modified
    options = subset.Options()
    options.layout_features = []  # CJK text is never shaped: alternates and vertical forms go
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    options.drop_tables += ["vhea", "vmtx", "VORG", "DSIG", "GSUB", "GPOS", "GDEF", "BASE"]
    sub = subset.Subsetter(options)
    sub.populate(unicodes=sorted(wanted))
    sub.subset(font)
    cff_to_glyf(font)
    add_invisible(font)
    if names:
        _rename(font, *names, "Bold" if bold else "Regular")
    out = _save(font, out_name, created, modified)
    return out, len(font.getGlyphOrder())


BOLD_CORE = {  # what the packet prints in bold beyond its catalog: labels, headings, names' scripts
    "cjk_sc": set(), "cjk_tc": set(), "cjk_jp": KANA,
    "cjk_kr": _codec_chars("euc_kr", range(0xB0, 0xC9), [range(0xA1, 0xFF)]),  # KS X 1001 Hangul
}


def cjk_regular_set(key: str) -> set[int]:
    """A region face's regular coverage: basics, the standard set, the catalog, and (except for
    the Simplified Chinese style, which ``han`` completes) every Han glyph of its own style."""
    wanted = BASIC | region_set(key) | catalog_chars(CJK[key][1])
    if key == "cjk_jp":
        wanted |= KANA
    if key != HAN_STYLE:
        wanted |= region_glyph_differs(key)
    return wanted


def write_licence() -> None:
    """fonts/OFL.txt: each font's own copyright line, then the SIL Open Font License text from
    Debian's copyright file of the fonts."""
    text = Path("/usr/share/doc/fonts-noto-cjk/copyright").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(text) if "SIL OPEN FONT LICENSE Version 1.1" in line)
    end = next(i for i in range(start, len(text)) if text[i].startswith("License: "))
    body = [("" if line.strip() == "." else line[1:]) for line in text[start:end]]
    owners: dict[str, list[str]] = {}
    for stem in [*MERGED["sans"][0], *(stem for stem, _ in SCRIPTS.values())]:
        with TTFont(str(NOTO / f"{stem}-Regular.ttf"), lazy=True) as font:
            owners.setdefault(font["name"].getDebugName(0), []).append(stem)
    with TTCollection(str(NOTO_CJK / "NotoSansCJK-Regular.ttc"), lazy=True) as col:
        owners.setdefault(col.fonts[0]["name"].getDebugName(0), []).append(
            "Noto Sans CJK (the SC, TC, JP, KR and Han subsets)")
    header = [f"{', '.join(stems)}: {notice}" for notice, stems in owners.items()]
    header += ["", "None of these fonts declares a Reserved Font Name. The wide Han subset is named",
               "Noto Sans CJK Han (tools/build_fonts.py) because its character set is not Noto's own.", "",
               "These fonts are licensed under the SIL Open Font License, Version 1.1.", ""]
    (FONTS / "OFL.txt").write_text("\n".join(header + body).rstrip() + "\n", encoding="utf-8")


def write_manifest(families: dict[str, tuple[str, str]]) -> None:
    shaping = {key: how for key, (_, how) in SCRIPTS.items() if how}
    shaping["sans"] = "marks"
    lines = ["# Which font family serves which script and locale. Built by tools/build_fonts.py.",
             "# shaping: 'always' = every run goes through HarfBuzz; 'marks' = runs with combining marks.",
             "families:"]
    for key, (reg, bold) in families.items():
        extra = f", shaping: {shaping[key]}" if key in shaping else ""
        lines.append(f"  {key + ':':<11} {{regular: {reg}, bold: {bold}{extra}}}")
    lines += ["# Families tried, in this order, for a character the locale's primary family lacks.",
              f"fallback: [{', '.join(FALLBACK)}]",
              "# A run with kana or Hangul, in a packet whose own face draws no Han, tries this family",
              "# right after the primary one: a Japanese or Korean name keeps its Han in its own style.",
              "hints:",
              *(f"  {key}: \"{ranges}\"" for key, ranges in HINTS.items()),
              "# The primary family of each catalog id; any id not listed uses `default`.",
              "locales:", "  default: sans"]
    lines += [f"  {cid}: {key}" for cid, key in LOCALE_PRIMARY.items()]
    (FONTS / "manifest.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def self_check(families: dict[str, tuple[str, str]]) -> None:
    """reportlab loads every face; every Han character prints in each region's own style."""
    from reportlab.pdfbase.ttfonts import TTFont as RLFont

    loaded = {}
    for key, files in families.items():
        for name in dict.fromkeys(files):
            t = time.perf_counter()
            RLFont(f"check-{name}", str(FONTS / name))
            loaded[name] = time.perf_counter() - t
    slowest = max(loaded, key=loaded.get)
    print(f"reportlab loads every face in {sum(loaded.values()):.2f} s; slowest: {slowest} "
          f"in {loaded[slowest] * 1000:.0f} ms")

    cmaps = cjk_cmaps()
    covered = {key: TTFont(str(FONTS / families[key][0]), lazy=True).getBestCmap() for key in [*CJK, "han"]}
    han = han_set(cmaps[HAN_STYLE])
    for key in CJK:
        chain = [key] + [k for k in ("cjk_sc", "han") if k != key]
        wrong = []
        for cp in han:
            drawn_by = next(k for k in chain if cp in covered[k])
            style = key if drawn_by == key else HAN_STYLE
            if cmaps[style][cp] != cmaps[key][cp]:
                wrong.append(cp)
        if wrong:
            raise SystemExit(f"{key}: {len(wrong)} Han characters would print in another region's style")
    missing = [cp for cp in han if not any(cp in covered[k] for k in ("cjk_sc", "han"))]
    if missing:
        raise SystemExit(f"{len(missing)} Han characters in no face")
    for standard in ("jis_x_0213", "hkscs", "ks_x_1001"):
        chars = {cp for cp in name_standard(standard) if cp in URO | EXT_A | EXT_B_ON | COMPAT}
        lacking = sorted(cp for cp in chars if cp not in han)
        print(f"{standard}: {len(chars)} Han characters ({len([c for c in chars if c >= 0x20000])} beyond "
              f"the BMP), {len(lacking)} lacking")
    gaps = sorted(cp for cp in URO | EXT_A if cp not in cmaps[HAN_STYLE])
    print(f"Han: {len(han)} characters, each in its region's style; Noto Sans CJK lacks "
          f"{len(gaps)} of CJK Unified Ideographs and Extension A: "
          + " ".join(f"U+{cp:04X}" for cp in gaps))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=["scripts", *CJK, "han"], action="append",
                    help="rebuild only these CJK families, or the other faces ('scripts')")
    args = ap.parse_args(argv)
    FONTS.mkdir(exist_ok=True)
    families: dict[str, tuple[str, str]] = {}
    for key, (stems, target) in MERGED.items():
        for stem in stems:
            for weight in ("Regular", "Bold"):
                if not (NOTO / f"{stem}-{weight}.ttf").exists():
                    raise SystemExit(f"{stem}-{weight}.ttf is missing; install fonts-noto-core")
        if not args.only or "scripts" in args.only:
            merge(stems, target, "Regular")
            merge(stems, target, "Bold")
        families[key] = (f"{target}-Regular.ttf", f"{target}-Bold.ttf")
    for key, (stem, how) in SCRIPTS.items():
        if not args.only or "scripts" in args.only:
            copy_script(stem, "Regular", how is not None)
            copy_script(stem, "Bold", how is not None)
        families[key] = (f"{stem}-Regular.ttf", f"{stem}-Bold.ttf")
    for key, (family, catalog_id, stem) in CJK.items():
        names = (f"{stem}-Regular.subset.ttf", f"{stem}-Bold.subset.ttf")
        if not args.only or key in args.only:
            t = time.perf_counter()
            _, n_reg = build_cjk(family, False, cjk_regular_set(key), names[0])
            _, n_bold = build_cjk(family, True, BASIC | BOLD_CORE[key] | catalog_chars(catalog_id), names[1])
            print(f"{key}: {n_reg} + {n_bold} glyphs in {time.perf_counter() - t:.0f} s")
        families[key] = names
    han_name = f"{HAN_STEM}-Regular.subset.ttf"
    if not args.only or "han" in args.only:
        t = time.perf_counter()
        style = CJK[HAN_STYLE]
        rest = han_set(cjk_cmaps()[HAN_STYLE]) - cjk_regular_set(HAN_STYLE)
        _, n = build_cjk(style[0], False, BASIC | rest, han_name, ("Noto Sans CJK Han", "NotoSansCJKhan"))
        print(f"han: {n} glyphs in {time.perf_counter() - t:.0f} s")
    families["han"] = (han_name, han_name)  # regular only: bold text takes these from it
    write_manifest(families)
    write_licence()
    total = 0
    keep = {name for pair in families.values() for name in pair}
    for stale in FONTS.glob("*.ttf"):
        if stale.name not in keep:
            stale.unlink()
    for f in sorted(FONTS.glob("*")):
        size = f.stat().st_size
        total += size
        print(f"{f.name:<40} {size / 1e6:6.2f} MB")
    print(f"{'total (fonts/)':<40} {total / 1e6:6.2f} MB")
    self_check(families)
    return 0


if __name__ == "__main__":
    sys.exit(main())
