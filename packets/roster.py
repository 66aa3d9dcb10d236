"""Rosters: a day's patients from a CSV export or a YAML list, one record per row.

In: a CSV file as Excel or a scheduling system writes it (UTF-8 with or without BOM, CRLF,
quoted fields, columns ``name, mrn, birth_date, language, first_admission`` and optionally
``cycles`` (dates separated by ``;``), ``response_scan``, ``follow_up``), or a YAML list of
patient records in the format of ``build``.
Out: :class:`Row` objects, each with its line number, parsed lazily so one bad row never
stops the others.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from . import yamlio
from .errors import ConfigError, PacketError
from .patient import Patient, mask_mrn, parse_patient

REQUIRED_COLUMNS = ("name", "mrn", "language", "first_admission")
OPTIONAL_COLUMNS = ("birth_date", "cycles", "response_scan", "follow_up")
SCHEDULE_COLUMNS = ("first_admission", "cycles", "response_scan", "follow_up")


@dataclass(frozen=True)
class Row:
    line: int          # line in the roster file where the record starts
    record: dict       # a patient mapping, as parse_patient takes it
    file: str

    @property
    def masked_mrn(self) -> str:
        mrn = str(self.record.get("mrn") or "")
        return mask_mrn(mrn) if mrn else "(no MRN)"

    def patient(self) -> Patient:
        return parse_patient(self.record, f"{self.file}:{self.line}")


def column_of(field: str | None) -> str:
    """'schedule.cycles[2]' -> 'cycles': the roster column an error belongs to."""
    if not field:
        return ""
    name = field.split(".")[-1]
    return name.split("[")[0]


def _csv_rows(text: str, file: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise ConfigError("the roster is empty", file=file)
    headers = [h.strip().lower() for h in reader.fieldnames]
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        raise ConfigError(f"missing column(s): {', '.join(missing)} (found: {', '.join(headers)})", file=file)
    reader.fieldnames = headers
    rows = []
    start = reader.line_num + 1
    for raw in reader:
        values = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(values.values()):
            start = reader.line_num + 1
            continue
        schedule = {}
        for col in SCHEDULE_COLUMNS:
            if values.get(col):
                schedule[col] = ([d.strip() for d in values[col].split(";") if d.strip()]
                                 if col == "cycles" else values[col])
        record = {k: values.get(k) or None for k in ("name", "mrn", "language", "birth_date")}
        record["schedule"] = schedule
        rows.append(Row(start, record, file))
        start = reader.line_num + 1
    return rows


def _yaml_rows(text: str, file: str) -> list[Row]:
    data = yamlio.load(text, file, ConfigError)
    if not isinstance(data, list):
        raise ConfigError("a YAML roster is a list of patient records", file=file)
    rows = []
    for item in data:
        line = min((yamlio.line_of(k) for k in item), default=0) if isinstance(item, dict) else 0
        rows.append(Row(line, item if isinstance(item, dict) else {"_": item}, file))
    return rows


def read_roster(path: Path | str) -> list[Row]:
    path = Path(path)
    if not path.is_file():
        raise ConfigError("roster not found", file=str(path))
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start}); export the roster as CSV UTF-8",
                          file=str(path)) from None
    if path.suffix.lower() in (".yaml", ".yml"):
        return _yaml_rows(text, str(path))
    return _csv_rows(text, str(path))


def row_error(row: Row, err: Exception) -> dict:
    """One line of the error report: line, column, masked MRN and the reason (never the name)."""
    if isinstance(err, PacketError):
        reason, column = err.message, column_of(err.field)
    else:
        reason, column = str(err), ""
    return {"line": row.line, "column": column, "mrn": row.masked_mrn, "problem": reason}
