"""One packet, end to end: patient + program + content + language -> PDF bytes.

In: a :class:`Patient`, a :class:`Program` and options. Out: a :class:`BuiltPacket` (bytes and
the file name ``<mrn>-<lang>.pdf``). Writing the file is :mod:`packets.output`'s job.

The gate, in every mode: a catalog that does not parse stops the build (file:line); a
translation that fails a check never prints (the English prints in its place, marked [EN]).
In production (the profile's ``production: true``, or ``Options.require_reviewed``) a packet
is built only when :func:`packets.review.may_print` says yes; otherwise :class:`ConfigError`
says in one line what is not ready, who must act and what they run. Outside production, a
packet from an unreviewed profile says "SAMPLE" on every page.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .content import Content, load_content
from .clock import printed_date
from .fontdata import missing_glyphs
from .errors import ConfigError
from .i18n.context import make_context
from .ics import schedule_ics
from .localize import bilingual, isolated, localize
from .patient import Patient
from .program import Program
from .schedule import build_schedule, past_dates


@dataclass(frozen=True)
class Options:
    language: str | None = None      # overrides the patient's language
    paper: str | None = None         # letter | a4; default from the program's territory
    large_print: bool = False
    bilingual: bool = False          # each section also in English, for a caregiver or nurse
    require_reviewed: bool = False  # production for this run, whatever the profile says
    allow_fallback: bool = False
    tag_lines: bool = False          # translator preview: tag strings with their .po line numbers
    preview: bool = False            # translator preview: mark problems, never stop at them


@dataclass
class BuiltPacket:
    pdf: bytes
    filename: str
    language: str
    warnings: list[str] = field(default_factory=list)
    ics: bytes = b""

    @property
    def ics_filename(self) -> str:
        return self.filename[:-4] + ".ics"


def forget_patient(patient: Patient) -> None:
    """After ``patient``'s packet: drop what it left in this process's memo caches (text that may
    hold its name, MRN or dates; see :func:`packets.render.forget_text`). For long-running
    processes: the web app calls it after every packet. A batch keeps its caches, as its
    processes end with the run."""
    from .i18n.context import forget_dates
    from .render import forget_text
    forget_text(patient.mrn)
    forget_dates()


def packet_filename(mrn: str, bcp47: str, options: Options) -> str:
    """``<mrn>-<lang>.pdf``; large-print and bilingual packets get their own names
    (``00412345-es-large-print.pdf``, ``00412345-es-bilingual.pdf``), so variants never overwrite
    each other."""
    variant = ("-bilingual" if options.bilingual else "") + ("-large-print" if options.large_print else "")
    return f"{mrn}-{bcp47}{variant}.pdf"


def build_packet(patient: Patient, program: Program, options: Options = Options(),
                 content: Content | None = None, password: str | None = None) -> BuiltPacket:
    from .render import render_pdf  # the only place the pipeline touches reportlab

    from . import review

    content = content or load_content()
    production = options.require_reviewed or program.production
    if production and (options.allow_fallback or options.tag_lines or options.preview):
        raise ConfigError("--allow-fallback and previews are not for production: a production packet prints "
                          "only reviewed translations")
    schedule = build_schedule(patient, program.regimen)
    ctx = make_context(options.language or patient.language, program.territory,
                       allow_fallback=options.allow_fallback, tag_lines=options.tag_lines,
                       preview=options.preview)
    if production:
        verdict = review.may_print(program, ctx.catalog_id, content, ctx.catalog)
        if not verdict.ok:
            raise ConfigError(verdict.reason)
    withheld = {} if options.preview else review.withheld_strings(ctx.catalog_id, content, program, ctx.catalog)
    if withheld:  # a translator's preview marks these strings instead (packets.i18n.preview)
        ctx = dataclasses.replace(ctx, withheld=frozenset(withheld))
    if ctx.catalog and not ctx.allow_fallback and (ctx.catalog.untranslated or ctx.catalog.fuzzy):
        raise ConfigError(f"the {ctx.bcp47} catalog has {len(ctx.catalog.untranslated)} untranslated and "
                          f"{len(ctx.catalog.fuzzy)} fuzzy strings; finish it or use --allow-fallback",
                          file=ctx.catalog.path)
    today = printed_date()
    sample = not production and not review.program_state(program).ready
    doc = localize(content, program, patient, schedule, ctx, today, production=production, sample=sample)
    if options.bilingual:
        english = make_context("en", program.territory)
        doc = bilingual(doc, localize(content, program, patient, schedule, english, today, production=production,
                                      sample=sample), content, program, ctx)
    pdf = render_pdf(doc, paper=options.paper or program.paper, large_print=options.large_print)
    if password:  # AES-256 after drawing; the renderer never sees the password
        from .protect import encrypt_pdf
        pdf = encrypt_pdf(pdf, password)
    unprintable = missing_glyphs(isolated(patient.name), ctx.catalog_id)  # the name as printed
    past = past_dates(schedule, today, patient.schedule.done)
    warnings = [f"{patient.masked_mrn}: {len(past)} scheduled date(s) are in the past, the first "
                f"{past[0].isoformat()}; check the schedule"] if past else []
    if unprintable:
        warnings.append(f"{patient.masked_mrn}: the packet's fonts lack " + ", ".join(
            f"U+{ord(c):04X}" for c in sorted(unprintable)) + " in the name, which print(s) as an empty "
            "box; the name is kept as typed (fonts are added by tools/build_fonts.py)")
    # A calendar file cannot be password-protected: an encrypted packet goes without one.
    ics = b"" if password else schedule_ics(schedule, ctx, content, program, today)
    return BuiltPacket(pdf, packet_filename(patient.mrn, ctx.bcp47, options), ctx.bcp47, warnings, ics)
