"""Rosters as staff really have them: strict CSV, Excel's encodings and delimiters, workbooks,
duplicates, and error reports that never repeat a piece of a name."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from packets.batch import csv_bytes, run_batch
from packets.build import Options
from packets.cli import main
from packets.errors import ConfigError
from packets.roster import parse_roster

H = "name,mrn,birth_date,language,first_admission,cycles,response_scan,follow_up\r\n"


def rows_of(text: str | bytes, name="r.csv"):
    return parse_roster(text.encode("utf-8") if isinstance(text, str) else text, name)


def problems_of(row) -> list[str]:
    return [p.message for p in row.problems]


def report(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


# -- strict CSV ------------------------------------------------------------------------------------

def test_an_unclosed_quote_never_swallows_the_next_row():
    rows = rows_of(H + '"Ruiz, Ana,00412345,,en,2026-12-01,,,\r\n'
                       + '"Li Wei",00633210,,en,2026-12-01,,,\r\n')
    assert [r.line for r in rows] == [2, 3]
    assert "not closed on this line" in problems_of(rows[0])[0]
    assert rows[1].problems == () and rows[1].record["name"] == "Li Wei" and rows[1].record["mrn"] == "00633210"


def test_quoted_values_keep_commas_and_doubled_quotes_and_cycles_split_at_any_separator():
    """What Excel writes for a name with a comma or a quote, and the ways staff type a list of dates."""
    rows = rows_of(H + '"O\'Neil, Ana ""Nita""",00412345,,en,2026-03-03,,,\r\n'
                       + 'Li Wei,00633210,,en,,2026-03-03 2026-03-24,,\r\n'
                       + 'Bo Li,00633211,,en,,"2026-03-03, 2026-03-24",,\r\n'
                       + 'Al Ng,00633212,,en,,2026-03-03;2026-03-24,,\r\n')
    assert [r.problems for r in rows] == [(), (), (), ()]
    assert rows[0].record["name"] == 'O\'Neil, Ana "Nita"'
    assert [r.record["schedule"]["cycles"] for r in rows[1:]] == [["2026-03-03", "2026-03-24"]] * 3


def test_a_roster_with_cycles_needs_no_first_admission_column():
    rows = rows_of("name,mrn,language,cycles\r\nLi Wei,00633210,en,2026-03-03;2026-03-24\r\n")
    assert rows[0].patient().schedule.first_admission == dt.date(2026, 3, 3)
    with pytest.raises(ConfigError, match=r"missing column\(s\): first_admission"):
        rows_of("name,mrn,language,follow_up\r\nLi Wei,00633210,en,2026-05-12\r\n")


@pytest.mark.parametrize("line, words", [
    pytest.param('Smith, Jordan,00412345,,en,2026-12-01,,,', "has 9 values but the header has 8 columns",
                 id="more-fields"),
    pytest.param('Ana Ruiz,00412345,en,2026-12-01', "has 4 values but the header has 8 columns", id="fewer-fields"),
    pytest.param('Ana "Nita" Ruiz,00412345,,en,2026-12-01,,,', "a quote (\") inside a value", id="stray-quote"),
    pytest.param('"Ana" Ruiz,00412345,,en,2026-12-01,,,', "text follows the closing quote", id="text-after-quote"),
    pytest.param('Line Name",00500003,,en,2026-12-01,,,', "a quote (\") inside a value",
                 id="tail-of-a-broken-cell"),
])
def test_malformed_rows_are_errors_naming_the_line(line, words):
    [row] = rows_of(H + line + "\r\n")
    assert row.line == 2 and words in problems_of(row)[0]
    assert row.record == {}  # nothing of a malformed row is used, not even its "MRN"


def test_a_cell_with_a_line_break_is_refused_and_never_merged():
    rows = rows_of(H + '"Multi\r\nLine Name",00500003,,en,2026-12-01,,,\r\nBo Li,00500004,,en,2026-12-01,,,\r\n')
    assert [(r.line, bool(r.problems)) for r in rows] == [(2, True), (3, True), (4, False)]


@pytest.mark.parametrize("header, words", [
    pytest.param("name,mrn,name,language,first_admission", "column 'name' appears twice (columns A and C)",
                 id="two-name-columns"),
    pytest.param("name,MRN,language,first_admission,mrn", "column 'mrn' appears twice (columns B and E)",
                 id="two-mrn-columns"),
    pytest.param("name,mrn,language,first_admision", "did you mean 'first_admission'", id="misspelt"),
    pytest.param("name,mrn", "missing column(s): language, first_admission", id="missing"),
])
def test_header_problems_stop_the_run_naming_line_1(header, words):
    with pytest.raises(ConfigError) as err:
        rows_of(header + "\nA,00412345,B,en,2026-12-01\n")
    assert words in str(err.value) and err.value.line == 1


