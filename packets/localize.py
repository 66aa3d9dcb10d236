"""Localize: content + program + patient schedule + LocaleContext -> a localized document.

In: untranslated model objects and one explicit :class:`LocaleContext`.
Out: a :class:`Document` of plain text runs (no markup, no reportlab), ready for any renderer.

Translated strings may carry ``<b>...</b>``; it becomes bold :class:`Run` objects here.
Placeholder values (the patient's name, dates, phone numbers) are inserted as plain text and
are never parsed as markup, so a name like ``<font size=40>`` prints exactly as typed.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

from .content import Block, Content, Message
from .errors import ConfigError
from .i18n.context import LocaleContext
from .i18n.locales import native_name, script_id
from .patient import Patient
from .program import Program
from .schedule import Schedule


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    nobreak: bool = False  # a unit (date, phone, number, MRN, short name): never broken across lines


# Placeholders whose values are running text, free to wrap; every other value (dates, phones,
# numbers, MRNs) is a unit that never breaks across lines.
FREE_TEXT = frozenset({"program_name", "unit_name", "hospital_name", "test"})
# A name this long or shorter stays on one line (docs/LAYOUT.md, rule 3).
SHORT_NAME = 20


Runs = tuple[Run, ...]


def plain(runs: Runs) -> str:
    return "".join(r.text for r in runs)


FSI, PDI = "\u2068", "\u2069"  # FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE


def isolated(name: str) -> str:
    """A patient's name as one bidi isolate (UAX #9), in composed form (NFC).

    Seen from the text around it, an isolate is a single neutral character: an Arabic name
    ending a header line cannot pull the MRN after it into its right-to-left run, nor a Latin
    name ending in "Jr." lose its period to an Arabic line. Inside, the name takes the direction
    of its first letter. NFC turns a letter typed as base + combining accent (as some systems
    store Vietnamese) into the precomposed letter the fonts draw best; it looks the same.
    """
    return FSI + unicodedata.normalize("NFC", name) + PDI


@dataclass(frozen=True)
class Heading:
    runs: Runs


@dataclass(frozen=True)
class Paragraph:
    runs: Runs


@dataclass(frozen=True)
class Bullets:
    items: tuple[Runs, ...]
    checkboxes: bool = False


@dataclass(frozen=True)
class Callout:
    runs: Runs
    urgent: bool = False


@dataclass(frozen=True)
class Table:
    """Label/value rows. ``header`` may be empty; ``title`` goes above the table."""

    title: Runs
    header: tuple[Runs, ...]
    rows: tuple[tuple[Runs, Runs], ...]
    kind: str = "dates"  # "dates" | "contact"


@dataclass(frozen=True)
class Resource:
    name: Runs
    text: Runs
    phone_label: Runs
    phone: str
    url: str


@dataclass(frozen=True)
class Day:
    number: str                # the day of the month, in the locale's digits
    kinds: frozenset = frozenset()  # hospital | maybe | break | scan | visit


@dataclass(frozen=True)
class Month:
    title: Runs
    weekdays: tuple[str, ...]              # 7 short names, from the locale's first weekday
    weeks: tuple[tuple[Day | None, ...], ...]


@dataclass(frozen=True)
class Calendar:
    title: Runs
    months: tuple[Month, ...]
    legend: tuple[tuple[str, Runs], ...]   # (kind, label)


CALENDAR_KINDS = ("hospital", "maybe", "break", "scan", "visit")


@dataclass(frozen=True)
class Tagline:
    """One language-assistance notice, written in its own language and script."""

    catalog_id: str
    direction: str
    name: Runs
    text: Runs


@dataclass(frozen=True)
class LanguageHelp:
    title: Runs
    english_title: Runs
    taglines: tuple[Tagline, ...]


@dataclass(frozen=True)
class Section:
    id: str
    title: Runs
    blocks: tuple
    catalog_id: str | None = None   # set when the section is in another language than the packet
    direction: str | None = None


@dataclass(frozen=True)
class Cover:
    program_name: Runs
    title: Runs
    fields: tuple[tuple[Runs, Runs], ...]  # (label, value): prepared for, MRN, birth date, printed on
    intro: Runs
    dates: Table


@dataclass
class Document:
    lang: str                # BCP 47, for PDF metadata
    direction: str           # ltr | rtl
    catalog_id: str
    meta_title: str          # generic, never the patient's name
    header: Runs             # patient name + MRN, on every page
    page_label: Callable[[int, int], str]
    notices: tuple[str, ...]  # draft/fallback notices, on every page
    cover: Cover
    sections: tuple[Section, ...]
    sources: tuple[str, ...] = field(default=())
    sources_title: Runs = ()
    calendar: Calendar | None = None
    language_help: LanguageHelp | None = None
    second_cover: Cover | None = None  # bilingual packets: the cover again, in English
    second_catalog_id: str | None = None
    appendix: tuple[Section, ...] = ()  # translator previews: the check's findings, last
    # Printed across every page of a packet from an unreviewed profile: "SAMPLE — not for patient
    # use" in the packet's language, then in English. Drawn over the page, so a sample paginates
    # exactly like the real packet.
    watermark: tuple[str, ...] = ()


_TAG = re.compile(r"(</?b>)")


def fill(template: str, values: dict[str, str | Runs], where: str = "") -> Runs:
    """Split ``<b>`` markup into runs and fill ``{placeholders}`` with plain text. A value is a
    run of its own, marked ``nobreak`` unless its placeholder is running text (:data:`FREE_TEXT`)."""
    runs: list[Run] = []
    bold = False
    for part in _TAG.split(template):
        if part == "<b>":
            bold = True
            continue
        if part == "</b>":
            bold = False
            continue
        if not part:
            continue
        try:
            for literal, name, _spec, _conv in string.Formatter().parse(part):
                runs.append(Run(literal, bold))
                if name is not None:
                    if name not in values:
                        raise ConfigError(f"unknown placeholder {{{name}}} in '{template[:60]}'", file=where or None)
                    value = values[name]
                    if isinstance(value, tuple):  # already runs (a date range)
                        runs.extend(Run(r.text, bold or r.bold, r.nobreak) for r in value)
                    else:
                        runs.append(Run(value, bold, name not in FREE_TEXT))
        except ValueError as exc:
            raise ConfigError(f"broken placeholder in '{template[:60]}' ({exc})", file=where or None) from None
    return _merge(r for r in runs if r.text)


def _merge(runs) -> Runs:
    """Adjacent runs of the same style become one (fewer fragments to lay out)."""
    out: list[Run] = []
    for run in runs:
        if out and not run.nobreak and not out[-1].nobreak and out[-1].bold == run.bold:
            out[-1] = Run(out[-1].text + run.text, run.bold)
        else:
            out.append(run)
    return tuple(out)


def unit(text: str, bold: bool = False) -> Runs:
    """A value that prints whole on one line: a date, a phone number, an MRN."""
    return (Run(text, bold, True),)


def regimen_counts(program: Program) -> dict[str, int]:
    """The profile's numbers that content text may name, by placeholder."""
    reg = program.regimen
    return {"stay_min": reg.stay_min, "stay_max": reg.stay_max, "break_days": reg.break_days,
            "break_weeks": max(1, round(reg.break_days / 7)),  # "about 2 weeks"
            "cycles_per_course": reg.cycles_per_course, "scan_weeks": reg.scan_weeks,
            "max_cycles": reg.max_cycles}


