"""The layout rules of docs/LAYOUT.md, checked on the PDF itself for every shipped language in
every variant (normal, large print, bilingual, A4): positions, sizes and colours read back with
PyMuPDF (tests/layoutinspect.py). Each packet is built once per module and shared by the rules.
"""

from __future__ import annotations

import calendar as pycal
import datetime as dt
import unicodedata

import pytest

from packets import localize as L
from packets.build import Options, build_packet, printed_date
from packets.i18n.context import make_context
from packets.i18n.locales import PSEUDO, available
from packets.localize import bilingual, localize
from packets.render.styles import ACCENT, BASE, LARGE_PRINT, RULE, URGENT
from packets.schedule import build_schedule

from layoutinspect import (CLOSING, OPENING, broken_across, is_rtl, next_in_column, norm_char, read, rgb,
                           signature)


LOCALES = [c for c in available() if c not in PSEUDO]
VARIANTS = {
    "normal": Options(),
    "large": Options(large_print=True),
    "bilingual": Options(bilingual=True),
    "a4": Options(paper="a4"),
}
CASES = [(loc, v) for loc in LOCALES for v in VARIANTS]
ACCENT_RGB, RULE_RGB, URGENT_RGB = (rgb(c.hexval()[2:]) for c in (ACCENT, RULE, URGENT))


def test_every_shipped_language_is_checked():
    assert len(LOCALES) == 16 and LOCALES[0] == "en"


class Packet:
    def __init__(self, pdf: bytes, doc: L.Document, large: bool):
        self.pdf, self.doc, self.large = pdf, doc, large
        self.pages = read(pdf)
        body = LARGE_PRINT["body"]["fontSize"] if large else BASE["body"]["fontSize"]
        self.body_size = body
        self.h2_size = (LARGE_PRINT if large else BASE)["h2"]["fontSize"]

    def is_heading(self, line) -> bool:
        return all(s.color == ACCENT_RGB and s.size >= self.h2_size - 0.1 for s in line.spans)

    def pages_with(self, text: str) -> list[int]:
        """Pages where ``text`` is printed whole on one line (order aside)."""
        want = signature(text)
        return [p.number for p in self.pages for ln in p.lines if not want - ln.signature]


@pytest.fixture(scope="module")
def packets(content, program, sample_patient):
    cache: dict = {}

    def get(locale: str, variant: str) -> Packet:
        key = (locale, variant)
        if key not in cache:
            opts = VARIANTS[variant]
            opts = Options(language=locale.replace("_", "-"), paper=opts.paper,
                           large_print=opts.large_print, bilingual=opts.bilingual)
            pdf = build_packet(sample_patient, program, opts, content).pdf
            schedule = build_schedule(sample_patient, program.regimen)
            ctx = make_context(opts.language, program.territory)
            doc = localize(content, program, sample_patient, schedule, ctx, printed_date())
            if opts.bilingual:
                en = make_context("en", program.territory)
                doc = bilingual(doc, localize(content, program, sample_patient, schedule, en, printed_date()),
                                content, program, ctx)
            cache[key] = Packet(pdf, doc, opts.large_print)
        return cache[key]

    return get


def _units(doc: L.Document) -> set[str]:
    """Every text the layout promises never to break: the model's no-break runs."""
    out = set()

    def runs(rs):
        for r in rs:
            if r.nobreak and len(r.text.strip()) > 1:
                out.add(r.text.strip())

    def block(b):
        if isinstance(b, (L.Paragraph, L.Heading, L.Callout)):
            runs(b.runs)
        elif isinstance(b, L.Bullets):
            for item in b.items:
                runs(item)
        elif isinstance(b, L.Table):
            for label, value in b.rows:
                runs(label)
                runs(value)
        elif isinstance(b, L.Resource):
            out.update((b.phone, b.url))

    runs(doc.header)
    for cv in filter(None, (doc.cover, doc.second_cover)):
        for label, value in cv.fields:
            runs(value)
        block(cv.dates)
    for section in doc.sections:
        for b in section.blocks:
            block(b)
    for t in doc.language_help.taglines:
        runs(t.text)
    return out


# -- rule 1 -----------------------------------------------------------------------------------

