"""A day's roster: upload the scheduling system's export, check every row in a table, fix rows
in place, then print.

- POST ``/roster``: the uploaded file (read in memory, never saved) becomes table rows.
- POST ``/roster/check``: the table as staff edited it is checked again.
- POST ``/roster/print``: one PDF of the ready rows, each packet starting on an odd page
  (:func:`packets.batch.combine`, duplex-safe).
- POST ``/roster/zip``: the single packets of the ready rows as a ZIP, as ``batch -o`` lays them out.

The table lives only in the page: every POST carries all rows, so the server keeps nothing
between requests. Each row is validated by :meth:`packets.roster.Row.patient`, the batch's own
validator. Rows in, table out: :func:`show_rows` takes any :class:`~packets.roster.Row` list,
so another source (an EHR file's :class:`~packets.fhir.mapping.FhirRow` rows) needs only its own
upload view.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from pathlib import PurePath

from flask import Blueprint, Response, current_app, render_template, request

from ..batch import BatchResult, validate_rows
from ..build import Options
from ..clock import printed_date
from ..errors import ConfigError, PacketError
from ..i18n.locales import catalog_id_for, english_name, native_name
from ..patient import Patient
from ..roster import Row, column_of, parse_roster, record_from_cells
from .fields import DATE_FIELDS, LABELS, ROSTER_COLUMNS, columns_from_record, plain_message, sentence
from .patient import PAPERS, confirm_token, options_from, pdf_response
from .status import current_status, print_refusal
from .workers import zip_packets

bp = Blueprint("roster", __name__, url_prefix="/roster")
# What the upload takes: CSV exports and Excel workbooks (and the spreadsheet formats the roster
# reader names the way out of: .xls, .ods, .numbers).
UPLOADS = (".csv", ".txt", ".tsv", ".xlsx", ".xls", ".ods", ".numbers")


@dataclass
class TableRow:
    index: int
    line: int
    cells: dict[str, str]
    row: Row
    leave_out: bool = False
    problems: list[tuple[str, str]] = field(default_factory=list)   # (column or "", plain words)
    warnings: list[str] = field(default_factory=list)
    patient: Patient | None = None                                   # validated, when ready

    @property
    def language_note(self) -> str:
        """How the table's language list names a tag it does not list itself ('es-US')."""
        try:
            catalog = catalog_id_for(self.cells["language"])
        except PacketError:
            return "not a language we print"
        return f"{native_name(catalog)}, {english_name(catalog)}"

    @property
    def ready(self) -> bool:
        return not self.leave_out and not self.problems

    @property
    def bad_columns(self) -> set[str]:
        return {column for column, _ in self.problems}

    def fail(self, message: str, path: str | None) -> None:
        column = column_of(path)
        column = column if column in LABELS else ""
        self.problems.append((column, plain_message(message, column or None)))

    def report(self) -> list[dict]:
        """Its lines in ``errors.csv`` (masked MRN, as the batch writes them)."""
        problems = self.problems or [("", "left out by staff")]
        return [{"line": self.line, "column": c, "mrn": self.row.masked_mrn, "problem": p} for c, p in problems]


def check_rows(rows: list[Row], leave_out: set[int] = frozenset()) -> list[TableRow]:
    """Every row checked as ``batch`` checks it (:func:`packets.batch.validate_rows`: all of a
    row's problems, rows sharing an MRN refused), and in production by the production gate."""
    program = current_app.config["PROGRAM"]
    require_reviewed = current_app.config["SETTINGS"].require_reviewed
    table = [TableRow(i, r.line, columns_from_record(r.record if isinstance(r.record, dict) else {}), r,
                      i in leave_out) for i, r in enumerate(rows)]
    considered = [t for t in table if not t.leave_out]
    result = BatchResult()
    valid, failed = validate_rows([t.row for t in considered], program, Options(), result)
    for k in sorted(failed):
        t = considered[k]
        for e in result.errors:
            if e["line"] == t.line:
                t.fail(e["problem"], e["column"])
    refusals: dict[str, str | None] = {}
    for k, patient, _ in valid:
        t = considered[k]
        if patient.language not in refusals:
            refusals[patient.language] = print_refusal(program, require_reviewed, patient.language)
        if refusals[patient.language]:
            t.fail(refusals[patient.language], "language")
        else:
            t.patient = patient
    return table


def table_page(rows: list[TableRow], source: str, *, error: str = "", code: int = 200, confirm: str = "",
               values=None, notes=()):
    program = current_app.config["PROGRAM"]
    ready = [r for r in rows if r.ready]
    return render_template("roster.html", rows=rows, source=source, columns=ROSTER_COLUMNS, labels=LABELS,
                           date_fields=DATE_FIELDS, ready=ready, error=error, confirm=confirm, notes=notes,
                           values=values or {}, papers=PAPERS, program_paper=PAPERS[program.paper],
                           languages=current_status(program, current_app.config["SETTINGS"].require_reviewed).languages,
                           active="roster"), code


