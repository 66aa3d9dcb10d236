"""Translators' tools: catalogs GNU gettext, polib and pybabel leave alone, small diffs,
plural forms, regional variants and the preview's marks.

Each test works on a temporary copy of the tree (``PACKETS_ROOT``); the shipped catalogs are
only read.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from packets import paths
from packets.build import Options, build_packet
from packets.cli import main
from packets.content import iter_messages, load_content
from packets.errors import ConfigError
from packets.i18n import locales, plurals
from packets.i18n.checks import ERROR, check_catalog
from packets.i18n.context import load_catalog_state, make_context
from packets.i18n.pofiles import read_catalog, write_catalog
from packets.program import load_program
from tests.conftest import REAL_PROFILE, patient, pdf_text

polib = pytest.importorskip("polib")

CATALOGS = locales.available()[1:]
GNU = shutil.which("msgcat") and shutil.which("msgmerge")
# Skipped only on a developer's machine without GNU gettext; CI installs it and must run these.
needs_gnu = pytest.mark.skipif(not GNU and not os.environ.get("CI"), reason="GNU gettext not installed")


def make_root(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "root"
    root.mkdir()
    shutil.copytree(paths.content_dir(), root / "content")
    shutil.copytree(paths.locales_dir(), root / "locales")
    shutil.copy(paths.root() / "babel.cfg", root / "babel.cfg")
    (root / "fonts").symlink_to(paths.root() / "fonts")
    monkeypatch.setenv("PACKETS_ROOT", str(root))
    return root


def po(root: Path, catalog_id: str) -> Path:
    return locales.catalog_path(catalog_id, root / "locales")


def gnu_and_polib_outputs(path: Path, template: Path) -> dict[str, bytes]:
    out = {"msgcat": subprocess.run(["msgcat", "--no-wrap", str(path)], capture_output=True, check=True).stdout,
           "msgmerge": subprocess.run(["msgmerge", "--quiet", "--no-wrap", "--previous", str(path), str(template)],
                                      capture_output=True, check=True).stdout}
    copy = path.parent / "polib-copy.po"
    polib.pofile(str(path), wrapwidth=0).save(str(copy))
    out["polib"] = copy.read_bytes()
    copy.unlink()
    return out


# -- GNU formatting ------------------------------------------------------------------------------

@needs_gnu
@pytest.mark.parametrize("catalog_id", CATALOGS)
def test_shipped_catalog_survives_msgcat_msgmerge_and_polib_byte_for_byte(catalog_id):
    path = locales.catalog_path(catalog_id)
    for tool, data in gnu_and_polib_outputs(path, paths.locales_dir() / "packet.pot").items():
        assert data == path.read_bytes(), f"{tool} rewrites {catalog_id}"


@needs_gnu
def test_shipped_template_survives_msgcat():
    pot = paths.locales_dir() / "packet.pot"
    assert subprocess.run(["msgcat", "--no-wrap", str(pot)], capture_output=True).stdout == pot.read_bytes()


def test_references_name_the_file_only():
    """A line added at the top of a content file changes no reference below it."""
    pot = (paths.locales_dir() / "packet.pot").read_text(encoding="utf-8")
    refs = re.findall(r"^#: (.*)$", pot, re.M)
    assert refs and all(r in ("content/packet.yaml", "content/ui.yaml", "content/program.yaml") for r in refs)
    assert "#. The title on the cover page" in pot and 'msgctxt "side_effects"' in pot


# -- one sentence edited, one string added, one removed ----------------------------------------

def edit_add_remove(root: Path) -> tuple[str, str, str]:
    """In the overview section: append a sentence to the first paragraph, add a paragraph
    before the first block, remove the last paragraph. Paragraphs without a translator's note,
    so each catalog entry is the same size. Returns (old text, new text, removed text)."""
    from packets import yamlio
    path = root / "content" / "packet.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    data = yamlio.load("\n".join(lines), "packet.yaml", ConfigError)
    overview = next(s for s in data["sections"] if s["id"] == "overview")
    paragraphs = [b for b in overview["blocks"] if b["type"] == "paragraph" and "note" not in b]
    first, last = paragraphs[0], paragraphs[-1]
    del lines[min(k.line for k in last) - 1:max(getattr(v, "line", 0) for v in last.values())]
    new = first["text"] + " It is also made in a laboratory."
    i = first["text"].line - 1
    lines[i] = lines[i].replace(first["text"], new)
    top = min(k.line for k in overview["blocks"][0]) - 1
    indent = lines[top][: len(lines[top]) - len(lines[top].lstrip())]
    lines[top:top] = [f"{indent}- type: paragraph", f"{indent}  text: A new sentence for the churn test."]
    path.write_text("\n".join(lines), encoding="utf-8")
    return str(first["text"]), new, str(last["text"])


@pytest.fixture
def churned(tmp_path, monkeypatch):
    root = make_root(tmp_path, monkeypatch)
    before = {p: p.read_bytes() for p in (root / "locales").rglob("*.po*")}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1900000000")  # a new template date, as in real life
    texts = edit_add_remove(root)
    assert main(["i18n", "extract"]) == 0 and main(["i18n", "update"]) == 0
    return root, before, texts


def diff_size(old: bytes, new: bytes) -> tuple[int, int]:
    diff = list(difflib.unified_diff(old.decode().splitlines(), new.decode().splitlines(), lineterm="", n=0))
    added = sum(1 for d in diff if d.startswith("+") and not d.startswith("+++"))
    removed = sum(1 for d in diff if d.startswith("-") and not d.startswith("---"))
    return added, removed


def test_churn_of_an_edit_an_addition_and_a_removal_is_pinned(churned):
    """Before (wrapped at 100 columns, ``#: file:line``): 17 files, +1337/-1160 lines for this
    change; about +85/-73 per catalog, most of them shifted line numbers. Now, per catalog:
    the edit +4/-1 (fuzzy flag, #| msgctxt, #| msgid, new msgid), the new string +5, the removed
    one -5 and +4 as an obsolete entry (with the blank lines between entries), the template date
    +1/-1."""
    root, before, _ = churned
    sizes = {p.parent.parent.name: diff_size(before[p], p.read_bytes())
             for p in (root / "locales").glob("*/LC_MESSAGES/packet.po")}
    assert sizes == {c: (14, 7) for c in CATALOGS}
    pot = root / "locales" / "packet.pot"
    assert diff_size(before[pot], pot.read_bytes()) == (7, 7)  # edited msgid, +5 new, -5 removed, date


def test_update_keeps_previous_msgids_and_is_idempotent(churned):
    root, _, (old, new, removed) = churned
    es = po(root, "es")
    text = es.read_text(encoding="utf-8")
    assert f'#, fuzzy\n#| msgctxt "overview"\n#| msgid "{old}"\nmsgctxt "overview"\nmsgid "{new}"\n' in text
    assert f'#~ msgid "{removed}"' in text and "# |" not in text
    first = {p: p.read_bytes() for p in (root / "locales").rglob("*.po")}
    assert main(["i18n", "update"]) == 0 and main(["i18n", "update"]) == 0
    assert {p: p.read_bytes() for p in first} == first
    catalog, _ = read_catalog(es)
    assert next(m for m in catalog if m.id == new).previous_id == [old]


@needs_gnu
def test_fuzzy_entries_with_previous_msgids_and_obsolete_entries_survive_the_tools(churned):
    root, _, _ = churned
    for catalog_id in ("es", "ar", "zh_Hans"):
        path = po(root, catalog_id)
        for tool, data in gnu_and_polib_outputs(path, root / "locales" / "packet.pot").items():
            assert data == path.read_bytes(), f"{tool} rewrites {catalog_id}"
        r = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr


def test_update_repairs_stale_babel_comments(tmp_path, monkeypatch):
    """Babel's parser read "#| msgid" as a translator comment and wrote it back as "# | msgid"."""
    root = make_root(tmp_path, monkeypatch)
    es = po(root, "es")
    text = es.read_text(encoding="utf-8")
    text = text.replace('msgctxt "overview"\nmsgid "How IL-2 works"',
                        '# | msgid ""\n# | "How IL-2 "\n# | "worked"\nmsgctxt "overview"\nmsgid "How IL-2 works"')
    text = text.replace('msgctxt "overview"\nmsgid "What results to expect"',
                        '#, fuzzy\n#| msgid "What results you can expect"\nmsgctxt "overview"\nmsgid "What results to expect"')
    es.write_text(text, encoding="utf-8")
    assert main(["i18n", "update"]) == 0
    text = es.read_text(encoding="utf-8")
    assert "# |" not in text and "worked" not in text
    assert ('#, fuzzy\n#| msgid "What results you can expect"\nmsgctxt "overview"\n'
            'msgid "What results to expect"') in text


# -- pybabel -------------------------------------------------------------------------------------

def pybabel(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "pybabel"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "babel.messages.frontend"]
    return subprocess.run(cmd + list(args), cwd=cwd, capture_output=True, text=True)


def _entries(catalog) -> dict:
    return {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)):
            (sorted({f for f, _ in m.locations}), sorted(m.flags), " ".join(" ".join(m.auto_comments).split()))
            for m in catalog if m.id}


