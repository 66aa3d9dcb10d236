"""Quality checks a translator runs on a catalog: ``python generate.py i18n check [LANG ...]``.

In: ``.po`` files (and the fonts). Out: :class:`Finding` objects, printed as
``file:line: msgid: problem``. Errors make the command exit non-zero; warnings do not.

Checks: catalog syntax, placeholders (and stray braces, ``%s``), inline markup, HTML entities,
line breaks and backslashes, spaces at either end, numbers and URLs, plural forms (every form,
and a Plural-Forms header that matches CLDR), glyph coverage, fit in fixed boxes,
fuzzy/untranslated strings, and GNU ``msgfmt --check``. A regional variant's empty strings are
not findings when its base catalog translates them. The checker never crashes on a mistake it
exists to catch: each becomes a finding with its line.

The build runs the same per-string rules on every string it prints (:func:`string_errors`),
once per catalog version: a string with an error never reaches a patient.
"""

from __future__ import annotations

import bisect
import math
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import fontdata
from ..errors import ConfigError
from ..fingerprint import catalog_fingerprint, catalog_record, judge
from . import locales, plurals
from .pofiles import read_catalog

ERROR, WARNING = "error", "warning"

_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)[^>]*>")
_NUMBER = re.compile(r"\d+")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:)]")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_NAMED = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PRINTF = re.compile(r"%(?:\(\w+\)|\d+\$)?[-#0+]?\d*(?:\.\d+)?[sdif](?![A-Za-z])")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
ALLOWED_TAGS = {"b"}

# Strings printed in boxes of fixed size: (msgctxt, msgid) -> (width pt, font size, bold, max lines).
# Widths are for US Letter with 0.75 in margins (the narrower page); large print is checked too.
FRAME = 612 - 2 * 54
FIXED_BOXES = {
    ("ui", "What"): (FRAME * 0.42 - 12, 12, True, 1),
    ("ui", "When"): (FRAME * 0.58 - 12, 12, True, 1),
    ("ui", "In the hospital"): (FRAME / 2 - 40, 11, False, 2),
    ("ui", "May still be in the hospital"): (FRAME / 2 - 40, 11, False, 2),
    ("ui", "Break at home"): (FRAME / 2 - 40, 11, False, 2),
    ("ui", "Scans"): (FRAME / 2 - 40, 11, False, 2),
    ("ui", "Clinic visit or test"): (FRAME / 2 - 40, 11, False, 2),
    ("cover", "Your guide to high-dose IL-2 treatment"): (FRAME, 26, True, 3),
}
LARGE_PRINT_FACTOR = 18 / 12


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    msgid: str
    problem: str
    severity: str = ERROR

    def __str__(self) -> str:
        msgid = self.msgid if len(self.msgid) <= 60 else self.msgid[:57] + "..."
        msgid = f"{msgid}: " if msgid else ""
        return f"{self.file}:{self.line}: {msgid}{self.severity}: {self.problem}"


def _strip_placeholders(text: str) -> str:
    return _PLACEHOLDER.sub(" ", text)


def _names(text: str) -> set[str]:
    """``{name}`` placeholders, read leniently: a broken brace is reported, never raised."""
    return set(_NAMED.findall(text.replace("{{", "").replace("}}", "")))


def _stray_braces(text: str) -> list[str]:
    rest = _NAMED.sub("", text.replace("{{", "").replace("}}", ""))
    return [c for c in rest if c in "{}"]


def check_placeholders(source: str, translation: str) -> list[str]:
    want, got = _names(source), _names(translation)
    problems = []
    stray = _stray_braces(translation)
    if len(stray) > len(_stray_braces(source)):
        problems.append(f"lone {stray[0]} or a broken placeholder: placeholders are written {{name}} "
                        "with an English name inside; remove the brace")
    if want - got:
        problems.append("missing placeholder(s) " + ", ".join(f"{{{n}}}" for n in sorted(want - got)))
    if got - want:
        problems.append("unknown placeholder(s) " + ", ".join(f"{{{n}}}" for n in sorted(got - want))
                        + " (keep the English names, e.g. {date}, never translate them)")
    return problems


def check_markup(source: str, translation: str) -> list[str]:
    problems = []
    stack = []
    for m in _TAG.finditer(translation):
        tag = m.group(1).lower()
        if tag not in ALLOWED_TAGS:
            problems.append(f"tag <{tag}> is not allowed (only <b>)")
        elif m.group(0).startswith("</"):
            if not stack or stack[-1] != tag:
                problems.append(f"</{tag}> closes nothing")
            else:
                stack.pop()
        else:
            stack.append(tag)
    if stack:
        problems.append("unclosed " + ", ".join(f"<{t}>" for t in stack))
    if Counter(_TAG.findall(source)) != Counter(_TAG.findall(translation)) and not problems:
        problems.append("inline markup differs from the English (same <b> tags expected)")
    return problems


def check_numbers(source: str, translation: str) -> list[str]:
    problems = []
    want = Counter(_NUMBER.findall(_strip_placeholders(source)))
    got = Counter(_NUMBER.findall(_strip_placeholders(translation)))
    for n in sorted(set(want) | set(got)):
        if got[n] < want[n]:
            problems.append(f"number {n} of the English is missing or changed")
        elif got[n] > want[n]:
            problems.append(f"number {n} is not in the English: numbers, phones, doses and dates must be "
                            "placeholders, never typed")
    for url in _URL.findall(source):
        if url not in translation:
            problems.append(f"URL {url} is missing or changed")
    return problems


def check_traps(source: str, translation: str) -> list[tuple[str, str]]:
    """Text that would print wrongly: printf placeholders, HTML entities, line breaks, backslashes
    and spaces at either end. Returns (severity, problem) pairs."""
    problems = []
    for m in _PRINTF.finditer(translation):
        if m.group(0) not in source:
            problems.append((ERROR, f"{m.group(0)} is not a placeholder here: placeholders are written "
                                    "{name}, as in the English"))
    for m in _ENTITY.finditer(translation):
        if m.group(0) not in source:
            problems.append((ERROR, f"HTML entity {m.group(0)} would print as typed: type the character "
                                    "itself (a no-break space is U+00A0)"))
    if translation.count("\n") > source.count("\n"):
        problems.append((ERROR, "line break (\\n) not in the English: the packet breaks lines itself; "
                                "remove it"))
    if translation.count("\\") > source.count("\\"):
        problems.append((ERROR, "backslash \\ would print as typed; remove it"))
    if translation != translation.strip() and source == source.strip():
        problems.append((WARNING, "space at the start or end of the text; remove it"))
    return problems


def check_fit(key: tuple[str, str], translation: str, catalog_id: str) -> list[str]:
    box = FIXED_BOXES.get(key)
    if not box:
        return []
    width, size, bold, max_lines = box
    text = re.sub(r"</?b>", "", _PLACEHOLDER.sub("0000", translation))
    problems = []
    for label, factor in (("", 1.0), (" in large print", LARGE_PRINT_FACTOR)):
        w = fontdata.text_width(text, catalog_id, size * factor, bold)
        lines = math.ceil(w / width) if width else 1
        if lines > max_lines:
            problems.append(f"too long for its box{label}: {w:.0f} pt in a {width:.0f} pt box "
                            f"({max_lines} line{'s' if max_lines > 1 else ''} at most); shorten it")
    return problems


_PLURAL_NOTE = re.compile(r"Plural: the number \{(\w+)\} chooses the form")


def _base_translations(catalog_id: str, base: Path | None) -> tuple[str | None, set, str | None]:
    """For a regional variant: its base catalog id, the base's usable strings, its Plural-Forms."""
    parent = locales.base_catalog(catalog_id, locales.available(base))
    if not parent:
        return None, set(), None
    catalog, _ = read_catalog(locales.catalog_path(parent, base))
    done = {(m.context or "", m.id if isinstance(m.id, str) else m.id[0]) for m in catalog
            if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, (list, tuple)) else m.string)}
    return parent, done, catalog.plural_forms