# A sentence ending in one of these (Chinese and Japanese full stops, full-width brackets) is
# followed by the next sentence of its paragraph directly; any other by a space.
_CLOSED = ("\u3002", "\uff01", "\uff1f", "\u300d", "\u300f", "\uff09")


class Localizer:
    """Binds one context to the content so each block type has a short method."""

    def __init__(self, content: Content, program: Program, ctx: LocaleContext):
        self.content, self.program, self.ctx = content, program, ctx
        # The numbers themselves: each is printed in the locale's digits, and a plural message's
        # ``count`` picks its form from the same number.
        self.counts = regimen_counts(program)
        self.counts.update({name: v.value for name, v in content.values.items() if v.kind == "number"})
        values = {
            "program_name": ctx.gettext(program.program_name),
            "unit_name": ctx.gettext(program.unit_name),
            "hospital_name": program.hospital_name,
            "phone_main": program.phone_main,
            "phone_24h": program.phone_24h,
            "emergency_number": program.emergency_number,
            **{name: ctx.number(n) for name, n in regimen_counts(program).items()},
        }
        for name, value in content.values.items():
            if value.kind == "number":
                values[name] = ctx.number(value.value)
            elif value.kind == "percent":
                values[name] = ctx.percent(value.value)
            else:
                values[name] = str(value.value)
        self.values = values

    def t(self, message: Message, **extra: str | int | Runs) -> Runs:
        """The message, translated and filled. An ``int`` in ``extra`` is a number: printed in
        the locale's digits, and able to choose a plural form."""
        counts = {k: v for k, v in extra.items() if isinstance(v, int)}
        extra = {k: self.ctx.number(v) if isinstance(v, int) else v for k, v in extra.items()}
        n = None
        if message.plural is not None:
            n = counts.get(message.count, self.counts.get(message.count))
            if not isinstance(n, int) or isinstance(n, bool):
                raise ConfigError(f"{{{message.count}}} chooses the plural form of '{message.text[:40]}', "
                                  "but it is not a whole number", file=message.file or None,
                                  line=message.line or None)
        where = self.ctx.catalog.path if self.ctx.catalog else message.file
        return fill(self.ctx.gettext(message, n), {**self.values, **extra}, where)

    def text(self, block: Block) -> Runs:
        """A paragraph's or callout's text: its one string, or its sentences joined into one
        paragraph (each sentence translated, and its plural form chosen, on its own)."""
        if not block.sentences:
            return self.t(block.text)
        runs: Runs = ()
        for sentence in block.sentences:
            if runs and not plain(runs).endswith(_CLOSED):
                runs += (Run(" "),)
            runs += self.t(sentence)
        return _merge(runs)

    def ui(self, key: str, **extra: str | Runs) -> Runs:
        return self.t(self.content.ui[key], **extra)

    def ui_text(self, key: str, **extra: str) -> str:
        return plain(self.ui(key, **extra))


