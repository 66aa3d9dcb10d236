"""One packet, end to end: patient + program + content + language -> PDF bytes.

In: a :class:`Patient`, a :class:`Program` and options. Out: a :class:`BuiltPacket` (bytes and
the file name ``<mrn>-<lang>.pdf``). Writing the file is :mod:`packets.output`'s job.
"""

from __future__ import annotations

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
    require_reviewed: bool = False
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


def packet_filename(mrn: str, bcp47: str, options: Options) -> str:
    """``<mrn>-<lang>.pdf``; large-print and bilingual packets get their own names
    (``00412345-es-large-print.pdf``, ``00412345-es-bilingual.pdf``), so variants never overwrite
    each other."""
    variant = ("-bilingual" if options.bilingual else "") + ("-large-print" if options.large_print else "")
    return f"{mrn}-{bcp47}{variant}.pdf"


def build_packet(patient: Patient, program: Program, options: Options = Options(),
                 content: Content | None = None, password: str | None = None) -> BuiltPacket:
    from .render import render_pdf  # the only place the pipeline touches reportlab

    content = content or load_content()
    schedule = build_schedule(patient, program.regimen)
    ctx = make_context(options.language or patient.language, program.territory,
                       allow_fallback=options.allow_fallback, tag_lines=options.tag_lines,
                       preview=options.preview)
    if options.require_reviewed and ctx.is_draft:
        raise ConfigError(f"the {ctx.bcp47} catalog is a draft, not reviewed by a qualified medical "
                          "translator (--require-reviewed)", file=ctx.catalog.path)
    if ctx.catalog and not ctx.allow_fallback and (ctx.catalog.untranslated or ctx.catalog.fuzzy):
        raise ConfigError(f"the {ctx.bcp47} catalog has {len(ctx.catalog.untranslated)} untranslated and "
                          f"{len(ctx.catalog.fuzzy)} fuzzy strings; finish it or use --allow-fallback",
                          file=ctx.catalog.path)
    today = printed_date()
    doc = localize(content, program, patient, schedule, ctx, today)
    if options.bilingual:
        english = make_context("en", program.territory)
        doc = bilingual(doc, localize(content, program, patient, schedule, english, today), content, program, ctx)
    pdf = render_pdf(doc, paper=options.paper or program.paper, large_print=options.large_print)
    if password:  # AES-256 after drawing; the renderer never sees the password
        from .protect import encrypt_pdf
        pdf = encrypt_pdf(pdf, password)
    unprintable = missing_glyphs(isolated(patient.name), ctx.catalog_id)  # the name as printed
    past = past_dates(schedule, today)
    warnings = [f"{patient.masked_mrn}: {len(past)} scheduled date(s) are in the past, the first "
                f"{past[0].isoformat()}; check the schedule"] if past else []
    if unprintable:
        warnings.append(f"{patient.masked_mrn}: the packet's fonts lack " + ", ".join(
            f"U+{ord(c):04X}" for c in sorted(unprintable)) + " in the name, which print(s) as an empty "
            "box; the name is kept as typed (fonts are added by tools/build_fonts.py)")
    # A calendar file cannot be password-protected: an encrypted packet goes without one.
    ics = b"" if password else schedule_ics(schedule, ctx, content, program, today)
    return BuiltPacket(pdf, packet_filename(patient.mrn, ctx.bcp47, options), ctx.bcp47, warnings, ics)
