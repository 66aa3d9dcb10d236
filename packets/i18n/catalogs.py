"""Catalog maintenance on Babel's Python API: init and update from ``locales/packet.pot``.

Both write with :mod:`.pofiles` (GNU ``--no-wrap`` layout), so ``msgcat``, ``msgmerge``,
polib, Poedit and Weblate find nothing to rewrite, and both keep every header field as it
was, the review record's ``X-Review-*`` fields included. ``update`` is idempotent: run
twice with nothing changed, it gives the same bytes (Babel's own update forgets the
previous msgid of an entry that was already fuzzy; it is put back here).

``init`` starts a language (``fr``) or a regional variant (``es-MX`` -> ``es_MX``): a
variant starts empty, and each string left empty uses the base catalog's translation.
"""

from __future__ import annotations

from pathlib import Path

from babel import Locale

from .. import paths
from ..errors import ConfigError
from . import locales, plurals
from .pofiles import DRAFT, REVIEW_FIELDS, Header, read_catalog, write_catalog


def template_path() -> Path:
    return paths.locales_dir() / f"{locales.DOMAIN}.pot"


def _template():
    path = template_path()
    if not path.is_file():
        raise ConfigError("no template: run 'python generate.py i18n extract' first", file=str(path))
    return read_catalog(path)


def catalog_id_from_tag(tag: str) -> str:
    """A new catalog's folder name: language, script where the language needs one (zh), and the
    region for a regional variant: fr, zh_Hant, es_MX, pt_BR, zh_Hant_HK."""
    t = locales.parse_tag(tag)
    script = t.script or (locales._likely_script(t.language, t.region) if t.language == "zh" else None)
    return "_".join(x for x in (t.language, script, t.region) if x)


def init_catalog(tag: str) -> Path:
    catalog_id = catalog_id_from_tag(tag)
    if catalog_id == locales.SOURCE_LANGUAGE or locales.parse_tag(tag).language == locales.SOURCE_LANGUAGE:
        raise ConfigError(f"'{tag}' is the source language: the English is in content/*.yaml", field="LANG")
    path = locales.catalog_path(catalog_id)
    if path.exists():
        raise ConfigError("catalog already exists; use 'i18n update'", file=str(path))
    try:
        Locale.parse(catalog_id)
    except Exception:
        raise ConfigError(f"Babel has no locale data for '{tag}'", field="LANG") from None
    template, template_header = _template()
    base = locales.base_catalog(catalog_id)
    if base:
        plural_header = read_catalog(locales.catalog_path(base))[0].plural_forms
        comment = [f"{locales.english_name(catalog_id)}: a regional variant of the {base} catalog.",
                   f"Translate only what differs; an empty string uses the {base} translation.", ""]
    else:
        plural_header = plurals.header_value(catalog_id)
        comment = [f"{locales.english_name(catalog_id)} translations of the IL-2 patient packet.", ""]
    header = Header({
        "Project-Id-Version": template_header.get("Project-Id-Version", ""),
        "Report-Msgid-Bugs-To": template_header.get("Report-Msgid-Bugs-To", ""),
        "POT-Creation-Date": template_header.get("POT-Creation-Date", ""),
        "PO-Revision-Date": template_header.get("POT-Creation-Date", ""),
        "Last-Translator": "Draft: not yet a qualified medical translator <>",
        "Language-Team": f"{locales.english_name(catalog_id)} <>",
        "Language": catalog_id,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": plural_header,
        **dict.fromkeys(REVIEW_FIELDS, ""), REVIEW_FIELDS[0]: DRAFT,
    }, comment)
    template.mime_headers = list(header.items())
    template.fuzzy = False  # a template from pybabel extract has a fuzzy header
    for message in template:
        if message.id and isinstance(message.id, (list, tuple)):
            message.string = ("",) * template.num_plurals
    write_catalog(path, template, header)
    return path


def _translated_plurals(catalog) -> bool:
    return any(isinstance(m.id, (list, tuple)) and any(m.string) for m in catalog if m.id)


def update_catalogs(ids: list[str] | None = None) -> list[tuple[Path, int, int, int, str]]:
    """Merge the template into each catalog: changed source -> fuzzy (with the old English as
    ``#|``), new -> empty, gone -> obsolete (kept as ``#~`` only when it had a translation).

    A catalog with no translated plural string yet also gets the Plural-Forms its language
    needs (:func:`plurals.header_value`): there is nothing to lose by correcting it then.

    A reviewed catalog whose strings change is demoted: its header says draft again (the last
    reviewer, date and fingerprint stay, so status shows "changed since review"). A catalog whose
    strings did not change keeps its review, however the file was rewrapped.

    Returns (path, fuzzy, untranslated, obsolete, demoted) per catalog; ``demoted`` names the
    review withdrawn, or is empty.
    """
    from ..fingerprint import HEADER_STATUS, REVIEWED, catalog_fingerprint, catalog_record, judge

    template, template_header = _template()
    results = []
    for catalog_id in ids or locales.available()[1:]:
        path = locales.catalog_path(catalog_id)
        catalog, header = read_catalog(path)
        before = judge(catalog_record(header), catalog_fingerprint(catalog))
        previous = {_key(m): m for m in catalog if m.id and m.fuzzy and m.previous_id}
        contexts = {_key(m)[1]: m.context for m in catalog if m.id}
        if not _translated_plurals(catalog) and not locales.base_catalog(catalog_id):
            header["Plural-Forms"] = plurals.header_value(catalog_id)
            catalog.mime_headers = [("Plural-Forms", header["Plural-Forms"])]
        catalog.update(template, no_fuzzy_matching=False, update_header_comment=False,
                       keep_user_comments=True, update_creation_date=True)
        for key in [k for k, m in catalog.obsolete.items() if not _has_text(m.string)]:
            del catalog.obsolete[key]  # nothing was translated, so there is no work to keep
        for m in (m for m in catalog if m.id and m.fuzzy):
            old = previous.get(_key(m))
            if old is not None and not m.previous_id:  # Babel forgets it when the entry was fuzzy already
                m.previous_id, m.previous_context = old.previous_id, getattr(old, "previous_context", None)
            elif m.previous_id and getattr(m, "previous_context", None) is None:
                m.previous_context = contexts.get(m.previous_id[0])  # the old entry's msgctxt, as msgmerge
        if "POT-Creation-Date" in template_header:
            header["POT-Creation-Date"] = template_header["POT-Creation-Date"]
        fuzzy = sum(1 for m in catalog if m.id and m.fuzzy)
        untranslated = sum(1 for m in catalog if m.id and not m.fuzzy and not _has_text(m.string))
        demoted = ""
        if before.status == REVIEWED and catalog_fingerprint(catalog) != catalog_record(header).fingerprint:
            header[HEADER_STATUS] = DRAFT
            demoted = f"review by {before.reviewer} on {before.date} withdrawn: changed since review"
        write_catalog(path, catalog, header)
        results.append((path, fuzzy, untranslated, len(catalog.obsolete), demoted))
    return results


def _key(message) -> tuple[str | None, str]:
    return message.context, message.id if isinstance(message.id, str) else message.id[0]


def _has_text(string) -> bool:
    return any(string) if isinstance(string, (list, tuple)) else bool(string)
