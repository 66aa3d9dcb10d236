"""Catalog maintenance on Babel's Python API: init and update from ``locales/packet.pot``.

``pybabel init/update/compile -d locales -D packet`` keep working on the same files; these
functions add what pybabel cannot: our draft/review header fields survive every rewrite.
"""

from __future__ import annotations

from pathlib import Path

from babel import Locale

from .. import paths
from ..errors import ConfigError
from . import locales
from .pofiles import DRAFT, REVIEW_FIELDS, read_catalog, write_catalog


def template_path() -> Path:
    return paths.locales_dir() / f"{locales.DOMAIN}.pot"


def _template():
    path = template_path()
    if not path.is_file():
        raise ConfigError("no template: run 'python generate.py i18n extract' first", file=str(path))
    return read_catalog(path)[0]


def catalog_id_from_tag(tag: str) -> str:
    """A new catalog's folder name: language, plus script where the language needs one (zh)."""
    t = locales.parse_tag(tag)
    script = t.script or (locales._likely_script(t.language, t.region) if t.language == "zh" else None)
    return f"{t.language}_{script}" if script else t.language


def init_catalog(tag: str) -> Path:
    catalog_id = catalog_id_from_tag(tag)
    path = locales.catalog_path(catalog_id)
    if path.exists():
        raise ConfigError("catalog already exists; use 'i18n update'", file=str(path))
    template = _template()
    try:
        babel_locale = Locale.parse(catalog_id)
    except Exception:
        raise ConfigError(f"Babel has no locale data for '{tag}'", field="LANG") from None
    template.locale = babel_locale
    template.fuzzy = False
    template.revision_date = template.creation_date
    template.language_team = f"{locales.english_name(catalog_id)} <>"
    template.last_translator = "Draft: not yet a qualified medical translator <>"
    extra = {**dict.fromkeys(REVIEW_FIELDS, ""), REVIEW_FIELDS[0]: DRAFT}
    write_catalog(path, template, extra)
    return path


def update_catalogs(ids: list[str] | None = None) -> list[tuple[Path, int, int, int, str]]:
    """Merge the template into each catalog: changed source -> fuzzy, new -> empty, gone -> obsolete
    (kept as ``#~`` only when it had a translation).

    A reviewed catalog whose strings change is demoted: its header says draft again (the last
    reviewer, date and fingerprint stay, so status shows "changed since review"). A catalog whose
    strings did not change keeps its review, however the file was rewrapped.

    Returns (path, fuzzy, untranslated, obsolete, demoted) per catalog; ``demoted`` names the
    review withdrawn, or is empty.
    """
    from ..fingerprint import HEADER_STATUS, REVIEWED, catalog_fingerprint, catalog_record, judge

    template = _template()
    results = []
    for catalog_id in ids or locales.available()[1:]:
        path = locales.catalog_path(catalog_id)
        catalog, extra = read_catalog(path)
        before = judge(catalog_record(extra), catalog_fingerprint(catalog))
        catalog.update(template, no_fuzzy_matching=False, update_header_comment=False,
                       keep_user_comments=True, update_creation_date=True)
        for key in [k for k, m in catalog.obsolete.items() if not m.string]:
            del catalog.obsolete[key]  # nothing was translated, so there is no work to keep
        fuzzy = sum(1 for m in catalog if m.id and m.fuzzy)
        untranslated = sum(1 for m in catalog if m.id and not m.string)
        demoted = ""
        if before.status == REVIEWED and catalog_fingerprint(catalog) != catalog_record(extra).fingerprint:
            extra[HEADER_STATUS] = DRAFT
            demoted = f"review by {before.reviewer} on {before.date} withdrawn: changed since review"
        write_catalog(path, catalog, extra)
        results.append((path, fuzzy, untranslated, len(catalog.obsolete), demoted))
    return results
