"""Schedule rules: dates derived from the regimen, explicit dates win, impossible plans fail."""

from __future__ import annotations

import datetime as dt

import pytest

from packets.errors import InputError
from packets.schedule import build_schedule
from tests.conftest import patient

D = dt.date


def test_first_course_derived_from_first_admission(program):
    s = build_schedule(patient(), program.regimen)
    assert [c.admission for c in s.cycles] == [D(2026, 3, 3), D(2026, 3, 24)]
    c1 = s.cycles[0]
    assert (c1.discharge_earliest, c1.discharge_latest) == (D(2026, 3, 7), D(2026, 3, 9))
    assert s.breaks[0] == (D(2026, 3, 10), D(2026, 3, 23))  # 14 days at home
    assert (s.breaks[0][1] - s.breaks[0][0]).days + 1 == program.regimen.break_days
    # About 4 weeks after the second cycle may end, and marked as an estimate.
    assert s.response_scan == D(2026, 3, 30) + dt.timedelta(weeks=4)
    assert s.response_scan_estimated


def test_explicit_dates_override(program):
    p = patient(schedule={"cycles": ["2026-03-03", "2026-03-25"], "response_scan": "2026-05-05",
                          "follow_up": "2026-05-12"})
    s = build_schedule(p, program.regimen)
    assert [c.admission for c in s.cycles] == [D(2026, 3, 3), D(2026, 3, 25)]
    assert s.response_scan == D(2026, 5, 5) and not s.response_scan_estimated
    assert s.follow_up == D(2026, 5, 12)


@pytest.mark.parametrize("sched, field, words", [
    pytest.param({"cycles": ["2026-03-24", "2026-03-03"]}, "schedule.cycles[2]", "not after", id="out-of-order"),
    pytest.param({"cycles": ["2026-03-03", "2026-03-08"]}, "schedule.cycles[2]", "before cycle 1 may end",
                 id="overlap"),
    pytest.param({"cycles": ["2026-03-03", "2026-03-15"]}, "schedule.cycles[2]", "break of", id="short-break"),
    pytest.param({"cycles": [f"2026-{m:02d}-01" for m in range(1, 8)]}, "schedule.cycles", "at most 6",
                 id="too-many-cycles"),
    pytest.param({"first_admission": "2026-03-03", "response_scan": "2026-03-20"}, "schedule.response_scan",
                 "before the last cycle", id="scan-before-discharge"),
])
def test_impossible_schedules(program, sched, field, words):
    with pytest.raises(InputError) as err:
        build_schedule(patient(schedule=sched), program.regimen)
    assert err.value.field == field
    assert words in str(err.value)


def test_admission_before_birth(program):
    with pytest.raises(InputError) as err:
        build_schedule(patient(birth_date="2026-04-01"), program.regimen)
    assert err.value.field == "birth_date"