def test_extra_columns_of_a_scheduling_system_are_ignored_with_a_warning():
    rows = rows_of("Name,MRN,Language,First Admission,Room\nAna Ruiz,00412345,en,2026-12-01,4B\n")
    assert rows[0].record["name"] == "Ana Ruiz" and rows.warnings == ["r.csv:1: column(s) ignored: room"]


def test_a_value_beyond_the_csv_modules_field_limit_stops_only_its_row(tmp_path, program):
    huge = "x" * (csv.field_size_limit() + 10)
    rows = rows_of(H + f"{huge},00412345,,en,2026-12-01,,,\r\nBo Li,00500004,,en,2026-12-01,,,\r\n")
    result = run_batch(rows, program, Options(), tmp_path / "o", jobs=1)
    assert [p.name for p in result.written] == ["00500004-en.pdf"]
    assert [(e["line"], e["column"]) for e in result.errors] == [(2, "name")]
    assert "characters long" in result.errors[0]["problem"]


# -- encodings and delimiters from Excel ---------------------------------------------------------

def test_a_windows_1252_roster_is_refused_with_the_first_line_and_what_to_do():
    data = (H + "José Núñez,00412345,,es,2026-12-01,,,\r\nDan Poe,00500002,,en,2026-12-01,,,\r\n"
            "Zoë Ågren,00500003,,en,2026-12-01,,,\r\n").encode("cp1252")
    with pytest.raises(ConfigError) as err:
        rows_of(data)
    assert err.value.line == 2 and "not UTF-8" in err.value.message
    assert "File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'" in err.value.message
    assert "José" not in str(err.value) and "Jos" not in str(err.value)


def test_one_undecodable_byte_stops_only_its_row(tmp_path, program):
    data = H.encode() + b"Ana Ruiz,00412345,,en,2026-12-01,,,\r\nB\xffo Li,00500004,,en,2026-12-01,,,\r\n"
    rows = rows_of(data)
    assert rows[0].problems == () and "not UTF-8" in problems_of(rows[1])[0]
    result = run_batch(rows, program, Options(), tmp_path / "o", jobs=1)
    assert [p.name for p in result.written] == ["00412345-en.pdf"] and result.errors[0]["line"] == 3


def test_a_semicolon_roster_is_read_correctly():
    rows = rows_of("name;mrn;birth_date;language;first_admission;cycles\r\n"
                   '"Ruiz; Ana";00412345;1961-07-14;es-US;;"2026-12-01;2026-12-22"\r\n'
                   "Li, Wei;00633210;;en;2026-12-01;\r\n")
    assert [r.record["name"] for r in rows] == ["Ruiz; Ana", "Li, Wei"]
    assert rows[0].record["schedule"] == {"cycles": ["2026-12-01", "2026-12-22"]}
    assert rows[1].record["mrn"] == "00633210" and rows[1].record["language"] == "en"


def test_excels_unicode_text_export_is_read():
    data = "name\tmrn\tlanguage\tfirst_admission\r\nJosé Núñez\t00412345\tes\t2026-12-01\r\n".encode("utf-16")
    [row] = rows_of(data, "r.txt")
    assert row.record["name"] == "José Núñez" and row.record["mrn"] == "00412345"


def _xlsx(rows, number_formats=None) -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    for (row, col), fmt in (number_formats or {}).items():
        ws.cell(row=row, column=col).number_format = fmt
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_an_xlsx_workbook_is_read_directly(program):
    data = _xlsx([["Name", "MRN", "Language", "First admission", "Follow up"],
                  ["José Núñez", "00412345", "es-US", dt.datetime(2026, 12, 1), None],
                  [None, None, None, None, None],
                  ["Eve Li", 500006, "en", "2026-12-01", dt.date(2027, 2, 1)],
                  ["Dan Poe", 900004, "en", dt.datetime(2026, 12, 1), None],
                  ["Bad Bool", True, "en", dt.datetime(2026, 12, 1), None]],
                 number_formats={(4, 2): "00000000"})
    rows = rows_of(data, "today.xlsx")
    assert [r.line for r in rows] == [2, 4, 5, 6]  # the sheet's own row numbers
    assert rows[0].patient(program).name == "José Núñez"
    assert rows[0].patient(program).schedule.first_admission == dt.date(2026, 12, 1)
    eve = rows[1].patient(program)
    assert eve.mrn == "00500006" and eve.schedule.follow_up == dt.date(2027, 2, 1)  # shown with zeros: kept
    with pytest.raises(Exception) as err:
        rows[2].patient(program)
    assert "Excel probably dropped its leading zeros" in str(err.value)
    with pytest.raises(Exception) as err:
        rows[3].patient(program)
    assert err.value.field == "mrn" and "true/false" in err.value.message


def test_a_broken_workbook_is_one_error():
    with pytest.raises(ConfigError, match="not a readable .xlsx workbook"):
        rows_of(b"PK\x03\x04 not really a zip", "r.xlsx")


# -- duplicates --------------------------------------------------------------------------------------