def test_pybabel_extract_as_documented_finds_what_i18n_extract_finds(tmp_path, monkeypatch):
    root = make_root(tmp_path, monkeypatch)
    r = pybabel("extract", "-F", "babel.cfg", "--add-location=file", "--no-wrap", "-o", "pybabel.pot", ".",
                cwd=root)
    assert r.returncode == 0, r.stderr
    ours, _ = read_catalog(root / "locales" / "packet.pot")
    theirs, _ = read_catalog(root / "pybabel.pot")
    assert _entries(theirs) == _entries(ours)
    assert [m.id for m in theirs] == [m.id for m in ours]  # the same order: no reordering churn


def test_pybabel_update_works_and_never_leaves_a_review_behind(tmp_path, monkeypatch):
    """pybabel rewrites the header and drops the X-Review-* fields: the catalog is a draft
    again, never a "reviewed" catalog with changed strings. i18n update then restores the layout."""
    root = make_root(tmp_path, monkeypatch)
    es = po(root, "es")
    from packets.review import set_header_fields
    es.write_bytes(set_header_fields(es.read_bytes(), {  # a recorded review (packets.review), of the copy only
        "X-Review-Status": "reviewed", "X-Reviewed-By": "A. Reviewer, CHI", "X-Reviewed-Date": "2026-01-15",
        "X-Review-Fingerprint": load_catalog_state("es", root / "locales").fingerprint}))
    assert load_catalog_state("es", root / "locales").review_status == "reviewed"  # the temporary copy only
    edit_add_remove(root)
    assert main(["i18n", "extract"]) == 0
    r = pybabel("update", "-i", "locales/packet.pot", "-d", "locales", "-D", "packet", "--no-wrap", "--previous",
                cwd=root)
    assert r.returncode == 0, r.stderr
    state = load_catalog_state("es", root / "locales")
    assert state.review_status == "draft" and state.fuzzy  # the changed string is fuzzy, and no review
    assert b"X-Review" not in es.read_bytes()
    assert main(["i18n", "update"]) == 0
    assert load_catalog_state("es", root / "locales").review_status == "draft"
    if GNU:  # back in the shared layout
        assert subprocess.run(["msgcat", "--no-wrap", str(es)], capture_output=True).stdout == es.read_bytes()


