"""Translator checks: each mistake a translator can make is caught, with file and line."""

from __future__ import annotations


import shutil

import pytest

from packets import paths
from packets.cli import main
from packets.i18n.checks import ERROR, check_catalog, check_markup, check_numbers, check_placeholders

HEADER = '''msgid ""
msgstr ""
"Language: es\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"X-Review-Status: draft\\n"

'''


def entry(ctx, msgid, msgstr, fuzzy=False):
    flag = "#, fuzzy\n" if fuzzy else ""
    return f'{flag}msgctxt "{ctx}"\nmsgid "{msgid}"\nmsgstr "{msgstr}"\n\n'


@pytest.fixture
def locales_with(tmp_path):
    def make(*entries):
        d = tmp_path / "locales" / "es" / "LC_MESSAGES"
        d.mkdir(parents=True)
        (d / "packet.po").write_text(HEADER + "".join(entries), encoding="utf-8")
        return tmp_path / "locales"
    return make


@pytest.mark.parametrize("source, translation, problem", [
    pytest.param("Call {phone_24h} now", "Llame al {telefono} ahora", "unknown placeholder(s) {telefono}",
                 id="renamed-placeholder"),
    pytest.param("On {date}", "El {fecha}", "missing placeholder(s) {date}", id="fecha-for-date"),
    pytest.param("Call 911 now", "Llame al 112 ahora", "number 911 of the English is missing", id="911-to-112"),
    pytest.param("Take IL-2", "Tome IL-2 cada 8 horas", "number 8 is not in the English", id="typed-number"),
    pytest.param("See https://www.cancer.org", "Vea https://www.cancer.es", "URL https://www.cancer.org",
                 id="changed-url"),
    pytest.param("Your <b>immune system</b>", "Su <b>sistema inmunitario", "unclosed <b>", id="unclosed-tag"),
    pytest.param("Your <b>immune system</b>", "Su sistema inmunitario</b>", "</b> closes nothing",
                 id="stray-close"),
    pytest.param("Your <b>immune system</b>", "Su <i>sistema</i>", "tag <i> is not allowed", id="foreign-tag"),
    pytest.param("Your <b>immune system</b>", "Su sistema inmunitario", "inline markup differs",
                 id="dropped-markup"),
])
def test_each_mistake_is_an_error_with_line(locales_with, source, translation, problem):
    base = locales_with(entry("overview", "First", "Primero"), entry("overview", source, translation))
    findings = [f for f in check_catalog("es", base, run_msgfmt=False) if f.severity == ERROR]
    assert any(problem in f.problem for f in findings), [str(f) for f in findings]
    bad = next(f for f in findings if problem in f.problem)
    assert bad.line == 13  # the msgid line of the second entry
    assert str(bad).startswith(f"{base / 'es' / 'LC_MESSAGES' / 'packet.po'}:13: {source[:20]}")


def test_good_translation_has_no_findings(locales_with):
    base = locales_with(entry("side_effects", "Call {emergency_number} now.", "Llame al {emergency_number} ahora."))
    assert check_catalog("es", base, run_msgfmt=False) == []


def test_fuzzy_and_untranslated_are_warnings(locales_with):
    base = locales_with(entry("ui", "What", "Qué", fuzzy=True), entry("ui", "When", ""))
    findings = check_catalog("es", base, run_msgfmt=False)
    assert {f.problem.split(":")[0] for f in findings} == {"fuzzy", "untranslated"}
    assert all(f.severity == "warning" for f in findings)


def test_missing_glyph_is_an_error(locales_with):
    base = locales_with(entry("ui", "What", "ⴰⵣⵓⵍ"))  # Tifinagh: no font of ours covers it
    findings = check_catalog("es", base, run_msgfmt=False)
    assert any("no glyph" in f.problem and "U+2D30" in f.problem for f in findings)


def test_text_too_long_for_its_box(locales_with):
    base = locales_with(entry("ui", "What", "Lo que va a pasar durante su tratamiento en el hospital"))
    findings = check_catalog("es", base, run_msgfmt=False)
    assert any("too long for its box" in f.problem for f in findings)


def test_helpers_agree_on_clean_strings():
    assert check_placeholders("{a} {b}", "{b} {a}") == []
    assert check_markup("<b>x</b> y", "y <b>x</b>") == []
    assert check_numbers("IL-2 and {n}", "IL-2 y {n}") == []


def test_cli_check_exits_nonzero_on_errors(locales_with, monkeypatch, tmp_path, capsys):
    base = locales_with(entry("side_effects", "Call 911 now.", "Llame al 112."))
    root = tmp_path
    for name in ("content", "fonts"):
        (root / name).symlink_to(paths.root() / name)
    monkeypatch.setenv("PACKETS_ROOT", str(root))
    assert main(["i18n", "check", "es"]) == 1
    out = capsys.readouterr().out
    assert "Call 911 now.: error: number 911" in out