@pytest.mark.parametrize("locale,variant", CASES)
def test_rule1_no_heading_ends_a_page(packets, locale, variant):
    pk = packets(locale, variant)
    for page in pk.pages:
        heads = [i for i, ln in enumerate(page.body) if pk.is_heading(ln)]
        if not heads:
            continue
        last = heads[-1]
        while last - 1 in heads:  # a heading of two lines
            last -= 1
        below = {round(ln.base) for ln in page.body[last:] if not pk.is_heading(ln)}
        assert len(below) >= 2, f"page {page.number}: heading '{page.body[last].text}' has {len(below)} line(s) under it"


# -- rule 2 -----------------------------------------------------------------------------------

def _anchors(values) -> list[str]:
    """The units (dates, phones, URLs) among table values: each prints whole on one line."""
    return [r.text for v in values for r in v if r.nobreak and r.text.strip()]


def _one_page(pk: Packet, texts, what: str) -> set[int]:
    """The pages on which every one of ``texts`` is printed (a block printed whole there)."""
    pages = None
    assert texts, what
    for t in texts:
        found = set(pk.pages_with(t))
        assert found, f"{what}: '{t}' is not printed whole on any line"
        pages = found if pages is None else pages & found
    assert pages, f"{what} is split across pages"
    return pages


@pytest.mark.parametrize("locale,variant", CASES)
def test_rule2_keep_together_blocks_never_split(packets, locale, variant):
    pk = packets(locale, variant)
    doc = pk.doc
    # the sources list: its grey lines all on one page
    grey = {p.number for p in pk.pages for ln in p.body for s in ln.spans if s.color == RULE_RGB}
    assert len(grey) == 1, f"the sources are on pages {sorted(grey)}"
    # each month of the calendar: title and all its days on one page
    grids = []
    for page in pk.pages:
        count = None
        for ln in page.body:
            if pk.is_heading(ln):
                if count:
                    grids.append(count)
                count = 0
            elif count is not None and all(unicodedata.digit(c, None) is not None for c in ln.text.replace(" ", "")):
                count += len(ln.text.split())
        if count:
            grids.append(count)
    months = [sum(1 for w in m.weeks for d in w if d) for m in doc.calendar.months]
    assert [g for g in grids if g >= 7] == months, "a month's grid is split or missing"
    # the dates table and the cover's details
    for cv in filter(None, (doc.cover, doc.second_cover)):
        _one_page(pk, _anchors(v for _, v in cv.dates.rows), "the dates table")
        _one_page(pk, _anchors(v for _, v in cv.fields), "the cover's details")
    # each resource and the contact table
    sections = [s for s in doc.sections]
    for s in sections:
        for b in s.blocks:
            if isinstance(b, L.Resource):
                _one_page(pk, [b.phone, b.url], f"resource {b.url}")
    # when to call: the title, the emergency box and the contacts together
    for s in sections:
        if not any(isinstance(b, L.Callout) and b.urgent for b in s.blocks):
            continue
        title = next(p.number for p in pk.pages for ln in p.body
                     if pk.is_heading(ln) and not signature(ln.text) - signature(L.plain(s.title)))
        urgent = {p.number for p in pk.pages for ln in p.body for sp in ln.spans
                  if sp.color == URGENT_RGB and sp.size >= pk.body_size - 0.1}
        contact = next(b for b in s.blocks if isinstance(b, L.Table) and b.kind == "contact")
        contacts = _one_page(pk, _anchors(v for _, v in contact.rows), "the contact table")
        assert title in urgent, f"when to call: the title is on page {title}, the emergency box on {sorted(urgent)}"
        if not pk.large:  # in large print the contacts may follow on the next page (docs/LAYOUT.md)
            assert title in contacts, f"when to call: title on page {title}, contacts on pages {contacts}"


# -- rule 3 -----------------------------------------------------------------------------------

@pytest.mark.parametrize("locale,variant", CASES)
def test_rule3_units_never_break_across_lines(packets, locale, variant):
    pk = packets(locale, variant)
    units = _units(pk.doc) | {"IL-2"}
    assert units
    for page in pk.pages:
        for i, a in enumerate(page.lines):
            b = next_in_column(page.lines, i)
            if b is None or len(b.text.strip()) <= 2 and b.text.strip().isdigit():
                continue  # a calendar's day cell is not running text
            for u in units:
                assert not broken_across(u, a, b), f"page {page.number}: '{u}' breaks between '{a.text}' / '{b.text}'"