def test_a_review_copied_back_after_pybabel_update_counts_as_no_review(tmp_path, monkeypatch, capsys):
    """pybabel drops the X-Review-* lines; someone copies the old ones back into the header after
    the update changed strings (and even translates the changed string). The review's fingerprint
    no longer matches: the catalog is "changed since review" and production refuses it."""
    root = make_root(tmp_path, monkeypatch)
    (root / "content" / "program.yaml").write_text(REAL_PROFILE, encoding="utf-8")
    (tmp_path / "patient.yaml").write_text("name: Ana María Ruiz\nmrn: '00412345'\nlanguage: es\n"
                                           "schedule:\n  first_admission: 2026-03-03\n", encoding="utf-8")
    es = po(root, "es")
    from packets.review import set_header_fields
    es.write_bytes(set_header_fields(es.read_bytes(), {  # a recorded review, of the temporary copy only
        "X-Review-Status": "reviewed", "X-Reviewed-By": "A. Reviewer, CHI", "X-Reviewed-Date": "2026-01-15",
        "X-Review-Fingerprint": load_catalog_state("es", root / "locales").fingerprint}))
    old_review = [line for line in es.read_text(encoding="utf-8").splitlines() if line.startswith('"X-Review')]
    assert len(old_review) == 4 and load_catalog_state("es", root / "locales").review_status == "reviewed"

    packet = root / "content" / "packet.yaml"
    packet.write_text(packet.read_text(encoding="utf-8").replace("text: How IL-2 works", "text: How IL-2 therapy works"),
                      encoding="utf-8")
    assert main(["i18n", "extract"]) == 0
    assert main(["review", "content", "--by", "Dr. Rosa Díaz, MD"]) == 0  # the new English is reviewed
    assert main(["review", "program", "--by", "Sam Lee, RN"]) == 0
    r = pybabel("update", "-i", "locales/packet.pot", "-d", "locales", "-D", "packet", "--no-wrap", "--previous",
                cwd=root)
    assert r.returncode == 0, r.stderr
    assert b"X-Review" not in es.read_bytes()

    catalog, extra = read_catalog(es)  # the changed string translated again, its fuzzy mark cleared
    changed = catalog.get("How IL-2 therapy works", context="overview")
    changed.string, changed.flags = "Cómo funciona la terapia con IL-2", set()
    write_catalog(es, catalog, extra)
    text = es.read_text(encoding="utf-8")
    end = text.index("\n\n")  # the end of the header entry: the old review lines go back in
    es.write_text(text[:end] + "\n" + "\n".join(old_review) + text[end:], encoding="utf-8")
    state = load_catalog_state("es", root / "locales")
    assert not state.fuzzy and not state.untranslated and state.reviewed_by == "A. Reviewer, CHI"
    assert state.review_status == "changed since review"
    capsys.readouterr()
    code = main(["build", str(tmp_path / "patient.yaml"), "-o", str(tmp_path / "out"), "--require-reviewed"])
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "out" / "00412345-es.pdf").exists()
    assert ("not ready for production: the Spanish (es) catalog locales/es/LC_MESSAGES/packet.po changed since its "
            "review by A. Reviewer, CHI on 2026-01-15; a qualified medical translator must review it again") in err
    assert "review content" not in err and "review program" not in err  # the catalog alone is refused