def test_cli_check_exits_0_on_warnings_alone_and_prints_them(locales_with, monkeypatch, tmp_path, capsys):
    """A fuzzy string and a trailing space are warnings: a translator is told, the check passes
    (a build falls back to English for the fuzzy string and says so)."""
    base = locales_with(entry("overview", "First", "Primero "), entry("ui", "What", "Qué", fuzzy=True))
    for name in ("content", "fonts"):
        (tmp_path / name).symlink_to(paths.root() / name)
    monkeypatch.setenv("PACKETS_ROOT", str(tmp_path))
    assert main(["i18n", "check", "es"]) == 0
    captured = capsys.readouterr()
    po = base / "es" / "LC_MESSAGES" / "packet.po"
    printed = captured.out.splitlines()
    assert printed and all(line.startswith(f"{po}:") and ": warning: " in line for line in printed), printed
    ours = [line.split(": ", 3)[1:] for line in printed if ": warning: msgfmt: " not in line]
    assert [(source, problem.split(" (")[0]) for source, _, problem in ours] == [
        ("First", "space at the start or end of the text; remove it"),
        ("What", "fuzzy: the English changed; check and unmark")], ours
    # (GNU msgfmt, when installed, adds warnings about this test's short header.)
    assert captured.err.strip() == f"1 catalog(s) checked: 0 error(s), {len(printed)} warning(s)"
    assert main(["i18n", "check", "es", "--errors-only"]) == 0
    assert capsys.readouterr().out == ""


def test_cli_stats_one_line_per_language(capsys):
    from packets.i18n.locales import available
    assert main(["i18n", "stats"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(available()) - 1
    assert any(line.startswith("Español (es): ") and "draft" in line for line in lines)


# --- the mistakes the checker exists to catch never crash it --------------------------------------

@pytest.mark.parametrize("source, translation, problem, severity", [
    pytest.param("Call {phone_24h} now", "Llame al {phone_24h ahora", "lone { or a broken placeholder", ERROR,
                 id="lone-open-brace"),
    pytest.param("Call {phone_24h} now", "Llame al phone_24h} ahora", "lone } or a broken placeholder", ERROR,
                 id="lone-close-brace"),
    pytest.param("Call {phone_24h} now", "Llame al %s ahora", "%s is not a placeholder here", ERROR, id="printf-s"),
    pytest.param("Call {phone_24h} now", "Llame al {phone_24h}\\nahora", "line break (\\n) not in the English", ERROR,
                 id="newline"),
    pytest.param("Call {phone_24h} now", "Llame al {phone_24h} ahora ", "space at the start or end", "warning",
                 id="trailing-space"),
    pytest.param("Call {phone_24h} now", "Llame al&nbsp;{phone_24h} ahora", "HTML entity &nbsp; would print as typed",
                 ERROR, id="html-entity"),
    pytest.param("Call {phone_24h} now", "Llame al {0} ahora", "lone { or a broken placeholder", ERROR,
                 id="positional-placeholder"),
])
def test_traps_are_findings_with_their_line(locales_with, source, translation, problem, severity):
    base = locales_with(entry("overview", "First", "Primero"), entry("overview", source, translation))
    findings = check_catalog("es", base, run_msgfmt=False)
    bad = [f for f in findings if problem in f.problem]
    assert bad, [str(f) for f in findings]
    assert bad[0].line == 13 and bad[0].severity == severity
    assert str(bad[0]).startswith(f"{base / 'es' / 'LC_MESSAGES' / 'packet.po'}:13: {source}: {severity}: ")


def test_a_broken_placeholder_is_withheld_from_the_packet_not_a_crash(locales_with):
    """The build runs the same rules: a translation with a lone brace is withheld (the English
    prints), where fill() would have stopped the build."""
    from packets.content import Message
    from packets.i18n.checks import string_errors
    from packets.i18n.context import load_catalog_state
    base = locales_with(entry("ui", "Call {phone_24h} now", "Llame al {phone_24h ahora"), entry("ui", "What", "Qué"))
    printed = {("ui", t): Message("ui", t) for t in ("Call {phone_24h} now", "What")}
    errors = string_errors(load_catalog_state("es", base), "es", printed)
    assert list(errors) == [("ui", "Call {phone_24h} now")] and errors[("ui", "Call {phone_24h} now")].line == 9


def test_errors_only_view(locales_with, monkeypatch, tmp_path, capsys):
    base = locales_with(entry("side_effects", "Call 911 now.", "Llame al 112."), entry("ui", "What", "Qué", fuzzy=True))
    for name in ("content", "fonts"):
        (tmp_path / name).symlink_to(paths.root() / name)
    monkeypatch.setenv("PACKETS_ROOT", str(tmp_path))
    assert main(["i18n", "check", "es", "--errors-only"]) == 1
    captured = capsys.readouterr()
    assert "number 911" in captured.out and "number 112" in captured.out
    assert ": warning: " not in captured.out and "fuzzy" not in captured.out
    assert "2 error(s)" in captured.err and base


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext not installed")
def test_one_msgfmt_failure_is_one_finding(locales_with):
    """msgfmt reports a leading newline on one line and then 'found 1 fatal error': one finding,
    at its line; its header warnings stay warnings."""
    base = locales_with(entry("overview", "First", "\\nPrimero"))
    found = [f for f in check_catalog("es", base) if f.problem.startswith("msgfmt")]
    errors = [f for f in found if f.severity == ERROR]
    assert len(errors) == 1 and errors[0].line == 10 and "do not both begin with" in errors[0].problem
    assert all(f.severity == "warning" for f in found if f not in errors)
