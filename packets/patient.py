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

Out: a :class:`Patient`. This is the one validator: the command line, rosters, FHIR import and
the web app all build patient records through :func:`parse_patient`, so every rule lives here.
Every problem of a record is found in one pass and raised together (:class:`InputErrors`), each
naming the file and field. No message ever repeats a value that may be part of a name: a row
shifted by an unquoted comma puts a piece of the name into any column.

Names. A name prints exactly as typed, as one isolated unit, so nothing in it may steer the text
around it:

- *Removed* (invisible, pasted from web pages and other systems; removing them changes no
  visible letter, and staff cannot see them to delete them): the explicit direction controls
  U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C, and zero width space U+200B, word joiner
  U+2060, byte order mark U+FEFF and soft hyphen U+00AD.
- *Kept*: zero width non-joiner U+200C and joiner U+200D between two letters. They are part of
  correct spelling in Persian (ZWNJ keeps prefixes and suffixes apart) and in Indic scripts
  (they choose between conjunct and half forms). At the start or end of a word they join
  nothing and are removed.
- *Refused*: every other invisible format character (category Cf: Arabic number signs,
  interlinear annotation, tag characters, ...), which a name never needs and whose effect on
  the page cannot be checked; control characters (C0 including tab and line breaks, DEL, C1),
  line and paragraph separators, lone surrogates, private-use characters and noncharacters.
  A name that is empty once invisible characters are removed is refused.

Dates. A schedule date more than two years after the printed date, more than two years after the
first admission (or, for a planned test, more than six months before it), before the birth date or
before 2000 is refused as a likely typo naming its field: a one-digit slip (``2300-05-12``) would
otherwise make a calendar of centuries.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import yamlio
from .clock import printed_date
from .errors import InputError, InputErrors, LanguageError
from .i18n.locales import parse_tag

# Every MRN goes into a file name, whatever the program's own format says.
_MRN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,31}")
MRN_RULE = "letters, digits or '-' (at most 32)"
TOP_KEYS = {"name", "mrn", "birth_date", "language", "schedule"}
SCHEDULE_KEYS = {"first_admission", "cycles", "response_scan", "follow_up", "tests"}
MAX_NAME = 200
MAX_TEST_NAME = 100
MAX_MARKS = 8          # combining marks on one letter (Vietnamese uses 2, pointed Hebrew 3-4)
MAX_FILE_BYTES = 1_000_000
EARLIEST_YEAR = 2000
AHEAD = dt.timedelta(days=731)        # two years
TESTS_BEFORE = dt.timedelta(days=183)  # six months
OLDEST = 130                          # years before the printed date a birth date may be

_REMOVED = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
                     "\u200b\u2060\ufeff\u00ad")
_JOINERS = "\u200c\u200d"
_LOOSE_JOINERS = re.compile(rf"(^|\s)[{_JOINERS}]+|[{_JOINERS}]+(?=\s|$)")
_CONTROL_NAMES = {"\t": "tab", "\n": "line break", "\r": "line break", "\x7f": "delete"}


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
    # Days of admissions and visits the source records as having happened (a FHIR Encounter): not
    # warned about as past. No patient file or roster sets it; it is not part of the record.
    done: frozenset[dt.date] = field(default=frozenset(), compare=False)


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


_TAIL = re.compile(r"[0-9]{4}")


def mask_mrn(mrn) -> str:
    """'00412345' -> '****2345': enough for staff to find a row, not enough to identify.

    Only digits are ever shown, and only when at least one character stays hidden. A value
    that may be a piece of a name (a shifted row's "MRN" is whatever was in that column:
    'Ana', 'Jordan') shows nothing at all.
    """
    mrn = "" if mrn is None or isinstance(mrn, (list, dict)) else str(mrn).strip()
    if not mrn:
        return "none"
    tail = mrn[-4:]
    if len(mrn) > 4 and _TAIL.fullmatch(tail):
        return "*" * min(len(mrn) - 4, 28) + tail
    return "****"


def _excel_hint(value: str) -> str:
    if re.fullmatch(r"\s*\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\s*", value) or re.fullmatch(r"\s*\d{5}(\.0+)?\s*", value):
        return (" (a spreadsheet may have changed how dates look: format the column as Text or as "
                "yyyy-mm-dd before saving)")
    return ""


