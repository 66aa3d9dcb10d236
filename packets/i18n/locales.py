"""BCP 47 language tags -> our catalog ids and Babel formatting locales.

``es``, ``es-US`` and ``es-MX`` all find the ``es`` catalog; ``zh-CN``/``zh-Hans`` find
``zh_Hans`` and ``zh-TW``/``zh-HK``/``zh-Hant`` find ``zh_Hant`` (through CLDR's likely
subtags). A regional variant catalog (``es_MX``, ``pt_BR``, ``zh_Hant_HK``) is found first
when it exists, and falls back to its base catalog (``es``, ``pt``, ``zh_Hant``) string by
string. Dates and numbers use the language plus a territory: the tag's own, else the
program's (``es`` + US gives ``es_US``), falling back to the bare language when CLDR has
no such combination.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from .. import paths
from ..errors import LanguageError

SOURCE_LANGUAGE = "en"
DOMAIN = "packet"
# Tags CLDR treats as another language than our catalogs do.
ALIASES = {"fil": "tl"}
# CLDR calls Tagalog "Filipino (Pilipinas)"; US language-access notices say "Tagalog".
NATIVE_NAMES = {"tl": "Tagalog"}
# Pseudo-locales for testing: catalog id -> the real locale whose formats they borrow.
PSEUDO = {"en_XA": "en"}
_TAG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class Tag:
    language: str
    script: str | None
    region: str | None


def parse_tag(tag: str) -> Tag:
    tag = (tag or "").strip()
    if not _TAG.match(tag):
        # The value is never repeated: in a shifted roster row it may be a piece of a name.
        raise LanguageError("is not a language tag (examples: en, es-US, zh-Hant)", field="language")
    parts = re.split(r"[-_]", tag)
    language, script, region = parts[0].lower(), None, None
    language = ALIASES.get(language, language)
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha() and script is None:
            script = part.title()
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            region = region or part.upper()
    return Tag(language, script, region)


def catalog_path(catalog_id: str, base: Path | None = None) -> Path:
    return (base or paths.locales_dir()) / catalog_id / "LC_MESSAGES" / f"{DOMAIN}.po"


# available()'s answer per locales folder: (the folder's modification time, catalog ids).
_AVAILABLE: dict[Path, tuple[int, tuple[str, ...]]] = {}
# A folder changed this recently may change again within its clock's granularity without its
# time moving on, so its listing is not kept yet (git's "racy clean" rule).
_SETTLED_NS = 2_000_000_000


def available(base: Path | None = None) -> list[str]:
    """Catalog ids with a .po file, plus the source language; sorted, English first.

    Kept per process while the folder's modification time stays the same (one packet asks
    about 16 times; a listing costs a scan of every language folder). A new language or
    variant (``i18n init``, a copied or checked-out folder) is a new entry in the folder,
    which changes that time, so a running batch or web app sees it at its next call.
    """
    base = base or paths.locales_dir()
    try:
        stamp = os.stat(base).st_mtime_ns
    except OSError:
        stamp = None
    known = _AVAILABLE.get(base)
    if known is not None and known[0] == stamp:
        return list(known[1])
    found = sorted(p.parent.parent.name for p in base.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    ids = (SOURCE_LANGUAGE, *(c for c in found if c != SOURCE_LANGUAGE))
    if stamp is not None and time.time_ns() - stamp > _SETTLED_NS:
        _AVAILABLE[base] = (stamp, ids)
    return list(ids)


def _likely_script(language: str, region: str | None) -> str | None:
    likely = get_global("likely_subtags")
    for key in ([f"{language}_{region}"] if region else []) + [language]:
        full = likely.get(key)
        if full:
            parts = full.split("_")
            if len(parts) >= 2 and len(parts[1]) == 4:
                return parts[1]
    return None


def _is_region(part: str) -> bool:
    return (len(part) == 2 and part.isalpha() and part.isupper()) or (len(part) == 3 and part.isdigit())


def parent_id(catalog_id: str) -> str | None:
    """The base a regional variant falls back to: es_MX -> es, zh_Hant_HK -> zh_Hant; else None."""
    parts = catalog_id.split("_")
    if catalog_id in PSEUDO or len(parts) < 2 or not _is_region(parts[-1]):
        return None
    return "_".join(parts[:-1])


def base_catalog(catalog_id: str, choices: list[str] | None = None) -> str | None:
    """The catalog a variant falls back to, when it exists (never the source language)."""
    parent = parent_id(catalog_id)
    choices = choices if choices is not None else available()
    return parent if parent and parent != SOURCE_LANGUAGE and parent in choices else None


def script_id(catalog_id: str) -> str:
    """The catalog id whose fonts and line breaking a variant uses: zh_Hant_HK -> zh_Hant."""
    return parent_id(catalog_id) or catalog_id


def catalog_id_for(tag: str, choices: list[str] | None = None) -> str:
    """The catalog serving ``tag``; :class:`LanguageError` listing native names if none does."""
    choices = choices if choices is not None else available()
    t = parse_tag(tag)
    script = t.script or _likely_script(t.language, t.region)
    candidates = []
    if t.region:
        if script:
            candidates.append(f"{t.language}_{script}_{t.region}")
        candidates.append(f"{t.language}_{t.region}")
    if script:
        candidates.append(f"{t.language}_{script}")
    candidates.append(t.language)
    for cand in candidates:
        if cand in choices:
            return cand
    listing = ", ".join(f"{native_name(c)} ({c.replace('_', '-')})" for c in choices)
    raise LanguageError(f"no packet in {_known_name(t)}. Available languages: {listing}", field="language")


def _known_name(t: Tag) -> str:
    """The language's English name from CLDR, or 'this language': never the tag as typed."""
    try:
        name = Locale.parse("_".join(x for x in (t.language, t.script, t.region) if x)).get_display_name("en")
    except (ValueError, TypeError, UnknownLocaleError):
        name = None
    return name or "this language"


@lru_cache(maxsize=None)
def formatting_locale(catalog_id: str, territory: str | None) -> Locale:
    """The Babel locale for dates and numbers: the catalog's language plus the territory."""
    base = Locale.parse(PSEUDO.get(catalog_id, catalog_id))
    if territory:
        ident = "_".join(x for x in (base.language, base.script, territory) if x)
        try:
            return Locale.parse(ident)
        except (ValueError, UnknownLocaleError):
            pass
    return base


def bcp47(catalog_id: str) -> str:
    return catalog_id.replace("_", "-")


@lru_cache(maxsize=None)
def native_name(catalog_id: str) -> str:
    """The language's name in itself, e.g. 'español', '简体中文' (Babel's CLDR data)."""
    if catalog_id in NATIVE_NAMES:
        return NATIVE_NAMES[catalog_id]
    if catalog_id in PSEUDO:
        return "Ƥşèüδô (pseudo-locale)"
    loc = Locale.parse(catalog_id)
    name = loc.get_display_name(loc) or catalog_id
    return name[:1].upper() + name[1:]


def english_name(catalog_id: str) -> str:
    if catalog_id in PSEUDO:
        return "Pseudo-locale"
    return Locale.parse(catalog_id).get_display_name("en") or catalog_id


@lru_cache(maxsize=None)
def text_direction(catalog_id: str) -> str:
    loc = Locale.parse(PSEUDO.get(catalog_id, catalog_id))
    return "rtl" if loc.text_direction == "rtl" else "ltr"