def test_duplicate_mrns_refuse_every_row_involved_and_overwrite_nothing(tmp_path, program):
    rows = rows_of(H + "Ana Ruiz,00412345,,es-US,2026-12-01,,,\r\n"
                       "Ben Ortiz,00412345,,en,2026-12-01,,,\r\n"
                       "Carla Diaz,00500001,,es-US,2026-12-01,,,\r\n"
                       "Carla Diaz,00500001,,es-MX,2026-12-01,,,\r\n"
                       "Dan Poe,00500002,,en,2026-12-01,,,\r\n")
    result = run_batch(rows, program, Options(), tmp_path / "o", jobs=1)
    assert [p.name for p in result.written] == ["00500002-en.pdf"]
    assert [(e["line"], e["column"], e["mrn"]) for e in result.errors] == [
        (2, "mrn", "****2345"), (3, "mrn", "****2345"), (4, "mrn", "****0001"), (5, "mrn", "****0001")]
    assert "on line(s) 3 too" in result.errors[0]["problem"] and "on line(s) 2 too" in result.errors[1]["problem"]
    assert "no packet was made for any of these rows" in result.errors[3]["problem"]
    assert sorted(p.name for p in (tmp_path / "o").glob("*.pdf")) == ["00500002-en.pdf"]


def test_mrns_differing_only_in_case_are_one_patient(tmp_path, program):
    from packets.program import Program
    import dataclasses
    loose = dataclasses.replace(program, mrn_pattern=None, mrn_description=None)
    assert isinstance(loose, Program)
    rows = rows_of(H + "Ana Ruiz,ab123456,,en,2026-12-01,,,\r\nBen Ortiz,AB123456,,en,2026-12-01,,,\r\n")
    result = run_batch(rows, loose, Options(), tmp_path / "o", jobs=1)
    assert result.written == [] and [e["line"] for e in result.errors] == [2, 3]
    assert [e["problem"].split(";")[0] for e in result.errors] == ["the same MRN is on line(s) 3 too",
                                                                   "the same MRN is on line(s) 2 too"]


# -- reports never repeat a name ----------------------------------------------------------------------

def test_a_shifted_row_never_puts_a_name_in_a_message_or_a_file(tmp_path, capsys):
    """Unquoted commas in names: 'Smith, Jordan' and 'Ana, Maria' shift every column."""
    f = tmp_path / "r.csv"
    f.write_text("name,mrn,language,first_admission\r\n"
                 "Smith, Jordan,en,2026-12-01\r\n"        # right count: 'Jordan' lands in mrn, 'en' in language
                 "Ruiz, Ana,Maria,2026-12-01\r\n"          # 'Ana' in mrn, 'Maria' in language
                 "Li, Bo,00412345,en\r\n"                   # 'Bo' in mrn, the MRN in language, 'en' in the date
                 "Quinn, Al,=HYPERLINK(\"x\"),@SUM(1)\r\n", encoding="utf-8")
    assert main(["batch", str(f), "-o", str(tmp_path / "o"), "--jobs", "1"]) == 1
    captured = capsys.readouterr()
    everything = captured.out + captured.err + (tmp_path / "o" / "errors.csv").read_text(encoding="utf-8-sig")
    for fragment in ("Smith", "Jordan", "Ruiz", "Ana", "Maria", "Li,", " Bo", "Quinn", "Al ", "HYPERLINK", "SUM"):
        assert fragment not in everything, fragment
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["errors.csv", "manifest.csv"]
    lines = [l for l in captured.err.splitlines() if l.startswith("error:")]
    assert any(f"{f}:2: column mrn:" in l and "(MRN ****)" in l for l in lines), lines
    assert any(f"{f}:3: column language: is not a language tag" in l or f"{f}:3: column language: no packet" in l
               for l in lines), lines


def test_errors_csv_is_safe_to_open_in_a_spreadsheet():
    data = csv_bytes(["line", "column", "mrn", "problem"],
                     [{"line": 2, "column": "=cmd|' /C calc'!A0", "mrn": "+1", "problem": "-2+3"},
                      {"line": 3, "column": "@SUM(A1)", "mrn": "\t=1", "problem": "plain"}])
    cells = [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=cmd|' /C calc'!A0" in cells and "'-2+3" in cells


def test_yaml_roster_items_keep_their_lines_and_bad_items_are_reported(tmp_path, program):
    rows = rows_of('- name: A B\n  mrn: "00000001"\n  language: en\n  schedule: {first_admission: 2026-12-01}\n'
                   "- [1, 2]\n"
                   "- name: C D\n  mrn: 00000002\n  language: en\n  schedule: {first_admission: 2026-12-01}\n",
                   "r.yaml")
    assert [r.line for r in rows] == [1, 5, 6]
    result = run_batch(rows, program, Options(), tmp_path / "o", jobs=1)
    assert [p.name for p in result.written] == ["00000001-en.pdf"]
    assert [(e["line"], e["column"]) for e in result.errors] == [(5, ""), (6, "mrn")]
    assert "quotes" in result.errors[1]["problem"]