def parse_date(value, file: str, field_name: str) -> dt.date:
    """A date from YAML or a roster cell. The message never repeats the value (it may be a name)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) <= 40:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    hint = _excel_hint(value) if isinstance(value, str) and len(value) <= 40 else ""
    raise InputError("is not a date; write it as YYYY-MM-DD, e.g. 2026-03-03" + hint, file=file, field=field_name)


def _code(ch: str) -> str:
    label = _CONTROL_NAMES.get(ch) or unicodedata.name(ch, "").lower()
    return f"U+{ord(ch):04X}" + (f" {label}" if label else "")


def _noncharacter(cp: int) -> bool:
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def clean_text(value, file: str, field_name: str, limit: int, what: str = "a name") -> str:
    """The text as it will print: refused characters raise, invisible ones are removed (see module doc)."""
    if not isinstance(value, str):
        raise InputError("must be text", file=file, field=field_name)
    if len(value) > 4 * limit:  # refused before any work on it: a 20,000-character cell is a clean error
        raise InputError(f"is {len(value)} characters long; {what} has at most {limit}", file=file,
                         field=field_name)
    refused: list[str] = []
    kept = []
    for ch in value:
        cp = ord(ch)
        cat = unicodedata.category(ch)
        if ch in _REMOVED:
            continue
        if cat == "Cf" and ch not in _JOINERS:
            refused.append(f"{_code(ch)} (an invisible formatting character {what} never needs)")
        elif cat == "Cc":
            refused.append(f"{_code(ch)} (a control character)")
        elif cat in ("Zl", "Zp"):
            refused.append(f"{_code(ch)} (a line break)")
        elif cat == "Cs":
            refused.append(f"U+{cp:04X} (not a character: half of a broken pair)")
        elif cat == "Co":
            refused.append(f"U+{cp:04X} (a private-use character, which no font prints the same way)")
        elif _noncharacter(cp):
            refused.append(f"U+{cp:04X} (not a character)")
        kept.append(ch)
    if refused:
        unique = list(dict.fromkeys(refused))
        more = f" and {len(unique) - 3} more" if len(unique) > 3 else ""
        raise InputError("contains " + ", ".join(unique[:3]) + more +
                         "; retype it, or correct it in the system it was copied from", file=file, field=field_name)
    text = unicodedata.normalize("NFC", "".join(kept))
    text = " ".join(text.split())
    text = " ".join(_LOOSE_JOINERS.sub(r"\1", text).split())
    if not text:
        blank = not value.strip()
        raise InputError("is required" if blank else "has no visible characters (only invisible formatting "
                         "characters); retype it", file=file, field=field_name)
    if len(text) > limit:
        raise InputError(f"is {len(text)} characters long; {what} has at most {limit}", file=file, field=field_name)
    run = 0
    for ch in text:
        run = run + 1 if unicodedata.category(ch).startswith("M") else 0
        if run > MAX_MARKS:
            raise InputError(f"has more than {MAX_MARKS} accents or marks on one letter; retype it", file=file,
                             field=field_name)
    return text


def clean_name(value, file: str = "<patient>", field_name: str = "name") -> str:
    return clean_text(value, file, field_name, MAX_NAME)


def _not_text(value) -> str:
    if isinstance(value, bool):
        return "is true/false, not text"
    if isinstance(value, (int, float)):
        return "is a number, not text"
    if isinstance(value, (dt.date, dt.datetime)):
        return "is a date, not text"
    return "must be text"


def check_mrn(value, file: str, program=None) -> str:
    """The MRN as text, in the program's format (``mrn_pattern``); never a YAML number or boolean."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise InputError('must be written in quotes, e.g. mrn: "00412345", so leading zeros are kept',
                         file=file, field="mrn")
    if not isinstance(value, str):
        raise InputError(f'{_not_text(value)}; an MRN is text (in YAML, in quotes: mrn: "00412345")', file=file,
                         field="mrn")
    mrn = value.strip()
    pattern = getattr(program, "mrn_regex", None)
    description = getattr(program, "mrn_description", None) or MRN_RULE
    if pattern is not None and not pattern.fullmatch(mrn):
        if mrn.isascii() and mrn.isdigit() and any(pattern.fullmatch("0" * k + mrn) for k in range(1, 12)):
            raise InputError(
                f"has {len(mrn)} digit(s), not {description}: Excel probably dropped its leading zeros (it does "
                "when the column's format is General). To keep them, select the MRN column, choose Format "
                "Cells > Text and paste the MRNs again before saving, or give the .xlsx workbook itself; in a "
                'YAML file, write the MRN in quotes ("00412345")', file=file, field="mrn")
        raise InputError(f"is not an MRN of this program ({description})", file=file, field="mrn")
    if not _MRN.fullmatch(mrn):
        raise InputError(f"must be {MRN_RULE}", file=file, field="mrn")
    return mrn


