"""One language, explicitly: its catalog, Babel formats, direction and review status.

A batch renders many languages in one process, so nothing here is global: every function
that translates or formats takes a :class:`LocaleContext`.

Catalogs are read from the ``.po`` file a translator saved (never from a compiled ``.mo``),
and re-read when the file changes, so the next packet always uses the latest text.

A regional variant (``es_MX``) is read together with its base catalog (``es``): each string
comes from the variant when it has a translation there that is not fuzzy, else from the
base. A plural message takes the form the catalog's ``Plural-Forms`` formula gives.
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
from .plurals import parse_plural_forms, plural_function
from ..fingerprint import REVIEWED, catalog_fingerprint, catalog_record, judge
from .pofiles import read_catalog
from .thin_locales import fix_words, weekday_after_preposition


@dataclass(frozen=True)
class CatalogState:
    """What a packet needs from a catalog: translations and its review status.

    ``review_status`` is judged from the header's review record against the catalog's own
    fingerprint (:mod:`packets.fingerprint`): "reviewed" only when the record is complete and
    nothing a patient reads changed since; else "draft" or "changed since review".

    A translation is a string, or a tuple of forms for a plural message. For a regional
    variant, the state merges the variant and its base: ``origins`` says which catalog
    each string came from, and ``parts`` holds the two catalogs' own states.
    """

    translations: dict[tuple[str, str], str | tuple[str, ...]]
    lines: dict[tuple[str, str], int]
    review_status: str
    reviewed_by: str
    reviewed_date: str
    untranslated: tuple[tuple[str, str], ...]
    fuzzy: tuple[tuple[str, str], ...]
    path: str
    catalog_id: str = ""
    plural_forms: tuple[int, str] = (2, "(n != 1)")
    origins: dict[tuple[str, str], str] = field(default_factory=dict)
    parts: tuple["CatalogState", ...] = ()
    fingerprint: str = ""
    review_detail: str = ""

    def texts(self) -> list[str]:
        """Every translated text, each form of a plural translation on its own."""
        return [t for value in self.translations.values()
                for t in ((value,) if isinstance(value, str) else value) if t]

    def form(self, translation: str | tuple[str, ...], n: int) -> str:
        """The plural form of ``translation`` for the number ``n``."""
        if isinstance(translation, str):
            return translation
        index = plural_function(self.plural_forms[1])(n)
        return translation[index] if 0 <= index < len(translation) else translation[-1]


_CACHE: dict[str, tuple[tuple[int, int], CatalogState]] = {}
_MERGED: dict[str, tuple[CatalogState, CatalogState, CatalogState]] = {}


def load_catalog_state(catalog_id: str, base: Path | None = None) -> CatalogState:
    """The catalog's state; a regional variant's merged with its base catalog's."""
    own = _file_state(catalog_id, base)
    parent = locales.base_catalog(catalog_id, locales.available(base))
    if parent is None:
        return own
    base_state = load_catalog_state(parent, base)
    cached = _MERGED.get(own.path)
    if cached and cached[0] is own and cached[1] is base_state:
        return cached[2]
    merged = _variant_state(own, base_state)
    _MERGED[own.path] = (own, base_state, merged)
    return merged


def _variant_state(own: CatalogState, base: CatalogState) -> CatalogState:
    translations = {**base.translations, **own.translations}
    origins = {key: base.catalog_id for key in base.translations}
    origins.update({key: own.catalog_id for key in own.translations})
    lines = {**base.lines, **own.lines}
    lines.update({key: base.lines[key] for key, origin in origins.items() if origin == base.catalog_id})
    missing = [k for k in dict.fromkeys(own.untranslated + own.fuzzy + base.untranslated + base.fuzzy)
               if k not in translations]
    fuzzy = set(own.fuzzy) | set(base.fuzzy)
    # Reviewed only when both are: a patient reads strings of each. Otherwise the first part that
    # is not reviewed says why.
    pending = next((part for part in (own, base) if part.review_status != REVIEWED), None)
    status, by, date, detail = (REVIEWED, own.reviewed_by, own.reviewed_date, "") if pending is None else (
        pending.review_status, pending.reviewed_by, pending.reviewed_date,
        f"{pending.catalog_id}: {pending.review_detail}" if pending is base else pending.review_detail)
    return CatalogState(translations, lines, status, by, date,
                        tuple(k for k in missing if k not in fuzzy), tuple(k for k in missing if k in fuzzy),
                        own.path, own.catalog_id, own.plural_forms, origins, (own, base),
                        f"{own.fingerprint}+{base.fingerprint}", detail)


