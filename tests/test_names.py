"""The one validator (parse_patient): names, MRNs and dates, as every input path reaches it.

Every message names the field and never repeats a value that may be part of a name.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from packets.errors import ConfigError, InputError, InputErrors
from packets.patient import mask_mrn, parse_patient
from packets.program import parse_program
from tests.conftest import build, pdf_text

BASE = {"name": "Ana Ruiz", "mrn": "00412345", "language": "en", "schedule": {"first_admission": "2026-03-03"}}


def parse(program=None, **over):
    return parse_patient({**BASE, **over}, "p.yaml", program=program)


def problems(program=None, **over) -> list[InputError]:
    with pytest.raises(InputError) as err:
        parse(program, **over)
    return err.value.problems()


def header_lines(pdf: bytes) -> list[str]:
    """The running header of every page: 'Name · MRN 00412345'."""
    return [next(line for line in page.splitlines() if "00412345" in line and " · " in line) for page in pdf_text(pdf)]


# -- names: invisible characters ------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["Ana Ruiz\u202e", "\u202dAna Ruiz", "Ana Ruiz\u2067", "\u200fAna\u200e Ruiz\u061c",
                                 "\u2066Ana Ruiz\u2069", "Ana\u200b Ruiz\ufeff", "A\u00adna Ruiz"])
def test_direction_controls_and_zero_width_characters_are_removed(raw):
    assert parse(name=raw).name == "Ana Ruiz"


def test_a_trailing_override_cannot_reverse_the_mrn_in_the_header(program):
    """The planted mistake: 'Ana Ruiz' + U+202E printed 'Ana Ruiz54321400 NRM ·' on every page."""
    patient = parse(name="Ana Ruiz\u202e", program=program)
    pdf = build(patient, program)
    lines = header_lines(pdf)
    assert lines and all(line.strip() == "Ana Ruiz · MRN 00412345" for line in lines), lines
    assert "54321400" not in " ".join(pdf_text(pdf))


def test_an_override_in_an_arabic_packet_is_removed_before_it_reaches_the_page(program):
    patient = parse(name="\u202dفاطمة السيد\u202c", language="ar", program=program)
    assert patient.name == "فاطمة السيد"
    text = " ".join(pdf_text(build(patient, program)))
    assert "00412345" in text and "54321400" not in text and "\u202d" not in text


@pytest.mark.parametrize("name", [
    pytest.param("علی\u200cرضا", id="persian-zwnj"),
    pytest.param("क्\u200dष", id="devanagari-zwj-half-form"),
    pytest.param("ശ്രീ\u200dകുമാർ", id="malayalam-zwj"),
])
def test_joiners_between_letters_are_spelling_and_stay(name):
    assert parse(name=name).name == name


def test_joiners_that_join_nothing_are_removed():
    assert parse(name="\u200cعلی\u200c رضا\u200d").name == "علی رضا"


def test_names_are_normalised_to_composed_form():
    assert parse(name="Nguye\u0302\u0303n Thi\u0323").name == "Nguyễn Thị"


def test_spaces_around_and_between_the_parts_of_a_name_are_one_space():
    """Pasted from another system: leading, trailing and doubled spaces (and tabs turned into
    spaces by a spreadsheet) would print as gaps in the header and shift it."""
    assert parse(name="  Ana   María \u00a0Ruiz ").name == "Ana María Ruiz"


@pytest.mark.parametrize("raw, code", [
    pytest.param("Ana\tRuiz", "U+0009", id="tab"),
    pytest.param("Ana\nRuiz", "U+000A", id="line-feed"),
    pytest.param("Ana\x00Ruiz", "U+0000", id="nul"),
    pytest.param("Ana\x7fRuiz", "U+007F", id="del"),
    pytest.param("Ana\x85Ruiz", "U+0085", id="c1-next-line"),
    pytest.param("Ana\x9bRuiz", "U+009B", id="c1-csi"),
    pytest.param("Ana\u2028Ruiz", "U+2028", id="line-separator"),
    pytest.param("Ana\u2062Ruiz", "U+2062", id="invisible-times"),
    pytest.param("Ana\U000e0041Ruiz", "U+E0041", id="tag-character"),
    pytest.param("Ana\ufff9Ruiz\ufffb", "U+FFF9", id="interlinear-annotation"),
    pytest.param("Ana\u0600Ruiz", "U+0600", id="arabic-number-sign"),
    pytest.param("Ana\ue000Ruiz", "U+E000", id="private-use"),
    pytest.param("Ana\ud800Ruiz", "U+D800", id="lone-surrogate"),
    pytest.param("Ana\ufdd0Ruiz", "U+FDD0", id="noncharacter"),
])
def test_control_and_other_format_characters_are_refused(raw, code):
    [err] = problems(name=raw)
    assert err.field == "name" and code in err.message
    assert "Ana" not in str(err) and "Ruiz" not in str(err)


@pytest.mark.parametrize("raw", ["\u202e", "\u200b\u200e \ufeff", "\u200c\u200d"])
def test_a_name_of_only_invisible_characters_is_refused(raw):
    [err] = problems(name=raw)
    assert err.field == "name" and "no visible characters" in err.message


def test_a_20000_character_name_is_a_clean_error():
    [err] = problems(name="a" * 20_000)
    assert err.field == "name" and err.message == "is 20000 characters long; a name has at most 200"


def test_a_letter_buried_under_marks_is_refused():
    [err] = problems(name="Ana Ruiz" + "\u0301" * 30)
    assert err.field == "name" and "marks on one letter" in err.message


def test_every_problem_of_a_record_is_reported_at_once(program):
    errs = problems(program, name="Ana\x00", mrn="12", language="Ana Maria",
                    schedule={"first_admission": "Ruiz", "follow_up": "2026-02-30"})
    assert [e.field for e in errs] == ["name", "mrn", "language", "schedule.first_admission", "schedule.follow_up"]
    assert isinstance(errs, list) and all(e.file == "p.yaml" for e in errs)
    blob = " ".join(e.message for e in errs)
    assert "Ana" not in blob and "Maria" not in blob and "Ruiz" not in blob and "'12'" not in blob


# -- MRNs ------------------------------------------------------------------------------------------

def test_an_mrn_that_does_not_match_the_program_format_is_refused(program):
    assert program.mrn_pattern == r"\d{8}" and program.mrn_description == "eight digits"
    [err] = problems(program, mrn="A0041234")
    assert err.field == "mrn" and err.message == "is not an MRN of this program (eight digits)"


def test_missing_leading_zeros_are_blamed_on_excel_with_the_fix(program):
    [err] = problems(program, mrn="900004")
    assert err.field == "mrn"
    assert "Excel probably dropped its leading zeros" in err.message
    assert "Format Cells > Text" in err.message


@pytest.mark.parametrize("value, words", [
    pytest.param(True, "true/false", id="yaml-true"), pytest.param(False, "true/false", id="yaml-false"),
    pytest.param(412345, "quotes", id="yaml-int"), pytest.param(4.12345e5, "a number", id="yaml-float"),
    pytest.param([1, 2], "must be text", id="yaml-list"),
])
def test_a_yaml_boolean_or_number_never_becomes_an_mrn(program, value, words):
    for prog in (program, None):
        [err] = problems(prog, mrn=value)
        assert err.field == "mrn" and words in err.message


def test_without_a_profile_an_mrn_must_still_be_safe_in_a_file_name():
    [err] = problems(mrn="../../etc/x")
    assert err.field == "mrn"
    assert parse(mrn="AB-1234").mrn == "AB-1234"


def test_the_profile_states_its_mrn_format(program):
    data = {"program_name": "P", "hospital_name": "H", "unit_name": "U", "phones": {"main": "(503) 215-6000", "24h": "(503) 215-6001"},
            "emergency_number": "911", "address": "A", "website": "https://x.example", "territory": "US",
            "regimen": {"stay_days": [5, 7], "break_days": 14, "scan_weeks_after_second_cycle": 4,
                        "cycles_per_course": 2, "max_cycles": 6}}
    prog = parse_program({**data, "mrn_pattern": "[A-Z]\\d{6}", "mrn_description": "a capital letter and six digits"},
                         "p.yaml")
    assert parse(prog, mrn="K123456").mrn == "K123456"
    assert "a capital letter and six digits" in problems(prog, mrn="1234567")[0].message
    with pytest.raises(ConfigError, match="not a valid regular expression") as err:
        parse_program({**data, "mrn_pattern": "(\\d", "mrn_description": "x"}, "p.yaml")
    assert err.value.field == "mrn_pattern"
    with pytest.raises(ConfigError) as err:
        parse_program({**data, "mrn_pattern": "\\d{8}"}, "p.yaml")
    assert err.value.field == "mrn_description"


@pytest.mark.parametrize("value, shown", [
    ("00412345", "****2345"), ("A1234567", "****4567"), ("12345", "*2345"),
    ("Ana", "****"), ("Jordan", "****"), ("Li", "****"), ("1234", "****"), ("Maria Ruiz", "****"),
    ("ABCD-EFGH", "****"), ("", "none"), (None, "none"),
])
def test_masking_shows_only_digits_and_never_a_name_fragment(value, shown):
    assert mask_mrn(value) == shown


# -- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("sched, field, words", [
    pytest.param({"first_admission": "2026-03-03", "follow_up": "2300-05-12"}, "schedule.follow_up",
                 "more than two years after today", id="follow-up-2300"),
    pytest.param({"first_admission": "9999-12-25"}, "schedule.first_admission", "more than two years after today",
                 id="year-9999"),
    pytest.param({"first_admission": "2026-03-03", "response_scan": "9999-12-31"}, "schedule.response_scan",
                 "more than two years after today", id="scan-9999"),
    pytest.param({"first_admission": "0001-01-01"}, "schedule.first_admission", "before 2000", id="year-1"),
    pytest.param({"first_admission": "2016-03-03", "follow_up": "2026-05-12"}, "schedule.follow_up",
                 "more than two years after the first admission", id="span"),
    pytest.param({"first_admission": "2026-03-03", "tests": [{"name": "Echo", "date": "2025-01-01"}]},
                 "schedule.tests[1].date", "six months before", id="test-long-before"),
])
def test_dates_far_from_today_are_refused_as_typos(sched, field, words):
    import datetime as dt
    with pytest.raises(InputError) as err:
        parse_patient({**BASE, "schedule": sched}, "p.yaml", today=dt.date(2026, 2, 1))
    [e] = err.value.problems()
    assert e.field == field and words in e.message and "check the year" in e.message


def test_each_date_rule_accepts_its_last_good_value_and_refuses_the_next():
    """The typo rules at their boundaries: two years (731 days) after the printed date; the year
    2000; a birth date before the first treatment date."""
    import datetime as dt
    today = dt.date(2026, 2, 1)

    def check(sched, birth=None):
        record = {**BASE, "schedule": sched, **({"birth_date": birth} if birth else {})}
        return parse_patient(record, "p.yaml", today=today)

    last = (today + dt.timedelta(days=731)).isoformat()
    assert check({"first_admission": last}).schedule.first_admission.isoformat() == last
    with pytest.raises(InputError) as err:
        check({"first_admission": (today + dt.timedelta(days=732)).isoformat()})
    assert "more than two years after today" in err.value.problems()[0].message
    assert check({"first_admission": "2000-01-01"}).schedule.first_admission == dt.date(2000, 1, 1)
    with pytest.raises(InputError) as err:
        check({"first_admission": "1999-12-31"})
    assert "is before 2000" in err.value.problems()[0].message
    assert check({"first_admission": "2026-03-03"}, birth="2026-01-30").birth_date == dt.date(2026, 1, 30)
    with pytest.raises(InputError) as err:
        check({"first_admission": "2026-01-20"}, birth="2026-01-20")
    [e] = err.value.problems()
    assert e.field == "birth_date" and "is not before schedule.first_admission (2026-01-20)" in e.message


def test_birth_dates_in_the_future_or_after_treatment_are_refused():
    import datetime as dt
    today = dt.date(2026, 2, 1)
    with pytest.raises(InputError) as err:
        parse_patient({**BASE, "birth_date": "2027-01-01"}, "p.yaml", today=today)
    assert [e.field for e in err.value.problems()] == ["birth_date"]
    with pytest.raises(InputErrors) as err:
        parse_patient({**BASE, "birth_date": "1850-01-01"}, "p.yaml", today=today)
    assert "more than 130 years ago" in err.value.problems()[0].message


def test_a_far_follow_up_cannot_make_a_huge_packet(program):
    """The largest schedule the rules allow still makes a packet of ordinary size."""
    import datetime as dt
    patient = parse_patient({**BASE, "schedule": {"first_admission": "2026-03-03", "follow_up": "2028-03-02"}},
                            "p.yaml", today=dt.date(2026, 3, 3), program=program)
    pages = len(pdf_text(build(patient, program)))
    assert pages <= 40, pages


def test_dates_never_echo_the_value():
    [err] = problems(schedule={"first_admission": "Maria"})
    assert "Maria" not in str(err) and "YYYY-MM-DD" in err.message
    [err] = problems(schedule={"first_admission": "3/3/2026"})
    assert "spreadsheet may have changed how dates look" in err.message


def test_year_9999_from_the_command_line_is_one_line(tmp_path, capsys):
    from packets.cli import main
    f = tmp_path / "p.yaml"
    f.write_text('name: Ana Ruiz\nmrn: "00412345"\nlanguage: en\nschedule:\n  first_admission: 9999-12-25\n',
                 encoding="utf-8")
    assert main(["build", str(f), "-o", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and re.search(r"p\.yaml: schedule\.first_admission: \(9999-12-25\) is more than two", err[0])


def test_patient_is_a_plain_record_for_other_callers():
    """FHIR import and the web app build the same record; the Patient carries no YAML types."""
    p = parse(name="  Ana   María  Ruiz ")
    assert p.name == "Ana María Ruiz" and type(p.name) is str and dataclasses.is_dataclass(p)
