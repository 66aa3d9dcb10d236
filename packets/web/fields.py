"""The words staff see for each field, and the way between form fields and patient records.

There is one validator, :func:`packets.patient.parse_patient`: the form and the roster table
only turn their inputs into the record it takes, and turn its field paths
(``schedule.cycles[2]``) and messages back into the labels on the page ("Cycle 2").

In: form data (a mapping of field name -> text). Out: a patient record, and for an error the
form field it belongs to and a plain sentence.
"""

from __future__ import annotations

import datetime as dt
import re

# Form field -> visible label. The order is the order on the page.
LABELS = {
    "name": "Name",
    "mrn": "MRN",
    "birth_date": "Birth date",
    "language": "Language",
    "first_admission": "First admission",
    "response_scan": "Response scan",
    "follow_up": "Follow-up visit",
    "cycles": "Cycle dates",
}
DATE_FIELDS = ("birth_date", "first_admission", "response_scan", "follow_up")
SCHEDULE_FIELDS = ("first_admission", "response_scan", "follow_up")
# Roster table columns, in the order of the table (the CSV column names of the roster).
ROSTER_COLUMNS = ("name", "mrn", "language", "birth_date", "first_admission", "cycles", "response_scan",
                  "follow_up")
# Field paths inside a validator's message, in the words of the page.
_PATHS_IN_TEXT = {
    "schedule.cycles": "the cycle dates",
    "schedule.first_admission": "First admission",
    "--require-reviewed": "production",
    "--allow-fallback": "a preview",
}
_PATH_RE = re.compile("|".join(re.escape(p) for p in sorted(_PATHS_IN_TEXT, key=len, reverse=True)))
_CYCLE = re.compile(r"^schedule\.cycles\[(\d+)\]")


def cycle_field(n: int) -> str:
    return f"cycle_{n}"


def cycle_label(n: int) -> str:
    return f"Cycle {n} admission"


def _clean(value) -> str | None:
    value = (value or "").strip() if isinstance(value, str) else value
    return value or None


def record_from_form(form, max_cycles: int) -> tuple[dict, list[str]]:
    """The patient record of the one-patient form, and which form field holds each cycle date
    (empty cycle fields are skipped, so ``schedule.cycles[2]`` may be the field ``cycle_3``)."""
    cycles, cycle_fields = [], []
    for n in range(1, max_cycles + 1):
        value = _clean(form.get(cycle_field(n)))
        if value:
            cycles.append(value)
            cycle_fields.append(cycle_field(n))
    schedule = {k: _clean(form.get(k)) for k in SCHEDULE_FIELDS}
    schedule = {k: v for k, v in schedule.items() if v}
    if cycles:
        schedule["cycles"] = cycles
    record = {k: _clean(form.get(k)) for k in ("name", "mrn", "language", "birth_date")}
    record["schedule"] = schedule
    return record, cycle_fields


def is_iso_date(value) -> bool:
    """Whether a date input can hold the value (else the table shows it as text, to be fixed)."""
    try:
        dt.date.fromisoformat(str(value))
        return len(str(value)) == 10
    except ValueError:
        return False


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "; ".join(_text(v) for v in value)
    return str(value)


def columns_from_record(record: dict) -> dict[str, str]:
    """The table cells of a roster record (the inverse of :func:`packets.roster.record_from_cells`)."""
    schedule = record.get("schedule") if isinstance(record.get("schedule"), dict) else {}
    return {col: _text(schedule.get(col) if col in ("first_admission", "cycles", "response_scan", "follow_up")
                       else record.get(col)) for col in ROSTER_COLUMNS}


def field_of(path: str | None, cycle_fields: list[str] | None = None) -> str | None:
    """The form field of a validator's field path: 'schedule.cycles[2]' -> 'cycle_3' (the form)
    or 'cycles' (the table, where all cycle dates share one cell)."""
    if not path:
        return None
    m = _CYCLE.match(path)
    if m:
        if cycle_fields is None:
            return "cycles"
        index = int(m.group(1)) - 1
        return cycle_fields[index] if 0 <= index < len(cycle_fields) else None
    if path == "schedule.cycles":
        if cycle_fields is None:
            return "cycles"
        return cycle_fields[0] if cycle_fields else "first_admission"
    if path == "schedule":
        return "first_admission"
    name = path.split(".")[-1]
    return name if name in LABELS else None


def label_of(name: str | None) -> str:
    if not name:
        return ""
    m = re.match(r"^cycle_(\d+)$", name)
    if m:
        return cycle_label(int(m.group(1)))
    return LABELS.get(name, name)


def sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?")) else text + "."


def plain_message(message: str, name: str | None) -> str:
    """A validator's message as a sentence about the field: 'is required' -> 'Name is required.'
    The pages list the languages, so an unknown language's message does not list them again."""
    if ". Available languages:" in message:
        message = message.split(". Available languages:")[0] + ". Choose the language from the list"
    text = _PATH_RE.sub(lambda m: _PATHS_IN_TEXT[m.group(0)], message)
    first = text.split(" ", 1)[0]
    if name and (first in ("is", "must", "contains", "differs", "has", "was") or text.startswith("(")):
        text = f"{label_of(name)} {text}"
    return sentence(text)