def _dates_table(loc: Localizer, schedule: Schedule, title: Message | None) -> Table:
    ctx, rows = loc.ctx, []
    for test in schedule.tests:
        rows.append((loc.ui("test_before", test=test.name), unit(ctx.date(test.date))))
    for i, c in enumerate(schedule.cycles):
        n = ctx.number(c.number)
        rows.append((loc.ui("cycle_admission", cycle=n), unit(ctx.date(c.admission))))
        rows.append((loc.ui("cycle_discharge", cycle=n),
                     ctx_range(ctx, c.discharge_earliest, c.discharge_latest)))
        if i < len(schedule.breaks):
            start, end = schedule.breaks[i]
            rows.append((loc.ui("break"), ctx_range(ctx, start, end)))
    if schedule.response_scan:
        scan = schedule.response_scan
        rows.append((loc.ui("response_scan"),
                     loc.ui("approx_date", date=ctx.date(scan, after_preposition=True))
                     if schedule.response_scan_estimated else unit(ctx.date(scan))))
    if schedule.follow_up:
        rows.append((loc.ui("follow_up"), unit(ctx.date(schedule.follow_up))))
    return Table(loc.t(title) if title else (), (loc.ui("what"), loc.ui("when")), tuple(rows))


def ctx_range(ctx: LocaleContext, start: dt.date, end: dt.date) -> Runs:
    """A date range: each end a unit, free to break only at the range's dash."""
    return tuple(Run(part, False, i % 2 == 0) for i, part in enumerate(ctx.date_range_parts(start, end)) if part)


def day_kinds(schedule: Schedule) -> dict[dt.date, set[str]]:
    """What happens on each scheduled day (a day can have several kinds)."""
    kinds: dict[dt.date, set[str]] = {}

    def mark(day, kind):
        kinds.setdefault(day, set()).add(kind)

    for c in schedule.cycles:
        for day in c.days():
            mark(day, "hospital" if day <= c.discharge_earliest else "maybe")
    for start, end in schedule.breaks:
        day = start
        while day <= end:
            mark(day, "break")
            day += dt.timedelta(days=1)
    if schedule.response_scan:
        mark(schedule.response_scan, "scan")
    for day in [t.date for t in schedule.tests] + ([schedule.follow_up] if schedule.follow_up else []):
        mark(day, "visit")
    return kinds


