"""Quality checks a translator runs on a catalog: ``python generate.py i18n check [LANG ...]``.

In: ``.po`` files (and the fonts). Out: :class:`Finding` objects, printed as
``file:line: msgid: problem``. Errors make the command exit non-zero; warnings do not.

Checks: placeholders, inline markup, numbers and URLs, plural forms (every form, and a
Plural-Forms header that matches CLDR), glyph coverage, fit in fixed boxes, fuzzy/untranslated
strings, and GNU ``msgfmt --check``. A regional variant's empty strings are not findings when
its base catalog translates them.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .. import fontdata
from ..content import placeholders
from . import locales, plurals
from .pofiles import read_catalog

ERROR, WARNING = "error", "warning"

_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)[^>]*>")
_NUMBER = re.compile(r"\d+")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:)]")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
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
        return f"{self.file}:{self.line}: {msgid}: {self.severity}: {self.problem}"


def _strip_placeholders(text: str) -> str:
    return _PLACEHOLDER.sub(" ", text)


def check_placeholders(source: str, translation: str) -> list[str]:
    want, got = placeholders(source), placeholders(translation)
    problems = []
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
    catalog, extra = read_catalog(path)
    name = str(path)
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
            src = sources[-1]  # the English "other" form: every placeholder, number and tag of the text
            try:
                problems = check_placeholders(" ".join(sources), s)
            except ValueError as exc:  # a lone brace: string.Formatter cannot read the text
                problems = [f"broken placeholder ({exc}); a brace must be part of a {{name}} of the English"]
            problems += check_markup(src, s) + check_numbers(src, s)
            if plural and i in single and count:  # a form for one number only may spell it out
                problems = [p for p in problems if p != f"missing placeholder(s) {{{count}}}"]
            missing = fontdata.missing_glyphs(re.sub(r"</?b>", "", s), locales.script_id(catalog_id))
            if missing:
                problems.append("no glyph in the fonts for " + " ".join(f"{c} (U+{ord(c):04X})"
                                                                        for c in sorted(missing)))
            problems += check_fit((m.context or "", msgid), s, locales.script_id(catalog_id))
            findings.extend(Finding(name, line, msgid, form + p) for p in problems)
    if run_msgfmt and shutil.which("msgfmt"):
        r = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        if r.returncode != 0:
            for err_line in r.stderr.strip().splitlines():
                findings.append(Finding(name, 0, "", f"msgfmt: {err_line}"))
    return findings


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
    return {
        "id": catalog_id, "tag": locales.bcp47(catalog_id), "native": locales.native_name(catalog_id),
        "total": total, "translated": total - fuzzy - untranslated, "fuzzy": fuzzy,
        "untranslated": untranslated,
        "percent": 100.0 * (total - fuzzy - untranslated) / total if total else 100.0,
        "status": extra.get("X-Review-Status", "draft") or "draft",
        "reviewer": extra.get("X-Reviewed-By", ""), "reviewed": extra.get("X-Reviewed-Date", ""),
        "variant_of": parent, "own": own,
    }