def _file_state(catalog_id: str, base: Path | None = None) -> CatalogState:
    """Parse one catalog's .po file, cached until the file's mtime or size changes."""
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
    try:
        plural_forms = parse_plural_forms(catalog.plural_forms)
    except (ValueError, KeyError, SyntaxError):
        raise ConfigError(f"the Plural-Forms header '{catalog.plural_forms}' is not a gettext formula",
                          file=str(path)) from None
    translations, lines, untranslated, fuzzy = {}, {}, [], []
    for m in catalog:
        if not m.id:
            continue
        plural = isinstance(m.id, (list, tuple))
        ident = (m.context or "", m.id[0] if plural else m.id)
        lines[ident] = getattr(m, "lineno", 0) or 0
        strings = tuple(m.string) if plural else m.string
        if m.fuzzy:
            fuzzy.append(ident)
        elif not (all(strings) if plural else strings):  # a plural needs every form
            untranslated.append(ident)
        else:
            translations[ident] = strings
    fingerprint = catalog_fingerprint(catalog)
    review = judge(catalog_record(extra), fingerprint)
    state = CatalogState(translations, lines, review.status, review.reviewer, review.date,
                         tuple(untranslated), tuple(fuzzy), str(path), catalog_id, plural_forms,
                         fingerprint=fingerprint, review_detail=review.detail)
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
    preview: object = field(default=None, compare=False)  # a preview.Notes in translator previews
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

    def gettext(self, message: Message, n: int | None = None) -> str:
        """The translation of a content message; the English text for the source language.
        A plural message needs ``n``, the number that chooses its form.

        A missing translation is an error unless the context allows fallback, in which
        case the English is used and recorded in ``fell_back`` (the packet then says so). A
        translation the build withheld (it failed a check) always falls back the same way.
        """
        if message.plural is not None and not isinstance(n, int):
            raise ConfigError(f"the plural text '{message.text[:50]}' needs a whole number for "
                              f"{{{message.count}}}", file=message.file or None, line=message.line or None)
        key = (message.context, message.text)
        text = None
        if self.catalog is not None:
            entry = self.catalog.translations.get(key)
            if key in self.withheld:
                self.fell_back.append(key)
            elif entry is not None and isinstance(entry, tuple) == (message.plural is not None):
                text = self.catalog.form(entry, n)
            elif not self.allow_fallback:
                raise ConfigError(f"no translation for [{message.context}] '{message.text[:50]}' (extract and "
                                  "translate it, or build with --allow-fallback)", file=self.catalog.path)
            else:
                self.fell_back.append(key)
        elif self.preview is None:
            return message.english(n)
        if self.preview is not None:
            return self.preview.decorate(self, message, text, n)
        if text is None:
            return f"[EN] {message.english(n)}"
        if self.tag_lines:
            return f"{text} [{self.catalog.lines.get(key, 0)}]"
        return text

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


def forget_dates() -> None:
    """Drop memoised date and number texts (they may be a patient's birth date and admissions)."""
    _format.cache_clear()
    _range_parts.cache_clear()


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
                 tag_lines: bool = False, preview: bool = False, base: Path | None = None) -> LocaleContext:
    """Resolve a BCP 47 tag to a context; :class:`LanguageError` if no catalog serves it.
    ``preview``: a translator's preview, which marks problems instead of stopping at them."""
    catalog_id = locales.catalog_id_for(tag, locales.available(base))
    state = None if catalog_id == locales.SOURCE_LANGUAGE else load_catalog_state(catalog_id, base)
    notes = None
    if preview:
        from .preview import Notes
        notes = Notes.for_catalog(state, tag_lines)
    return LocaleContext(tag=tag, catalog_id=catalog_id,
                         babel_locale=locales.formatting_locale(catalog_id, territory),
                         direction=locales.text_direction(catalog_id), catalog=state,
                         allow_fallback=allow_fallback or preview, tag_lines=tag_lines, preview=notes,
                         territory=territory)
