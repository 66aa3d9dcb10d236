"""The command line as intake staff use it: one command, a path printed, plain errors, exit codes."""

from __future__ import annotations

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


def test_lang_option_overrides_file(patient_file, tmp_path, capsys):
    assert main(["build", str(patient_file), "-o", str(tmp_path), "--lang", "en-US"]) == 0
    assert capsys.readouterr().out.strip().endswith("00412345-en.pdf")


def test_console_output_never_has_the_name(patient_file, tmp_path, capsys):
    main(["build", str(patient_file), "-o", str(tmp_path)])
    captured = capsys.readouterr()
    assert "Ana" not in captured.out + captured.err


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
    assert Path(r.stdout.strip()).is_file()


def test_demo_writes_every_shipped_language(tmp_path, capsys):
    from packets.i18n.locales import available
    assert main(["demo", "-o", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert written == sorted(f"00412345-{c.replace('_', '-')}.pdf" for c in available())