def _calendar(loc: Localizer, schedule: Schedule) -> Calendar:
    ctx = loc.ctx
    kinds = day_kinds(schedule)
    first, last = min(kinds), max(kinds)
    months = []
    year, month = first.year, first.month
    weekdays = tuple(ctx.weekday_names())
    while (year, month) <= (last.year, last.month):
        day = dt.date(year, month, 1)
        lead = (day.weekday() - ctx.first_weekday) % 7
        cells: list[Day | None] = [None] * lead
        while day.month == month:
            cells.append(Day(ctx.number(day.day), frozenset(kinds.get(day, ()))))
            day += dt.timedelta(days=1)
        cells += [None] * (-len(cells) % 7)
        weeks = tuple(tuple(cells[i:i + 7]) for i in range(0, len(cells), 7))
        months.append(Month((Run(ctx.month_title(year, month), True),), weekdays, weeks))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    legend = tuple((k, loc.ui(key)) for k, key in zip(CALENDAR_KINDS, (
        "legend_hospital", "legend_maybe_hospital", "legend_break", "legend_scan", "legend_visit")))
    return Calendar(loc.ui("calendar_title"), tuple(months), legend)


def _checked(state, catalog_id: str, message: Message) -> str | None:
    """A catalog's translation of ``message`` if it has one that passes every check."""
    from .i18n.checks import ERROR, check_string
    text = state.translations.get((message.context, message.text))
    if not text or not isinstance(text, str):
        return None
    if any(sev == ERROR for sev, _ in check_string(catalog_id, message.context, (message.text,), text)):
        return None
    return text


def language_help(content: Content, program: Program, ctx: LocaleContext, production: bool = False) -> LanguageHelp:
    """Section 1557-style taglines: free language help, one line per shipped language.

    A line prints only when its translation passes every check. In production only reviewed
    catalogs give a line; outside production a draft line ends with its catalog's own
    "(draft translation)" mark. A catalog that does not parse gives no line (i18n check
    reports it; the patient's own catalog stops the build).
    """
    from .i18n.context import REVIEWED, load_catalog_state
    from .i18n.locales import PSEUDO, available, parent_id, text_direction

    message, mark = content.ui["language_help"], content.ui["draft_mark"]
    values = {"phone_main": program.phone_main}
    lines = [Tagline("en", "ltr", (Run(native_name("en"), True),), fill(message.text, values))]
    for catalog_id in available()[1:]:
        if catalog_id in PSEUDO or parent_id(catalog_id):  # one line per language, not per region
            continue
        try:
            state = load_catalog_state(catalog_id)
        except ConfigError:
            continue
        text = _checked(state, catalog_id, message)
        reviewed = state.review_status == REVIEWED
        if not text or (production and not reviewed):
            continue
        runs = fill(text, values)
        if not reviewed:
            runs += (Run(" " + (_checked(state, catalog_id, mark) or mark.text)),)
        lines.append(Tagline(catalog_id, text_direction(catalog_id), (Run(native_name(catalog_id), True),), runs))
    title_msg = content.ui["language_help_title"]
    return LanguageHelp(fill(ctx.gettext(title_msg), {}), (Run(title_msg.text),), tuple(lines))


def _block(loc: Localizer, block: Block, schedule: Schedule):
    kind = block.type
    if kind == "heading":
        return Heading(loc.t(block.text))
    if kind == "paragraph":
        return Paragraph(loc.text(block))
    if kind in ("list", "checklist"):
        return Bullets(tuple(loc.t(i) for i in block.items), checkboxes=kind == "checklist")
    if kind == "callout":
        return Callout(loc.text(block), urgent=block.style == "urgent")
    if kind == "dates_at_a_glance":
        return None  # drawn on the cover
    if kind == "patient_cycles":
        ctx = loc.ctx
        items = tuple(loc.ui("cycle_line", cycle=ctx.number(c.number), start=ctx.date(c.admission),
                             discharge=ctx_range(ctx, c.discharge_earliest, c.discharge_latest))
                      for c in schedule.cycles)
        return (Heading(loc.t(block.title)), Bullets(items)) if block.title else Bullets(items)
    if kind == "contact_card":
        p = loc.program
        rows = ((loc.ui("contact_24h"), unit(p.phone_24h, True)),
                (loc.ui("contact_main"), unit(p.phone_main)),
                (loc.ui("contact_address"), (Run(p.address),)),
                (loc.ui("contact_website"), unit(p.website)))
        return Table(loc.t(block.title) if block.title else (), (), rows, kind="contact")
    if kind == "resource":
        res = loc.content.resources[block.ref]
        return Resource(loc.t(res.name), loc.t(block.text), loc.ui("phone"), res.phone, res.url)
    raise ConfigError(f"no localizer for block type '{kind}'")


