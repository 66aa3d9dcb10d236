"""CJK line breaking: where a line of Chinese or Japanese may end (kinsoku / 避头尾).

reportlab's CJK wrapper breaks between any two characters once a line is full, with one rule: a
closing mark may hang at a line's end. So "12月14 / 日週一" broke inside a date, "（" could end a
line and "IL-" / "2" or "(503) 555-" / "0100" broke inside Latin text. :func:`install` replaces
both of reportlab's CJK wrappers (the per-fragment one in ``platypus.paragraph`` and the
single-string one it imports from ``lib.textsplit``) with :func:`break_points`, which allows a
break before a character only when:

- the character may start a line (not a closing bracket or mark, :data:`CANNOT_START`);
- the character before may end a line (not an opening bracket, :data:`CANNOT_END`);
- it is not inside a run of Latin letters, digits and signs ("IL-2", "(503)", "2026");
- it is not inside a unit: the renderer puts a WORD JOINER (U+2060) between the characters of
  dates, phone numbers and MRNs (:data:`GLUE`); the joiners are removed before layout.

A line that has no allowed break is broken where it is full, so a paragraph always fits.
"""

from __future__ import annotations

GLUE = "\u2060"  # WORD JOINER: no break here (UAX #14); never drawn, removed before layout
OPENING = "([{\u2018\u201c\u3008\u300a\u300c\u300e\u3010\u3014\u3016\u3018\u301a\uff08\uff3b\uff5b\uff5f\uff62"
CLOSING = ")]}\u2019\u201d\u3009\u300b\u300d\u300f\u3011\u3015\u3017\u3019\u301b\uff09\uff3d\uff5d\uff60\uff63"
CANNOT_END = OPENING + "$\u00a3\u00a5\u20ac#\uff04\uffe5\uffe1"
CANNOT_START = CLOSING + (
    "!,.:;?\u2026\u2025\u3001\u3002\u30fb\uff01\uff0c\uff0e\uff1a\uff1b\uff1f\uff5e\u301c\u30fc"
    "\u3005\u3041\u3043\u3045\u3047\u3049\u3063\u3083\u3085\u3087\u308e\u3095\u3096"
    "\u30a1\u30a3\u30a5\u30a7\u30a9\u30c3\u30e3\u30e5\u30e7\u30ee\u30f5\u30f6\u309d\u309e\u30fd\u30fe"
    "%\u2030\u2103\u00b0\uff05")
# Kept for callers of the earlier interface: the full-width marks that may not start a line.
EXTRA_CANNOT_START = "\uff0c\uff0e\uff1a\uff1b\uff01\uff1f\u3001\u3002\u300b\u3009\u3011\u2019\u201d\u2026\uff5e\u30fc"


def _latin(ch: str) -> bool:
    """Part of a run of alphabetic text, digits or signs, broken only at spaces."""
    return ord(ch) < 0x2E80 and not ch.isspace()


def allowed(before: str, after: str) -> bool:
    """May a line end between ``before`` and ``after``?"""
    if after in CANNOT_START or before in CANNOT_END or "\u00a0" in (before, after):
        return False
    if _latin(before) and _latin(after):
        return False
    return not after.isspace()  # a space stays on the line it ends


def strip_glue(text: str) -> tuple[str, list[bool]]:
    """(text without joiners, per character: glued to the one before)."""
    chars, glued, join = [], [], False
    for ch in text:
        if ch == GLUE:
            join = True
            continue
        chars.append(ch)
        glued.append(join)
        join = False
    return "".join(chars), glued


def break_points(chars: str, glued: list[bool], widths: list[float], max_widths: list[float],
                 hard: list[bool] | None = None) -> list[tuple[int, int, float]]:
    """Greedy line filling: (start, end, width used) of each line, ``end`` exclusive. ``hard``:
    a forced break after that character (a ``<br/>``)."""
    lines = []
    start, n = 0, len(chars)
    while start < n:
        limit = max_widths[min(len(lines), len(max_widths) - 1)]
        used, end, last_ok = 0.0, start, None
        while end < n:
            if end > start and not glued[end] and allowed(chars[end - 1], chars[end]):
                last_ok = end
            if used + widths[end] > limit + 1e-6 and end > start:
                break
            used += widths[end]
            end += 1
            if hard and hard[end - 1]:
                break
        else:
            lines.append((start, end, used))
            break
        if hard and hard[end - 1]:
            lines.append((start, end, used))
            start = end
            continue
        if chars[end] == " ":
            pass  # the line ends before the space
        elif chars[end] in CANNOT_START and not glued[end] and end - start > 1:
            end += 1  # a closing mark hangs in the margin rather than start a line
        elif last_ok is not None and last_ok > start:
            end = last_ok
        used = sum(widths[start:end])
        lines.append((start, end, used))
        start = end
        while start < n and chars[start] == " ":  # a break's spaces end the line before
            start += 1
    return lines


def frag_split(frags, maxWidths, calcBounds, encoding="utf8"):
    """reportlab's ``cjkFragSplit`` interface: styled fragments -> ParaLines of FragLines."""
    from reportlab.platypus.paragraph import ParaLines, cjkU, makeCJKParaLine

    units, glued, hard = [], [], []
    for f in frags:
        text = f.text.decode(encoding) if isinstance(f.text, bytes) else f.text
        if not text:
            units.append(cjkU(text, f, encoding))
            glued.append(False)
            hard.append(hasattr(f, "lineBreak"))
            continue
        text, glue = strip_glue(text)
        for ch, g in zip(text, glue):
            units.append(cjkU(ch, f, encoding))
            glued.append(g)
            hard.append(False)
        if hasattr(f, "lineBreak") and hard:
            hard[-1] = True
    widths = []
    for u in units:
        w = u.width
        if hasattr(w, "normalizedValue"):
            w._normalizer = maxWidths[0]
            w = w.normalizedValue(maxWidths[0])
        widths.append(w)
    chars = "".join(u if len(u) == 1 else "\ufffc" for u in units)
    lines = []
    for i, (start, end, used) in enumerate(break_points(chars, glued, widths, list(maxWidths), hard)):
        width = maxWidths[min(i, len(maxWidths) - 1)]
        lines.append(makeCJKParaLine(units[start:end], width, used, width - used, hard[end - 1], calcBounds))
    return ParaLines(kind=1, lines=lines)


def word_split(word, maxWidths, fontName, fontSize, encoding="utf8"):
    """reportlab's ``wordSplit`` interface (one-style CJK paragraphs): [(extra space, line text)]."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if isinstance(word, bytes):
        word = word.decode(encoding)
    text, glued = strip_glue(word)
    widths = [stringWidth(ch, fontName, fontSize) for ch in text]
    if not isinstance(maxWidths, (list, tuple)):
        maxWidths = [maxWidths]
    out = []
    for i, (start, end, used) in enumerate(break_points(text, glued, widths, list(maxWidths))):
        out.append((maxWidths[min(i, len(maxWidths) - 1)] - used, text[start:end]))
    return out


def install() -> None:
    """Both of reportlab's CJK wrappers: the per-fragment one and the single-string one."""
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    paragraph.cjkFragSplit = frag_split
    paragraph.wordSplit = word_split
    for module in (textsplit, paragraph):  # other readers of the lists (reportlab's own checks)
        missing = "".join(ch for ch in EXTRA_CANNOT_START if ch not in module.ALL_CANNOT_START)
        if missing:
            module.ALL_CANNOT_START += missing