def _plural_header(catalog, catalog_id: str, name: str, parent, parent_forms) -> list[Finding]:
    try:
        nplurals, expr = plurals.parse_plural_forms(catalog.plural_forms)
    except (ValueError, KeyError, SyntaxError):
        return [Finding(name, 1, "", f"the Plural-Forms header '{catalog.plural_forms}' is not a gettext formula")]
    if parent and parent_forms != catalog.plural_forms:
        return [Finding(name, 1, "", f"Plural-Forms differs from the {parent} catalog's ({parent_forms}); "
                                     "a regional variant uses the same forms")]
    problem = plurals.cldr_disagreement(nplurals, expr, catalog_id)
    return [Finding(name, 1, "", problem, WARNING)] if problem else []


def check_catalog(catalog_id: str, base: Path | None = None, run_msgfmt: bool = True) -> list[Finding]:
    path = locales.catalog_path(catalog_id, base)
    name = str(path)
    try:
        catalog, extra = read_catalog(path)
    except ConfigError as err:  # a catalog that does not parse is one finding, where it breaks
        return [Finding(name, err.line or 0, "", err.message)]
    parent, parent_done, parent_forms = _base_translations(catalog_id, base)
    findings = _plural_header(catalog, catalog_id, name, parent, parent_forms)
    nplurals = catalog.num_plurals
    try:
        single = plurals.single_number_forms(*plurals.parse_plural_forms(catalog.plural_forms))
        examples = plurals.samples(*plurals.parse_plural_forms(catalog.plural_forms))
    except (ValueError, KeyError, SyntaxError):
        single, examples = set(), []
    for m in catalog:
        if not m.id:
            continue
        msgid = m.id[0] if isinstance(m.id, (list, tuple)) else m.id
        line = getattr(m, "lineno", 0) or 0
        strings = list(m.string) if isinstance(m.string, (list, tuple)) else [m.string]
        in_base = (m.context or "", msgid) in parent_done
        if m.fuzzy:
            findings.append(Finding(name, line, msgid, "fuzzy: the English changed; check and unmark" + (
                f" (until then the {parent} translation is used)" if in_base else ""), WARNING))
            continue
        if not any(strings):
            if not in_base:
                findings.append(Finding(name, line, msgid, "untranslated" + (
                    f" (the {parent} catalog has no translation either)" if parent else ""), WARNING))
            continue
        plural = isinstance(m.id, (list, tuple))
        if plural and len(strings) != nplurals:
            findings.append(Finding(name, line, msgid, f"{len(strings)} plural forms; the header says {nplurals}"))
        count = next((c.group(1) for c in map(_PLURAL_NOTE.search, m.auto_comments) if c), None)
        sources = list(m.id) if plural else [m.id]
        for i, s in enumerate(strings):
            form = f"form {i} (for {', '.join(map(str, examples[i]))}...): " if plural and i < len(examples) else ""
            if not s:
                findings.append(Finding(name, line, msgid, f"{form or 'a plural form: '}empty; every form needs "
                                                           "a translation"))
                continue
            problems = check_string(catalog_id, m.context or "", tuple(sources), s,
                                    count if plural and i in single else None)
            findings.extend(Finding(name, line, msgid, form + p, sev) for sev, p in problems)
    if run_msgfmt and shutil.which("msgfmt"):
        # A placeholder mistake is reported once, by our check, with its entry's line; msgfmt's
        # "format specification" line for the same entry would count it twice.
        starts = sorted(getattr(m, "lineno", 0) or 0 for m in catalog if m.id)
        placeholder_entries = {f.line for f in findings if "placeholder" in f.problem}
        for f in _msgfmt(path):
            entry = starts[bisect.bisect_right(starts, f.line) - 1] if starts and f.line >= starts[0] else None
            if "format specification" in f.problem and entry in placeholder_entries:
                continue
            findings.append(f)
    return findings


