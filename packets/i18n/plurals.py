"""Plural forms: how many a language has, and which one a number takes.

A catalog's ``Plural-Forms`` header (a C expression, as in GNU gettext) is what translators,
Poedit, Weblate and msgfmt see, so the packet chooses forms with that same expression
(:func:`plural_function`). New catalogs get a formula whose forms match CLDR's plural
categories (Babel's locale data) for the numbers a packet prints: whole numbers from 0 to
999. CLDR categories used only for fractions (Russian "other") or round millions (Spanish
"many") get no form of their own, as in every gettext formula.

Babel ships gettext formulas (``babel.messages.plurals``), and a few disagree with CLDR
(Portuguese ``n != 1`` where CLDR's Brazilian ``pt`` says 0 and 1 are singular; Hindi,
Persian, Filipino): :func:`plural_forms` takes Babel's formula when it agrees, else the
first formula of Babel's table that does, else CLDR's own rule in gettext syntax.
"""

from __future__ import annotations

import gettext
from functools import lru_cache

from babel import Locale
from babel.messages.plurals import PLURALS, get_plural
from babel.plural import to_gettext

from .locales import PSEUDO

COUNTS = range(0, 1000)
# CLDR rules Babel's table has no gettext formula for, written out for whole numbers.
EXTRA = ((2, "(n%10==4 || n%10==6 || n%10==9)"),)  # Filipino/Tagalog: "one" unless it ends in 4, 6, 9


@lru_cache(maxsize=None)
def plural_function(expr: str):
    """The C expression of a Plural-Forms header as a Python function of n (stdlib gettext)."""
    return gettext.c2py(expr)


def parse_plural_forms(header_value: str) -> tuple[int, str]:
    """'nplurals=2; plural=(n != 1);' -> (2, '(n != 1)'); ValueError if malformed."""
    parts = dict(p.strip().split("=", 1) for p in header_value.split(";") if "=" in p)
    nplurals = int(parts["nplurals"])
    expr = parts["plural"].strip()
    plural_function(expr)(1)
    return nplurals, expr


def _categories(catalog_id: str) -> list[str]:
    rule = Locale.parse(PSEUDO.get(catalog_id, catalog_id)).plural_form
    return [rule(n) for n in COUNTS]


def _matches(nplurals: int, expr: str, categories: list[str]) -> bool:
    """The formula gives ``nplurals`` forms, one per CLDR category of the numbers 0-999."""
    try:
        f = plural_function(expr)
        forms = [f(n) for n in COUNTS]
    except Exception:
        return False
    pairs = set(zip(forms, categories))
    return (len(pairs) == len(set(forms)) == len(set(categories)) == nplurals
            and set(forms) == set(range(nplurals)))


@lru_cache(maxsize=None)
def plural_forms(catalog_id: str) -> tuple[int, str]:
    """(nplurals, expression) for a new catalog in this language."""
    categories = _categories(catalog_id)
    own = get_plural(Locale.parse(PSEUDO.get(catalog_id, catalog_id)))
    candidates = [(own.num_plurals, own.plural_expr)]
    candidates += sorted(set(PLURALS.values())) + list(EXTRA)
    for nplurals, expr in candidates:
        if _matches(nplurals, expr, categories):
            return nplurals, expr
    text = to_gettext(Locale.parse(PSEUDO.get(catalog_id, catalog_id)).plural_form)
    nplurals, expr = parse_plural_forms(text)
    if _matches(nplurals, expr, categories):
        return nplurals, expr
    return own.num_plurals, own.plural_expr  # CLDR's rule needs more than n: keep Babel's


def header_value(catalog_id: str) -> str:
    nplurals, expr = plural_forms(catalog_id)
    return f"nplurals={nplurals}; plural={expr};"


def cldr_disagreement(nplurals: int, expr: str, catalog_id: str) -> str | None:
    """Why a catalog's formula does not match CLDR for its language, or None."""
    try:
        categories = _categories(catalog_id)
    except Exception:
        return None  # no CLDR data for the language: nothing to compare with
    if _matches(nplurals, expr, categories):
        return None
    want = plural_forms(catalog_id)
    return (f"Plural-Forms gives {nplurals} form(s) that do not match CLDR's plural categories for "
            f"{catalog_id}; use 'nplurals={want[0]}; plural={want[1]};'")


def samples(nplurals: int, expr: str, per_form: int = 3) -> list[tuple[int, ...]]:
    """The first few numbers that take each form: [(1, 21, 31), (2, 3, 4), (0, 5, 6)] for Russian."""
    f = plural_function(expr)
    found: list[list[int]] = [[] for _ in range(nplurals)]
    for n in COUNTS:
        i = f(n)
        if 0 <= i < nplurals and len(found[i]) < per_form:
            found[i].append(n)
    return [tuple(x) for x in found]


def single_number_forms(nplurals: int, expr: str) -> set[int]:
    """Forms that only one number takes (Arabic's forms for 0, 1 and 2): a translation may
    spell that number out instead of keeping the placeholder, as GNU msgfmt allows."""
    f = plural_function(expr)
    counts: dict[int, int] = {}
    for n in COUNTS:
        i = f(n)
        counts[i] = counts.get(i, 0) + 1
    return {i for i, c in counts.items() if c == 1}
