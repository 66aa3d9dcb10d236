"""Languages, catalogs and the extractor."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess

import pytest
from babel.messages.extract import extract_from_file

from packets import paths
from packets.content import iter_messages, placeholders
from packets.errors import LanguageError
from packets.i18n import locales, plurals
from packets.i18n.context import load_catalog_state, make_context
from packets.i18n.extract import _DATE_LINE, KEYWORDS, build_template, catalog_bytes, extract_yaml
from packets.i18n.pofiles import read_catalog

CATALOGS = locales.available()[1:]


@pytest.mark.parametrize("tag, expected", [
    ("es", "es"), ("es-US", "es"), ("es-MX", "es"), ("ES_us", "es"),
    ("en", "en"), ("en-GB", "en"),
    # Chinese: the region names the script (CLDR likely subtags), an explicit script wins, any case.
    ("zh-TW", "zh_Hant"), ("zh-HK", "zh_Hant"), ("zh-MO", "zh_Hant"), ("zh-Hant", "zh_Hant"),
    ("zh-hant", "zh_Hant"), ("zh_Hant_TW", "zh_Hant"), ("zh-Hant-CN", "zh_Hant"),
    ("zh", "zh_Hans"), ("zh-CN", "zh_Hans"), ("zh-SG", "zh_Hans"), ("zh-Hans", "zh_Hans"), ("zh-Hans-TW", "zh_Hans"),
    # Filipino is the ISO name of the language US notices call Tagalog.
    ("fil", "tl"), ("fil-PH", "tl"), ("tl", "tl"),
])
def test_tags_find_catalogs(tag, expected):
    assert locales.catalog_id_for(tag) == expected


def test_unknown_language_lists_native_names():
    with pytest.raises(LanguageError) as err:
        locales.catalog_id_for("xx-YY")
    assert "Español" in str(err.value)
    assert err.value.field == "language"


@pytest.mark.parametrize("tag, territory, expected", [
    ("es-US", "US", "martes, 3 de marzo de 2026"),
    ("es", "US", "martes, 3 de marzo de 2026"),
    ("en", "US", "Tuesday, March 3, 2026"),
])
def test_long_dates_in_language_and_territory(tag, territory, expected):
    ctx = make_context(tag, territory)
    assert ctx.date(dt.date(2026, 3, 3)) == expected


def test_territory_combines_with_language():
    assert str(make_context("es", "US").babel_locale) == "es_US"
    assert make_context("es", "US").babel_locale.first_week_day == 6  # Sunday
    assert str(make_context("es-MX", "US").babel_locale) == "es_US"   # program's territory for dates


def test_template_is_up_to_date():
    """locales/packet.pot matches what the extractor finds now (run 'i18n extract' if not)."""
    on_disk = (paths.locales_dir() / "packet.pot").read_bytes()
    assert _DATE_LINE.sub(b"", catalog_bytes(build_template())) == _DATE_LINE.sub(b"", on_disk)


def test_template_has_context_comments_and_references():
    pot = (paths.locales_dir() / "packet.pot").read_text(encoding="utf-8")
    assert 'msgctxt "side_effects"' in pot
    assert re.search(r"^#: content/packet\.yaml$", pot, re.M)  # file only: see test_catalog_tools
    assert "#. The title on the cover page" in pot


def test_babel_extractor_entry_point_works_like_pybabel():
    found = list(extract_from_file(extract_yaml, str(paths.content_dir() / "ui.yaml"),
                                   keywords={"pgettext": ((1, "c"), 2)}))
    assert any(msg == "Page {page} of {pages}" and ctx == "ui" for _, msg, _, ctx in found)


def test_extractor_line_numbers_point_at_the_text():
    lines = (paths.content_dir() / "packet.yaml").read_text(encoding="utf-8").splitlines()
    found = list(extract_from_file(extract_yaml, str(paths.content_dir() / "packet.yaml"), keywords=KEYWORDS))
    for lineno, msg, _, _ in found:
        text = msg[0] if isinstance(msg, tuple) else msg  # a plural text: its "one:" line
        assert text[:20] in lines[lineno - 1], (lineno, msg)
    assert any(isinstance(msg, tuple) for _, msg, _, _ in found)


@pytest.mark.parametrize("catalog_id", CATALOGS)
def test_catalog_covers_every_extracted_string(catalog_id, content, program):
    state = load_catalog_state(catalog_id)
    wanted = {(m.context, m.text) for m in list(iter_messages(content)) + list(program.messages())}
    missing = wanted - set(state.translations)
    assert not missing, f"{catalog_id}: {len(missing)} untranslated, e.g. {sorted(missing)[:3]}"


@pytest.mark.parametrize("catalog_id", CATALOGS)
def test_translations_keep_placeholders_and_numbers(catalog_id, content, program):
    """Every form of every translation: the English's placeholders and numbers, no others. Only
    a plural form used for one number alone (Arabic's forms for 1 and 2) may spell its number out."""
    state = load_catalog_state(catalog_id)
    messages = {(m.context, m.text): m for m in [*iter_messages(content), *program.messages()]}
    single = plurals.single_number_forms(*state.plural_forms)
    strip = lambda s: sorted(re.findall(r"\d+", re.sub(r"\{[^}]*\}", "", s)))  # noqa: E731
    for key, msgstr in state.translations.items():
        message = messages.get(key)
        if message is None:
            continue  # an obsolete entry no packet prints
        english = message.plural or message.text
        forms = msgstr if isinstance(msgstr, tuple) else (msgstr,)
        assert isinstance(msgstr, tuple) == (message.plural is not None), key
        for i, form in enumerate(forms):
            wanted = placeholders(english)
            if message.plural is not None and i in single and message.count not in placeholders(form):
                wanted -= {message.count}
            assert placeholders(form) == wanted, (catalog_id, key, i, form)
            assert strip(form) == strip(english), (catalog_id, key, i, form)


@pytest.mark.parametrize("catalog_id", CATALOGS)
def test_catalog_is_marked_draft_until_reviewed(catalog_id):
    state = load_catalog_state(catalog_id)
    assert state.review_status in ("draft", "reviewed")
    # We write drafts; only a qualified medical translator may mark a catalog reviewed.
    if state.review_status == "reviewed":
        assert state.reviewed_by and state.reviewed_date


# Skipped only on a developer's machine without GNU gettext; CI installs it and must run this.
@pytest.mark.skipif(shutil.which("msgfmt") is None and not os.environ.get("CI"), reason="GNU gettext not installed")
@pytest.mark.parametrize("catalog_id", CATALOGS)
def test_gnu_msgfmt_check_passes(catalog_id):
    path = locales.catalog_path(catalog_id)
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_po_roundtrip_keeps_review_fields(tmp_path):
    from packets.i18n.pofiles import write_catalog
    catalog, extra = read_catalog(locales.catalog_path("es"))
    out = tmp_path / "es.po"
    write_catalog(out, catalog, extra)
    assert read_catalog(out)[1]["X-Review-Status"] == extra["X-Review-Status"]


def test_saved_po_is_used_by_the_next_packet(tmp_path, monkeypatch):
    """A translator saves the .po; the next load sees the change (no stale compiled catalog)."""
    root = tmp_path / "root"
    shutil.copytree(paths.locales_dir(), root / "locales")
    po = locales.catalog_path("es", root / "locales")
    before = load_catalog_state("es", root / "locales").translations[("ui", "Printed on")]
    text = po.read_text(encoding="utf-8").replace(f'msgstr "{before}"', 'msgstr "Impreso el día"', 1)
    po.write_text(text + "\n", encoding="utf-8")
    assert load_catalog_state("es", root / "locales").translations[("ui", "Printed on")] == "Impreso el día"


def test_haitian_dates_use_kreyol_words_not_babels_french():
    ctx = make_context("ht", "US", allow_fallback=True)
    assert ctx.date(dt.date(2026, 3, 3)) == "madi 3 mas 2026"
    assert ctx.month_title(2026, 8) == "out 2026"
    assert ctx.weekday_names()[0] == "dim."  # a US program: the week starts on Sunday (dimanch)
    assert make_context("fr", "US", allow_fallback=True).date(dt.date(2026, 3, 3)) == "mardi 3 mars 2026"


def test_short_dates_never_mix_up_weekday_and_month():
    """Tagalog (and Spanish) "Mar" is Martes and Marso: a range with such names prints in full."""
    tl = make_context("tl", "US", allow_fallback=True)
    assert tl.date_range(dt.date(2026, 3, 10), dt.date(2026, 3, 23)) == "Martes, Marso 10, 2026 – Lunes, Marso 23, 2026"
    en = make_context("en", "US")
    assert en.date_range_parts(dt.date(2026, 3, 7), dt.date(2026, 3, 9)) == ("Sat, Mar 7", "\u2009–\u2009", "Mon, Mar 9, 2026")


def test_russian_about_a_date_takes_the_accusative_weekday(program, content):
    ru = make_context("ru", "US", allow_fallback=True)
    assert ru.date(dt.date(2026, 4, 29), after_preposition=True).startswith("среду, 29 апреля")
    assert ru.date(dt.date(2026, 4, 27), after_preposition=True).startswith("понедельник, 27 апреля")
    assert ru.date(dt.date(2026, 4, 29)).startswith("среда")
    from packets.localize import Localizer
    assert L_plain(Localizer(content, program, ru).ui("approx_date", date="понедельник")) == "примерно в понедельник"


def L_plain(runs):
    return "".join(r.text for r in runs)


def test_the_hindi_running_header_translates_mrn(program, content):
    from packets.localize import Localizer
    hi = make_context("hi", "US", allow_fallback=True)
    header = L_plain(Localizer(content, program, hi).ui("mrn_short", mrn="00412345"))
    assert "MRN" not in header and header.endswith("00412345")


def test_available_catalogs_are_kept_until_the_folder_changes(tmp_path, monkeypatch):
    """available() is asked about 16 times per packet: it scans the locales folder once while
    the folder is unchanged, and a language added or removed while the process runs (a web app,
    a long batch) is seen at the next call, even within the same instant."""
    base = tmp_path / "locales"
    shutil.copytree(paths.locales_dir(), base)  # keeps the shipped folder's (old) times
    scans = []
    real_glob = type(base).glob
    monkeypatch.setattr(type(base), "glob", lambda self, pattern: scans.append(self) or real_glob(self, pattern))
    shipped = locales.available(base)
    assert locales.available(base) == shipped and scans == [base]  # one scan for two calls

    def add(catalog_id):
        (base / catalog_id / "LC_MESSAGES").mkdir(parents=True)
        shutil.copy(base / "es" / "LC_MESSAGES" / "packet.po", base / catalog_id / "LC_MESSAGES" / "packet.po")

    add("de")
    assert "de" in locales.available(base)
    add("it")  # changed again at once: the folder's time may not have moved on
    assert {"de", "it"} <= set(locales.available(base))
    shutil.rmtree(base / "de")
    assert "de" not in locales.available(base) and "it" in locales.available(base)
