"""Patient input: every bad field gets an error that names the field and the file."""

from __future__ import annotations

import datetime as dt

import pytest

from packets.errors import InputError
from packets.patient import load_patient, mask_mrn, parse_patient
from tests.conftest import patient


def test_contract_example_parses():
    p = patient()
    assert p.name == "Ana María Ruiz"
    assert p.mrn == "00412345"
    assert p.birth_date == dt.date(1961, 7, 14)
    assert p.schedule.first_admission == dt.date(2026, 3, 3)


@pytest.mark.parametrize("over, field, words", [
    pytest.param({"name": None}, "name", "required", id="missing-name"),
    pytest.param({"name": "   "}, "name", "required", id="blank-name"),
    pytest.param({"mrn": 412345}, "mrn", "quotes", id="mrn-unquoted-number"),
    pytest.param({"mrn": "12 34"}, "mrn", "letters, digits", id="mrn-with-space"),
    pytest.param({"language": None}, "language", "required", id="missing-language"),
    pytest.param({"birth_date": "14/07/1961"}, "birth_date", "YYYY-MM-DD", id="birth-date-wrong-format"),
    pytest.param({"schedule": {}}, "schedule.first_admission", "required", id="empty-schedule"),
    pytest.param({"schedule": {"first_admission": "2026-02-30"}}, "schedule.first_admission", "not a date",
                 id="impossible-date"),
    pytest.param({"schedule": {"cycles": ["2026-03-03", "soon"]}}, "schedule.cycles[2]", "not a date",
                 id="bad-cycle-date"),
    pytest.param({"schedule": {"first_admission": "2026-03-03", "surgery": "2026-04-01"}}, "schedule",
                 "unknown", id="unknown-schedule-field"),
])
def test_bad_fields_name_field_and_file(over, field, words):
    with pytest.raises(InputError) as err:
        patient(**over)
    assert err.value.field == field
    assert err.value.file == "test.yaml"
    assert words in str(err.value)
    assert "Ana" not in str(err.value)


def test_unknown_top_level_field():
    with pytest.raises(InputError, match="unknown field"):
        parse_patient({"name": "A", "mrn": "1", "language": "en", "schedule": {"first_admission": "2026-01-01"},
                       "diagnosis": "x"}, "f.yaml")


def test_invalid_yaml_names_file_and_line(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("name: Ana\nmrn: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_patient(f)
    assert str(f) in str(err.value)
    assert err.value.line is not None


def test_missing_file():
    with pytest.raises(InputError, match="not found"):
        load_patient("/nonexistent/patient.yaml")


def test_mask_mrn():
    assert mask_mrn("00412345") == "****2345"
    assert mask_mrn("12") == "****"
