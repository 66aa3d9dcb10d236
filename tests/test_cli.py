"""The command line as intake staff use it: one command, a path printed, plain errors, exit codes."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from packets import paths
from packets.cli import main

PATIENT = """\
name: Ana María Ruiz
mrn: "00412345"
birth_date: 1961-07-14
language: es-US
schedule:
  first_admission: 2026-03-03
"""


@pytest.fixture
def patient_file(tmp_path):
    f = tmp_path / "patient.yaml"
    f.write_text(PATIENT, encoding="utf-8")
    return f


def test_build_writes_mrn_lang_pdf_and_prints_path(patient_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(patient_file), "-o", str(out)]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == str(out / "00412345-es.pdf")
    assert len(PdfReader(printed).pages) >= 3
    # The calendar file sits beside the PDF; no temporary files are left.
    assert sorted(p.name for p in out.iterdir()) == ["00412345-es.ics", "00412345-es.pdf"]


def _text(pdf: Path) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(pdf).pages).split())


def test_lang_option_overrides_file(patient_file, tmp_path, capsys):
    assert main(["build", str(patient_file), "-o", str(tmp_path), "--lang", "en-US"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == str(tmp_path / "00412345-en.pdf")
    text = _text(Path(printed))  # the packet itself is English, not a Spanish packet under an English name
    assert "Your guide to high-dose IL-2 treatment" in text and "Tuesday, March 3, 2026" in text
    assert "martes" not in text


def test_console_output_never_has_the_name(patient_file, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1773100800")  # 2026-03-10: dates in the past, so a warning prints
    assert main(["build", str(patient_file), "-o", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str(tmp_path / "00412345-es.pdf") and "warning: ****2345" in captured.err
    assert "Ana" not in captured.out + captured.err and "00412345" not in captured.err


def test_build_warns_of_dates_in_the_past_on_one_line_and_still_writes(patient_file, tmp_path, capsys, monkeypatch):
    """Printed a week after the first admission: the admission and the latest discharge of cycle 1
    are past. Staff are told, on one line, with the masked MRN and the first such date."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2026, 3, 10, tzinfo=dt.timezone.utc).timestamp())))
    assert main(["build", str(patient_file), "-o", str(tmp_path / "o")]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "warning: ****2345: 2 scheduled date(s) are in the past, the first 2026-03-03; check the schedule"]
    assert (tmp_path / "o" / "00412345-es.pdf").is_file()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2026, 3, 3, tzinfo=dt.timezone.utc).timestamp())))
    assert main(["build", str(patient_file), "-o", str(tmp_path / "o")]) == 0
    assert capsys.readouterr().err == ""  # the first admission is today: nothing is past yet


@pytest.mark.parametrize("edit, words", [
    pytest.param(lambda s: s.replace("language: es-US", "language: xx"), ["Español", "English", "language"],
                 id="unknown-language"),
    pytest.param(lambda s: s.replace('mrn: "00412345"\n', ""), ["mrn", "patient.yaml", "required"],
                 id="missing-field"),
    pytest.param(lambda s: s.replace("2026-03-03", "2026-13-03"), ["schedule.first_admission", "patient.yaml"],
                 id="invalid-date"),
])
def test_bad_input_one_line_exit_2(patient_file, tmp_path, capsys, edit, words):
    patient_file.write_text(edit(PATIENT), encoding="utf-8")
    assert main(["build", str(patient_file), "-o", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "Ana" not in err
    for w in words:
        assert w in err
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_usage_error_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["build"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines() == ["generate.py build: error: the following arguments are required: patient"]


@pytest.mark.parametrize("argv", [["--help"], ["build", "--help"], ["demo", "--help"], ["i18n", "--help"],
                                  ["i18n", "extract", "--help"]])
def test_every_command_answers_help(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_generate_py_runs_as_a_script(patient_file, tmp_path):
    r = subprocess.run([sys.executable, str(paths.root() / "generate.py"), "build", str(patient_file),
                        "-o", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(tmp_path / "00412345-es.pdf")
    assert "Su guía sobre el tratamiento con IL-2 en dosis altas" in _text(tmp_path / "00412345-es.pdf")


def test_demo_writes_every_shipped_language(tmp_path, capsys):
    from packets.i18n.locales import available
    assert main(["demo", "-o", str(tmp_path)]) == 0
    expected = [tmp_path / f"00412345-{c.replace('_', '-')}.pdf" for c in available()]
    assert capsys.readouterr().out.splitlines() == [str(p) for p in expected]  # one path per language, in order
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == sorted(p.name for p in expected)
    for pdf in expected:
        assert len(PdfReader(pdf).pages) >= 3


def test_demo_exits_1_when_a_language_fails_and_still_writes_the_others(tmp_path, monkeypatch, capsys):
    """A tree with three languages, Spanish with one untranslated string (refused without
    --allow-fallback): English and Vietnamese are written, Spanish is one error line, exit 1."""
    from packets.i18n.pofiles import read_catalog, write_catalog
    root = tmp_path / "root"
    (root / "locales").mkdir(parents=True)
    shutil.copy(paths.locales_dir() / "packet.pot", root / "locales")
    for catalog_id in ("es", "vi"):
        shutil.copytree(paths.locales_dir() / catalog_id, root / "locales" / catalog_id)
    for name in ("content", "fonts"):
        (root / name).symlink_to(paths.root() / name)
    po = root / "locales" / "es" / "LC_MESSAGES" / "packet.po"
    cat, extra = read_catalog(po)
    next(m for m in cat if m.id == "About IL-2 treatment").string = ""
    write_catalog(po, cat, extra)
    monkeypatch.setenv("PACKETS_ROOT", str(root))
    out = tmp_path / "out"
    assert main(["demo", "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [str(out / "00412345-en.pdf"), str(out / "00412345-vi.pdf")]
    [error] = captured.err.splitlines()
    assert error.startswith("error: ") and "es" in error and "1 untranslated" in error and "Traceback" not in error
    assert sorted(p.name for p in out.iterdir()) == ["00412345-en.ics", "00412345-en.pdf",
                                                     "00412345-vi.ics", "00412345-vi.pdf"]
