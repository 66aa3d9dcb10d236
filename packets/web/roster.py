"""A day's roster: upload the scheduling system's export, check every row in a table, fix rows
in place, then print.

- POST ``/roster``: the uploaded file (read in memory, never saved) becomes table rows.
- POST ``/roster/check``: the table as staff edited it is checked again.
- POST ``/roster/print``: one PDF of the ready rows, each packet starting on an odd page
  (:func:`packets.batch.combined_pdf`, duplex-safe, as ``batch --combined`` makes it).
- POST ``/roster/zip``: the single packets of the ready rows as a ZIP, laid out as ``batch -o``
  (or ``fhir -o``) writes its folder: :func:`packets.batch.packet_files` for each packet (with
  its DocumentReference for a row from an EHR file), :func:`packets.batch.report_files` for
  ``manifest.csv`` and ``errors.csv``.

The table lives only in the page: every POST carries all rows, so the server keeps nothing
between requests (a row's origin beyond its cells travels signed, see :mod:`.origin`). Rows are
checked by :func:`packets.batch.validate_rows`, the batch's own step. Rows in, table out:
:func:`show_rows` takes any :class:`~packets.roster.Row` list (a roster's, or an EHR file's
:class:`~packets.fhir.mapping.FhirRow` rows from :mod:`.ehr`).
"""

from __future__ import annotations

import hmac
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from flask import Blueprint, Response, current_app, render_template, request

from ..batch import BatchResult, packet_files, report_files, validate_rows
from ..build import Options
from ..clock import printed_date
from ..errors import ConfigError, InputError, PacketError
from ..fhir.mapping import FhirRow
from ..i18n.locales import catalog_id_for, english_name, native_name
from ..patient import Patient
from ..roster import Row, column_of, parse_roster, row_errors
from . import origin
from .fields import DATE_FIELDS, LABELS, ROSTER_COLUMNS, columns_from_record, plain_message, sentence
from .patient import PAPERS, confirm_token, options_from, pdf_response
from .status import current_status, print_refusal

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
    errors: list[dict] = field(default_factory=list)                 # the same, as errors.csv lines
    warnings: list[str] = field(default_factory=list)
    patient: Patient | None = None                                   # validated, when ready
    origin: str = ""                                                 # signed hidden field (.origin)

    @property
    def where(self) -> str:
        """Where the row is in its file: 'line 4', 'entry 3', 'Patient.ndjson line 12'."""
        return self.row.where if isinstance(self.row, FhirRow) and self.row.where else f"line {self.line}"

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

    def fail(self, error: dict) -> None:
        """One problem, as :func:`packets.roster.row_errors` words it: next to its column."""
        path = error["column"]
        column = origin.column_of_element(path) or column_of(path)
        column = column if column in LABELS else ""
        self.problems.append((column, plain_message(error["problem"], column or None)))
        self.errors.append(error)

    def fail_with(self, err: PacketError) -> None:
        for error in row_errors(self.row, err):
            self.fail(error)

    def report(self) -> list[dict]:
        """Its lines in ``errors.csv`` (masked MRN, as the batch writes them)."""
        return self.errors or row_errors(self.row, PacketError("left out by staff"))


def check_rows(rows: list[Row], leave_out: set[int] = frozenset()) -> list[TableRow]:
    """Every row checked as ``batch`` checks it (:func:`packets.batch.validate_rows`: all of a
    row's problems, rows sharing an MRN refused), and in production by the production gate."""
    program = current_app.config["PROGRAM"]
    require_reviewed = current_app.config["SETTINGS"].require_reviewed
    secret = current_app.config["SECRET_KEY"]
    table = []
    for i, r in enumerate(rows):
        cells = columns_from_record(r.record if isinstance(r.record, dict) else {})
        table.append(TableRow(i, r.line, cells, r, i in leave_out, origin=origin.token_for(r, secret)))
    considered = [t for t in table if not t.leave_out]
    result = BatchResult()
    valid, failed = validate_rows([t.row for t in considered], program, Options(), result)
    by_place: dict[tuple[str, int], list[dict]] = {}   # rows are told apart by file and line, as in batch
    for e in result.errors:
        by_place.setdefault((e.get("file", ""), e["line"]), []).append(e)
    for k in sorted(failed):
        t = considered[k]
        for e in by_place.get((t.row.file, t.line), []):
            t.fail(e)
    refusals: dict[str, str | None] = {}
    for k, patient, _ in valid:
        t = considered[k]
        if patient.language not in refusals:
            refusals[patient.language] = print_refusal(program, require_reviewed, patient.language)
        if refusals[patient.language]:
            t.fail_with(InputError(refusals[patient.language], field="language"))
        else:
            t.patient = patient
    return table


