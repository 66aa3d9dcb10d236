"""The program profile is validated before a number reaches a patient: phones parsed for the
territory, the emergency number quoted text the territory dials, and no YAML 1.1 surprise."""

from __future__ import annotations

import pytest

from conftest import REAL_PROFILE
from packets import yamlio
from packets.cli import main
from packets.errors import ConfigError
from packets.program import fictional_range, parse_program

BASE = REAL_PROFILE
PATIENT = "name: Ana María Ruiz\nmrn: '00412345'\nlanguage: en\nschedule:\n  first_admission: 2026-03-03\n"


@pytest.mark.parametrize("old, new, expected", [
    pytest.param('emergency_number: "911"', "emergency_number: 000",
                 'emergency_number: must be text in quotes: YAML reads 000 as the number 0; write "000"',
                 id="unquoted-000"),
    pytest.param('emergency_number: "911"', "emergency_number: 911",
                 'emergency_number: must be text in quotes: YAML reads 911 as the number 911', id="unquoted-911"),
    pytest.param('24h: "(503) 215-6001"', "24h: 0503555",
                 'phones.24h: must be text in quotes: YAML reads 0503555 as the number 165741; write "0503555"',
                 id="octal"),
    pytest.param('main: "(503) 215-6000"', 'main: "CALL-ME-MAYBE"', "phones.main: 'CALL-ME-MAYBE' is not a phone number",
                 id="not-a-number"),
    pytest.param('main: "(503) 215-6000"', 'main: "215-60"', "phones.main: '215-60' is not a valid phone number in US",
                 id="too-short"),
    pytest.param("territory: US", "territory: NO",
                 "territory: must be text in quotes: YAML reads yes, no, on, off, true and false", id="norway-problem"),
    pytest.param('emergency_number: "911"', 'emergency_number: "0"', "emergency_number: '0' is not an emergency "
                 "number in US", id="not-an-emergency-number"),
    pytest.param('emergency_number: "911"', 'emergency_number: "999"', "'999' is not an emergency number in US",
                 id="another-countrys-emergency-number"),
    pytest.param('website: "https://www.providence.org"', "website: providence", "website: 'providence' is not a web "
                 "address", id="website"),
    pytest.param("territory: US", "territory: US\nproduction: \"yes\"", "production: must be true or false",
                 id="production-as-text"),
    pytest.param("territory: US", "territory: US\nprodution: true", "unknown field(s) prodution", id="misspelled-flag"),
    pytest.param("cycles_per_course: 2", "cycles_per_course: 3", "regimen.cycles_per_course: is 3, but the education "
                 "content describes courses of two cycles", id="courses-the-content-does-not-describe"),
])
def test_profile_mistakes_are_errors_naming_the_field_and_file(tmp_path, capsys, old, new, expected):
    assert old in BASE
    profile = tmp_path / "profile.yaml"
    profile.write_text(BASE.replace(old, new), encoding="utf-8")
    (tmp_path / "p.yaml").write_text(PATIENT, encoding="utf-8")
    code = main(["build", str(tmp_path / "p.yaml"), "--program", str(profile), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert str(profile) in err and expected in err, err
    assert not (tmp_path / "out").exists()


def test_the_line_is_named_when_yaml_kept_it(tmp_path):
    data = yamlio.load(BASE.replace('24h: "(503) 215-6001"', "24h: 0503555"), "profile.yaml")
    with pytest.raises(ConfigError) as err:
        parse_program(data, "profile.yaml")
    assert str(err.value).startswith("profile.yaml:6: phones.24h:")


@pytest.mark.parametrize("number, territory, fictional", [
    ("(503) 555-0100", "US", True), ("(503) 555-0199", "US", True), ("+1 212 555 0142", "GB", True),
    ("(503) 555-0200", "US", False), ("(503) 215-0100", "US", False),
    ("020 7946 0000", "GB", True), ("0113 496 0123", "GB", True), ("020 7946 1000", "GB", False),
])
def test_fictional_ranges(number, territory, fictional):
    assert bool(fictional_range(number, territory)) is fictional


def test_a_valid_profile_parses_with_its_production_flag():
    program = parse_program(yamlio.load(BASE + "production: true\n", "p.yaml"), "p.yaml")
    assert program.production and program.phone_main == "(503) 215-6000" and program.emergency_number == "911"
    assert not parse_program(yamlio.load(BASE, "p.yaml"), "p.yaml").production
