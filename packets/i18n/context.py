"""One language, explicitly: its catalog, Babel formats, direction and review status.

A batch renders many languages in one process, so nothing here is global: every function
that translates or formats takes a :class:`LocaleContext`.

Catalogs are read from the ``.po`` file a translator saved (never from a compiled ``.mo``),
and re-read when the file changes, so the next packet always uses the latest text.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from babel.core import get_global
from babel.dates import format_date, format_interval, format_skeleton, get_day_names
from babel.numbers import format_decimal, format_percent

from ..content import Message
from ..errors import ConfigError
from . import locales
from ..fingerprint import REVIEWED, catalog_fingerprint, catalog_record, judge
from .pofiles import read_catalog
from .thin_locales import fix_words


@dataclass(frozen=True)
class CatalogState:
    """What a packet needs from a catalog: translations and its review status.

    ``review_status`` is judged from the header's review record against the catalog's own
    fingerprint (:mod:`packets.fingerprint`): "reviewed" only when the record is complete and
    nothing a patient reads changed since; else "draft" or "changed since review".
    """

    translations: dict[tuple[str, str], str]
    lines: dict[tuple[str, str], int]
    review_status: str
    reviewed_by: str
    reviewed_date: str
    untranslated: tuple[tuple[str, str], ...]
    fuzzy: tuple[tuple[str, str], ...]
    path: str
    fingerprint: str = ""
    review_detail: str = ""


_CACHE: dict[str, tuple[tuple[int, int], CatalogState]] = {}


def load_catalog_state(catalog_id: str, base: Path | None = None) -> CatalogState:
    """Parse the catalog's .po file, cached until the file's mtime or size changes."""
    path = locales.catalog_path(catalog_id, base)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ConfigError("catalog not found", file=str(path)) from None
    key = str(path)
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _CACHE.get(key)
    if cached and cached[0] == stamp:
        return cached[1]
    catalog, extra = read_catalog(path)
    translations, lines, untranslated, fuzzy = {}, {}, [], []
    for m in catalog:
        if not m.id:
            continue
        ident = (m.context or "", m.id)
        lines[ident] = getattr(m, "lineno", 0) or 0
        if m.fuzzy:
            fuzzy.append(ident)
        elif not m.string:
            untranslated.append(ident)
        else:
            translations[ident] = m.string
    fingerprint = catalog_fingerprint(catalog)
    review = judge(catalog_record(extra), fingerprint)
    state = CatalogState(translations, lines, review.status, review.reviewer, review.date,
                         tuple(untranslated), tuple(fuzzy), str(path), fingerprint, review.detail)
    _CACHE[key] = (stamp, state)
    return state


@dataclass(frozen=True)
class LocaleContext:
    """Everything language-specific about one packet."""

    tag: str                      # what the user asked for, e.g. es-US
    catalog_id: str               # which catalog serves it, e.g. es
    babel_locale: Locale          # dates and numbers, e.g. es_US
    direction: str                # "ltr" | "rtl"
    catalog: CatalogState | None  # None for the source language
    allow_fallback: bool = False
    tag_lines: bool = False
    fell_back: list = field(default_factory=list, compare=False)
    # Translations that failed a check at build time: the English prints instead, marked [EN].
    withheld: frozenset = frozenset()

    @property
    def is_source(self) -> bool:
        return self.catalog is None

    @property
    def is_draft(self) -> bool:
        return self.catalog is not None and self.catalog.review_status != REVIEWED

    @property
    def bcp47(self) -> str:
        return locales.bcp47(self.catalog_id)

    def gettext(self, message: Message) -> str:
        """The translation of a content message; the English text for the source language.

        A missing translation is an error unless the context allows fallback, in which
        case the English is used and recorded in ``fell_back`` (the packet then says so). A
        translation the build withheld (it failed a check) always falls back the same way.
        """
        if self.catalog is None:
            return message.text
        key = (message.context, message.text)
        text = self.catalog.translations.get(key)
        if text is not None and key not in self.withheld:
            if self.tag_lines:
                return f"{text} [{self.catalog.lines.get(key, 0)}]"
            return text
        if text is None and not self.allow_fallback:
            raise ConfigError(f"no translation for [{message.context}] '{message.text[:50]}' (extract and "
                              "translate it, or build with --allow-fallback)",
                              file=self.catalog.path)
        self.fell_back.append((message.context, message.text))
        return f"[EN] {message.text}"

    # -- formats (memoised per locale: a batch prints the same days and numbers again and again) --
    def date(self, value: dt.date) -> str:
        """Long form with the weekday, e.g. 'martes, 3 de marzo de 2026'."""
        return _format("date", self.babel_locale, value)

    def date_range(self, start: dt.date, end: dt.date) -> str:
        return _format("range", self.babel_locale, start, end)

    @property
    def first_weekday(self) -> int:
        """0 = Monday ... 6 = Sunday: from the language + territory locale (es_US: Sunday), or,
        when CLDR has no such combination (fr + US), from the language's own likely territory."""
        return _first_weekday(self.babel_locale)

    def weekday_names(self) -> list[str]:
        """Short weekday names, in calendar order starting at :attr:`first_weekday`."""
        names = get_day_names("abbreviated", locale=self.babel_locale)
        return [fix_words(self.babel_locale.language, names[(self.first_weekday + i) % 7]) for i in range(7)]

    def month_title(self, year: int, month: int) -> str:
        return _format("month", self.babel_locale, dt.date(year, month, 1))

    def number(self, value) -> str:
        return _format("number", self.babel_locale, value)

    def percent(self, value) -> str:
        return format_percent(value, locale=self.babel_locale)


@lru_cache(maxsize=8192)
def _format(kind: str, loc: Locale, *values) -> str:
    if kind == "number":
        return format_decimal(values[0], locale=loc)
    if kind == "date":
        text = format_date(values[0], format="full", locale=loc)
    elif kind == "range":
        text = format_interval(values[0], values[1], skeleton="yMMMMEEEEd", locale=loc)
    else:  # month title
        text = format_skeleton("yMMMM", values[0], locale=loc)
    return fix_words(loc.language, text)


@lru_cache(maxsize=None)
def _first_weekday(loc: Locale) -> int:
    """Cached: parsing the likely locale scans Babel's locale list, and a packet asks per month."""
    if loc.territory:
        return loc.first_week_day
    likely = get_global("likely_subtags").get(loc.language)
    try:
        return Locale.parse(likely).first_week_day if likely else loc.first_week_day
    except (ValueError, LookupError):
        return loc.first_week_day


def make_context(tag: str, territory: str | None, *, allow_fallback: bool = False,
                 tag_lines: bool = False, base: Path | None = None) -> LocaleContext:
    """Resolve a BCP 47 tag to a context; :class:`LanguageError` if no catalog serves it."""
    catalog_id = locales.catalog_id_for(tag, locales.available(base))
    state = None if catalog_id == locales.SOURCE_LANGUAGE else load_catalog_state(catalog_id, base)
    return LocaleContext(tag=tag, catalog_id=catalog_id,
                         babel_locale=locales.formatting_locale(catalog_id, territory),
                         direction=locales.text_direction(catalog_id), catalog=state,
                         allow_fallback=allow_fallback, tag_lines=tag_lines)