def table_page(rows: list[TableRow], source: str, *, error: str = "", code: int = 200, confirm: str = "",
               values=None, notes=()):
    program = current_app.config["PROGRAM"]
    ready = [r for r in rows if r.ready]
    from_ehr = any(isinstance(r.row, FhirRow) for r in rows)
    return render_template("roster.html", rows=rows, source=source, columns=ROSTER_COLUMNS, labels=LABELS,
                           from_ehr=from_ehr, where_header="Where in the file" if from_ehr else "Line",
                           date_fields=DATE_FIELDS, ready=ready, error=error, confirm=confirm, notes=notes,
                           values=values or {}, papers=PAPERS, program_paper=PAPERS[program.paper],
                           languages=current_status(program, current_app.config["SETTINGS"].require_reviewed).languages,
                           active="ehr" if from_ehr else "roster"), code


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
    secret = current_app.config["SECRET_KEY"]
    rows, leave_out = [], set()
    for i in range(count):
        try:
            line = int(form.get(f"r{i}-line", "0"))
        except ValueError:
            line = 0
        cells = {col: form.get(f"r{i}-{col}", "") for col in ROSTER_COLUMNS}
        rows.append(origin.row_from(form.get(f"r{i}-origin", ""), line, cells, source, secret))
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
    options: Options
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
            r.fail_with(InputError(res.failure.message, field=res.failure.field))
    if any(res.failure for res in results):
        return table_page(rows, source, error="Some rows could not be made into packets: see below. "
                          "Nothing was printed.", code=422, values=form)
    token = confirm_token([r.row.record for r in ready], options)
    if any(r.warnings for r in ready) and not hmac.compare_digest(form.get("confirmed", ""), token):
        return table_page(rows, source, confirm=token, values=form,
                          error="Check the warnings below before printing.")
    return Printable(ready, results, [line for r in rows if not r.ready for line in r.report()], options, form)


@bp.post("/print")
def print_all():
    built = _build()
    if not isinstance(built, Printable):
        return built
    pdf = current_app.config["RENDERER"].combined([(r.index, res) for r, res in zip(built.ready, built.results)],
                                                  bool(built.form.get("sort_by_language")))
    return pdf_response(pdf, f"print-all-{printed_date().isoformat()}.pdf", download=True)


def _document_reference(options: Options):
    """The DocumentReference companion ``fhir`` writes beside each packet, when the profile has a
    ``fhir:`` block (only rows from an EHR file get one: the chart's Patient is their subject)."""
    from ..fhir.documents import companion
    from ..fhir.profile import require_settings
    try:
        return companion(require_settings(current_app.config["PROGRAM"]), large_print=options.large_print)
    except ConfigError:
        return None


def zip_packets(built: Printable) -> bytes:
    """The single packets as a ZIP, laid out as ``batch -o`` (``fhir -o``) writes its folder: each
    packet's files (:func:`packets.batch.packet_files`), ``manifest.csv`` and ``errors.csv``
    (:func:`packets.batch.report_files`; masked MRNs, never a name)."""
    document = _document_reference(built.options)
    errors, listed = list(built.left_out), []
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for r, res in zip(built.ready, built.results):
            companions = [document] if document and isinstance(r.row, FhirRow) and r.row.subject else []
            try:
                files = packet_files(r.row, res, companions)
            except Exception as err:  # noqa: BLE001 - that row fails, never the ZIP (as in batch)
                errors.extend(row_errors(r.row, err))
                continue
            for name, data in files:
                zf.writestr(name, data)
            listed.append((r.row, [("packet", res.filename)] + [(c.kind, c.name_for(res.filename))
                                                                  for c in companions]))
        for name, data in report_files(listed, errors):
            zf.writestr(name, data)
    return buf.getvalue()


@bp.post("/zip")
def zip_all():
    built = _build()
    if not isinstance(built, Printable):
        return built
    return Response(zip_packets(built), mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="packets-{printed_date().isoformat()}.zip"'})
