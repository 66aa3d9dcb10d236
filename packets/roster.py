"""Rosters: a day's patients from a CSV export, an Excel workbook or a YAML list, one record per row.

In: the roster's bytes and file name (:func:`parse_roster`; the web app passes an upload without
writing it to disk) or a path (:func:`read_roster`). Out: :class:`Row` objects, each with its
line number, validated later one by one (:meth:`Row.patient`) so one bad row never stops the others.

- CSV as Excel or a scheduling system writes it: UTF-8 with or without BOM (or UTF-16 with BOM,
  Excel's "Unicode Text"), CRLF or LF, comma-, semicolon- or tab-separated (the delimiter that makes
  the header hold the required columns), quoted fields. Parsing is strict and line by line: **one
  record is one line**. No roster value may hold a line break (a name with one is refused anyway),
  so a quote that is not closed on its line is that line's error and never swallows the next
  patient's row into a name. A quote inside a value that does not start with one, text after a
  closing quote, a row with more or fewer values than the header, a duplicate column and bytes
  that are not UTF-8 are each an error naming the line. A file that is not UTF-8 on more than one
  line (Excel's "CSV (Comma delimited)" in the Windows character set) is refused as a whole with
  the way to save it: guessing between Windows-1252, -1250 and Mac encodings could print a wrong
  name, while a single bad byte only stops its own row.
- ``.xlsx`` workbooks are read directly (openpyxl; the first sheet). A numeric MRN cell shown with
  leading zeros by a ``00000000`` number format keeps them, as Excel displays it.
- YAML: a list of patient records in the format of ``build``.

Error messages never repeat a cell's value: they name the line, the column and what was expected.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import yamlio
from .errors import ConfigError, InputError, InputErrors, PacketError
from .patient import Patient, mask_mrn, parse_patient

REQUIRED_COLUMNS = ("name", "mrn", "language", "first_admission")
OPTIONAL_COLUMNS = ("birth_date", "cycles", "response_scan", "follow_up")
SCHEDULE_COLUMNS = ("first_admission", "cycles", "response_scan", "follow_up")
KNOWN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_BYTES = 50_000_000
MAX_ROWS = 10_000
DELIMITERS = (",", ";", "\t")
SAVE_AS_UTF8 = ("in Excel choose File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)', or give the "
                ".xlsx workbook itself, then run again")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE_BREAK_BYTES = re.compile(rb"\r\n|\r|\n")


@dataclass(frozen=True)
class Row:
    line: int          # line in the roster file where the record starts (the row number in a workbook)
    record: dict       # a patient mapping, as parse_patient takes it
    file: str
    problems: tuple[InputError, ...] = ()  # found while reading the row (quotes, field count, bytes)

    @property
    def masked_mrn(self) -> str:
        mrn = self.record.get("mrn") if isinstance(self.record, dict) else None
        return mask_mrn(mrn) if mrn not in (None, "") else "(no MRN)"

    def patient(self, program=None, today: dt.date | None = None) -> Patient:
        """The validated patient; :class:`InputErrors` lists every problem of the row."""
        if self.problems:
            raise InputErrors(list(self.problems))
        return parse_patient(self.record, f"{self.file}:{self.line}", program=program, today=today)

    def describe(self, problem: PacketError) -> tuple[str, str]:
        """(column, text) of one problem of this row, as errors.csv and the console show it.

        A roster row: the roster column and the message as it is (the console adds file and line).
        Other sources name their own places (:class:`packets.fhir.mapping.FhirRow`).
        """
        return column_of(problem.field), problem.message


class Rows(list):
    """The rows of a roster, and what staff should know about the file as a whole."""

    def __init__(self, rows=(), warnings: list[str] | None = None):
        super().__init__(rows)
        self.warnings = warnings or []


def column_of(field: str | None) -> str:
    """'schedule.cycles[2]' -> 'cycles': the roster column an error belongs to."""
    if not field:
        return ""
    name = field.split(".")[-1] if not field.startswith("schedule.tests") else "tests"
    return name.split("[")[0]


def _column_key(header: str) -> str:
    return re.sub(r"[\s-]+", "_", header.strip().lower())


def _letters(index: int) -> str:
    """0 -> 'A', 27 -> 'AB': the spreadsheet's name for a column."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _split_line(line: str, delim: str) -> tuple[list[str], str | None]:
    """One CSV line -> (values, problem). Strict: RFC 4180 quoting, no value spans lines."""
    fields: list[str] = []
    i, n = 0, len(line)
    while True:
        j = i
        while j < n and line[j] in " \t" and line[j] != delim:
            j += 1
        if j < n and line[j] == '"':
            parts, j = [], j + 1
            while True:
                k = line.find('"', j)
                if k < 0:
                    return fields, ('a quote (") opens a value that is not closed on this line; close it, '
                                    "or remove a line break from inside the cell")
                parts.append(line[j:k])
                if k + 1 < n and line[k + 1] == '"':
                    parts.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            while i < n and line[i] in " \t" and line[i] != delim:
                i += 1
            if i < n and line[i] != delim:
                return fields, ('text follows the closing quote (") of a value; write a quote inside a quoted '
                                'value twice ("")')
            value = "".join(parts)
        else:
            k = line.find(delim, i)
            k = n if k < 0 else k
            value = line[i:k]
            if '"' in value:
                return fields, ('a quote (") inside a value that does not start with one; put the whole value '
                                'in quotes and write the quote twice ("")')
            i = k
        fields.append(value)
        if i >= n:
            return fields, None
        i += 1


