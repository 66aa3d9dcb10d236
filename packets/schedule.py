"""The patient's treatment dates, derived from the program's regimen.

In: a :class:`~packets.patient.ScheduleInput` and a :class:`~packets.program.Regimen`.
Out: a :class:`Schedule` of concrete dates. Explicit dates override derived ones.

Rules (from the program seeds): each cycle is a hospital stay of ``stay_min``-``stay_max``
days; a break of ``break_days`` follows each stay before the next cycle of the same course;
cycles come in courses of ``cycles_per_course``; at most ``max_cycles``. Without explicit
cycles only the first course is planned, because further cycles depend on the response scan,
which is about ``scan_weeks`` weeks after the last cycle of the course; an estimate that lands
on a weekend moves to the nearest working day when the profile says so (``estimated_scan_day``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .errors import InputError
from .patient import Patient, PlannedTest
from .program import Regimen

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Cycle:
    number: int
    admission: dt.date
    discharge_earliest: dt.date
    discharge_latest: dt.date

    def days(self):
        """Every day the patient is (certainly or possibly) in hospital."""
        d = self.admission
        while d <= self.discharge_latest:
            yield d
            d += DAY


@dataclass(frozen=True)
class Schedule:
    cycles: tuple[Cycle, ...]
    response_scan: dt.date | None
    response_scan_estimated: bool
    follow_up: dt.date | None
    tests: tuple[PlannedTest, ...]
    breaks: tuple[tuple[dt.date, dt.date], ...]

    def all_dates(self) -> list[dt.date]:
        dates = [d for c in self.cycles for d in (c.admission, c.discharge_latest)]
        dates += [t.date for t in self.tests]
        dates += [d for d in (self.response_scan, self.follow_up) if d]
        return sorted(dates)


def _cycle(number: int, admission: dt.date, regimen: Regimen) -> Cycle:
    # Day 1 is admission day, so a 5-7 day stay ends on day 5-7.
    return Cycle(number, admission, admission + (regimen.stay_min - 1) * DAY,
                 admission + (regimen.stay_max - 1) * DAY)


def _working_day(day: dt.date, regimen: Regimen) -> dt.date:
    """The nearest day outside the weekend (the later one on a tie), under the profile's rule."""
    if regimen.estimated_scan != "nearest working day" or len(regimen.weekend) >= 7:
        return day
    if day.weekday() not in regimen.weekend:
        return day
    for step in range(1, 7):
        later, earlier = day + step * DAY, day - step * DAY
        if later.weekday() not in regimen.weekend:
            return later
        if earlier.weekday() not in regimen.weekend:
            return earlier
    return day


def build_schedule(patient: Patient, regimen: Regimen) -> Schedule:
    """Derive the concrete schedule; :class:`InputError` names the field of each problem."""
    src = patient.schedule
    file = patient.source
    if src.cycles:
        admissions = list(src.cycles)
    else:
        admissions = [src.first_admission]
        while len(admissions) < regimen.cycles_per_course:
            admissions.append(admissions[-1] + (regimen.stay_max + regimen.break_days) * DAY)

    if len(admissions) > regimen.max_cycles:
        raise InputError(f"has {len(admissions)} cycles; the program allows at most {regimen.max_cycles}",
                         file=file, field="schedule.cycles")
    cycles = tuple(_cycle(i + 1, d, regimen) for i, d in enumerate(admissions))

    breaks = []
    for prev, cur in zip(cycles, cycles[1:]):
        if cur.admission <= prev.admission:
            raise InputError(f"cycle {cur.number} ({cur.admission}) is not after cycle {prev.number} "
                             f"({prev.admission})", file=file, field=f"schedule.cycles[{cur.number}]")
        if cur.admission <= prev.discharge_latest:
            raise InputError(f"cycle {cur.number} ({cur.admission}) starts before cycle {prev.number} "
                             f"may end ({prev.discharge_latest})", file=file,
                             field=f"schedule.cycles[{cur.number}]")
        same_course = (prev.number - 1) // regimen.cycles_per_course == (cur.number - 1) // regimen.cycles_per_course
        gap = (cur.admission - prev.discharge_latest).days - 1
        if same_course and gap < regimen.break_days:
            raise InputError(f"leaves a break of {gap} days after cycle {prev.number}; the program needs at "
                             f"least {regimen.break_days}", file=file, field=f"schedule.cycles[{cur.number}]")
        breaks.append((prev.discharge_latest + DAY, cur.admission - DAY))

    if patient.birth_date:
        for c in cycles:
            if c.admission <= patient.birth_date:
                raise InputError(f"cycle {c.number} ({c.admission}) is not after the birth date",
                                 file=file, field="birth_date")

    # The response scan follows the course the patient is in; we estimate it after the
    # last planned cycle when the clinic has not booked it yet.
    last = cycles[-1]
    scan, estimated = src.response_scan, False
    if scan is None:
        scan, estimated = _working_day(last.discharge_latest + regimen.scan_weeks * 7 * DAY, regimen), True
    elif scan <= last.discharge_latest:
        raise InputError(f"({scan}) is before the last cycle may end ({last.discharge_latest})",
                         file=file, field="schedule.response_scan")

    if src.follow_up and src.follow_up < cycles[0].admission:
        raise InputError(f"({src.follow_up}) is before the first admission", file=file,
                         field="schedule.follow_up")
    return Schedule(cycles, scan, estimated, src.follow_up, tuple(sorted(src.tests, key=lambda t: t.date)),
                    tuple(breaks))


def past_dates(schedule: Schedule, today: dt.date, done: frozenset[dt.date] = frozenset()) -> list[dt.date]:
    """Scheduled dates before ``today``: a warning for staff, not an error.

    ``done`` holds the days of admissions and visits the source records as having happened (a
    FHIR Encounter): such a cycle (its admission and discharge days), scan or follow-up is not
    a mistake for being past. What still counts: a booked date, a test, and every derived date
    (an estimated scan, the discharge days of a cycle not yet done).
    """
    dates = [d for c in schedule.cycles if c.admission not in done for d in (c.admission, c.discharge_latest)]
    dates += [t.date for t in schedule.tests]
    if schedule.response_scan and (schedule.response_scan_estimated or schedule.response_scan not in done):
        dates.append(schedule.response_scan)
    if schedule.follow_up and schedule.follow_up not in done:
        dates.append(schedule.follow_up)
    return sorted(d for d in dates if d < today)