@lru_cache(maxsize=65536)
def check_string(catalog_id: str, context: str, sources: tuple[str, ...], translation: str,
                 spelled_out: str | None = None) -> tuple[tuple[str, str], ...]:
    """Every per-string rule on one translation (one plural form): (severity, problem) pairs,
    empty when clean. ``sources`` is the English (singular[, plural]); ``spelled_out`` names the
    count placeholder a form for one number only may leave out. Memoised: a string is checked
    once per process, whichever catalog version holds it."""
    src = sources[-1]  # the English "other" form: every placeholder, number and tag of the text
    problems = check_placeholders(" ".join(sources), translation) + check_markup(src, translation) \
        + check_numbers(src, translation)
    if spelled_out:  # a form for one number only may spell it out
        problems = [p for p in problems if p != f"missing placeholder(s) {{{spelled_out}}}"]
    found = [(ERROR, p) for p in problems] + check_traps(src, translation)
    script = locales.script_id(catalog_id)
    missing = fontdata.missing_glyphs(re.sub(r"</?b>", "", translation), script)
    if missing:
        found.append((ERROR, "no glyph in the fonts for " + " ".join(f"{c} (U+{ord(c):04X})"
                                                                   for c in sorted(missing))))
    found += [(ERROR, p) for p in check_fit((context, sources[0]), translation, script)]
    return tuple(found)