def _decode_lines(data: bytes, file: str) -> list[tuple[str | None, str | None]]:
    """Physical lines as (text, problem); a line that is not UTF-8 keeps only its problem."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text": UTF-16 with a BOM
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ConfigError(f"is not valid UTF-16 text; {SAVE_AS_UTF8}", file=file) from None
        return [(t, None) for t in _LINE_BREAK.split(text.lstrip("\ufeff"))]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    out, bad = [], []
    for number, raw in enumerate(_LINE_BREAK_BYTES.split(data), 1):
        try:
            out.append((raw.decode("utf-8"), None))
        except UnicodeDecodeError as exc:
            bad.append(number)
            out.append((None, f"has a byte that is not UTF-8 text (0x{raw[exc.start]:02X}); {SAVE_AS_UTF8}"))
    if len(bad) > 1:
        raise ConfigError(f"is not UTF-8 text ({len(bad)} lines have bytes of another character set, first "
                          f"here; Excel's 'CSV (Comma delimited)' uses the Windows one): {SAVE_AS_UTF8}; "
                          "no packet was made", file=file, line=bad[0])
    return out


def _header(cells: list[str], file: str, line: int) -> tuple[list[str], list[str]]:
    """Column keys by position ('' for ignored ones) and warnings; duplicates and near-misses refused."""
    keys = [_column_key(c) for c in cells]
    seen: dict[str, int] = {}
    for i, key in enumerate(keys):
        if not key:
            continue
        if key in seen:
            raise ConfigError(f"column '{key}' appears twice (columns {_letters(seen[key])} and {_letters(i)}); "
                              "keep one of them", file=file, line=line)
        seen[key] = i
    found = ", ".join(k for k in keys if k)[:200]
    ignored = []
    for i, key in enumerate(keys):
        if key and key not in KNOWN_COLUMNS:
            near = difflib.get_close_matches(key, KNOWN_COLUMNS, n=1, cutoff=0.8)
            if near and near[0] not in seen:
                raise ConfigError(f"column '{key[:40]}' is not a roster column; did you mean '{near[0]}'?",
                                  file=file, line=line)
            ignored.append(key[:40])
            keys[i] = ""
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing == ["first_admission"] and "cycles" in seen:
        missing = []
    if missing:
        raise ConfigError(f"missing column(s): {', '.join(missing)} (found: {found})", file=file, line=line)
    notes = [f"{file}:{line}: column(s) ignored: {', '.join(ignored)}"] if ignored else []
    return keys, notes


def _record(values: dict) -> dict:
    """Roster cells -> the patient mapping parse_patient takes."""
    def cell(key):
        v = values.get(key)
        if isinstance(v, str):
            v = v.strip()
        return v if v not in ("", None) else None

    schedule = {}
    for col in SCHEDULE_COLUMNS:
        v = cell(col)
        if v is not None:
            schedule[col] = [d for d in re.split(r"[;,\s]+", v) if d] if col == "cycles" and isinstance(v, str) \
                else v
    record = {k: cell(k) for k in ("name", "mrn", "language", "birth_date")}
    record["schedule"] = schedule
    return record


def record_from_cells(values: dict) -> dict:
    """A row's cells (column name -> text, as a CSV row or the web app's roster table holds them)
    -> the patient mapping :func:`parse_patient` takes."""
    return _record(values)


def _blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _csv_rows(data: bytes, file: str) -> Rows:
    lines = _decode_lines(data, file)
    start = next((i for i, (t, p) in enumerate(lines) if p or (t and t.strip())), None)
    if start is None:
        raise ConfigError("the roster is empty", file=file)
    header_text, problem = lines[start]
    if problem:
        raise ConfigError(f"line {start + 1} {problem}", file=file, line=start + 1)
    header_text = header_text.lstrip("\ufeff")
    best = None
    for delim in DELIMITERS:
        cells, problem = _split_line(header_text, delim)
        if not problem and all(c in {_column_key(x) for x in cells} for c in ("name", "mrn", "language")):
            best = (delim, cells)
            break
    if best is None:
        cells, problem = _split_line(header_text, ",")
        if problem:
            raise ConfigError(f"the header line is not valid CSV: {problem}", file=file, line=start + 1)
        best = (",", cells)
    delim, cells = best
    keys, notes = _header(cells, file, start + 1)
    rows = Rows(warnings=notes)
    for index in range(start + 1, len(lines)):
        number = index + 1
        text, problem = lines[index]
        if problem is None:
            if not text.strip() or not text.replace(delim, "").strip():
                continue
            values, problem = _split_line(text, delim)
            if problem is None and len(values) != len(keys):
                problem = (f"has {len(values)} values but the header has {len(keys)} columns"
                           + ("; a value with a comma in it (such as Last, First) must be in quotes"
                              if len(values) > len(keys) else ""))
        if problem is not None:
            rows.append(Row(number, {}, file, (InputError(problem, file=f"{file}:{number}"),)))
        else:
            rows.append(Row(number, _record({k: v for k, v in zip(keys, values) if k}), file))
        if len(rows) > MAX_ROWS:
            raise ConfigError(f"has more than {MAX_ROWS:,} rows; split the roster", file=file)
    return rows


def _xlsx_value(cell, key: str):
    value = cell.value
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return value if key == "mrn" else str(value).upper()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        fmt = getattr(cell, "number_format", "") or ""
        if key == "mrn" and re.fullmatch(r"0+", fmt):  # shown with leading zeros: keep them, as Excel shows
            return str(value).zfill(len(fmt))
        return str(value)
    return value if value is None or isinstance(value, str) else str(value)


def _xlsx_rows(data: bytes, file: str) -> Rows:
    import zipfile

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about features it skips (data validation, ...)
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise ConfigError(f"is not a readable .xlsx workbook ({type(exc).__name__}); save it again from Excel "
                          "as 'Excel Workbook (*.xlsx)'", file=file) from None
    try:
        sheet = book.worksheets[0]
        notes = [f"{file}: only the first sheet ('{sheet.title[:40]}') was read"] if len(book.worksheets) > 1 else []
        keys: list[str] | None = None
        rows = Rows(warnings=notes)
        for number, cells in enumerate(sheet.iter_rows(), 1):
            raw = [c.value for c in cells]
            if _blank(raw):
                continue
            if keys is None:
                keys, more = _header(["" if v is None else str(v) for v in raw], file, number)
                rows.warnings.extend(more)
                continue
            values = {keys[i]: _xlsx_value(c, keys[i]) for i, c in enumerate(cells) if i < len(keys) and keys[i]}
            extra = [c.value for c in cells[len(keys):]]
            if not _blank(extra):
                problem = InputError(f"has values right of the last column ({_letters(len(keys) - 1)}) of the "
                                     "header; delete them or give the column a name", file=f"{file}:{number}")
                rows.append(Row(number, {"mrn": values.get("mrn")}, file, (problem,)))
            else:
                rows.append(Row(number, _record(values), file))
            if len(rows) > MAX_ROWS:
                raise ConfigError(f"has more than {MAX_ROWS:,} rows; split the roster", file=file)
    finally:
        book.close()
    if keys is None:
        raise ConfigError("the roster is empty (the first sheet has no header row)", file=file)
    return rows


def _yaml_rows(data: bytes, file: str) -> Rows:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"is not UTF-8 text (byte 0x{data[exc.start]:02X}); save it with the UTF-8 encoding",
                          file=file, line=data.count(b"\n", 0, exc.start) + 1) from None
    parsed = yamlio.load(text, file, ConfigError)
    if not isinstance(parsed, list):
        raise ConfigError("a YAML roster is a list of patient records", file=file)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        lines = [item.start_mark.line + 1 for item in node.value]
    except (yaml.YAMLError, RecursionError, AttributeError):
        lines = [0] * len(parsed)
    if len(parsed) > MAX_ROWS:
        raise ConfigError(f"has more than {MAX_ROWS:,} rows; split the roster", file=file)
    rows = Rows()
    for line, item in zip(lines, parsed):
        if isinstance(item, dict):
            rows.append(Row(line, item, file))
        else:
            rows.append(Row(line, {}, file, (InputError("expected a patient record (name, mrn, language, "
                                                        "schedule)", file=f"{file}:{line}"),)))
    return rows


def parse_roster(data: bytes, filename: str) -> Rows:
    """A roster from its bytes (kept in memory: the web app never writes an upload to disk).

    ``filename`` names the roster in messages and chooses the format by its suffix (``.xlsx``,
    ``.yaml``/``.yml``, anything else CSV); a workbook is recognised by its content too. A roster
    with no patient rows is refused (:class:`ConfigError`), like any problem of the whole file.
    """
    rows = _parse(data, filename)
    if not rows:
        raise ConfigError("has no patient rows", file=filename)
    return rows


def _parse(data: bytes, filename: str) -> Rows:
    suffix = Path(filename).suffix.lower()
    if len(data) > MAX_BYTES:
        raise ConfigError(f"is {len(data):,} bytes; a roster is at most {MAX_BYTES:,}", file=filename)
    if suffix in (".xls", ".ods", ".numbers"):
        raise ConfigError(f"is a {suffix} spreadsheet; save it as 'Excel Workbook (*.xlsx)' or as "
                          "'CSV UTF-8 (Comma delimited) (*.csv)'", file=filename)
    if suffix == ".xlsx" or data.startswith(b"PK\x03\x04"):
        return _xlsx_rows(data, filename)
    if suffix in (".yaml", ".yml"):
        return _yaml_rows(data, filename)
    return _csv_rows(data, filename)


def read_roster(path: Path | str) -> Rows:
    path = Path(path)
    if not path.is_file():
        raise ConfigError("roster not found", file=str(path))
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ConfigError(f"is {path.stat().st_size:,} bytes; a roster is at most {MAX_BYTES:,}", file=str(path))
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot be read ({exc.strerror or exc})", file=str(path)) from None
    return parse_roster(data, str(path))


def row_errors(row: Row, err: Exception) -> list[dict]:
    """The error report's lines for one row: line, column, masked MRN and reason (never the name).

    One line per problem, so staff fix a row once. ``file`` (the row's source file) is not a
    column of errors.csv: with ``line`` it tells rows apart when a source has several files (a
    Bulk Data export's ``Patient.ndjson`` and ``Appointment.ndjson`` both have a line 3).
    """
    problems = err.problems() if isinstance(err, PacketError) else \
        [PacketError(f"internal error ({type(err).__name__})")]
    out = []
    for problem in problems:
        column, text = row.describe(problem)
        out.append({"line": row.line, "column": column, "mrn": row.masked_mrn, "problem": text, "file": row.file})
    return out


def row_error(row: Row, err: Exception) -> dict:
    """The first line of :func:`row_errors` (kept for callers that report one line per row)."""
    return row_errors(row, err)[0]
