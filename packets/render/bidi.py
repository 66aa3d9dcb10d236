"""The Unicode bidi algorithm for reportlab, on python-bidi.

reportlab lays out right-to-left paragraphs (``wordWrap='RTL'``) through an optional
module, ``rlbidi``, that is not installable here. It needs one function::

    log2vis(text, base_direction='RTL', clean=True, positions_V_to_L=None) -> str

returning the visual order and filling ``positions_V_to_L`` (visual index -> logical index).
:func:`log2vis` implements it on python-bidi's reference algorithm (rules X1-X10, W1-W7,
N1-N2, I1-I2, L1-L2, L4) plus the bracket-pair rule N0 (UBA 6.3), which python-bidi's
Python implementation lacks and which keeps "(503) 215-1234" or "(MRN 123)" whole inside
Arabic text. :func:`install` registers this module as ``rlbidi`` before reportlab loads.

Isolates (UBA 6.3: LRI, RLI, FSI ... PDI), which python-bidi's Python implementation does not
know either, are resolved the way UAX #9 defines them: seen from outside, an isolate is one
neutral character; inside, it is ordered on its own, in the direction its initiator says (FSI:
its first strong character). A patient's name is one isolate (``localize`` wraps it in FSI ...
PDI), so nothing in a name can reorder the header, cell or line around it.
"""

from __future__ import annotations

import sys
import types
import unicodedata
from functools import lru_cache

from bidi import algorithm as _uba

# Paired brackets (Unicode BidiBrackets.txt, the pairs that occur in running text).
_OPEN = {"(": ")", "[": "]", "{": "}", "\u2045": "\u2046", "\u207d": "\u207e", "\u208d": "\u208e",
         "\u2329": "\u232a", "\u3008": "\u3009", "\u300a": "\u300b", "\u300c": "\u300d",
         "\u300e": "\u300f", "\u3010": "\u3011", "\uff08": "\uff09", "\uff3b": "\uff3d",
         "\uff5b": "\uff5d", "\uff62": "\uff63"}
_CLOSE = {v: k for k, v in _OPEN.items()}
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
_INITIATORS = (LRI, RLI, FSI)
_CONTROLS = {"\u200e", "\u200f", "\u061c", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
             LRI, RLI, FSI, PDI}
_NEUTRAL = "\ufffc"  # OBJECT REPLACEMENT CHARACTER, class ON: an isolate as seen from outside


def _strong(t: str) -> str | None:
    if t == "L":
        return "L"
    if t in ("R", "AL", "EN", "AN"):  # N0: numbers count as R inside brackets
        return "R"
    return None


def _resolve_brackets(storage) -> None:
    """Rule N0, applied per level run after the weak types are resolved."""
    chars = storage["chars"]
    for run in storage["runs"]:
        start, length = run["start"], run["length"]
        embedding = "R" if chars[start]["level"] % 2 else "L"
        idx = range(start, start + length)
        # BD16: find bracket pairs.
        stack, pairs = [], []
        for i in idx:
            ch = chars[i]["ch"]
            if chars[i]["type"] != "ON":
                continue
            if ch in _OPEN:
                if len(stack) >= 63:
                    break
                stack.append((_OPEN[ch], i))
            elif ch in _CLOSE:
                for depth in range(len(stack) - 1, -1, -1):
                    if stack[depth][0] == ch:
                        pairs.append((stack[depth][1], i))
                        del stack[depth:]
                        break
        for open_i, close_i in sorted(pairs):
            inside = {_strong(chars[k]["type"]) for k in range(open_i + 1, close_i)} - {None}
            if not inside:
                continue
            if embedding in inside:
                direction = embedding
            else:
                before = run["sor"]
                for k in range(open_i - 1, start - 1, -1):
                    s = _strong(chars[k]["type"])
                    if s:
                        before = s
                        break
                opposite = "L" if embedding == "R" else "R"
                direction = opposite if before == opposite else embedding
            for k in (open_i, close_i):
                chars[k]["type"] = direction
            # NSMs after a bracket take its new type (N0, last paragraph).
            for k in (open_i, close_i):
                j = k + 1
                while j < start + length and chars[j]["orig"] == "NSM":
                    chars[j]["type"] = direction
                    j += 1


