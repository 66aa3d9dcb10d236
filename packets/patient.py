"""Patient input: parse and validate one patient record (YAML file or a mapping from a roster).

In: a mapping such as::

    name: Ana María Ruiz
    mrn: "00412345"
    birth_date: 1961-07-14        # optional
    language: es-US               # BCP 47 tag
    schedule:
      first_admission: 2026-03-03 # or cycles: [2026-03-03, 2026-03-24]
      response_scan: 2026-05-05   # optional
      follow_up: 2026-05-12       # optional

Out: a :class:`Patient`. Errors are :class:`InputError` naming the file and field, never the
patient's name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import yamlio
from .errors import InputError

_MRN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$")
TOP_KEYS = {"name", "mrn", "birth_date", "language", "schedule"}
SCHEDULE_KEYS = {"first_admission", "cycles", "response_scan", "follow_up", "tests"}
MAX_NAME = 200


@dataclass(frozen=True)
class PlannedTest:
    name: str
    date: dt.date


@dataclass(frozen=True)
class ScheduleInput:
    first_admission: dt.date | None = None
    cycles: tuple[dt.date, ...] = ()
    response_scan: dt.date | None = None
    follow_up: dt.date | None = None
    tests: tuple[PlannedTest, ...] = ()


@dataclass(frozen=True)
class Patient:
    name: str
    mrn: str
    language: str
    schedule: ScheduleInput
    birth_date: dt.date | None = None
    source: str = field(default="", compare=False)

    @property
    def masked_mrn(self) -> str:
        return mask_mrn(self.mrn)


def mask_mrn(mrn: str) -> str:
    """'00412345' -> '****2345': enough for staff to find a row, not enough to identify."""
    mrn = str(mrn)
    return "*" * max(len(mrn) - 4, 0) + mrn[-4:]


def parse_date(value, file: str, field_name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(f"'{value}' is not a date; write it as YYYY-MM-DD, e.g. 2026-03-03",
                     file=file, field=field_name)


def parse_patient(data, file: str = "<patient>") -> Patient:
    if not isinstance(data, dict):
        raise InputError("expected a patient record (name, mrn, language, schedule)", file=file)
    unknown = set(map(str, data)) - TOP_KEYS
    if unknown:
        raise InputError(f"unknown field(s): {', '.join(sorted(unknown))}", file=file)

    def required(key):
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise InputError("is required", file=file, field=key)
        return value

    name = required("name")
    if not isinstance(name, str):
        raise InputError("must be text", file=file, field="name")
    name = " ".join(name.split())
    if len(name) > MAX_NAME:
        raise InputError(f"is longer than {MAX_NAME} characters", file=file, field="name")
    if any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in name):
        raise InputError("contains control characters", file=file, field="name")

    mrn = required("mrn")
    if isinstance(mrn, int) and not isinstance(mrn, bool):
        raise InputError('must be written in quotes, e.g. mrn: "00412345", so leading zeros are kept',
                         file=file, field="mrn")
    mrn = str(mrn).strip()
    if not _MRN.match(mrn):
        raise InputError("must be letters, digits or '-' (at most 32)", file=file, field="mrn")

    language = required("language")
    if not isinstance(language, str):
        raise InputError("must be a language tag such as es-US", file=file, field="language")

    birth = data.get("birth_date")
    birth = parse_date(birth, file, "birth_date") if birth not in (None, "") else None

    sched = required("schedule")
    if not isinstance(sched, dict):
        raise InputError("must be a mapping with first_admission or cycles", file=file, field="schedule")
    unknown = set(map(str, sched)) - SCHEDULE_KEYS
    if unknown:
        raise InputError(f"unknown field(s): {', '.join(sorted(unknown))}", file=file, field="schedule")

    cycles_raw = sched.get("cycles")
    cycles: tuple[dt.date, ...] = ()
    if cycles_raw not in (None, "", []):
        if not isinstance(cycles_raw, list):
            raise InputError("must be a list of dates", file=file, field="schedule.cycles")
        cycles = tuple(parse_date(v, file, f"schedule.cycles[{i + 1}]") for i, v in enumerate(cycles_raw))
    first = sched.get("first_admission")
    first = parse_date(first, file, "schedule.first_admission") if first not in (None, "") else None
    if first is None and not cycles:
        raise InputError("is required (or give schedule.cycles)", file=file, field="schedule.first_admission")
    if first is not None and cycles and cycles[0] != first:
        raise InputError("differs from the first date in schedule.cycles", file=file,
                         field="schedule.first_admission")

    def optional_date(key):
        value = sched.get(key)
        return parse_date(value, file, f"schedule.{key}") if value not in (None, "") else None

    tests = []
    for i, t in enumerate(sched.get("tests") or []):
        if not isinstance(t, dict) or not t.get("name") or not t.get("date"):
            raise InputError("each test needs a name and a date", file=file, field=f"schedule.tests[{i + 1}]")
        tests.append(PlannedTest(" ".join(str(t["name"]).split()),
                                 parse_date(t["date"], file, f"schedule.tests[{i + 1}].date")))

    return Patient(
        name=name, mrn=mrn, language=language.strip(), birth_date=birth, source=file,
        schedule=ScheduleInput(first_admission=first or cycles[0], cycles=cycles,
                               response_scan=optional_date("response_scan"),
                               follow_up=optional_date("follow_up"), tests=tuple(tests)),
    )


def load_patient(path: Path | str) -> Patient:
    path = Path(path)
    if not path.is_file():
        raise InputError("patient file not found", file=str(path))
    with open(path, encoding="utf-8-sig") as fh:
        data = yamlio.load(fh, str(path), InputError)
    return parse_patient(data, str(path))
