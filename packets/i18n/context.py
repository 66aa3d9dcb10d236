"""One language, explicitly: its catalog, Babel formats, direction and review status.

A batch renders many languages in one process, so nothing here is global: every function
that translates or formats takes a :class:`LocaleContext`.

Catalogs are read from the ``.po`` file a translator saved (never from a compiled ``.mo``),
and re-read when the file changes, so the next packet always uses the latest text.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from babel.core import get_global
from babel.dates import format_date, format_interval, format_skeleton, get_day_names, get_month_names
from babel.numbers import format_decimal, format_percent

from ..content import Message
from ..errors import ConfigError
from . import locales
from .pofiles import DRAFT, REVIEWED, read_catalog
from .thin_locales import fix_words, weekday_after_preposition


@dataclass(frozen=True)
class CatalogState:
    """What a packet needs from a catalog: translations and the header's review status."""

    translations: dict[tuple[str, str], str]
    lines: dict[tuple[str, str], int]
    review_status: str
    reviewed_by: str
    reviewed_date: str
    untranslated: tuple[tuple[str, str], ...]
    fuzzy: tuple[tuple[str, str], ...]
    path: str


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
    status = extra.get("X-Review-Status", DRAFT).strip().lower() or DRAFT
    state = CatalogState(translations, lines, status if status in (DRAFT, REVIEWED) else DRAFT,
                         extra.get("X-Reviewed-By", ""), extra.get("X-Reviewed-Date", ""),
                         tuple(untranslated), tuple(fuzzy), str(path))
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
    territory: str | None = None  # the program's region: it decides the first day of the week
    tag_lines: bool = False
    fell_back: list = field(default_factory=list, compare=False)

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
        case the English is used and recorded in ``fell_back`` (the packet then says so).
        """
        if self.catalog is None:
            return message.text
        text = self.catalog.translations.get((message.context, message.text))
        if text is not None:
            if self.tag_lines:
                return f"{text} [{self.catalog.lines.get((message.context, message.text), 0)}]"
            return text
        if not self.allow_fallback:
            raise ConfigError(f"no translation for [{message.context}] '{message.text[:50]}' (extract and "
                              "translate it, or build with --allow-fallback)",
                              file=self.catalog.path)
        self.fell_back.append((message.context, message.text))
        return f"[EN] {message.text}"

    # -- formats (memoised per locale: a batch prints the same days and numbers again and again) --
    def date(self, value: dt.date, after_preposition: bool = False) -> str:
        """Long form with the weekday, e.g. 'martes, 3 de marzo de 2026'. ``after_preposition``:
        the form that follows "about"/"on" ("примерно в среду, ..." in Russian)."""
        text = _format("date", self.babel_locale, value)
        return weekday_after_preposition(self.babel_locale.language, text) if after_preposition else text

    def date_range(self, start: dt.date, end: dt.date) -> str:
        return "".join(self.date_range_parts(start, end))

    def date_range_parts(self, start: dt.date, end: dt.date) -> tuple[str, str, str]:
        """(first date, the separator, second date): a line may break only at the separator."""
        return _range_parts(self.babel_locale, start, end)

    @property
    def first_weekday(self) -> int:
        """0 = Monday ... 6 = Sunday: the program territory's (CLDR week data), whatever the
        language: a US program's calendar starts on Sunday in French or Chinese too."""
        return _first_weekday(self.territory, self.babel_locale)

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
def _first_weekday(territory: str | None, loc: Locale) -> int:
    """Cached: parsing a locale scans Babel's locale list, and a packet asks per month. Without a
    program territory: the locale's own, or its language's likely territory's."""
    try:
        if territory:
            return Locale.parse(f"und_{territory}").first_week_day
        if loc.territory:
            return loc.first_week_day
        likely = get_global("likely_subtags").get(loc.language)
        return Locale.parse(likely).first_week_day if likely else loc.first_week_day
    except (ValueError, LookupError):
        return loc.first_week_day


@lru_cache(maxsize=None)
def _ambiguous_abbreviations(loc: Locale) -> bool:
    """True when a short weekday name is also a short month name (Tagalog and Spanish "Mar":
    Martes/Marso, martes/marzo): short dates in that language would be misread."""
    days = {d.lower().strip(".") for d in get_day_names("abbreviated", locale=loc).values()}
    months = {m.lower().strip(".") for m in get_month_names("abbreviated", locale=loc).values()}
    return bool(days & months)


# CLDR's interval patterns put a dash (or 至, 〜, تا) between the two dates.
_RANGE_SEP = re.compile(r"\s*[\u2013\u2014~\uff5e\u81f3]\s*|\s+-\s+|\s+\u062a\u0627\s+")


@lru_cache(maxsize=8192)
def _range_parts(loc: Locale, start: dt.date, end: dt.date) -> tuple[str, str, str]:
    if _ambiguous_abbreviations(loc):  # two full dates: "Martes, Marso 10, 2026 – Lunes, Marso 23, 2026"
        return _format("date", loc, start), " \u2013 ", _format("date", loc, end)
    text = _format("range", loc, start, end)
    m = _RANGE_SEP.search(text)
    if not m:
        return text, "", ""
    return text[:m.start()], m.group(0), text[m.end():]


def make_context(tag: str, territory: str | None, *, allow_fallback: bool = False,
                 tag_lines: bool = False, base: Path | None = None) -> LocaleContext:
    """Resolve a BCP 47 tag to a context; :class:`LanguageError` if no catalog serves it."""
    catalog_id = locales.catalog_id_for(tag, locales.available(base))
    state = None if catalog_id == locales.SOURCE_LANGUAGE else load_catalog_state(catalog_id, base)
    return LocaleContext(tag=tag, catalog_id=catalog_id,
                         babel_locale=locales.formatting_locale(catalog_id, territory),
                         direction=locales.text_direction(catalog_id), catalog=state,
                         allow_fallback=allow_fallback, tag_lines=tag_lines, territory=territory)