# -- rule 4 -----------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", LOCALES)
def test_rule4_large_print_is_18pt_and_the_cover_shows_the_dates(packets, locale):
    pk = packets(locale, "large")
    small = sorted({(round(s.size, 1), s.text[:20]) for p in pk.pages for ln in p.lines for s in ln.spans if s.size < 18})
    assert not small, f"text under 18 pt: {small[:5]}"
    for d in _anchors(v for _, v in pk.doc.cover.dates.rows):
        assert 1 in pk.pages_with(d), f"'{d}' is not on the cover"


# -- rule 5 -----------------------------------------------------------------------------------

def _bracket_faults(line) -> list[str]:
    text = line.text.strip().replace("\u202a", "").replace("\u202c", "")
    if len(text) < 2:
        return []
    if is_rtl(text):
        # visual order: the logical end is on the left, drawn mirrored
        left, nxt, right, prev = text[0], text[1], text[-1], text[-2]
        faults = []
        if left in CLOSING and not (nxt.isdigit() or nxt.isascii() and nxt.isalpha()):
            faults.append(f"opening bracket ends '{text}'")
        if right in OPENING and not (prev.isdigit() or prev.isascii() and prev.isalpha()):
            faults.append(f"closing bracket starts '{text}'")
        return faults
    faults = []
    if text[-1] in OPENING:
        faults.append(f"opening bracket ends '{text}'")
    if text[0] in CLOSING:
        faults.append(f"closing bracket starts '{text}'")
    return faults


@pytest.mark.parametrize("locale,variant", CASES)
def test_rule5_no_bracket_at_the_wrong_end_of_a_line(packets, locale, variant):
    pk = packets(locale, variant)
    faults = [f"page {p.number}: {f}" for p in pk.pages for ln in p.lines for f in _bracket_faults(ln)]
    assert not faults, faults[:5]


# -- rule 6 -----------------------------------------------------------------------------------

RTL_LOCALES = [c for c in LOCALES if make_context(c.replace("_", "-"), "US").direction == "rtl"]


def _ltr_texts(doc: L.Document) -> list[str]:
    texts = ["\u2013 " + s for s in doc.sources] + [n for n in doc.notices if not is_rtl(n)]
    texts.append(L.plain(doc.language_help.english_title))
    texts += [f"{L.plain(t.name)}: {L.plain(t.text)}" for t in doc.language_help.taglines if t.direction == "ltr"]
    for s in doc.sections:
        if s.catalog_id == "en":  # a bilingual packet's English sections
            texts += [L.plain(b.runs) for b in s.blocks if isinstance(b, L.Paragraph)]
    return texts


@pytest.mark.parametrize("locale,variant", [(loc, v) for loc in RTL_LOCALES for v in VARIANTS])
def test_rule6_left_to_right_lines_read_left_to_right_in_rtl_packets(packets, locale, variant):
    pk = packets(locale, variant)
    pages = [_flat("".join(ln.text for ln in p.lines)) for p in pk.pages]
    for text in _ltr_texts(pk.doc):
        want = _flat(text)
        assert any(want in page for page in pages), f"not printed intact, left to right: '{text}'"


def _flat(text: str) -> str:
    return "".join("".join(norm_char(c) for c in text).split())  # CJK lines join without a space


def test_rule6_checks_the_right_to_left_languages():
    assert set(RTL_LOCALES) == {"ar", "fa"}


# -- rule 7 -----------------------------------------------------------------------------------

def _starts_with(page, runs) -> bool:
    first = next((ln for ln in page.body), None)
    want = signature(L.plain(runs))
    return first is not None and not signature(first.text) - want


