#!/usr/bin/env python3
"""Mutation audit: realistic bugs planted one at a time; each must make a test fail.

    python tools/mutation.py               # every mutant, then a table and the kill rate
    python tools/mutation.py --jobs 2      # two mutants at once (each in its own copy)
    python tools/mutation.py --list        # the mutants, with the kind of bug each stands for
    python tools/mutation.py --check       # every mutant still applies to the code (no tests run)
    python tools/mutation.py ID [ID ...]   # only these mutants
    python tools/mutation.py ID --tests "tests/test_x.py -k name"   # does this test alone kill it?
    python tools/mutation.py --full        # a survivor is tried against the whole suite too

How a mutant is tried: the repository's working tree (not its git history) is copied to a
scratch folder, one copy per job; the mutant's edit is applied there, the tests listed for it
run with ``pytest -x -q -p no:cacheprovider`` (stopping at the first failure), and the file is
put back. The checkout itself is never edited, so an interrupted run (Ctrl-C) leaves it as it
was; the scratch folder is removed on the way out. Exit status 1 of pytest is a kill; 0 is a
survivor; anything else (a collection error, a timeout) is reported as such and counted as not
killed. Before the mutants, the same tests run on the unmutated copy: a test that already fails
would make every mutant look killed.

Each edit names text that must occur exactly once in its file, so a mutant that no longer
applies after a refactoring is reported ("stale"), never silently skipped. The lists of tests
per mutant are only a speed-up: ``--full`` runs the whole suite on each survivor.

Why a list and not mutmut or cosmic-ray: they mutate every operator of every line (thousands of
mutants over ``packets/``), and one run of the suite takes minutes here, so a full run would take
days; most of their mutants are also unrealistic or equivalent. These are the bugs a person
writes: a boundary off by one, a branch inverted, a step forgotten, a wrong variable.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    id: str
    file: str
    edits: tuple[tuple[str, str], ...]   # (text found exactly once, its replacement)
    tests: tuple[str, ...]               # pytest arguments: the tests that should catch it
    what: str                            # the bug, in words
    kind: str = ""                       # the kind of bug of issue 12 it stands for, if any


def m(id, file, edits, tests, what, kind=""):
    if isinstance(edits[0], str):
        edits = (edits,)
    return Mutant(id, file, tuple(edits), tuple(tests.split()), what, kind)


# Kinds of bug the audit found unnoticed: each has at least one mutant below.
KINDS = {
    "zh-TW": "a zh-TW patient getting the Simplified Chinese packet",
    "section-english": "one section of a Spanish packet printed in English",
    "calendar-marks": "the calendar drawing no marks",
    "calendar-rtl": "right-to-left calendars not mirrored",
    "dates-swapped": "scan and follow-up dates swapped in the dates table",
    "schedule-boundary": "schedule rules off by one at their boundaries",
    "direct-write": "the temporary-file-and-rename write replaced by a direct write",
    "batch-stops": "an unexpected error in one row stopping the batch",
    "sort-by-language": "--sort-by-language not sorting",
    "ics-tests": "planned tests dropped from the .ics",
    "source-date-epoch": "the printed date ignoring SOURCE_DATE_EPOCH",
    "check-warnings": "i18n check exiting 1 on warnings alone",
    "demo-exit": "demo exiting 0 when a language failed",
    "rtl-bold": "bold fragments of right-to-left lines put out of order",
    "zh-Hant-breaking": "zh-Hant losing CJK line breaking",
}

T_SCHED = "tests/test_schedule.py"
T_CAL = "tests/test_calendar.py"
T_BATCH = "tests/test_batch.py tests/test_output.py"

MUTANTS = [
    # -- languages and catalogs ----------------------------------------------------------------
    m("locales-region-ignored-for-script", "packets/i18n/locales.py",
      ('for key in ([f"{language}_{region}"] if region else []) + [language]:', "for key in [language]:"),
      "tests/test_i18n.py tests/test_sections.py", "the likely script ignores the region: zh-TW finds zh_Hans",
      "zh-TW"),
    m("locales-script-case", "packets/i18n/locales.py",
      ("script = part.title()", "script = part.lower()"),
      "tests/test_i18n.py tests/test_sections.py", "zh-Hant is read as script 'hant', which no catalog has",
      "zh-TW"),
    m("locales-fil-alias", "packets/i18n/locales.py",
      ('ALIASES = {"fil": "tl"}', "ALIASES = {}"),
      "tests/test_i18n.py", "a Filipino (fil) patient finds no Tagalog packet"),
    m("locales-territory-ignored", "packets/i18n/locales.py",
      ("    if territory:\n        ident =", "    if False:\n        ident ="),
      "tests/test_i18n.py", "dates and numbers ignore the program's territory (es, not es_US)"),
    m("locales-listing-never-rescanned", "packets/i18n/locales.py",
      ("    if known is not None and known[0] == stamp:", "    if known is not None:"),
      "tests/test_i18n.py", "a language added while a web app or batch runs is never seen"),
    m("plural-form-index-from-the-end", "packets/i18n/context.py",
      ("return translation[index] if 0 <= index < len(translation) else translation[-1]",
       "return translation[-1 - index] if 0 <= index < len(translation) else translation[0]"),
      "tests/test_plurals.py tests/test_catalog_tools.py", "plural forms taken in reverse order (1 day / 5 day)"),
    m("sentences-joined-without-space", "packets/localize.py",
      ("            if runs and not plain(runs).endswith(_CLOSED):", "            if False:"),
      "tests/test_plurals.py tests/test_sections.py", "the sentences of a paragraph run together without a space"),
    m("break-weeks-rounded-down", "packets/localize.py",
      ('"break_weeks": max(1, round(reg.break_days / 7)),', '"break_weeks": max(1, reg.break_days // 7),'),
      "tests/test_plurals.py tests/test_profile.py tests/test_sections.py",
      "'about N weeks' at home rounds 11 days down to 1 week"),
    m("context-first-weekday-language", "packets/i18n/context.py",
      ("        if territory:\n            return Locale.parse", "        if False:\n            return Locale.parse"),
      T_CAL, "the week starts on the language's first day, not the program territory's"),
    m("context-withheld-prints", "packets/i18n/context.py",
      ("            if key in self.withheld:\n                self.fell_back.append(key)\n"
       "            elif entry is not None",
       "            if entry is not None"),
      "tests/test_gate.py", "a translation that failed a check prints anyway"),
    m("context-plural-always-one", "packets/i18n/context.py",
      ("text = self.catalog.form(entry, n)", "text = self.catalog.form(entry, 1)"),
      "tests/test_plurals.py tests/test_catalog_tools.py", "plural messages always take the form for 1"),
    m("context-variant-base-wins", "packets/i18n/context.py",
      ("translations = {**base.translations, **own.translations}",
       "translations = {**own.translations, **base.translations}"),
      "tests/test_catalog_tools.py", "a regional variant's own strings lose to its base catalog's"),
    m("context-russian-accusative", "packets/i18n/context.py",
      ("return weekday_after_preposition(self.babel_locale.language, text) if after_preposition else text",
       "return text"),
      "tests/test_i18n.py", "'about Wednesday' keeps the nominative weekday in Russian"),
    m("context-ambiguous-short-dates", "packets/i18n/context.py",
      ("    if _ambiguous_abbreviations(loc):", "    if False:"),
      "tests/test_i18n.py", "Tagalog date ranges print 'Mar' for both Martes and Marso"),
    m("context-changed-catalog-not-draft", "packets/i18n/context.py",
      ("return self.catalog is not None and self.catalog.review_status != REVIEWED",
       'return self.catalog is not None and self.catalog.review_status == "draft"'),
      "tests/test_gate.py tests/test_pdf.py", "a catalog changed since its review prints without the draft notice"),
    m("context-fuzzy-prints", "packets/i18n/context.py",
      ("        if m.fuzzy:\n            fuzzy.append(ident)\n        elif",
       "        if False:\n            fuzzy.append(ident)\n        elif"),
      "tests/test_options.py tests/test_catalog_tools.py tests/test_gate.py",
      "a fuzzy (unchecked) translation counts as translated and prints"),
    m("context-stale-catalog-cache", "packets/i18n/context.py",
      ("    if cached and cached[0] == stamp:\n        return cached[1]\n    catalog, extra",
       "    if cached:\n        return cached[1]\n    catalog, extra"),
      "tests/test_i18n.py", "a catalog saved by its translator is not re-read"),
    m("checks-exit-on-warnings", "packets/cli.py",
      ("    return EXIT_FAILED if errors else EXIT_OK", "    return EXIT_FAILED if errors or warnings else EXIT_OK"),
      "tests/test_checks.py", "i18n check exits 1 on warnings alone", "check-warnings"),
    m("checks-errors-only-prints-warnings", "packets/cli.py",
      ("                if args.errors_only:\n                    continue\n", ""),
      "tests/test_checks.py", "i18n check --errors-only still prints warnings"),
    m("checks-placeholder-missing-ignored", "packets/i18n/checks.py",
      ("    if want - got:", "    if False:"),
      "tests/test_checks.py tests/test_gate.py", "a translation that drops a placeholder passes the checks"),
    m("checks-typed-number-allowed", "packets/i18n/checks.py",
      ("        elif got[n] > want[n]:", "        elif False:"),
      "tests/test_checks.py tests/test_gate.py", "'112' typed where {emergency_number} belongs passes"),
    m("checks-fuzzy-is-error", "packets/i18n/checks.py",
      ('"fuzzy: the English changed; check and unmark" + (\n'
       '                f" (until then the {parent} translation is used)" if in_base else ""), WARNING))',
       '"fuzzy: the English changed; check and unmark" + (\n'
       '                f" (until then the {parent} translation is used)" if in_base else "")))'),
      "tests/test_checks.py", "a fuzzy string is an error, so i18n check exits 1 on it", "check-warnings"),

    # -- the localized document ----------------------------------------------------------------
    m("localize-section-in-english", "packets/localize.py",
      ("            out = _block(loc, block, schedule)",
       "            out = _block(loc if section.id != 'side_effects' else Localizer(content, program, "
       "__import__('packets.i18n.context', fromlist=['x']).make_context('en', ctx.territory)), block, schedule)"),
      "tests/test_sections.py", "the side-effects section of a Spanish packet prints in English", "section-english"),
    m("localize-bilingual-order", "packets/localize.py",
      ("        sections.append(mine)\n        sections.append(Section(theirs.id, theirs.title, theirs.blocks, "
       "english.catalog_id, english.direction))",
       "        sections.append(Section(theirs.id, theirs.title, theirs.blocks, english.catalog_id, "
       "english.direction))\n        sections.append(mine)"),
      "tests/test_options.py", "a bilingual packet puts the English before the patient's language"),
    m("localize-scan-follow-up-swapped", "packets/localize.py",
      (('rows.append((loc.ui("response_scan"),', 'rows.append((loc.ui("follow_up"),'),
       ('rows.append((loc.ui("follow_up"), unit(', 'rows.append((loc.ui("response_scan"), unit(')),
      "tests/test_pdf.py tests/test_calendar.py", "the scan and follow-up labels swapped in the dates table",
      "dates-swapped"),
    m("localize-discharge-from-admission", "packets/localize.py",
      ('rows.append((loc.ui("cycle_discharge", cycle=n),\n                     ctx_range(ctx, c.discharge_earliest,',
       'rows.append((loc.ui("cycle_discharge", cycle=n),\n                     ctx_range(ctx, c.admission,'),
      "tests/test_pdf.py tests/test_calendar.py", "the discharge range in the dates table starts on admission day"),
    m("localize-last-break-row-dropped", "packets/localize.py",
      ("        if i < len(schedule.breaks):", "        if i < len(schedule.breaks) - 1:"),
      "tests/test_pdf.py tests/test_calendar.py", "the dates table leaves out the last break at home"),
    m("localize-estimate-not-marked", "packets/localize.py",
      ("if schedule.response_scan_estimated else unit(ctx.date(scan))",
       "if not schedule.response_scan_estimated else unit(ctx.date(scan))"),
      "tests/test_pdf.py tests/test_calendar.py tests/test_i18n.py",
      "an estimated scan date prints as a booked date (and a booked one as 'about')"),
    m("localize-hospital-boundary", "packets/localize.py",
      ('mark(day, "hospital" if day <= c.discharge_earliest else "maybe")',
       'mark(day, "hospital" if day < c.discharge_earliest else "maybe")'),
      T_CAL, "the last certain hospital day is drawn as 'may still be in hospital'", "schedule-boundary"),
    m("localize-break-last-day", "packets/localize.py",
      ("        while day <= end:\n            mark(day, \"break\")", "        while day < end:\n            mark(day, \"break\")"),
      T_CAL, "the calendar leaves the last day of a break unmarked", "schedule-boundary"),
    m("localize-calendar-no-marks", "packets/localize.py",
      ("cells.append(Day(ctx.number(day.day), frozenset(kinds.get(day, ()))))",
       "cells.append(Day(ctx.number(day.day)))"),
      T_CAL, "calendar days carry no kinds: no marks drawn", "calendar-marks"),
    m("localize-calendar-isoweekday", "packets/localize.py",
      ("lead = (day.weekday() - ctx.first_weekday) % 7", "lead = (day.isoweekday() - ctx.first_weekday) % 7"),
      T_CAL, "every month's first day is one column off"),
    m("localize-calendar-last-month", "packets/localize.py",
      ("while (year, month) <= (last.year, last.month):", "while (year, month) < (last.year, last.month):"),
      T_CAL, "the calendar leaves out the month of the last scheduled date"),
    m("localize-legend-swapped", "packets/localize.py",
      ('"legend_break", "legend_scan", "legend_visit"', '"legend_break", "legend_visit", "legend_scan"'),
      T_CAL, "the legend's labels for scans and visits are swapped"),
    m("localize-header-without-mrn", "packets/localize.py",
      ('header=(*name, Run("  ·  "), *loc.ui("mrn_short", mrn=patient.mrn)),', "header=name,"),
      "tests/test_pdf.py", "the running header has no MRN"),
    m("localize-taglines-draft-in-production", "packets/localize.py",
      ("        if not text or (production and not reviewed):", "        if not text:"),
      "tests/test_gate.py", "production packets list draft translations on the language-help page"),
    m("localize-draft-mark-missing", "packets/localize.py",
      ("        if not reviewed:\n            runs +=", "        if False:\n            runs +="),
      "tests/test_gate.py tests/test_pdf.py", "a draft language-help line is not marked '(draft translation)'"),
    m("localize-units-breakable", "packets/localize.py",
      ("runs.append(Run(value, bold, name not in FREE_TEXT))", "runs.append(Run(value, bold))"),
      "tests/test_layout.py", "phone numbers and dates inside text may break across lines"),
    m("localize-bold-never-ends", "packets/localize.py",
      ('        if part == "</b>":\n            bold = False\n', '        if part == "</b>":\n            bold = True\n'),
      "tests/test_pdf.py tests/test_scripts.py tests/test_layout.py", "text after a bold phrase stays bold"),
    m("localize-no-sample-watermark", "packets/localize.py",
      ("    if sample:\n", "    if False:\n"),
      "tests/test_gate.py", "a packet from an unreviewed profile carries no SAMPLE mark"),
    m("localize-fallback-unannounced", "packets/localize.py",
      ("    if ctx.fell_back:\n", "    if False:\n"),
      "tests/test_options.py", "pages do not say that some text is in English"),
    m("localize-printed-on-admission", "packets/localize.py",
      ('fields.append((loc.ui("printed_on"), unit(ctx.date(printed))))',
       'fields.append((loc.ui("printed_on"), unit(ctx.date(schedule.cycles[0].admission))))'),
      "tests/test_pdf.py tests/test_calendar.py", "the cover's 'printed on' date is the first admission"),

    # -- schedule ------------------------------------------------------------------------------
    m("schedule-stay-min", "packets/schedule.py",
      ("admission + (regimen.stay_min - 1) * DAY,", "admission + regimen.stay_min * DAY,"),
      T_SCHED, "the earliest discharge is a day late", "schedule-boundary"),
    m("schedule-gap-off-by-one", "packets/schedule.py",
      ("gap = (cur.admission - prev.discharge_latest).days - 1", "gap = (cur.admission - prev.discharge_latest).days"),
      T_SCHED, "a break one day short of the regimen is accepted", "schedule-boundary"),
    m("schedule-overlap-boundary", "packets/schedule.py",
      ("        if cur.admission <= prev.discharge_latest:", "        if cur.admission < prev.discharge_latest:"),
      T_SCHED, "a cycle may start on the day the previous one may still end", "schedule-boundary"),
    m("schedule-max-cycles-boundary", "packets/schedule.py",
      ("if len(admissions) > regimen.max_cycles:", "if len(admissions) >= regimen.max_cycles:"),
      T_SCHED, "the maximum number of cycles is refused", "schedule-boundary"),
    m("schedule-scan-on-discharge-day", "packets/schedule.py",
      ("elif scan <= last.discharge_latest:", "elif scan < last.discharge_latest:"),
      T_SCHED, "a scan booked on the last possible discharge day is accepted", "schedule-boundary"),
    m("schedule-follow-up-on-admission-day", "packets/schedule.py",
      ("if src.follow_up and src.follow_up < cycles[0].admission:",
       "if src.follow_up and src.follow_up <= cycles[0].admission:"),
      T_SCHED, "a follow-up on the first admission day is refused", "schedule-boundary"),
    m("schedule-scan-weeks", "packets/schedule.py",
      ("last.discharge_latest + regimen.scan_weeks * 7 * DAY", "last.discharge_latest + (regimen.scan_weeks * 7 - 1) * DAY"),
      T_SCHED, "the estimated scan is a day early", "schedule-boundary"),
    m("schedule-scan-after-first-cycle", "packets/schedule.py",
      ("    last = cycles[-1]\n", "    last = cycles[0]\n"),
      T_SCHED, "the scan is estimated after the first cycle, not the last"),
    m("schedule-tests-unsorted", "packets/schedule.py",
      ("tuple(sorted(src.tests, key=lambda t: t.date))", "tuple(src.tests)"),
      T_SCHED + " " + T_CAL, "planned tests are listed in the order typed, not by date"),
    m("schedule-past-today", "packets/schedule.py",
      ("    return sorted(d for d in dates if d < today)", "    return sorted(d for d in dates if d <= today)"),
      T_SCHED + " tests/test_cli.py", "a date today is warned about as past", "schedule-boundary"),
    m("schedule-weekend-scan-kept", "packets/schedule.py",
      ("    if day.weekday() not in regimen.weekend:\n        return day\n", ""),
      T_SCHED, "an estimated scan on a weekday moves anyway"),

    # -- patient records and rosters -----------------------------------------------------------
    m("patient-mask-shows-head", "packets/patient.py",
      ("    tail = mrn[-4:]\n", "    tail = mrn[:4]\n"),
      "tests/test_patient_input.py tests/test_names.py", "the masked MRN shows its first digits"),
    m("patient-ahead-boundary", "packets/patient.py",
      ("        elif d > today + AHEAD:", "        elif d >= today + AHEAD:"),
      "tests/test_names.py", "a date exactly two years ahead is refused", "schedule-boundary"),
    m("patient-earliest-year", "packets/patient.py",
      ("        if d.year < EARLIEST_YEAR:", "        if d.year <= EARLIEST_YEAR:"),
      "tests/test_names.py", "dates in the year 2000 are refused"),
    m("patient-isolates-not-removed", "packets/patient.py",
      ('_REMOVED = frozenset("\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069',
       '_REMOVED = frozenset("\\u202a\\u202b\\u202c\\u202d\\u202e'),
      "tests/test_names.py", "a pasted isolate control is refused instead of removed"),
    m("patient-birth-on-treatment-day", "packets/patient.py",
      ("        if d <= birth:", "        if d < birth:"),
      "tests/test_names.py", "a birth date on the first admission day is accepted"),
    # Both lines collapse runs of spaces: removing one alone changes nothing (an equivalent mutant).
    m("patient-spaces-kept", "packets/patient.py",
      ('    text = " ".join(text.split())\n    text = " ".join(_LOOSE_JOINERS.sub(r"\\1", text).split())\n',
       '    text = _LOOSE_JOINERS.sub(r"\\1", text)\n'),
      "tests/test_names.py tests/test_patient_input.py tests/test_hazards.py", "runs of spaces in a name are kept"),
    # Names are composed (NFC) once, here; localize.isolated() composes again, so dropping that
    # second call alone is an equivalent mutant and is not listed.
    m("patient-name-not-composed", "packets/patient.py",
      ('    text = unicodedata.normalize("NFC", "".join(kept))\n', '    text = "".join(kept)\n'),
      "tests/test_names.py tests/test_name_scripts.py", "a name typed as letters plus combining accents stays so"),
    m("patient-one-zero-hint", "packets/patient.py",
      ("any(pattern.fullmatch(\"0\" * k + mrn) for k in range(1, 12))",
       "any(pattern.fullmatch(\"0\" * k + mrn) for k in range(1, 2))"),
      "tests/test_names.py", "an MRN missing two leading zeros is not blamed on Excel"),
    m("roster-line-numbers", "packets/roster.py",
      ("        number = index + 1\n", "        number = index\n"),
      "tests/test_roster.py tests/test_batch.py", "errors name the line before the bad one"),
    m("roster-doubled-quote", "packets/roster.py",
      ("                if k + 1 < n and line[k + 1] == '\"':\n                    parts.append('\"')\n",
       "                if k + 1 < n and line[k + 1] == '\"':\n"),
      "tests/test_roster.py tests/test_batch.py", "a quote written twice inside a quoted value is lost"),
    m("roster-cycles-semicolon-only", "packets/roster.py",
      ('re.split(r"[;,\\s]+", v)', 're.split(r"[;]+", v)'),
      "tests/test_roster.py tests/test_batch.py", "cycle dates separated by spaces are not split"),
    m("roster-cycles-without-first-admission", "packets/roster.py",
      ('    if missing == ["first_admission"] and "cycles" in seen:\n        missing = []\n', ""),
      "tests/test_roster.py tests/test_batch.py", "a roster with cycles but no first_admission column is refused"),
    m("roster-xlsx-leading-zeros", "packets/roster.py",
      ("return str(value).zfill(len(fmt))", "return str(value)"),
      "tests/test_roster.py", "an .xlsx MRN shown with leading zeros loses them"),
    m("roster-internal-error-leaks", "packets/roster.py",
      ('[PacketError(f"internal error ({type(err).__name__})")]', '[PacketError(f"internal error: {err}")]'),
      "tests/test_batch.py tests/test_roster.py", "an unexpected error's text (which may hold a name) goes to errors.csv"),

    # -- batch and output ----------------------------------------------------------------------
    m("batch-build-error-stops-run", "packets/batch.py",
      ("    except Exception as err:  # noqa: BLE001 - a bug must not stop the batch",
       "    except PacketError as err:  # noqa: BLE001 - a bug must not stop the batch"),
      T_BATCH, "an unexpected error while building one row stops the batch", "batch-stops"),
    m("batch-validation-error-stops-run", "packets/batch.py",
      ("        except Exception as err:  # noqa: BLE001 - reported per row",
       "        except PacketError as err:  # noqa: BLE001 - reported per row"),
      T_BATCH, "an unexpected error while validating one row stops the batch", "batch-stops"),
    m("batch-sort-ignored", "packets/batch.py",
      ("order = sorted(built, key=lambda x: (x[1].language, x[0])) if sort_by_language else built",
       "order = built"),
      T_BATCH + " tests/test_cli.py", "--sort-by-language leaves the combined PDF in roster order", "sort-by-language"),
    m("batch-sort-option-dropped", "packets/cli.py",
      ("sort_by_language=args.sort_by_language, password=password",
       "sort_by_language=False, password=password"),
      T_BATCH + " tests/test_cli.py", "the command line does not pass --sort-by-language on", "sort-by-language"),
    m("batch-combine-no-padding", "packets/batch.py",
      ("        if len(reader.pages) % 2:\n", "        if not len(reader.pages) % 2:\n"),
      T_BATCH, "an odd-length packet is not padded: the next starts on the back of a sheet"),
    m("batch-duplicates-allowed", "packets/batch.py",
      ("        if len(members) < 2:\n", "        if len(members) <= 2:\n"),
      "tests/test_roster.py " + T_BATCH, "two rows with one MRN both print"),
    m("batch-mrn-case", "packets/batch.py",
      ('groups.setdefault(("mrn", patient.mrn.casefold()), []).append(index)',
       'groups.setdefault(("mrn", patient.mrn), []).append(index)'),
      "tests/test_roster.py " + T_BATCH, "MRNs differing only in case are two patients"),
    m("batch-outdated-packet-kept", "packets/batch.py",
      ("            if name and name not in planned:", "            if False:"),
      T_BATCH, "a refused row's packet from an earlier run is left to be printed"),
    m("batch-stale-errors-kept", "packets/batch.py",
      ("        stale = [outdir / ERRORS_FILE, _previous_combined(outdir),", "        stale = [_previous_combined(outdir),"),
      T_BATCH, "yesterday's errors.csv survives a run without errors"),
    m("batch-ics-not-written", "packets/batch.py",
      ("return ([(built.ics_filename, built.ics)] if built.ics else []) + extra + [(built.filename, built.pdf)]",
       "return extra + [(built.filename, built.pdf)]"),
      T_BATCH + " tests/test_cli.py", "a batch writes no calendar files"),
    m("batch-failed-write-unreported", "packets/batch.py",
      ("                pending.add(outcome.index)\n", ""),
      T_BATCH, "the row whose write failed on a full disk is not reported"),
    m("batch-exit-0-on-errors", "packets/cli.py",
      ('    print(f"{command}: {summary}")\n    return EXIT_FAILED if result.errors else EXIT_OK',
       '    print(f"{command}: {summary}")\n    return EXIT_OK'),
      T_BATCH + " tests/test_cli.py", "batch exits 0 when rows failed"),
    m("output-direct-write", "packets/output.py",
      ("        for path, data in files:\n            temps.append(_temp_for(Path(path), data))\n"
       "        for (path, _), tmp in zip(files, temps):\n            os.replace(tmp, path)\n            done.append(Path(path))",
       "        for path, data in files:\n            with open(path, \"wb\") as fh:\n                _write_all(fh, data)\n"
       "            done.append(Path(path))"),
      T_BATCH, "files are written straight to their final names", "direct-write"),
    m("output-write-bytes", "packets/output.py",
      ("        for path, data in files:\n            temps.append(_temp_for(Path(path), data))\n"
       "        for (path, _), tmp in zip(files, temps):\n            os.replace(tmp, path)\n            done.append(Path(path))",
       "        for path, data in files:\n            Path(path).write_bytes(data)\n            done.append(Path(path))"),
      T_BATCH, "files are written with write_bytes, no temporary file, no flush to disk", "direct-write"),
    m("output-temp-left-behind", "packets/output.py",
      ("        for tmp in temps:\n            _unlink(tmp)\n", ""),
      T_BATCH, "a failed write leaves its temporary files"),
    m("output-half-pair-kept", "packets/output.py",
      ("        for path in done:  # a pair is whole or absent\n            _unlink(path)\n", ""),
      T_BATCH, "a calendar file stays when its PDF could not be written"),
    m("output-no-fsync", "packets/output.py",
      ("    os.fsync(fh.fileno())\n", ""),
      T_BATCH, "a file is renamed before its data is on the disk", "direct-write"),
    m("output-stale-partials-kept", "packets/output.py",
      ("            self.remove_stale_partials()\n", ""),
      T_BATCH, "temporary files of a killed run are never removed"),
    m("output-no-lock", "packets/output.py",
      ("    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)", "    pass"),
      T_BATCH, "two runs may write into one folder at once"),
    m("output-folders-made-anywhere", "packets/output.py",
      ("            if not inside and not parent.is_dir():", "            if False:"),
      T_BATCH, "a mistyped output path outside the working folder is created silently"),

    # -- one packet ----------------------------------------------------------------------------
    m("build-variant-names", "packets/build.py",
      ('+ ("-large-print" if options.large_print else "")', ""),
      T_BATCH, "a large-print packet overwrites the standard one"),
    m("build-require-reviewed-ignored", "packets/build.py",
      ("production = options.require_reviewed or program.production", "production = program.production"),
      "tests/test_options.py tests/test_gate.py", "--require-reviewed builds from draft catalogs"),
    m("build-withheld-ignored", "packets/build.py",
      ("withheld = {} if options.preview else review.withheld_strings", "withheld = {} if True else review.withheld_strings"),
      "tests/test_gate.py", "a translation that fails a check prints"),
    m("build-fuzzy-not-refused", "packets/build.py",
      ("(ctx.catalog.untranslated or ctx.catalog.fuzzy)", "(ctx.catalog.untranslated)"),
      "tests/test_options.py tests/test_gate.py", "a catalog with fuzzy strings builds without --allow-fallback"),
    m("build-date-today", "packets/build.py",
      ("    today = printed_date()\n", "    today = __import__('datetime').date.today()\n"),
      "tests/test_pdf.py tests/test_calendar.py", "the packet's printed date ignores SOURCE_DATE_EPOCH", "source-date-epoch"),
    m("clock-epoch-ignored", "packets/clock.py",
      ("    if epoch is not None:\n", "    if False:\n"),
      "tests/test_pdf.py tests/test_calendar.py", "printed_date ignores SOURCE_DATE_EPOCH", "source-date-epoch"),
    m("build-ics-when-encrypted", "packets/build.py",
      ('ics = b"" if password else schedule_ics', "ics = schedule_ics"),
      T_BATCH, "an encrypted packet gets an unencrypted calendar file beside it"),
    m("build-past-warning-dropped", "packets/build.py",
      ("    warnings = [f\"{patient.masked_mrn}: {len(past)}", "    warnings = [] and [f\"{patient.masked_mrn}: {len(past)}"),
      "tests/test_cli.py tests/test_batch.py", "staff are not warned that scheduled dates are in the past"),
    m("ics-tests-dropped", "packets/ics.py",
      ("    for t in schedule.tests:\n        cal.add_component", "    for t in ():\n        cal.add_component"),
      T_CAL, "planned tests are not in the .ics", "ics-tests"),
    m("ics-dtend-inclusive", "packets/ics.py",
      ('ev.add("dtend", end_inclusive + dt.timedelta(days=1))', 'ev.add("dtend", end_inclusive)'),
      T_CAL, "each event in the .ics ends a day early (all-day DTEND is exclusive)"),
    m("ics-stay-ends-earliest", "packets/ics.py",
      ("c.discharge_latest, stamp, \"stay\"", "c.discharge_earliest, stamp, \"stay\""),
      T_CAL, "a hospital stay in the .ics ends on the earliest discharge day"),
    m("ics-visit-dropped", "packets/ics.py",
      ("    if schedule.follow_up:\n        cal.add_component", "    if False:\n        cal.add_component"),
      T_CAL, "the follow-up visit is not in the .ics"),
    m("ics-stamp-today", "packets/ics.py",
      ("stamp = dt.datetime.combine(printed, dt.time(0, 0), tzinfo=dt.timezone.utc)",
       "stamp = dt.datetime.combine(dt.date.today(), dt.time(0, 0), tzinfo=dt.timezone.utc)"),
      T_CAL + " tests/test_pdf.py", "the .ics is stamped with today, not the printed date", "source-date-epoch"),

    # -- reviews -------------------------------------------------------------------------------
    m("review-fingerprint-ignored", "packets/fingerprint.py",
      ("    if record.fingerprint.strip() != current:", "    if False:"),
      "tests/test_gate.py", "a catalog edited after its review still counts as reviewed"),
    m("review-fuzzy-flag-not-fingerprinted", "packets/fingerprint.py",
      ('entries.append([m.context or "", ids, [s or "" for s in strings], bool(m.fuzzy)])',
       'entries.append([m.context or "", ids, [s or "" for s in strings]])'),
      "tests/test_gate.py", "marking a reviewed string fuzzy keeps the review"),
    m("review-sample-profile-ready", "packets/review.py",
      ("        return self.status == REVIEWED and not self.problems", "        return self.status == REVIEWED"),
      "tests/test_gate.py", "a reviewed profile with fictional phone numbers passes production"),
    m("review-credential-optional", "packets/review.py",
      ("    if not comma or not name.strip() or not credential.strip():", "    if not comma:"),
      "tests/test_gate.py", "a review without a credential is recorded"),
    m("review-fuzzy-does-not-block", "packets/review.py",
      ('if f.severity == ERROR or f.problem.startswith(("fuzzy", "untranslated"))]', "if f.severity == ERROR]"),
      "tests/test_gate.py", "a catalog with fuzzy strings can be recorded as reviewed"),
    m("review-variant-base-ignored", "packets/i18n/context.py",
      ("pending = next((part for part in (own, base) if part.review_status != REVIEWED), None)",
       "pending = next((part for part in (own,) if part.review_status != REVIEWED), None)"),
      "tests/test_gate.py", "a reviewed regional variant is ready although its base catalog is a draft"),
    m("program-paper-always-letter", "packets/program.py",
      ('return "letter" if self.territory in LETTER_TERRITORIES else "a4"', 'return "letter"'),
      "tests/test_pdf.py", "a program outside North America prints on US Letter"),
    m("program-fictional-boundary", "packets/program.py",
      ("            if low <= rest <= high:", "            if low < rest < high:"),
      "tests/test_profile.py tests/test_gate.py", "555-0100, the first fictional number, passes as real"),

    # -- the command line ----------------------------------------------------------------------
    m("cli-demo-exit-0", "packets/cli.py",
      ("    return EXIT_FAILED if failed else EXIT_OK", "    return EXIT_OK"),
      "tests/test_cli.py", "demo exits 0 when a language failed", "demo-exit"),
    m("cli-demo-stops-at-failure", "packets/cli.py",
      ("                failed += 1\n                continue\n", "                failed += 1\n                break\n"),
      "tests/test_cli.py", "demo stops at the first language that fails"),
    m("cli-build-warnings-silent", "packets/cli.py",
      ("        for w in built.warnings:\n            print(f\"warning: {w}\", file=sys.stderr)\n", ""),
      "tests/test_cli.py", "build prints no warning that dates are in the past"),
    m("cli-lang-ignored", "packets/cli.py",
      ("built = build_packet(patient, program, _options(args, args.lang))",
       "built = build_packet(patient, program, _options(args))"),
      "tests/test_cli.py", "--lang is ignored"),
    m("cli-short-password", "packets/cli.py",
      ("    if len(password) < 8:", "    if len(password) < 6:"),
      T_BATCH + " tests/test_cli.py", "a six-character PDF password is accepted"),
    m("cli-usage-error-exit-1", "packets/cli.py",
      ("    except PacketError as err:\n        _fail(err)\n        return EXIT_USAGE",
       "    except PacketError as err:\n        _fail(err)\n        return EXIT_FAILED"),
      "tests/test_cli.py", "a configuration error exits 1 instead of 2"),

    # -- rendering -----------------------------------------------------------------------------
    m("render-calendar-no-marks", "packets/render/calendar.py",
      ("        draw_marks(c, w, h, day.kinds)\n", "        draw_marks(c, w, h, frozenset())\n"),
      T_CAL, "the month grid draws no marks", "calendar-marks"),
    m("render-calendar-visit-mark", "packets/render/calendar.py",
      ('    if "visit" in kinds:', '    if "visit" in kinds and False:'),
      T_CAL, "clinic visits get no mark on the calendar", "calendar-marks"),
    m("render-calendar-weeks-not-mirrored", "packets/render/calendar.py",
      ("[c.cols(list(week)) for week in month.weeks]", "[list(week) for week in month.weeks]"),
      T_CAL + " tests/test_scripts.py", "right-to-left calendars run their days left to right", "calendar-rtl"),
    m("render-calendar-heads-not-mirrored", "packets/render/calendar.py",
      ('heads = c.cols([c.para((L.Run(n),), "small", alignment=1) for n in month.weekdays])',
       'heads = [c.para((L.Run(n),), "small", alignment=1) for n in month.weekdays]'),
      T_CAL + " tests/test_scripts.py", "right-to-left calendars run their weekday names left to right", "calendar-rtl"),
    m("render-rtl-bold-order", "packets/render/paragraph.py",
      ('line.words = ordered[::-1] if self.style.wordWrap == "RTL" else ordered', "line.words = ordered"),
      "tests/test_scripts.py tests/test_bidi.py", "bold fragments of right-to-left lines drawn in reverse order",
      "rtl-bold"),
    m("render-rtl-fragments-logical", "packets/render/paragraph.py",
      ("                ordered = visual_fragments(line.words, direction, text, prefix)",
       "                ordered = list(line.words)"),
      "tests/test_scripts.py tests/test_bidi.py", "styled right-to-left lines keep their fragments in logical order",
      "rtl-bold"),
    m("render-zh-hant-not-cjk", "packets/render/styles.py",
      ('CJK = ("zh_Hans", "zh_Hant", "ja")', 'CJK = ("zh_Hans", "ja")'),
      "tests/test_scripts.py tests/test_layout.py", "zh-Hant loses CJK line breaking", "zh-Hant-breaking"),
    m("render-cjk-wordsplit-not-installed", "packets/render/linebreak.py",
      ("    paragraph.wordSplit = word_split\n", ""),
      "tests/test_scripts.py tests/test_layout.py", "one-style CJK paragraphs use reportlab's breaking (no kinsoku)",
      "zh-Hant-breaking"),
    m("render-latin-in-cjk-splits", "packets/render/linebreak.py",
      ("    if _latin(before) and _latin(after):\n        return False\n", ""),
      "tests/test_scripts.py tests/test_layout.py", "'IL-2' and phone numbers break inside CJK lines"),
    m("render-opening-bracket-ends-line", "packets/render/linebreak.py",
      ('OPENING = "([{\\u2018\\u201c\\u3008\\u300a\\u300c\\u300e\\u3010\\u3014\\u3016\\u3018\\u301a\\uff08',
       'OPENING = "([{\\u2018\\u201c\\u3008\\u300a\\u300c\\u300e\\u3010\\u3014\\u3016\\u3018\\u301a'),
      "tests/test_layout.py tests/test_scripts.py", "a full-width opening bracket may end a line"),
    m("render-rtl-not-mirrored", "packets/render/pdf.py",
      ("        return list(reversed(cells)) if self.rtl else cells", "        return cells"),
      "tests/test_scripts.py", "right-to-left tables keep left-to-right column order"),
    m("render-rtl-numbers-unembedded", "packets/render/pdf.py",
      ("        if rtl:\n            text = NUMBERISH.sub", "        if False:\n            text = NUMBERISH.sub"),
      "tests/test_scripts.py tests/test_bidi.py", "phone numbers inside Arabic text come out reordered"),
    m("render-units-break", "packets/render/pdf.py",
      ("        if run.nobreak and not cjk:\n", "        if False:\n"),
      "tests/test_layout.py", "dates and phone numbers break at their spaces"),
    m("render-headings-end-pages", "packets/render/pdf.py",
      ("                out.append(CondPageBreak(f.getSpaceBefore() + h + f.getSpaceAfter()\n"
       "                                         + _first_lines_height(flow, i + 1, width) + 1))",
       "                pass"),
      "tests/test_layout.py", "a heading may be the last line of a page"),
    m("render-large-print-small-text", "packets/render/styles.py",
      ('"small": {"fontSize": 18, "leading": 22},', '"small": {"fontSize": 14, "leading": 18},'),
      "tests/test_layout.py tests/test_calendar.py", "large print's header, footer and sources stay small"),
    m("render-sources-scrambled-in-rtl", "packets/render/pdf.py",
      ('    en = c.other("en", "ltr") if c.rtl else c\n', "    en = c\n"),
      "tests/test_layout.py", "English sources in a right-to-left packet are ordered as Arabic"),
    m("render-when-to-call-splits", "packets/render/pdf.py",
      ("        return [keep(core + rest)]", "        return core + rest"),
      "tests/test_layout.py", "the when-to-call block may split across pages"),
    m("render-bidi-no-brackets", "packets/render/bidi.py",
      ("    _resolve_brackets(storage)\n", ""),
      "tests/test_bidi.py tests/test_scripts.py", "brackets inside Arabic text are not paired (rule N0)"),
    m("render-urgent-callout-blue", "packets/render/pdf.py",
      ("    color = URGENT if b.urgent else ACCENT", "    color = ACCENT"),
      "tests/test_pdf.py tests/test_layout.py", "the emergency instruction is drawn in the ordinary blue, not red"),
    m("render-page-label-not-mirrored", "packets/render/pdf.py",
      ('"small",\n                            alignment=0 if self.c.rtl else 2)',
       '"small",\n                            alignment=2)'),
      "tests/test_scripts.py tests/test_layout.py", "'Page X of Y' sits on the name's side in right-to-left packets"),
]


def _ignore(folder, names):
    return {n for n in names if n in (".git", ".venv", "venv", "out", "__pycache__", ".pytest_cache", ".hypothesis",
                                      "build", "dist") or n.endswith(".egg-info")}


def apply(text: str, mutant: Mutant) -> str:
    for old, new in mutant.edits:
        count = text.count(old)
        if count != 1:
            raise LookupError(f"{mutant.id}: text to mutate found {count} times in {mutant.file}: {old[:60]!r}")
        text = text.replace(old, new)
    return text


def check(mutants) -> list[str]:
    problems = []
    for mu in mutants:
        try:
            apply((ROOT / mu.file).read_text(encoding="utf-8"), mu)
        except LookupError as exc:
            problems.append(str(exc))
    ids = [mu.id for mu in MUTANTS]
    problems += [f"duplicate id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    return problems


def pytest(scratch: Path, args: list[str], timeout: float) -> tuple[str, str, float]:
    """('killed' | 'survived' | 'error' | 'timeout', first failing test or note, seconds)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PACKETS_ROOT", None)
    env.pop("SOURCE_DATE_EPOCH", None)
    start = time.monotonic()
    try:
        r = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header",
                            *args], cwd=scratch, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", f"over {timeout:.0f} s", time.monotonic() - start
    seconds = time.monotonic() - start
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", r.stdout, re.M)
    if r.returncode == 0:
        return "survived", "", seconds
    if r.returncode == 1:
        return "killed", failed[0] if failed else "(a failure)", seconds
    tail = (r.stdout + r.stderr).strip().splitlines()[-3:]
    return "error", f"pytest exit {r.returncode}: " + " | ".join(tail), seconds


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ids", nargs="*", help="only these mutants")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--check", action="store_true", help="check that every mutant applies; run no tests")
    ap.add_argument("--full", action="store_true", help="run the whole suite on each survivor")
    ap.add_argument("--no-baseline", action="store_true", help="skip the run of the unmutated tests")
    ap.add_argument("--tests", help="run these pytest arguments instead of each mutant's own tests "
                    "(to see whether one test alone kills a mutant)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per mutant (default 1800)")
    ap.add_argument("--jobs", type=int, default=1, help="mutants tried at once, each in its own copy (default 1)")
    args = ap.parse_args(argv)

    chosen = [mu for mu in MUTANTS if not args.ids or mu.id in args.ids]
    unknown = set(args.ids) - {mu.id for mu in MUTANTS}
    if unknown:
        print(f"unknown mutant(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    if args.list:
        for mu in chosen:
            print(f"{mu.id:45} {mu.file:30} {mu.what}" + (f"  [{mu.kind}]" if mu.kind else ""))
        print(f"{len(chosen)} mutants")
        return 0
    problems = check(chosen)
    if problems:
        print("\n".join(f"stale: {p}" for p in problems), file=sys.stderr)
        return 2
    missing = set(KINDS) - {mu.kind for mu in MUTANTS if mu.kind}
    if missing:
        print(f"no mutant for kind(s): {', '.join(sorted(missing))}", file=sys.stderr)
        return 2
    if args.check:
        print(f"{len(chosen)} mutants apply; every kind of bug of issue 12 has one")
        return 0

    def stop(signum, frame):  # a kill (SIGTERM) cleans up like Ctrl-C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    began = time.monotonic()
    top = Path(tempfile.mkdtemp(prefix="mutation-"))
    free: queue.Queue[Path] = queue.Queue()
    lock = threading.Lock()
    results: dict[str, tuple[str, str, float]] = {}
    try:
        for n in range(args.jobs):  # one copy per parallel run: a mutant never sees another's edit
            scratch = top / f"repo{n}"
            shutil.copytree(ROOT, scratch, ignore=_ignore)
            free.put(scratch)
        scratch = top / "repo0"
        probe = subprocess.run([sys.executable, "-c", "import packets; print(packets.__file__)"], cwd=scratch,
                               capture_output=True, text=True, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
        if not probe.stdout.strip().startswith(str(scratch)):
            print(f"the scratch copy does not import its own packets ({probe.stdout.strip()})", file=sys.stderr)
            return 2
        if not args.no_baseline:
            tests = shlex.split(args.tests) if args.tests else sorted({t for mu in chosen for t in mu.tests})
            outcome, note, seconds = pytest(scratch, tests, args.timeout * 2)
            print(f"baseline: the chosen tests on unmutated code: {outcome} {note} ({seconds:.0f} s)", flush=True)
            if outcome != "survived":
                print("the tests must pass before mutants mean anything", file=sys.stderr)
                return 2

        def attempt(mu: Mutant) -> None:
            scratch = free.get()
            path = scratch / mu.file
            original = path.read_text(encoding="utf-8")
            try:
                path.write_text(apply(original, mu), encoding="utf-8")
                tests = shlex.split(args.tests) if args.tests else list(mu.tests)
                outcome, note, seconds = pytest(scratch, tests, args.timeout)
                if outcome == "survived" and args.full:
                    outcome, note, more = pytest(scratch, [], args.timeout * 4)
                    seconds += more
                    note = (note + " (whole suite)") if outcome == "killed" else "whole suite"
            finally:
                path.write_text(original, encoding="utf-8")
                free.put(scratch)
            with lock:
                results[mu.id] = (outcome, note, seconds)
                print(f"[{len(results)}/{len(chosen)}] {outcome.upper():8} {mu.id} ({seconds:.0f} s) {note}",
                      flush=True)

        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = [pool.submit(attempt, mu) for mu in chosen]
            try:
                for future in concurrent.futures.as_completed(futures):
                    future.result()
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    finally:
        shutil.rmtree(top, ignore_errors=True)

    rows = [(mu, *results[mu.id]) for mu in chosen]
    print(f"\n{'mutant':44} {'file':30} {'outcome':8} {'killed by / note':70} bug")
    for mu, outcome, note, _ in rows:
        print(f"{mu.id:44} {mu.file.removeprefix('packets/'):30} {outcome:8} "
              f"{note.removeprefix('tests/')[:70]:70} {mu.what}")
    killed = [r for r in rows if r[1] == "killed"]
    kinds: dict[str, list] = {}
    for mu, outcome, note, _ in rows:
        if mu.kind:
            kinds.setdefault(mu.kind, []).append((mu.id, outcome, note))
    if kinds:
        print("\nthe kinds of bug of issue 12:")
        for kind, found in kinds.items():
            print(f"  {KINDS[kind]}:")
            for ident, outcome, note in found:
                print(f"    {outcome} {ident} {note}")
    survivors = [r for r in rows if r[1] != "killed"]
    if survivors:
        print("\nnot killed:")
        for mu, outcome, note, _ in survivors:
            print(f"  {outcome}: {mu.id}: {mu.what} ({mu.file}) {note}")
    print(f"\nkilled {len(killed)} of {len(rows)} mutants ({100 * len(killed) / len(rows):.1f}%) "
          f"in {(time.monotonic() - began) / 60:.1f} min with {args.jobs} job(s)")
    return 0 if len(killed) == len(rows) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: the scratch copies are removed; the checkout was never edited", file=sys.stderr)
        sys.exit(130)