def check_language(value, file: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"{_not_text(value)}; write a language tag such as es-US", file=file, field="language")
    tag = value.strip()
    try:
        if len(tag) > 35:
            raise LanguageError("too long")
        parse_tag(tag)
    except LanguageError:
        raise InputError("is not a language tag (examples: en, es-US, zh-Hant)", file=file,
                         field="language") from None
    return tag


class _Problems:
    """Collects every problem of one record instead of stopping at the first."""

    def __init__(self, file: str):
        self.file = file
        self.errors: list[InputError] = []

    def add(self, message: str, field_name: str | None = None) -> None:
        self.errors.append(InputError(message, file=self.file, field=field_name))

    def run(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InputErrors as err:
            self.errors.extend(err.errors)
        except InputError as err:
            self.errors.append(err)
        return None


def _present(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip()) and value != []


def _keys(mapping: dict) -> list[str]:
    out = []
    for k in mapping:
        text = k if isinstance(k, str) else repr(k) if isinstance(k, (int, float, bool)) or k is None else "?"
        out.append(text if len(text) <= 40 else text[:40] + "...")
    return out


def _schedule(sched, problems: _Problems, file: str):
    """The schedule's dates, each problem recorded; None when the schedule cannot be read at all."""
    if not isinstance(sched, dict):
        problems.add("must be a mapping with first_admission or cycles", "schedule")
        return None
    unknown = sorted(set(_keys(sched)) - SCHEDULE_KEYS)
    if unknown:
        problems.add(f"unknown field(s): {', '.join(unknown[:5])}", "schedule")

    cycles: list[dt.date] = []
    raw_cycles = sched.get("cycles")
    if _present(raw_cycles):
        if not isinstance(raw_cycles, list):
            problems.add("must be a list of dates", "schedule.cycles")
        elif len(raw_cycles) > 50:
            problems.add(f"has {len(raw_cycles)} dates; a treatment has a few cycles", "schedule.cycles")
        else:
            for i, v in enumerate(raw_cycles):
                d = problems.run(parse_date, v, file, f"schedule.cycles[{i + 1}]")
                if d is not None:
                    cycles.append(d)
            if len(cycles) != len(raw_cycles):
                cycles = []

    def optional(key):
        value = sched.get(key)
        return problems.run(parse_date, value, file, f"schedule.{key}") if _present(value) else None

    first = optional("first_admission")
    if first is None and not _present(sched.get("first_admission")) and not _present(raw_cycles):
        problems.add("is required (or give schedule.cycles)", "schedule.first_admission")
    if first is not None and cycles and cycles[0] != first:
        problems.add("differs from the first date in schedule.cycles", "schedule.first_admission")

    tests = []
    raw_tests = sched.get("tests")
    if _present(raw_tests):
        if not isinstance(raw_tests, list) or len(raw_tests) > 50:
            problems.add("must be a list of tests, each with a name and a date", "schedule.tests")
        else:
            for i, t in enumerate(raw_tests):
                where = f"schedule.tests[{i + 1}]"
                if not isinstance(t, dict) or not _present(t.get("name")) or not _present(t.get("date")):
                    problems.add("each test needs a name and a date", where)
                    continue
                name = problems.run(clean_text, t["name"], file, f"{where}.name", MAX_TEST_NAME, "a test name")
                date = problems.run(parse_date, t["date"], file, f"{where}.date")
                if name is not None and date is not None:
                    tests.append(PlannedTest(name, date))
    return ScheduleInput(first_admission=first or (cycles[0] if cycles else None), cycles=tuple(cycles),
                         response_scan=optional("response_scan"), follow_up=optional("follow_up"),
                         tests=tuple(tests))


def _check_dates(sched: ScheduleInput, birth: dt.date | None, today: dt.date, problems: _Problems) -> None:
    """Dates far from today or from the treatment are refused as likely typos (see module doc)."""
    if birth is not None:
        if birth > today:
            problems.add(f"({birth.isoformat()}) is after today ({today.isoformat()}); check the year", "birth_date")
            birth = None
        elif today.year - birth.year > OLDEST:
            problems.add(f"({birth.isoformat()}) is more than {OLDEST} years ago; check the year", "birth_date")
            birth = None
    dated = [(f"schedule.cycles[{i + 1}]" if sched.cycles else "schedule.first_admission", d)
             for i, d in enumerate(sched.cycles or [d for d in [sched.first_admission] if d])]
    dated += [(f"schedule.{k}", getattr(sched, k)) for k in ("response_scan", "follow_up") if getattr(sched, k)]
    tests = [(f"schedule.tests[{i + 1}].date", t.date) for i, t in enumerate(sched.tests)]
    first = sched.first_admission
    for where, d in dated + tests:
        if d.year < EARLIEST_YEAR:
            problems.add(f"({d.isoformat()}) is before {EARLIEST_YEAR}; check the year", where)
        elif d > today + AHEAD:
            problems.add(f"({d.isoformat()}) is more than two years after today ({today.isoformat()}); "
                         "check the year", where)
        elif first and first <= dt.date.max - AHEAD and d > first + AHEAD:  # no overflow near year 9999
            problems.add(f"({d.isoformat()}) is more than two years after the first admission "
                         f"({first.isoformat()}); check the year", where)
        elif first and (where, d) in tests and first >= dt.date.min + TESTS_BEFORE and d < first - TESTS_BEFORE:
            problems.add(f"({d.isoformat()}) is more than six months before the first admission "
                         f"({first.isoformat()}); check the year", where)
    if birth is not None and dated + tests:
        where, d = min(dated + tests, key=lambda x: x[1])
        if d <= birth:
            problems.add(f"({birth.isoformat()}) is not before {where} ({d.isoformat()}); check both years",
                         "birth_date")


def parse_patient(data, file: str = "<patient>", *, program=None, today: dt.date | None = None) -> Patient:
    """Validate one record; :class:`InputErrors` lists every problem, each naming its field.

    ``program`` (a :class:`~packets.program.Program`) adds its MRN format (``mrn_pattern``);
    without it an MRN only has to be safe in a file name. ``today`` is the printed date
    (default: :func:`packets.clock.printed_date`).
    """
    if not isinstance(data, dict):
        raise InputError("expected a patient record (name, mrn, language, schedule)", file=file)
    problems = _Problems(file)
    unknown = sorted(set(_keys(data)) - TOP_KEYS)
    if unknown:
        problems.add(f"unknown field(s): {', '.join(unknown[:5])}")

    def required(key):
        value = data.get(key)
        if not _present(value):
            problems.add("is required", key)
            return None
        return value

    raw_name, raw_mrn, raw_language = required("name"), required("mrn"), required("language")
    name = problems.run(clean_name, raw_name, file) if raw_name is not None else None
    mrn = problems.run(check_mrn, raw_mrn, file, program) if raw_mrn is not None else None
    language = problems.run(check_language, raw_language, file) if raw_language is not None else None
    birth = data.get("birth_date")
    birth = problems.run(parse_date, birth, file, "birth_date") if _present(birth) else None

    sched_raw = required("schedule")
    sched = _schedule(sched_raw, problems, file) if sched_raw is not None else None
    if sched is not None:
        _check_dates(sched, birth, today or printed_date(), problems)
    if problems.errors:
        raise InputErrors(problems.errors)
    return Patient(name=name, mrn=mrn, language=language, birth_date=birth, source=file, schedule=sched)


def load_patient(path: Path | str, program=None) -> Patient:
    path = Path(path)
    if path.is_dir():
        raise InputError("is a folder; give the patient's .yaml file", file=str(path))
    if not path.is_file():
        raise InputError("patient file not found", file=str(path))
    data = yamlio.load(yamlio.read_text(path, InputError, MAX_FILE_BYTES), str(path), InputError)
    return parse_patient(data, str(path), program=program)