# -- regional variants ---------------------------------------------------------------------------

def test_es_mx_variant_falls_back_to_es_string_by_string(tmp_path, monkeypatch, program, capsys):
    root = make_root(tmp_path, monkeypatch)
    assert main(["i18n", "init", "es-MX"]) == 0
    assert "uses the es catalog" in capsys.readouterr().out
    variant = po(root, "es_MX")
    text = variant.read_text(encoding="utf-8")
    assert '"Language: es_MX\\n"' in text and '"X-Review-Status: draft\\n"' in text
    variant.write_text(text.replace('msgid "Your dates at a glance"\nmsgstr ""',
                                    'msgid "Your dates at a glance"\nmsgstr "Tus fechas de un vistazo"'),
                       encoding="utf-8")
    assert locales.catalog_id_for("es-MX") == "es_MX" and locales.catalog_id_for("es-US") == "es"
    built = build_packet(patient(language="es-MX"), program, Options())
    cover = pdf_text(built.pdf)[0]
    assert built.filename == "00412345-es-MX.pdf"
    assert "Tus fechas de un vistazo" in cover and "Sus fechas" not in cover      # from es_MX
    assert "Su guía sobre el tratamiento con IL-2" in cover                      # from es
    us = pdf_text(build_packet(patient(language="es-US"), program, Options()).pdf)[0]
    assert "Sus fechas de un vistazo" in us and "Tus fechas" not in us
    help_page = pdf_text(built.pdf)[-1]
    assert help_page.count("Español") == 1  # one language-help line per language, not per region
    es_line = {m.id: m.lineno for m in read_catalog(po(root, "es"))[0] if m.id}
    mx_line = {m.id: m.lineno for m in read_catalog(variant)[0] if m.id}
    out = tmp_path / "preview.pdf"
    assert main(["i18n", "preview", "es-MX", "--line-numbers", "-o", str(out)]) == 0
    preview = re.sub(r"\s+", " ", " ".join(pdf_text(out.read_bytes())))
    assert f"Tus fechas de un vistazo [{mx_line['Your dates at a glance']}]" in preview
    assert f"dosis altas [es {es_line['Your guide to high-dose IL-2 treatment']}]" in preview