def levels_and_order(text: str, base_direction: str = "RTL"):
    """Return (visual characters, visual->logical indices, levels by logical index)."""
    storage = _uba.get_empty_storage()
    base = 1 if base_direction.upper() == "RTL" else 0
    storage["base_level"] = base
    storage["base_dir"] = ("L", "R")[base]
    _uba.get_embedding_levels(text, storage)
    for i, ch in enumerate(storage["chars"]):
        ch["i"] = i
        if not ch["type"]:  # unassigned in this Python's Unicode data: UAX #9 defaults them to L
            ch["type"] = ch["orig"] = "L"
    _uba.explicit_embed_and_overrides(storage)
    _uba.resolve_weak_types(storage)
    _resolve_brackets(storage)
    _uba.resolve_neutral_types(storage, False)
    _uba.resolve_implicit_levels(storage, False)
    levels = [c["level"] for c in storage["chars"]]
    _uba.reorder_resolved_levels(storage, False)
    _uba.apply_mirroring(storage, False)
    return [c["ch"] for c in storage["chars"]], [c["i"] for c in storage["chars"]], levels


_JOINERS = ("\u200c", "\u200d")  # ZWNJ, ZWJ: class BN, which python-bidi deletes (rule X9)


def _keep_joiners(text: str, base_direction: str):
    """:func:`levels_and_order`, keeping ZWNJ and ZWJ (UAX #9, section 5.2: a retained BN takes
    the level of the character before it and stays beside it). Persian writes ZWNJ inside
    words (می‌شود); dropped, the PDF's text layer would give the wrongly joined «میشود»."""
    kept = [i for i, c in enumerate(text) if c not in _JOINERS]
    chars, order, core_levels = levels_and_order("".join(text[i] for i in kept), base_direction)
    level = {kept[i]: lvl for i, lvl in enumerate(core_levels)}
    visual = [(c, kept[i]) for c, i in zip(chars, order)]
    base = 1 if base_direction.upper() == "RTL" else 0
    for j in (i for i, c in enumerate(text) if c in _JOINERS):
        level[j] = level.get(j - 1, base)
        at = next((k for k, (_, i) in enumerate(visual) if i == j - 1), None)
        if at is None:
            at = len(visual) if level[j] % 2 == 0 else 0
        elif level[j] % 2 == 0:
            at += 1  # left to right: after its predecessor; right to left: to its left
        visual.insert(at, (text[j], j))
    return [c for c, _ in visual], [i for _, i in visual]


def _matching_pdi(text: str, start: int) -> int:
    """BD9: the index of the PDI closing the isolate opened at ``start`` (len(text) if none)."""
    depth = 0
    for i in range(start + 1, len(text)):
        c = text[i]
        if c in _INITIATORS:
            depth += 1
        elif c == PDI:
            if depth == 0:
                return i
            depth -= 1
    return len(text)


def first_strong(text: str) -> str:
    """P2/P3 (as for FSI): "RTL" if the first strong character outside nested isolates is R or
    AL, else "LTR"."""
    i = 0
    while i < len(text):
        c = text[i]
        if c in _INITIATORS:
            i = _matching_pdi(text, i) + 1
            continue
        kind = unicodedata.bidirectional(c)
        if kind == "L":
            return "LTR"
        if kind in ("R", "AL"):
            return "RTL"
        i += 1
    return "LTR"