@pytest.mark.parametrize("locale,variant", CASES)
def test_rule7_no_page_is_less_than_a_third_full(packets, locale, variant):
    pk = packets(locale, variant)
    doc = pk.doc
    # Deliberate breaks: before the calendar, the language-help page and an English cover.
    starts = [doc.calendar.title, doc.language_help.title]
    if doc.second_cover:
        starts.append(doc.second_cover.program_name)
    for page, after in zip(pk.pages, pk.pages[1:]):
        if any(_starts_with(after, s) for s in starts) or not page.body:
            continue
        bottom = page.footer_rule if page.footer_rule is not None else page.height - 43
        fill = (page.body[-1].bottom - page.header_rule) / (bottom - page.header_rule)
        assert fill >= 1 / 3, f"page {page.number} is {fill:.0%} full"


# -- rule 8 -----------------------------------------------------------------------------------

def _crossings(page) -> list[str]:
    out = []
    spans = [s for ln in page.lines for s in ln.spans]
    for s in spans:
        x0, y0, x1, y1 = s.ink
        if x0 < 0.3 * 72 or x1 > page.width - 0.3 * 72 or y0 < 0.2 * 72 or y1 > page.height - 0.2 * 72:
            out.append(f"'{s.text}' runs off the paper")
        for x, ly0, ly1 in page.vlines:
            if x0 + 1 < x < x1 - 1 and min(y1, ly1) - max(y0, ly0) > 2:
                out.append(f"'{s.text}' crosses a vertical rule at x={x:.0f}")
        for y, lx0, lx1 in page.hlines:
            if y0 + 1 < y < y1 - 1 and min(x1, lx1) - max(x0, lx0) > 2:
                out.append(f"'{s.text}' crosses a horizontal rule at y={y:.0f}")
    ordered = sorted(spans, key=lambda s: s.ink[1])
    for i, a in enumerate(ordered):
        ax0, ay0, ax1, ay1 = a.ink
        for b in ordered[i + 1:]:
            bx0, by0, bx1, by1 = b.ink
            if by0 >= ay1:
                break
            if min(ax1, bx1) - max(ax0, bx0) > 1.5 and min(ay1, by1) - max(ay0, by0) > 1.5:
                out.append(f"'{a.text}' and '{b.text}' overlap")
    return out


@pytest.mark.parametrize("locale,variant", CASES)
def test_rule8_no_text_runs_outside_its_frame_or_cell(packets, locale, variant):
    pk = packets(locale, variant)
    faults = [f"page {p.number}: {f}" for p in pk.pages for f in _crossings(p)]
    assert not faults, faults[:5]
    for p in pk.pages:  # the body stays between the header's rule and the footer's
        assert all(ln.top > p.header_rule - 1 for ln in p.body), f"page {p.number}: text over the header rule"


# -- the page header with the longest name allowed (issue 10) ------------------------------------

LONG_NAMES = {  # script -> (language, a name of MAX_NAME characters)
    "latin": ("es-US", "María de los Ángeles Wolfeschlegelsteinhausen-Bergerdorff "),
    "arabic": ("ar", "عبد الرحمن بن محمد بن عبد الله الهاشمي "),
    "cjk": ("zh-Hant", "歐陽陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴徐周葉蘇莊呂江何蕭羅高潘簡朱鍾游彭詹胡施沈余盧梁趙顏柯翁魏孫戴范方宋鄧"),
    "devanagari": ("hi", "श्रीमती अन्नपूर्णा लक्ष्मीनारायण चतुर्वेदी "),
}


@pytest.mark.parametrize("script", LONG_NAMES)
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_the_header_stays_on_the_page_with_the_longest_name(program, content, script, large):
    from conftest import patient
    from packets.patient import MAX_NAME

    language, seed = LONG_NAMES[script]
    name = (seed * (MAX_NAME // len(seed) + 1))[:MAX_NAME].strip()
    pdf = build_packet(patient(name=name, language=language), program, Options(large_print=large), content).pdf
    pages = read(pdf)
    for p in (pages[0], pages[-1]):
        header = [ln for ln in p.chrome if ln.base < p.header_rule]
        assert len(header) >= 2, "a name this long wraps in the header"
        assert all(ln.top > 0 and ln.bottom < p.header_rule for ln in header), f"page {p.number}: the header runs off"
        assert all(ln.top > p.header_rule - 1 for ln in p.body), f"page {p.number}: the body runs into the header"
        faults = _crossings(p)
        assert not faults, faults[:3]