def upload_page(error: str = "", code: int = 200):
    settings = current_app.config["SETTINGS"]
    return render_template("roster_upload.html", error=error, active="roster", max_rows=settings.max_rows,
                           max_mb=settings.max_upload_bytes / (1024 * 1024)), code


@bp.get("")
def upload_form():
    return upload_page()


@bp.post("")
def upload():
    file = request.files.get("roster")
    if file is None or not file.filename:
        return upload_page("Choose the roster file first.", 422)
    name = PurePath(file.filename).name
    if PurePath(name).suffix.lower() not in UPLOADS:
        return upload_page("This is not a roster file: upload the CSV file or Excel workbook (.xlsx) the "
                           "scheduling system exports.", 422)
    try:
        rows = parse_roster(file.read(), name)   # in memory: never written to disk
    except ConfigError as err:
        about = err.message.split(" ", 1)[0] in ("has", "is")   # "has no patient rows": the file has
        return upload_page(f"{name} {err.message}" + ("" if err.message.endswith(".") else ".") if about
                           else f"{name}: {err.message}", 422)
    max_rows = current_app.config["SETTINGS"].max_rows
    if len(rows) > max_rows:
        return upload_page(f"The roster has {len(rows)} rows; at most {max_rows} can be printed at once. "
                           "Split it into smaller files and upload them one by one.", 413)
    return show_rows(rows, rows[0].file, notes=[sentence(w) for w in getattr(rows, "warnings", [])])


def show_rows(rows: list[Row], source: str, notes: list[str] = ()):
    """The table for any rows (a roster upload; an EHR file's rows, which are Rows too): each row
    checked, then fixed, printed or zipped through the same /roster/... forms."""
    return table_page(check_rows(rows), source, notes=notes)


def rows_from_form(form) -> tuple[list[TableRow], str]:
    """The table as the browser sent it back, every row checked again."""
    source = (form.get("source") or "roster").strip()[:200]
    try:
        count = int(form.get("rows", "0"))
    except ValueError:
        count = 0
    count = max(0, min(count, current_app.config["SETTINGS"].max_rows))
    rows, leave_out = [], set()
    for i in range(count):
        try:
            line = int(form.get(f"r{i}-line", "0"))
        except ValueError:
            line = 0
        rows.append(Row(line, record_from_cells({col: form.get(f"r{i}-{col}", "") for col in ROSTER_COLUMNS}),
                        source))
        if form.get(f"r{i}-leave_out"):
            leave_out.add(i)
    return check_rows(rows, leave_out), source


@bp.post("/check")
def recheck():
    rows, source = rows_from_form(request.form)
    return table_page(rows, source, values=request.form)


@dataclass
class Printable:
    ready: list[TableRow]
    results: list
    left_out: list[dict]      # lines for errors.csv
    form: dict


def _build():
    """A :class:`Printable` of every ready row built; or, when something needs staff first, the
    table page to show instead."""
    form = request.form
    rows, source = rows_from_form(form)
    options, errors = options_from(form)
    if errors:
        return table_page(rows, source, error=errors["paper"], code=422, values=form)
    ready = [r for r in rows if r.ready]
    if not ready:
        return table_page(rows, source, error="No row is ready to print: fix the rows marked below.",
                          code=422, values=form)
    results = current_app.config["RENDERER"].packets([r.patient for r in ready], options)
    for r, res in zip(ready, results):
        r.warnings = res.warnings
        if res.failure:
            r.fail(res.failure.message, res.failure.field)
    if any(res.failure for res in results):
        return table_page(rows, source, error="Some rows could not be made into packets: see below. "
                          "Nothing was printed.", code=422, values=form)
    token = confirm_token([r.row.record for r in ready], options)
    if any(r.warnings for r in ready) and not hmac.compare_digest(form.get("confirmed", ""), token):
        return table_page(rows, source, confirm=token, values=form,
                          error="Check the warnings below before printing.")
    return Printable(ready, results, [line for r in rows if not r.ready for line in r.report()], form)


@bp.post("/print")
def print_all():
    built = _build()
    if not isinstance(built, Printable):
        return built
    order = list(zip(built.ready, built.results))
    if built.form.get("sort_by_language"):
        order.sort(key=lambda pair: (pair[1].language, pair[0].index))
    pdf = current_app.config["RENDERER"].combined([res.pdf for _, res in order])
    return pdf_response(pdf, f"print-all-{printed_date().isoformat()}.pdf", download=True)


@bp.post("/zip")
def zip_all():
    built = _build()
    if not isinstance(built, Printable):
        return built
    return Response(zip_packets(built.results, built.left_out), mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="packets-{printed_date().isoformat()}.zip"'})