def localize(content: Content, program: Program, patient: Patient, schedule: Schedule,
             ctx: LocaleContext, printed: dt.date, *, production: bool = False, sample: bool = False) -> Document:
    """``production``: the language-help page lists reviewed languages only. ``sample``: every page
    says "SAMPLE, not for patient use", in the packet's language and in English."""
    loc = Localizer(content, program, ctx)
    cover_section = content.section("cover")
    dates_block = next((b for b in cover_section.blocks if b.type == "dates_at_a_glance"), None)
    intro = next((b for b in cover_section.blocks if b.type == "paragraph"), None)

    name = (Run(isolated(patient.name), True, len(patient.name) <= SHORT_NAME),)
    fields = [(loc.ui("prepared_for"), name), (loc.ui("mrn"), unit(patient.mrn))]
    if patient.birth_date:
        fields.append((loc.ui("birth_date"), unit(ctx.date(patient.birth_date))))
    fields.append((loc.ui("printed_on"), unit(ctx.date(printed))))
    cover = Cover(program_name=(Run(loc.values["program_name"]),), title=loc.t(cover_section.title),
                  fields=tuple(fields), intro=loc.text(intro) if intro else (),
                  dates=_dates_table(loc, schedule, dates_block.title if dates_block else None))

    sections = []
    for section in content.sections:
        if section.id == "cover":
            continue
        blocks = []
        for block in section.blocks:
            out = _block(loc, block, schedule)
            if isinstance(out, tuple):
                blocks.extend(out)
            elif out is not None:
                blocks.append(out)
        sections.append(Section(section.id, loc.t(section.title), tuple(blocks)))

    calendar = _calendar(loc, schedule)
    page_template = ctx.gettext(content.ui["page_x_of_y"])

    def page_label(page: int, pages: int) -> str:
        return plain(fill(page_template, {"page": ctx.number(page), "pages": ctx.number(pages)}))

    notices, watermark = [], ()
    if sample:
        english, local = content.ui["sample_notice"].text, loc.ui_text("sample_notice")
        watermark = (local, english) if local != english else (english,)
    if ctx.is_draft:
        english = content.ui["draft_notice"].text
        local = loc.ui_text("draft_notice")
        notices += [local, english] if local != english else [english]  # one line per language
    if ctx.fell_back:
        notices.append(loc.ui_text("fallback_notice"))

    used_sources = sorted({src for s in content.sections for b in s.blocks for src in b.sources}
                          | {r.source for r in content.resources.values() if r.source})
    appendix = ()
    if ctx.preview is not None:
        title, lines = ctx.preview.report()
        appendix = (Section("translator_check", (Run(title, True),), (Bullets(tuple((Run(x),) for x in lines)),),
                            "en", "ltr"),)
    return Document(
        lang=ctx.bcp47, direction=ctx.direction, catalog_id=script_id(ctx.catalog_id),
        meta_title=f"High-dose IL-2 treatment: patient guide ({native_name(ctx.catalog_id)})",
        header=(*name, Run("  ·  "), *loc.ui("mrn_short", mrn=patient.mrn)),
        page_label=page_label, notices=tuple(notices), cover=cover, sections=tuple(sections),
        sources=tuple(content.sources[s] for s in used_sources), sources_title=loc.ui("sources"),
        calendar=calendar, language_help=language_help(content, program, ctx, production), appendix=appendix,
        watermark=watermark,
    )


def bilingual(local: Document, english: Document, content: Content, program: Program,
              ctx: LocaleContext) -> Document:
    """Each section in the patient's language followed by the same section in English.

    The cover carries both: the patient's language first, then the English title and dates.
    """
    if local.catalog_id == english.catalog_id:
        return local
    sections = []
    for mine, theirs in zip(local.sections, english.sections):
        sections.append(mine)
        sections.append(Section(theirs.id, theirs.title, theirs.blocks, english.catalog_id, english.direction))
    loc = Localizer(content, program, ctx)
    cover = local.cover
    note = (Run(loc.ui_text("english_follows")),)
    return Document(
        lang=local.lang, direction=local.direction, catalog_id=local.catalog_id,
        meta_title=local.meta_title.replace(")", " + English)"), header=local.header,
        page_label=local.page_label, notices=local.notices,
        cover=Cover(cover.program_name, cover.title, cover.fields, cover.intro + (Run(" "),) + note, cover.dates),
        sections=tuple(sections), sources=local.sources, sources_title=local.sources_title,
        calendar=local.calendar, language_help=local.language_help, second_cover=english.cover, second_catalog_id=english.catalog_id,
        watermark=local.watermark,
    )
