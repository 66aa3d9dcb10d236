"""Plural forms of the shipped content, read back from the packet.

Every shipped string that puts a number before a noun is a plural message. These tests build
packets from a temporary profile whose regimen numbers are 1, 2, 5 and 21 (the content's own
numbers are set the same way), then read each counted sentence back from its section of the PDF:
it must be the form the language's grammar takes for that number, and no other form may print.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from packets import paths
from packets.build import Options, build_packet
from packets.content import Value, iter_messages
from packets.i18n import locales
from packets.i18n.pofiles import read_catalog
from packets.localize import regimen_counts
from packets.program import load_program
from tests import layoutinspect
from tests.conftest import patient

VALUES = (1, 2, 5, 21)
# The form (msgstr index) each number takes, from each language's grammar (CLDR's categories),
# written out here, not computed by the code under test.
FORM = {
    "en": {1: 0, 2: 1, 5: 1, 21: 1},   # 1 day, 2 days, 5 days, 21 days
    "ru": {1: 0, 2: 1, 5: 2, 21: 0},   # 1 день, 2 дня, 5 дней, 21 день
    "pl": {1: 0, 2: 1, 5: 2, 21: 2},   # 1 dzień, 2 dni, 5 dni, 21 dni
    "ar": {1: 1, 2: 2, 5: 3, 21: 5},   # يوم، يومان، 5 أيام، 21 يومًا
}
# The numbers a plural sentence counts, and where each comes from.
REGIMEN = ("stay_max", "break_weeks", "scan_weeks", "max_cycles")
CONTENT = ("responders", "dose_interval_hours", "infusion_minutes", "max_doses", "fever_onset_max",
           "recovery_max_days")
SECTIONS = (("overview", "About IL-2 treatment", "Who can have IL-2"),
            ("cycle", "What to expect during each cycle", "Side effects and when to call"))


def plural_messages(content):
    return [m for m in iter_messages(content) if m.plural is not None]


def test_every_shipped_number_before_a_noun_is_a_plural_message(content, program):
    """A new sentence such as "rest for {break_days} days" written without plural forms fails here."""
    assert sorted(m.count for m in plural_messages(content)) == sorted(REGIMEN + CONTENT)
    numbers = set(regimen_counts(program)) | {k for k, v in content.values.items() if v.kind == "number"}
    joining = {"to", "or", "in", "and"}  # "{stay_min} to {stay_max} days": the noun follows the last
    for m in iter_messages(content):
        if m.plural is None:
            for name, word in re.findall(r"\{(\w+)\}\s+([A-Za-z]+)", m.text):
                assert name not in numbers or word in joining, (m.text, name, word)


def profile_with(tmp_path, counts: dict[str, int]):
    """The shipped profile with its regimen numbers replaced."""
    text = (paths.content_dir() / "program.yaml").read_text(encoding="utf-8")
    regimen = (f"regimen:\n  stay_days: [1, {counts['stay_max']}]\n  break_days: {7 * counts['break_weeks']}\n"
               f"  scan_weeks_after_second_cycle: {counts['scan_weeks']}\n  cycles_per_course: 2\n"
               f"  max_cycles: {counts['max_cycles']}\n")
    text = re.sub(r"(?ms)^regimen:.*?(?=^\S)", regimen, text, count=1)
    path = tmp_path / "program.yaml"
    path.write_text(text, encoding="utf-8")
    return load_program(path)


def english_forms(message) -> tuple[str, ...]:
    return (message.text, message.plural)


def catalog_forms(catalog_id: str) -> dict[tuple[str, str], tuple[str, ...]]:
    catalog = read_catalog(locales.catalog_path(catalog_id))[0]
    return {(m.context, m.id[0]): tuple(m.string) for m in catalog if isinstance(m.id, tuple)}


def flat(text: str) -> str:
    """Text as :func:`layoutinspect.logical` gives a line back: no spaces, marks or direction
    controls; and no parentheses, which a right-to-left line draws mirrored."""
    return layoutinspect.flat(text).translate({ord("("): None, ord(")"): None})


def section_texts(pdf: bytes, titles: dict[str, str]) -> dict[str, str]:
    """Each section's text, from its heading to the next section's, in reading order
    (right-to-left lines put back in logical order)."""
    # The page header and footer notices are set at 10 pt, body text and headings larger.
    text = flat("".join(line.logical for page in layoutinspect.read(pdf) for line in page.lines if line.size > 10.5))
    out = {}
    for sid, title, following in SECTIONS:
        start = text.index(flat(titles[title])) + len(flat(titles[title]))
        out[sid] = text[start:text.index(flat(titles[following]), start)]
    return out


@pytest.mark.parametrize("shift", range(len(VALUES)))
@pytest.mark.parametrize("language", sorted(FORM))
def test_each_number_prints_its_own_plural_form(tmp_path, content, language, shift):
    """Each build gives every counted sentence one of 1, 2, 5, 21 (shifted from build to build,
    so over the four builds each sentence gets each number)."""
    names = REGIMEN + CONTENT
    counts = {name: VALUES[(i + shift) % len(VALUES)] for i, name in enumerate(names)}
    values = {**content.values, **{n: Value("number", counts[n]) for n in CONTENT},
              "fever_onset_min": Value("number", 1), "recovery_min_days": Value("number", 1)}
    shown = {"out_of": content.values["out_of"].value, "stay_min": 1, "fever_onset_min": 1, "recovery_min_days": 1,
             **counts}
    program = profile_with(tmp_path, counts)
    visitor = patient(language=language, schedule={"cycles": ["2026-03-03"], "response_scan": "2026-04-03"})
    pdf = build_packet(visitor, program, Options(), content=dataclasses.replace(content, values=values)).pdf

    if language == "en":
        forms = {(m.context, m.text): english_forms(m) for m in plural_messages(content)}
        titles = {t: t for s in SECTIONS for t in s[1:]}
    else:
        forms = catalog_forms(language)
        singular = {m.id: m.string for m in read_catalog(locales.catalog_path(language))[0] if isinstance(m.id, str)}
        titles = {t: singular[t] for s in SECTIONS for t in s[1:]}
    sections = section_texts(pdf, titles)
    checked = 0
    for message in plural_messages(content):
        n = counts[message.count]
        candidates = [f.format(**shown) for f in forms[(message.context, message.text)]]
        want = candidates[FORM[language][n]]
        body = sections[message.context]
        assert flat(want) in body, (language, message.count, n, want)
        for other in set(candidates) - {want}:
            assert flat(other) not in body, (language, message.count, n, "wrong form printed", other)
        checked += 1
    assert checked == len(names)


def test_the_forms_read_back_are_the_grammatical_ones():
    """Spot checks of what the catalogs say, in words a reviewer can read (so a catalog whose
    forms were shuffled would not pass the test above by accident)."""
    ru, pl, ar = (catalog_forms(c) for c in ("ru", "pl", "ar"))
    stay = ("cycle", "Each stay lasts {stay_min} to {stay_max} day.")
    assert [ru[stay][FORM["ru"][n]].format(stay_min=1, stay_max=n) for n in (1, 2, 5, 21)] == [
        "Каждое пребывание длится от 1 до 1 дня.", "Каждое пребывание длится от 1 до 2 дней.",
        "Каждое пребывание длится от 1 до 5 дней.", "Каждое пребывание длится от 1 до 21 дня."]
    weeks = ("cycle", "About {scan_weeks} week after your second cycle, you have CT scans or other scans.")
    assert [pl[weeks][FORM["pl"][n]].format(scan_weeks=n).split(" po ")[0] for n in (1, 2, 5, 21)] == [
        "Mniej więcej 1 tydzień", "Mniej więcej 2 tygodnie", "Mniej więcej 5 tygodni", "Mniej więcej 21 tygodni"]
    hours = ("cycle", "Every {dose_interval_hours} hour, you get a dose of IL-2 through a vein.")
    assert [ar[hours][FORM["ar"][n]].format(dose_interval_hours=n).rsplit(" كل ", 1)[1] for n in (1, 2, 5, 21)] == [
        "ساعة.", "ساعتين.", "5 ساعات.", "21 ساعة."]


def test_sentences_of_a_paragraph_print_as_one_paragraph(content, program):
    """Each sentence is its own string; the paragraph joins them with a space, and with nothing
    after a Chinese or Japanese full stop."""
    from packets.i18n.context import make_context
    from packets.localize import Localizer, plain
    block = content.section("cycle").blocks[0]
    assert len(block.sentences) == 3 and block.text is None
    text = {tag: plain(Localizer(content, program, make_context(tag, "US")).text(block)) for tag in ("en", "zh-Hans")}
    assert text["en"] == ("A cycle is one hospital stay for IL-2 treatment. Each stay lasts 5 to 7 days. "
                          "Two cycles, with a break between them, make one course.")
    assert text["zh-Hans"] == "一个周期就是为接受IL-2治疗而住院一次。每次住院5到7天。两个周期（中间有一段休息时间）组成一个疗程。"


@pytest.mark.parametrize("block, problem", [
    ("- type: heading\n    text: [One., Two.]", "only allowed as the text of a paragraph or callout"),
    ("- type: paragraph\n    unsourced: a test\n    text: [One., '']", "a paragraph block has an empty sentence"),
    ("- type: paragraph\n    unsourced: a test\n    text:\n      - one: '{max_doses} dose.'\n"
     "        other: '{max_doses} doses.'\n        count: max_doses\n        note: [a list]", "note must be text"),
])
def test_sentence_lists_and_plural_notes_are_checked(block, problem):
    from packets import yamlio
    from packets.content import parse_packet
    from packets.errors import ConfigError
    text = f"sections:\n- id: cycle\n  title: Cycle\n  blocks:\n  {block}\n"
    with pytest.raises(ConfigError) as err:
        parse_packet(yamlio.load(text, "packet.yaml", ConfigError), "packet.yaml")
    assert problem in str(err.value) and err.value.line


@pytest.mark.parametrize("break_days, weeks, sentence", [
    (3, 1, "for about 1 week."), (10, 1, "for about 1 week."), (11, 2, "for about 2 weeks."),
    (14, 2, "for about 2 weeks."), (17, 2, "for about 2 weeks."), (18, 3, "for about 3 weeks.")])
def test_the_break_is_said_in_the_nearest_whole_number_of_weeks(break_days, weeks, sentence, content):
    """A profile's break in days becomes "about N weeks" at home: the nearest whole week, at least
    one, in the form of that number."""
    from packets import yamlio
    from packets.i18n.context import make_context
    from packets.localize import Localizer, plain, regimen_counts
    from packets.program import parse_program
    from tests.conftest import REAL_PROFILE
    program = parse_program(yamlio.load(REAL_PROFILE.replace("break_days: 14", f"break_days: {break_days}"),
                                        "p.yaml"), "p.yaml")
    assert regimen_counts(program)["break_weeks"] == weeks
    message = next(m for s in content.sections for b in s.blocks for m in (*b.items, *b.sentences)
                   if m.plural is not None and m.count == "break_weeks")
    assert plain(Localizer(content, program, make_context("en", "US")).t(message)).endswith(sentence)