def _msgfmt(path: Path) -> list[Finding]:
    """GNU msgfmt --check: one finding per line of the catalog it complains about (it reports one
    mistake on several lines, e.g. 'keyword unknown' and 'syntax error', and ends with a count of
    fatal errors, which is not a finding); its warnings stay warnings."""
    r = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    if r.returncode == 0 and not r.stderr.strip():
        return []
    grouped: dict[tuple[int, str], list[str]] = {}
    prefix = re.compile(r"^" + re.escape(str(path)) + r":(\d+):(?:\d+:)?\s*(.*)$")
    for err_line in r.stderr.strip().splitlines():
        if re.match(r"^msgfmt: found \d+ fatal errors?$", err_line.strip()):
            continue
        m = prefix.match(err_line)
        line, text = (int(m.group(1)), m.group(2)) if m else (0, err_line.strip())
        severity = WARNING if text.startswith("warning:") else ERROR
        grouped.setdefault((line, severity), []).append(text.removeprefix("warning:").strip())
    return [Finding(str(path), line, "", "msgfmt: " + "; ".join(dict.fromkeys(msgs)), severity)
            for (line, severity), msgs in sorted(grouped.items())]


_STRING_ERRORS: dict[tuple, dict] = {}


def string_errors(state, catalog_id: str, messages: dict) -> dict[tuple[str, str], Finding]:
    """(msgctxt, msgid) -> the first error of each translation among ``messages`` (key -> the
    content's Message: the strings a packet prints) that fails a check.

    ``state`` is a loaded :class:`~packets.i18n.context.CatalogState` (a variant's merged one
    reports each string in the file it comes from). Computed once per catalog version (path and
    fingerprint) and reused: a batch of 1,000 packets checks each catalog once per process.
    """
    key = (state.path, state.fingerprint, id(messages))
    cached = _STRING_ERRORS.get(key)
    found = cached[1] if cached and cached[0] is messages else None
    if found is None:
        found = {}
        files = {part.catalog_id: part.path for part in state.parts}
        try:
            single = plurals.single_number_forms(*state.plural_forms)
        except (ValueError, KeyError, SyntaxError):
            single = set()
        for ident, message in messages.items():
            text = state.translations.get(ident)
            if text is None:
                continue
            sources = (message.text, message.plural) if getattr(message, "plural", None) else (message.text,)
            strings = text if isinstance(text, tuple) else (text,)
            for i, s in enumerate(strings):
                if not s:
                    continue
                spelled = getattr(message, "count", None) if len(strings) > 1 and i in single else None
                errors = [p for sev, p in check_string(catalog_id, ident[0], sources, s, spelled) if sev == ERROR]
                if errors:
                    found[ident] = Finding(files.get(state.origins.get(ident), state.path),
                                           state.lines.get(ident, 0), ident[1], errors[0])
                    break
        if len(_STRING_ERRORS) > 64:
            _STRING_ERRORS.clear()
        _STRING_ERRORS[key] = (messages, found)
    return found


def catalog_stats(catalog_id: str, base: Path | None = None) -> dict:
    """Progress and review status. For a regional variant, "translated" counts the strings a
    packet gets from the variant or its base; ``own`` counts the variant's own."""
    path = locales.catalog_path(catalog_id, base)
    catalog, extra = read_catalog(path)
    parent, parent_done, _ = _base_translations(catalog_id, base)
    messages = [m for m in catalog if m.id]

    def done(m) -> bool:
        return not m.fuzzy and bool(all(m.string) if isinstance(m.string, (list, tuple)) else m.string)

    def key(m):
        return (m.context or "", m.id if isinstance(m.id, str) else m.id[0])

    own = sum(1 for m in messages if done(m))
    fuzzy = sum(1 for m in messages if m.fuzzy and key(m) not in parent_done)
    untranslated = sum(1 for m in messages if not m.fuzzy and not done(m) and key(m) not in parent_done)
    total = len(messages)
    review = judge(catalog_record(extra), catalog_fingerprint(catalog))
    return {
        "id": catalog_id, "tag": locales.bcp47(catalog_id), "native": locales.native_name(catalog_id),
        "total": total, "translated": total - fuzzy - untranslated, "fuzzy": fuzzy,
        "untranslated": untranslated,
        "percent": 100.0 * (total - fuzzy - untranslated) / total if total else 100.0,
        "status": review.status, "reviewer": review.reviewer, "reviewed": review.date, "detail": review.detail,
        "variant_of": parent, "own": own,
    }
