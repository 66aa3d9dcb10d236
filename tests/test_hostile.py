"""The command line fuzzed like a hostile tester: every input ends in one plain line per problem
naming the file, row or field, exit 2 for the whole run and 1 when some rows failed. Never an
"internal error", never a traceback, never a name."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from packets import paths
from packets.cli import main

OK = 'name: Ana Ruiz\nmrn: "00412345"\nlanguage: en\nschedule:\n  first_admission: 2026-12-01\n'
ROSTER = "name,mrn,language,first_admission\nAna Ruiz,00412345,en,2026-12-01\n"


def deep(n: int) -> str:
    return "[" * n + "]" * n


def laughs() -> str:
    text, prev = "a: &a [x, x, x, x, x, x, x, x, x]\n", "a"
    for i in range(25):
        text += f"b{i}: &b{i} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
        prev = f"b{i}"
    return text


# (id, files {name: bytes|str}, argv after the command, env, exit code, words in the first error line)
CASES = [
    ("patient-not-utf8", {"p.yaml": OK.replace("Ana", "An\xe1").encode("latin-1")}, ["build", "p.yaml"], {}, 2,
     "p.yaml:1: is not UTF-8 text (byte 0xE1)"),
    ("patient-utf16-with-bom", {"p.yaml": OK.encode("utf-16")}, ["build", "p.yaml"], {}, 0, None),
    ("patient-binary", {"p.yaml": bytes(range(256)) * 20}, ["build", "p.yaml"], {}, 2, "p.yaml:2: is not UTF-8"),
    ("patient-100000-deep", {"p.yaml": "name: " + deep(100_000)}, ["build", "p.yaml"], {}, 2,
     "p.yaml: lists or mappings are nested too deeply"),
    ("patient-too-big", {"p.yaml": "# x\n" * 400_000}, ["build", "p.yaml"], {}, 2, "p.yaml: is 1,600,000 bytes"),
    ("patient-billion-laughs", {"p.yaml": laughs()}, ["build", "p.yaml"], {}, 2, "p.yaml: unknown field(s)"),
    ("patient-python-tag", {"p.yaml": "name: !!python/object/apply:os.system [x]\n"}, ["build", "p.yaml"], {}, 2,
     "p.yaml:1: not valid YAML"),
    ("patient-two-documents", {"p.yaml": OK + "---\n" + OK}, ["build", "p.yaml"], {}, 2, "p.yaml:6: not valid YAML"),
    ("patient-a-list", {"p.yaml": "- 1\n"}, ["build", "p.yaml"], {}, 2, "p.yaml: expected a patient record"),
    ("patient-empty", {"p.yaml": ""}, ["build", "p.yaml"], {}, 2, "p.yaml: expected a patient record"),
    ("patient-is-a-folder", {}, ["build", "."], {}, 2, ".: is a folder; give the patient's .yaml file"),
    ("year-9999", {"p.yaml": OK.replace("2026-12-01", "9999-12-25")}, ["build", "p.yaml"], {}, 2,
     "p.yaml: schedule.first_admission: (9999-12-25) is more than two years after today"),
    ("follow-up-2300", {"p.yaml": OK + "  follow_up: 2300-05-12\n"}, ["build", "p.yaml"], {}, 2,
     "p.yaml: schedule.follow_up: (2300-05-12) is more than two years after today"),
    ("year-1", {"p.yaml": OK.replace("2026-12-01", "0001-01-01")}, ["build", "p.yaml"], {}, 2, "before 2000"),
    ("name-20000", {"p.yaml": OK.replace("Ana Ruiz", "a" * 20_000)}, ["build", "p.yaml"], {}, 2,
     "p.yaml: name: is 20000 characters long; a name has at most 200"),
    ("mrn-yaml-true", {"p.yaml": OK.replace('"00412345"', "yes")}, ["build", "p.yaml"], {}, 2,
     "p.yaml: mrn: is true/false, not text"),
    ("mrn-yaml-octal", {"p.yaml": OK.replace('"00412345"', "00412345")}, ["build", "p.yaml"], {}, 2,
     "p.yaml: mrn: must be written in quotes"),
    ("tests-not-a-list", {"p.yaml": OK + "  tests: 5\n"}, ["build", "p.yaml"], {}, 2, "p.yaml: schedule.tests:"),
    ("cycles-10000", {"p.yaml": OK + "  cycles: [" + ", ".join(["2026-12-01"] * 10_000) + "]\n"},
     ["build", "p.yaml"], {}, 2, "p.yaml: schedule.cycles: has 10000 dates"),
    ("name-u2067", {"p.yaml": OK.replace("Ana Ruiz", "Ana Ruiz\u2067")}, ["build", "p.yaml"], {}, 0, None),
    ("lang-10000", {"p.yaml": OK}, ["build", "p.yaml", "--lang", "a" * 10_000], {}, 2,
     "language: is not a language tag"),
    ("source-date-epoch-abc", {"p.yaml": OK}, ["build", "p.yaml"], {"SOURCE_DATE_EPOCH": "abc"}, 2,
     "SOURCE_DATE_EPOCH: 'abc' is not a whole number of seconds"),
    ("source-date-epoch-negative", {"p.yaml": OK}, ["build", "p.yaml"], {"SOURCE_DATE_EPOCH": "-5"}, 2,
     "SOURCE_DATE_EPOCH:"),
    ("source-date-epoch-year-99999", {"p.yaml": OK}, ["build", "p.yaml"], {"SOURCE_DATE_EPOCH": "9" * 14}, 2,
     "SOURCE_DATE_EPOCH:"),
    ("source-date-epoch-i18n", {}, ["i18n", "extract"], {"SOURCE_DATE_EPOCH": "1e9"}, 2, "SOURCE_DATE_EPOCH:"),
    ("jobs-huge", {"r.csv": ROSTER}, ["batch", "r.csv", "--jobs", "99999999999999999999"], {}, 2,
     "--jobs must be a whole number from 1 to 256"),
    ("jobs-negative", {"r.csv": ROSTER}, ["batch", "r.csv", "--jobs", "-3"], {}, 2, "--jobs must be"),
    ("profile-not-utf8", {"p.yaml": OK, "prog.yaml": b"program_name: Programme \xe9t\xe9\n"},
     ["build", "p.yaml", "--program", "prog.yaml"], {}, 2, "prog.yaml:1: is not UTF-8 text (byte 0xE9)"),
    ("profile-100000-deep", {"p.yaml": OK, "prog.yaml": deep(100_000)}, ["build", "p.yaml", "--program", "prog.yaml"],
     {}, 2, "prog.yaml: lists or mappings are nested too deeply"),
    ("profile-bad-mrn-pattern", {"p.yaml": OK, "prog.yaml": "PROFILE mrn_pattern: '(\\d'\nmrn_description: x\n"},
     ["build", "p.yaml", "--program", "prog.yaml"], {}, 2, "prog.yaml: mrn_pattern: is not a valid regular expression"),
    ("roster-not-utf8", {"r.csv": ("name,mrn,language,first_admission\nJosé,00412345,es,2026-12-01\n"
                                   "Zoë,00412346,en,2026-12-01\n").encode("cp1252")},
     ["batch", "r.csv"], {}, 2, "r.csv:2: is not UTF-8 text"),
    ("roster-one-bad-byte", {"r.csv": ROSTER.encode() + b"B\xffo,00412346,en,2026-12-01\n"},
     ["batch", "r.csv", "--jobs", "1"], {}, 1, "r.csv:3: has a byte that is not UTF-8"),
    ("roster-100000-deep", {"r.yaml": "- " + deep(100_000)}, ["batch", "r.yaml"], {}, 2,
     "r.yaml: lists or mappings are nested too deeply"),
    ("roster-empty", {"r.csv": ""}, ["batch", "r.csv"], {}, 2, "r.csv: the roster is empty"),
    ("roster-header-only", {"r.csv": "name,mrn,language,first_admission\n"}, ["batch", "r.csv"], {}, 2,
     "r.csv: has no patient rows"),
    ("roster-name-20000", {"r.csv": ROSTER.replace("Ana Ruiz", "a" * 20_000)}, ["batch", "r.csv", "--jobs", "1"],
     {}, 1, "r.csv:2: column name: is 20000 characters long"),
    ("roster-name-300000", {"r.csv": ROSTER.replace("Ana Ruiz", "a" * 300_000)}, ["batch", "r.csv", "--jobs", "1"],
     {}, 1, "r.csv:2: column name: is 300000 characters long"),
    ("roster-xls", {"r.xls": b"\xd0\xcf\x11\xe0"}, ["batch", "r.xls"], {}, 2, "r.xls: is a .xls spreadsheet"),
    ("roster-yaml-items-not-records", {"r.yaml": "- 1\n- [2]\n- {3: 4}\n"}, ["batch", "r.yaml", "--jobs", "1"], {},
     1, "r.yaml:1: expected a patient record"),
    ("combined-is-a-folder", {"r.csv": ROSTER}, ["batch", "r.csv", "--combined", "."], {}, 2,
     "--combined .: is a folder"),
    ("preview-into-a-folder", {}, ["i18n", "preview", "en", "-o", "."], {}, 2, ".: is a folder, not a file"),
]


@pytest.mark.parametrize("files, argv, env, code, words", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_hostile_input_is_one_plain_line(tmp_path, monkeypatch, capsys, files, argv, env, code, words):
    monkeypatch.chdir(tmp_path)
    for name, data in files.items():
        if isinstance(data, str) and data.startswith("PROFILE "):  # a real profile with one more key
            data = (paths.content_dir() / "program.yaml").read_text(encoding="utf-8") + data[len("PROFILE "):]
        (tmp_path / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    if argv[0] != "i18n":
        argv = argv + ["-o", str(tmp_path / "out")]
    assert main(argv) == code
    captured = capsys.readouterr()
    everything = captured.out + captured.err
    assert "internal error" not in everything and "Traceback" not in everything
    assert "Ana Ruiz" not in everything and "aaaaaaaaaa" not in everything
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    if words is None:
        assert errors == []
    else:
        assert errors and words in errors[0], errors
        assert all(len(line) < 1000 for line in captured.err.splitlines())


def _tree(tmp_path):
    """A copy of the project's data (fonts linked, not copied) for PACKETS_ROOT."""
    root = tmp_path / "root"
    for name in ("content", "locales"):
        shutil.copytree(paths.root() / name, root / name)
    (root / "fonts").symlink_to(paths.root() / "fonts")
    return root