def _isolated(text: str, base_direction: str):
    """Order text holding isolates: each outermost isolate stands as one neutral character
    while the text around it is ordered, then is ordered on its own and put in its place."""
    outer: list[str] = []
    source: list = []  # per outer character: its index in ``text``, or (start, end, direction)
    i = 0
    while i < len(text):
        c = text[i]
        if c in _INITIATORS:
            end = _matching_pdi(text, i)
            direction = "LTR" if c == LRI else "RTL" if c == RLI else first_strong(text[i + 1:end])
            outer.append(_NEUTRAL)
            source.append((i, end, direction))
            i = end + 1
            continue
        outer.append(_NEUTRAL if c == PDI else c)  # a PDI with no initiator: a neutral
        source.append(i)
        i += 1
    chars, order = _ordered("".join(outer), base_direction)
    out_chars, out_order = [], []
    for ch, at in zip(chars, order):
        src = source[at]
        if isinstance(src, int):
            out_chars.append(text[src] if text[src] == PDI else ch)
            out_order.append(src)
            continue
        start, end, direction = src
        inner_chars, inner_order = _ordered(text[start + 1:end], direction)
        out_chars += [text[start], *inner_chars]
        out_order += [start, *(start + 1 + k for k in inner_order)]
        if end < len(text):
            out_chars.append(text[end])
            out_order.append(end)
    return out_chars, out_order


def _ordered(text: str, base_direction: str):
    """(visual characters, visual -> logical indices), controls kept."""
    if not text:
        return [], []
    if any(c in text for c in _INITIATORS) or PDI in text:
        return _isolated(text, base_direction)
    if any(j in text for j in _JOINERS):
        return _keep_joiners(text, base_direction)
    chars, order, _ = levels_and_order(text, base_direction)
    return chars, order


@lru_cache(maxsize=8192)
def _visual(text: str, base_direction: str, clean: bool) -> tuple[str, tuple[int, ...]]:
    """Memoised: the same lines recur in every packet of a language."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):  # lone surrogates: leave untouched
        return text, tuple(range(len(text)))
    chars, order = _ordered(text, base_direction)
    if clean:
        kept = [(c, i) for c, i in zip(chars, order) if c not in _CONTROLS]
        chars, order = [c for c, _ in kept], [i for _, i in kept]
    return "".join(chars), tuple(order)


def log2vis(text: str, base_direction: str = "RTL", clean: bool = True, positions_V_to_L=None, **_):
    """rlbidi's interface: logical -> visual order; fills ``positions_V_to_L`` if given."""
    if not text:
        return text
    visual, order = _visual(str(text), (base_direction or "RTL").upper(), bool(clean))
    if positions_V_to_L is not None:
        positions_V_to_L[:] = order
    return visual


def install() -> None:
    """Make reportlab's RTL support use :func:`log2vis` (must run before reportlab.pdfgen loads)."""
    if "rlbidi" in sys.modules:
        return
    if "reportlab.pdfgen.textobject" in sys.modules:
        raise RuntimeError("install the bidi support before reportlab.pdfgen is imported")
    module = types.ModuleType("rlbidi")
    module.log2vis = log2vis
    module.__doc__ = "rlbidi's interface, provided by packets.render.bidi on python-bidi"
    sys.modules["rlbidi"] = module


@lru_cache(maxsize=16384)
def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


_REORDERS = {"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}


@lru_cache(maxsize=16384)
def needs_bidi(text: str) -> bool:
    """True if left-to-right text may not be drawn in logical order as it is: right-to-left
    letters, Arabic digits, or explicit direction controls (which also must not be drawn)."""
    return any(unicodedata.bidirectional(c) in _REORDERS or c in _CONTROLS for c in text)


def line_contexts(lines: list[str]) -> list[tuple[str, str]]:
    """Per line of a paragraph: (prefix, text) to order the line with, so an isolate broken
    across lines stays isolated on each (UAX #9 resolves levels per paragraph, then orders each
    line). Each FSI becomes LRI or RLI as its whole content decides, and a line that starts
    inside an isolate is prefixed with the initiators still open."""
    whole = "".join(lines)
    resolved: dict[int, str] = {}
    for i, c in enumerate(whole):
        if c == FSI:
            resolved[i] = LRI if first_strong(whole[i + 1:_matching_pdi(whole, i)]) == "LTR" else RLI
    out, stack, offset = [], [], 0
    for line in lines:
        prefix = "".join(stack)
        chars = []
        for k, c in enumerate(line):
            c = resolved.get(offset + k, c)
            if c in _INITIATORS:
                stack.append(c)
            elif c == PDI and stack:
                stack.pop()
            chars.append(c)
        out.append((prefix, "".join(chars)))
        offset += len(line)
    return out
