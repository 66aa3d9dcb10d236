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


@pytest.mark.parametrize("first, counted, placed", [
    pytest.param("2026-03-02", D(2026, 4, 26), D(2026, 4, 27), id="sunday-to-monday"),
    pytest.param("2026-03-01", D(2026, 4, 25), D(2026, 4, 24), id="saturday-to-friday"),
    pytest.param("2026-03-03", D(2026, 4, 27), D(2026, 4, 27), id="monday-stays"),
    pytest.param("2026-02-28", D(2026, 4, 24), D(2026, 4, 24), id="friday-stays"),
])
def test_an_estimated_scan_moves_to_the_nearest_working_day(program, first, counted, placed):
    s = build_schedule(patient(schedule={"first_admission": first}), program.regimen)
    assert s.cycles[-1].discharge_latest + dt.timedelta(weeks=4) == counted
    assert s.response_scan == placed and s.response_scan_estimated


def test_the_scan_rule_and_the_weekend_come_from_the_profile(program):
    from packets.program import parse_program
    from packets import paths, yamlio

    with open(paths.content_dir() / "program.yaml", encoding="utf-8") as fh:
        data = yamlio.load(fh, "program.yaml", InputError)
    assert data["regimen"]["estimated_scan_day"] == "nearest working day"  # visible in the profile
    sunday = patient(schedule={"first_admission": "2026-03-02"})
    data["regimen"]["estimated_scan_day"] = "as counted"
    assert build_schedule(sunday, parse_program(data, "p.yaml").regimen).response_scan == D(2026, 4, 26)
    # A territory whose weekend is Friday and Saturday (CLDR): a Sunday scan stays, a Friday one moves.
    data["regimen"]["estimated_scan_day"] = "nearest working day"
    data["territory"] = "SA"
    data["phones"] = {"main": "+1 503 555 0100", "24h": "+1 503 555 0199"}  # checked for the territory
    gulf = parse_program(data, "p.yaml").regimen
    assert gulf.weekend == {4, 5}
    assert build_schedule(sunday, gulf).response_scan == D(2026, 4, 26)
    friday = patient(schedule={"first_admission": "2026-02-28"})  # counted: Friday 24 April
    assert build_schedule(friday, gulf).response_scan == D(2026, 4, 23)  # Thursday, nearer than Sunday
    # An explicit scan date is the clinic's booking: never moved.
    booked = patient(schedule={"first_admission": "2026-03-02", "response_scan": "2026-04-26"})
    assert build_schedule(booked, program.regimen).response_scan == D(2026, 4, 26)
    data["regimen"]["estimated_scan_day"] = "soon"
    with pytest.raises(Exception, match="estimated_scan_day"):
        parse_program(data, "p.yaml")


# -- each rule at its boundary: the last value it accepts and the first it refuses ---------------------

def _cycles(*dates):
    return patient(schedule={"cycles": list(dates)})


def test_a_break_of_exactly_the_regimens_days_is_accepted_and_one_day_less_refused(program):
    assert program.regimen.break_days == 14 and program.regimen.stay_max == 7
    # Cycle 1 may end on 9 March: 14 days at home are 10-23 March, so cycle 2 may start on the 24th.
    s = build_schedule(_cycles("2026-03-03", "2026-03-24"), program.regimen)
    assert s.breaks == ((D(2026, 3, 10), D(2026, 3, 23)),)
    with pytest.raises(InputError) as err:
        build_schedule(_cycles("2026-03-03", "2026-03-23"), program.regimen)
    assert err.value.field == "schedule.cycles[2]"
    assert "leaves a break of 13 days after cycle 1; the program needs at least 14" in str(err.value)


def test_a_new_course_may_start_the_day_after_the_last_one_may_end_but_not_that_day(program):
    """Across courses there is no minimum break, but cycles never overlap."""
    assert program.regimen.cycles_per_course == 2
    s = build_schedule(_cycles("2026-03-03", "2026-03-24", "2026-03-31"), program.regimen)
    assert [c.admission for c in s.cycles][-1] == D(2026, 3, 31)
    with pytest.raises(InputError) as err:
        build_schedule(_cycles("2026-03-03", "2026-03-24", "2026-03-30"), program.regimen)
    assert err.value.field == "schedule.cycles[3]"
    assert "cycle 3 (2026-03-30) starts before cycle 2 may end (2026-03-30)" in str(err.value)


def test_the_maximum_number_of_cycles_is_accepted_and_one_more_refused(program):
    assert program.regimen.max_cycles == 6
    six = [(D(2026, 1, 5) + dt.timedelta(days=21 * i)).isoformat() for i in range(6)]
    assert len(build_schedule(_cycles(*six), program.regimen).cycles) == 6
    seven = six + [(D(2026, 1, 5) + dt.timedelta(days=21 * 6)).isoformat()]
    with pytest.raises(InputError) as err:
        build_schedule(_cycles(*seven), program.regimen)
    assert err.value.field == "schedule.cycles" and "has 7 cycles; the program allows at most 6" in str(err.value)


def test_a_booked_scan_the_day_after_the_last_possible_discharge_is_accepted_not_on_that_day(program):
    # Cycle 2 (24 March) may end on 30 March.
    s = build_schedule(patient(schedule={"first_admission": "2026-03-03", "response_scan": "2026-03-31"}),
                       program.regimen)
    assert s.response_scan == D(2026, 3, 31) and not s.response_scan_estimated
    with pytest.raises(InputError) as err:
        build_schedule(patient(schedule={"first_admission": "2026-03-03", "response_scan": "2026-03-30"}),
                       program.regimen)
    assert err.value.field == "schedule.response_scan"
    assert "(2026-03-30) is before the last cycle may end (2026-03-30)" in str(err.value)


def test_a_follow_up_on_the_first_admission_day_is_accepted_not_the_day_before(program):
    s = build_schedule(patient(schedule={"first_admission": "2026-03-03", "follow_up": "2026-03-03"}),
                       program.regimen)
    assert s.follow_up == D(2026, 3, 3)
    with pytest.raises(InputError) as err:
        build_schedule(patient(schedule={"first_admission": "2026-03-03", "follow_up": "2026-03-02"}),
                       program.regimen)
    assert err.value.field == "schedule.follow_up" and "(2026-03-02) is before the first admission" in str(err.value)


def test_planned_tests_are_in_date_order_whatever_order_they_were_typed(program):
    s = build_schedule(patient(schedule={"first_admission": "2026-03-03", "tests": [
        {"name": "Blood tests", "date": "2026-02-27"}, {"name": "Echocardiogram", "date": "2026-02-20"}]}),
        program.regimen)
    assert [(t.name, t.date) for t in s.tests] == [("Echocardiogram", D(2026, 2, 20)), ("Blood tests", D(2026, 2, 27))]


def test_only_dates_before_today_are_past(program):
    from packets.schedule import past_dates
    s = build_schedule(patient(), program.regimen)
    assert past_dates(s, D(2026, 3, 3)) == []  # the first admission is today: not past
    assert past_dates(s, D(2026, 3, 4)) == [D(2026, 3, 3)]