def _run(args, root, tmp_path):
    env = {**os.environ, "PACKETS_ROOT": str(root), "PYTHONPATH": str(paths.root())}
    (tmp_path / "p.yaml").write_text(OK, encoding="utf-8")
    return subprocess.run([sys.executable, str(paths.root() / "generate.py"), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True)


@pytest.mark.parametrize("what", ["catalog-declared-latin1", "catalog-bytes", "content"])
def test_non_utf8_catalogs_and_content_name_the_file_and_line(tmp_path, what):
    root = _tree(tmp_path)
    if what == "content":
        target = root / "content" / "ui.yaml"
        target.write_bytes(target.read_bytes() + b"# caf\xe9\n")
        lang = "en"
    else:
        target = root / "locales" / "fr" / "LC_MESSAGES" / "packet.po"
        text = target.read_text(encoding="utf-8")
        if what == "catalog-declared-latin1":
            text = text.replace("charset=utf-8", "charset=ISO-8859-1").replace("charset=UTF-8", "charset=ISO-8859-1")
        target.write_bytes(text.encode("latin-1", errors="replace"))
        lang = "fr"
    r = _run(["build", "p.yaml", "--lang", lang, "-o", "out"], root, tmp_path)
    assert r.returncode == 2, r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert f"{target.name}:" in r.stderr and "is not UTF-8 text" in r.stderr