def test_variant_check_and_stats(tmp_path, monkeypatch, capsys):
    root = make_root(tmp_path, monkeypatch)
    assert main(["i18n", "init", "es-MX"]) == 0
    variant = po(root, "es_MX")
    text = variant.read_text(encoding="utf-8")
    text = text.replace('msgid "Your dates at a glance"\nmsgstr ""', 'msgid "Your dates at a glance"\nmsgstr "Tus {fechas}"')
    variant.write_text(text, encoding="utf-8")
    findings = check_catalog("es_MX", root / "locales", run_msgfmt=False)
    assert [(f.line, f.problem.split(" (")[0]) for f in findings] == [
        (text[:text.index('msgstr "Tus {fechas}"')].count("\n"), "unknown placeholder(s) {fechas}")]
    capsys.readouterr()
    assert main(["i18n", "stats"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "(es-MX)" in x)
    assert line.startswith("Español (México) (es-MX): 100% translated (variant of es: 1 own string),")


@pytest.mark.parametrize("tags, created", [
    (["pt-BR"], "pt_BR"), (["de", "de-CH"], "de_CH"), (["zh-HK"], "zh_Hant_HK"), (["es-MX"], "es_MX"),
])
def test_init_makes_regional_variants(tmp_path, monkeypatch, tags, created):
    root = make_root(tmp_path, monkeypatch)
    for tag in tags:
        assert main(["i18n", "init", tag]) == 0
    assert po(root, created).is_file()
    assert locales.base_catalog(created, locales.available(root / "locales")) == created.rsplit("_", 1)[0]
    assert main(["i18n", "init", tags[-1]]) == 2  # already exists


# -- plurals -------------------------------------------------------------------------------------
# On the shipped content's plural strings (every number before a noun); tests/test_plurals.py
# builds packets from them and reads each form back from its section.

DOSES = "You can get up to {max_doses} doses in one stay."   # a msgid_plural of the shipped content
HOURS = "Every {dose_interval_hours} hours, you get a dose of IL-2 through a vein."
PLURAL = ('      - type: paragraph\n        text:\n          one: "In one stay you get at most {max_doses} dose."\n'
          '          other: "In one stay you get at most {max_doses} doses."\n          count: max_doses\n')


def forms_of(path: Path, msgid_plural: str) -> tuple[str, ...]:
    return next(tuple(m.string) for m in read_catalog(path)[0] if isinstance(m.id, tuple) and m.id[1] == msgid_plural)


def set_plural(root: Path, catalog_id: str, msgid_plural: str, forms) -> None:
    """Write the forms of one plural entry, as a translator's editor would."""
    path = po(root, catalog_id)
    catalog, extra = read_catalog(path)
    next(m for m in catalog if isinstance(m.id, tuple) and m.id[1] == msgid_plural).string = tuple(forms)
    write_catalog(path, catalog, extra)


def test_plural_text_is_extracted_as_msgid_plural(tmp_path, monkeypatch, capsys, content):
    root = make_root(tmp_path, monkeypatch)
    assert main(["i18n", "extract"]) == 0 and "unchanged" in capsys.readouterr().out  # the shipped template
    pot = (root / "locales" / "packet.pot").read_text(encoding="utf-8")
    assert ('#. Plural: the number {max_doses} chooses the form.\n#: content/packet.yaml\n'
            '#, python-brace-format\nmsgctxt "cycle"\nmsgid "You can get up to {max_doses} dose in one stay."\n'
            f'msgid_plural "{DOSES}"\nmsgstr[0] ""\nmsgstr[1] ""\n') in pot
    plural = [m for m in iter_messages(content) if m.plural]
    assert pot.count("\nmsgid_plural ") == len(plural) == 10
    for catalog_id in CATALOGS:  # one form per plural category of the language, each translated
        catalog = read_catalog(po(root, catalog_id))[0]
        entries = [m for m in catalog if isinstance(m.id, tuple)]
        assert len(entries) == 10 and all(len(m.string) == catalog.num_plurals and all(m.string) for m in entries)
    assert [read_catalog(po(root, c))[0].num_plurals for c in ("ru", "pl", "ar", "ja")] == [3, 3, 6, 1]


@pytest.mark.parametrize("catalog_id, nplurals, samples", [
    ("ru", 3, [(1, 21, 31), (2, 3, 4), (0, 5, 6)]), ("pl", 3, [(1,), (2, 3, 4), (0, 5, 6)]),
    ("ar", 6, [(0,), (1,), (2,), (3, 4, 5), (100, 101, 102), (11, 12, 13)]), ("ja", 1, [(0, 1, 2)]),
    ("pt", 2, [(0, 1), (2, 3, 4)]), ("es", 2, [(1,), (0, 2, 3)]), ("fr", 2, [(0, 1), (2, 3, 4)]),
    ("tl", 2, [(0, 1, 2), (4, 6, 9)]), ("de_CH", 2, [(1,), (0, 2, 3)]),
])
def test_plural_forms_follow_cldr(catalog_id, nplurals, samples):
    n, expr = plurals.plural_forms(catalog_id)
    assert n == nplurals and plurals.samples(n, expr) == samples
    if catalog_id in CATALOGS:  # the shipped header says the same
        assert plurals.parse_plural_forms(read_catalog(locales.catalog_path(catalog_id))[0].plural_forms) == (n, expr)


def test_check_verifies_every_plural_form(tmp_path, monkeypatch):
    root = make_root(tmp_path, monkeypatch)
    ru, ar = forms_of(po(root, "ru"), DOSES), forms_of(po(root, "ar"), DOSES)
    assert "{max_doses}" not in ar[1] + ar[2]  # the shipped forms for 1 and 2 spell the number out
    set_plural(root, "ru", DOSES, (ru[0], "За одно пребывание в больнице можно получить несколько доз.", ""))
    set_plural(root, "ar", DOSES, ar[:3] + ("ويمكن أن تتلقّى حتى عدة جرعات في الإقامة الواحدة.",) + ar[4:])
    found = {c: [f.problem for f in check_catalog(c, root / "locales", run_msgfmt=False)
                 if f.severity == ERROR and f.msgid.startswith("You can get up to")] for c in ("ru", "ar")}
    assert found == {"ru": ["form 1 (for 2, 3, 4...): missing placeholder(s) {max_doses}",
                            "form 2 (for 0, 5, 6...): empty; every form needs a translation"],
                     "ar": ["form 3 (for 3, 4, 5...): missing placeholder(s) {max_doses}"]}
    # Arabic's forms for 0, 1 and 2 alone may spell the number out; msgfmt agrees.
    assert [f for f in check_catalog("ar", root / "locales") if f.msgid.startswith("You can get up to")] == [
        f for f in check_catalog("ar", root / "locales") if "form 3" in f.problem]


def test_plural_text_needs_one_other_and_count(tmp_path, monkeypatch):
    root = make_root(tmp_path, monkeypatch)
    path = root / "content" / "packet.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("\n", text.index("blocks:", text.index("- id: cycle"))) + 1
    path.write_text(text[:at] + PLURAL.replace("          count: max_doses\n", "") + text[at:], encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_content(root / "content")
    assert "needs 'count'" in str(err.value) and err.value.line == text[:at].count("\n") + 3  # the "one:" line


def test_soft_hyphen_prints_only_where_the_line_breaks(tmp_path, monkeypatch, program):
    """What docs/TRANSLATING.md promises translators of long compound words."""
    root = make_root(tmp_path, monkeypatch)
    es = po(root, "es")
    text = es.read_text(encoding="utf-8")
    old = "se llama <b>inmunoterapia</b>."
    assert old in text
    parts = ["Super", "cali", "fragi", "listico", "espiali", "dosamente", "larguísima", "palabra", "compuesta",
             "sin", "espacios"]
    word = "\u00ad".join(parts)
    es.write_text(text.replace(old, "se llama <b>in\u00admu\u00adno\u00adte\u00adra\u00adpia</b> " + word + "."),
                  encoding="utf-8")
    pages = pdf_text(build_packet(patient(), program, Options()).pdf)
    page = next(p for p in pages if "Supercali" in p)
    assert "inmunoterapia Supercali" in page and "\u00ad" not in page
    broken = re.search(r"Supercali\S*-\n(\S+)", page)
    tails = {"".join(parts[i:]) for i in range(1, len(parts))}
    assert broken and broken.group(1).rstrip(".") in tails  # the hyphen is printed at a soft hyphen
    assert page.count("-\n") >= 1 and "Super-cali" not in page


# -- the preview ---------------------------------------------------------------------------------

def test_preview_marks_problems_tags_every_string_and_never_stops(tmp_path, monkeypatch, capsys):
    root = make_root(tmp_path, monkeypatch)
    es = po(root, "es")
    text = es.read_text(encoding="utf-8")
    text = text.replace('msgstr "Sus fechas de un vistazo"', 'msgstr "Sus fechas {fecha} de un vistazo ⴰ"')
    text = text.replace('msgstr "Sobre el tratamiento con IL-2"', 'msgstr ""')
    text = text.replace('msgstr "Cómo funciona la IL-2"', 'msgstr "Cómo funciona { la IL-2"')
    es.write_text(text, encoding="utf-8")
    line = {m.id: m.lineno for m in read_catalog(es)[0] if m.id}
    out = tmp_path / "preview.pdf"
    assert main(["i18n", "preview", "es", "--line-numbers", "-o", str(out)]) == 0
    pages = [re.sub(r"\s+", " ", p) for p in pdf_text(out.read_bytes())]
    whole = " ".join(pages)
    assert f"[!1][!2] Sus fechas {{fecha}} de un vistazo [?U+2D30] [{line['Your dates at a glance']}]" in pages[0]
    assert f"[!3] Cómo funciona {{ la IL-2 [{line['How IL-2 works']}]" in whole
    assert f"[EN] About IL-2 treatment [{line['About IL-2 treatment']}]" in whole
    last = pages[-1].split("SAMPLE — not for patient use ", 1)[-1]  # the page's text after its SAMPLE watermark
    assert last.startswith("Translator check: 3 error(s)")
    assert (f"[!1] es, line {line['Your dates at a glance']}: “Your dates at a glance”: unknown placeholder(s) "
            "{fecha}") in pages[-1]
    assert "[!2] es, line" in pages[-1] and "no glyph in the fonts for [?U+2D30] (U+2D30)" in pages[-1]
    assert "[!3] es, line" in pages[-1] and "broken placeholder" in pages[-1]
    # The same catalog in a patient's packet: no marks, no tags, no glyph markers.
    es.write_text(text.replace("{fecha} ", "").replace("{ la", "la"), encoding="utf-8")
    packet = " ".join(pdf_text(build_packet(patient(), load_program(), Options(allow_fallback=True)).pdf))
    assert "[EN] Your dates at a glance" in packet  # the glyph it cannot print withholds the string (issue 9)
    assert not re.search(r"\[\?U\+|\[!\d|\[\d+\]|Translator check", packet)


def test_preview_shows_every_plural_form_with_a_sample_number(content):
    ru = forms_of(locales.catalog_path("ru"), HOURS)
    message = next(m for m in iter_messages(content) if m.plural == HOURS)
    ctx = make_context("ru", "US", preview=True)
    assert ctx.preview.decorate(ctx, message, ru[2], 8) == (
        f"{ru[2]} [forms: 1: Раз в 1 час вы получаете дозу IL-2 через вену. | "
        "2: Раз в 2 часа вы получаете дозу IL-2 через вену. | 0: Раз в 0 часов вы получаете дозу IL-2 через вену.]")
