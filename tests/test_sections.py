"""Each section of every shipped language holds its own translated text, read back from the PDF.

The document is cut at its section headings (the h1 size); every string of a section must be
found between that section's heading and the next one. A section that silently prints English,
another section's text, or nothing, fails. Text is compared as character trigrams after NFKC,
without spaces, marks or controls: pypdf hands back Arabic and Persian runs in their own line
order and Hindi vowel signs in drawn order, so those scripts get a lower bar than the others.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from packets.build import Options, build_packet
from packets.content import load_content
from packets.i18n.context import make_context
from packets.i18n.locales import available
from packets.ics import schedule_ics
from packets.localize import regimen_counts
from packets.render.styles import BASE
from tests.conftest import patient
from tests.pdfinspect import spans_by_heading

LOCALES = available()
# Share of a string's trigrams found in its section: pypdf gives these scripts back imperfectly.
BAR = {"ar": 0.6, "fa": 0.6, "hi": 0.6}


def squash(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if unicodedata.category(c)[0] not in "MCZ").lower()


def trigrams(text: str) -> set[str]:
    out = set()
    for piece in re.split(r"\{[^{}]*\}|</?b>|\[EN\]", text):  # placeholders are filled with data
        piece = squash(piece)
        out |= {piece[i:i + 3] for i in range(len(piece) - 2)}
    return out


def score(text: str, within: str) -> float:
    grams = trigrams(text)
    return sum(g in within for g in grams) / len(grams) if grams else 1.0


def section_strings(section) -> list:
    out = []
    for block in section.blocks:
        out += ([block.title] if block.title else []) + ([block.text] if block.text else []) \
            + list(block.sentences) + list(block.items)
    return out


def translated(ctx, message, program, content) -> str:
    """The message in ``ctx``'s language; a plural one in the form its number takes in the packet."""
    if message.plural is None:
        return ctx.gettext(message)
    counts = {**regimen_counts(program), **{k: v.value for k, v in content.values.items() if v.kind == "number"}}
    return ctx.gettext(message, counts[message.count])


@pytest.mark.parametrize("catalog_id", LOCALES)
def test_each_section_holds_its_own_strings(catalog_id, program):
    content = load_content()
    tag = catalog_id.replace("_", "-")
    ctx = make_context(tag, program.territory)
    pdf = build_packet(patient(language=tag), program, Options()).pdf
    spans = [(squash(h), squash(t)) for h, t in spans_by_heading(pdf, BASE["h1"]["fontSize"])]
    bar = BAR.get(catalog_id, 0.9)
    where = []
    for section in content.sections:
        if section.id == "cover":
            continue
        title = ctx.gettext(section.title)
        heading_scores = [score(title, h) for h, _ in spans]
        at = max(range(len(spans)), key=heading_scores.__getitem__)
        assert heading_scores[at] >= 0.7, (section.id, title)
        where.append(at)
        body = spans[at][1]
        for message in section_strings(section):
            text = translated(ctx, message, program, content)
            if len(trigrams(text)) < 4:
                continue
            assert score(text, body) >= bar, (section.id, text, round(score(text, body), 2))
    assert where == sorted(where) and len(set(where)) == len(where)  # in content order, one span each


def test_a_section_printing_english_would_fail(program):
    """The measure above tells a section's own text from English and from another section's."""
    content = load_content()
    ctx = make_context("es", program.territory)
    pdf = build_packet(patient(language="es"), program, Options()).pdf
    spans = {squash(h): squash(t) for h, t in spans_by_heading(pdf, BASE["h1"]["fontSize"])}
    cycle = spans[squash(ctx.gettext(content.section("cycle").title))]
    side = spans[squash(ctx.gettext(content.section("side_effects").title))]
    capillary = next(m for m in section_strings(content.section("cycle")) if "capillary" in m.text)
    assert score(ctx.gettext(capillary), cycle) == 1.0
    assert score(capillary.text, cycle) < 0.5          # the English of the same string
    assert score(ctx.gettext(capillary), side) < 0.5   # the right text in the wrong section


@pytest.mark.parametrize("tag, catalog_id, other", [("zh-TW", "zh_Hant", "zh_Hans"),
                                                   ("zh-CN", "zh_Hans", "zh_Hant")])
def test_a_chinese_patient_gets_the_script_of_their_region(tag, catalog_id, other, program):
    """A patient from Taiwan reads Traditional characters, one from mainland China Simplified:
    every section heading of the packet is the one of the region's catalog, never the other's."""
    content = load_content()
    built = build_packet(patient(language=tag), program, Options())
    assert built.filename == f"00412345-{catalog_id.replace('_', '-')}.pdf"
    mine, theirs = make_context(catalog_id.replace("_", "-"), program.territory), \
        make_context(other.replace("_", "-"), program.territory)
    headings = [squash(h) for h, _ in spans_by_heading(built.pdf, BASE["h1"]["fontSize"])]
    titles = [s.title for s in content.sections if s.id != "cover"]
    differ = [t for t in titles if mine.gettext(t) != theirs.gettext(t)]
    assert len(differ) >= len(titles) // 2  # the two scripts differ in most headings, so this can fail
    for title in titles:
        assert squash(mine.gettext(title)) in headings, (title.text, headings)
    for title in differ:
        assert squash(theirs.gettext(title)) not in headings, title.text


@pytest.mark.parametrize("catalog_id", ["en", "es", "zh_Hans"])
def test_when_to_call_puts_the_emergency_first(catalog_id, program):
    """The emergency instruction, then the day-or-night list, then questions that can wait."""
    content = load_content()
    tag = catalog_id.replace("_", "-")
    ctx = make_context(tag, program.territory)
    pdf = build_packet(patient(language=tag), program, Options()).pdf
    section = content.section("side_effects")
    spans = {squash(h): squash(t) for h, t in spans_by_heading(pdf, BASE["h1"]["fontSize"])}
    body = spans[squash(ctx.gettext(section.title))]
    emergency, lead_in, first_sign, later = (section.blocks[0].text, section.blocks[1].text, section.blocks[2].items[0],
                                             section.blocks[3].text)
    assert section.blocks[0].style == "urgent"
    positions = [body.index(squash(re.split(r"\{[^{}]*\}", ctx.gettext(m))[0])[:10]) for m in
                 (emergency, lead_in, first_sign, later)]
    assert positions == sorted(positions)


def test_the_emergency_instruction_covers_the_four_signs_and_the_family():
    text = load_content().section("side_effects").blocks[0].text.text
    for sign in ("chest pain", "trouble breathing", "fainting", "hard to wake up", "someone with you"):
        assert sign in text


def test_every_block_that_may_state_a_fact_has_a_source_or_a_reason():
    from packets.review import unsourced_blocks
    assert unsourced_blocks(load_content()) == []


@pytest.mark.parametrize("catalog_id, words", [("en", "estimated date"), ("es", "fecha estimada"),
                                               ("zh_Hans", "预计日期")])
def test_the_estimated_scan_event_says_it_is_an_estimate(catalog_id, words, program, sample_patient):
    from packets.clock import printed_date
    from packets.schedule import build_schedule
    schedule = build_schedule(sample_patient, program.regimen)
    assert schedule.response_scan_estimated
    ics = schedule_ics(schedule, make_context(catalog_id, program.territory), load_content(), program,
                       printed_date()).decode("utf-8")
    summaries = [line for line in re.sub(r"\r\n[ \t]", "", ics).splitlines() if line.startswith("SUMMARY")]
    scans = [s for s in summaries if "IL-2" in s and words in s]
    assert len(scans) == 1, summaries
