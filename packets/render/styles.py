"""Styles as data: a type scale of named styles, with small overlays.

``BASE`` is the scale in points; ``LARGE_PRINT`` overrides sizes only. A style inherits
from its ``parent``. Script-specific choices (font, alignment, line breaking, shaping)
are applied by :func:`stylesheet` from the locale's font chain and direction.
"""

from __future__ import annotations

from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from .fonts import chain_for

INK = colors.HexColor("#1a1a1a")
ACCENT = colors.HexColor("#1f4e79")
URGENT = colors.HexColor("#9b1c1c")
RULE = colors.HexColor("#8a9bb0")
TINT = colors.HexColor("#eef3f8")

BASE = {
    # allowWidows=0: a paragraph never leaves its last line alone at the top of a page.
    "body":          {"fontSize": 12, "leading": 16.5, "spaceAfter": 6, "allowWidows": 0},
    "small":         {"parent": "body", "fontSize": 10, "leading": 12.5, "spaceAfter": 0},
    "cell":          {"parent": "body", "spaceAfter": 0},
    "cell_label":    {"parent": "cell", "bold": True},
    "h1":            {"parent": "body", "fontSize": 20, "leading": 25, "bold": True, "spaceBefore": 0,
                      "spaceAfter": 10, "textColor": ACCENT},
    "h2":            {"parent": "body", "fontSize": 14.5, "leading": 19, "bold": True, "spaceBefore": 10,
                      "spaceAfter": 4, "textColor": ACCENT},
    "cover_program": {"parent": "body", "fontSize": 14, "leading": 18, "bold": True, "textColor": ACCENT},
    "cover_title":   {"parent": "body", "fontSize": 26, "leading": 32, "bold": True, "spaceAfter": 14},
    "callout":       {"parent": "body", "bold": True, "spaceAfter": 0},
    "notice":        {"parent": "small", "bold": True, "textColor": URGENT},
}

# Large print: every piece of text at 18 pt or more, the page chrome, sources and calendar
# labels included (docs/LAYOUT.md, rule 4).
LARGE_PRINT = {
    "body": {"fontSize": 18, "leading": 24, "spaceAfter": 8},
    "small": {"fontSize": 18, "leading": 22},
    "cell": {"leading": 22},
    "h1": {"fontSize": 26, "leading": 31},
    "h2": {"fontSize": 21, "leading": 26, "spaceBefore": 12},
    "cover_program": {"fontSize": 20, "leading": 25},
    "cover_title": {"fontSize": 30, "leading": 36},
}
MIN_LARGE = 18

# Chinese and Japanese break between characters. Korean separates words with spaces and breaks
# only there, like Latin text (a break inside a word, "돕습 / 니다", is wrong in Korean).
CJK = ("zh_Hans", "zh_Hant", "ja")
# HarfBuzz shaping through reportlab: Devanagari (conjuncts, vowel signs). Arabic script is
# joined before layout instead (packets.render.arabic), because reportlab shapes RTL words
# after reordering them and misplaces punctuation and numbers.
SHAPED = ("hi",)


def _resolve(name: str, large: bool) -> dict:
    spec = dict(BASE[name])
    parent = spec.pop("parent", None)
    merged = _resolve(parent, large) if parent else {}
    merged.update(spec)
    if large:
        merged.update(LARGE_PRINT.get(name, {}))
    return merged


@lru_cache(maxsize=None)
def stylesheet(catalog_id: str, direction: str, large: bool) -> dict[str, ParagraphStyle]:
    chain = chain_for(catalog_id)
    sheet = {}
    for name in BASE:
        spec = _resolve(name, large)
        bold = spec.pop("bold", False)
        spec.setdefault("textColor", INK)
        if catalog_id in CJK:  # room for punctuation that hangs at a line end (it may not start a line)
            spec["rightIndent"] = spec.get("rightIndent", 0) + spec["fontSize"]
        sheet[name] = ParagraphStyle(
            name=f"{catalog_id}-{name}{'-lp' if large else ''}",
            fontName=chain.primary_name(bold),
            alignment=TA_RIGHT if direction == "rtl" else TA_LEFT,
            wordWrap="CJK" if catalog_id in CJK else ("RTL" if direction == "rtl" else None),
            shaping=1 if catalog_id in SHAPED else 0,
            **spec,
        )
        sheet[name].bold = bold  # remembered so runs pick the bold face of fallback fonts too
    return sheet
