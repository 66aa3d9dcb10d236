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

from flask import Blueprint, Response, current_app, render_template, request

from ..build import printed_date
from ..errors import ConfigError, InputError, PacketError
from ..i18n.locales import catalog_id_for, english_name, native_name
from ..roster import Row, column_of
from .fields import (DATE_FIELDS, LABELS, ROSTER_COLUMNS, columns_from_record, plain_message,
                     record_from_columns, sentence)
from .patient import PAPERS, confirm_token, options_from, pdf_response
from .roster_input import read_upload
from .status import current_status, print_refusal
from .workers import zip_packets

bp = Blueprint("roster", __name__, url_prefix="/roster")


@dataclass
class TableRow:
    index: int
    line: int
    cells: dict[str, str]
    leave_out: bool = False
    column: str = ""              # the column at fault
    problem: str = ""             # what is wrong, in plain words
    warnings: list[str] = field(default_factory=list)
    row: Row | None = None

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
        return not self.leave_out and not self.problem

    def fail(self, message: str, path: str | None) -> None:
        column = column_of(path)
        self.column = column if column in LABELS else ""
        self.problem = plain_message(message, self.column or None)

    def left_out(self) -> dict:
        """Its line in ``errors.csv``: the MRN masked, as the batch writes it."""
        return {"line": self.line, "column": self.column, "mrn": self.row.masked_mrn,
                "problem": self.problem or "left out by staff"}


def check(row: Row, index: int, leave_out: bool = False) -> TableRow:
    """One table row: ready, or the column at fault and what is wrong."""
    out = TableRow(index, row.line, columns_from_record(row.record), leave_out, row=row)
    if leave_out:
        return out
    try:
        patient = row.patient()
        refusal = print_refusal(current_status(current_app.config["SETTINGS"].require_reviewed),
                                catalog_id_for(patient.language))
        if refusal:
            raise InputError(refusal, field="language")
    except PacketError as err:
        out.fail(err.message, err.field)
    return out


def table_page(rows: list[TableRow], source: str, *, error: str = "", code: int = 200, confirm: str = "",
               values=None):
    program = current_app.config["PROGRAM"]
    ready = [r for r in rows if r.ready]
    return render_template("roster.html", rows=rows, source=source, columns=ROSTER_COLUMNS, labels=LABELS,
                           date_fields=DATE_FIELDS, ready=ready, error=error, confirm=confirm,
                           values=values or {}, papers=PAPERS, program_paper=PAPERS[program.paper],
                           languages=current_status(current_app.config["SETTINGS"].require_reviewed).languages,
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
    data = file.read()
    try:
        rows = read_upload(data, file.filename)
    except ConfigError as err:
        return upload_page(sentence(err.message), 422)
    max_rows = current_app.config["SETTINGS"].max_rows
    if len(rows) > max_rows:
        return upload_page(f"The roster has {len(rows)} rows; at most {max_rows} can be printed at once. "
                           "Split it into smaller files and upload them one by one.", 413)
    if not rows:
        return upload_page("The roster has no patients: every row below the column names is empty.", 422)
    return show_rows(rows, rows[0].file)


def show_rows(rows: list[Row], source: str):
    """The table for any rows (a roster upload; an EHR file's rows, which are Rows too): each row
    checked, then fixed, printed or zipped through the same /roster/... forms."""
    return table_page([check(r, i) for i, r in enumerate(rows)], source)


def rows_from_form(form) -> tuple[list[TableRow], str]:
    """The table as the browser sent it back, each row checked again."""
    source = (form.get("source") or "roster").strip()[:200]
    try:
        count = int(form.get("rows", "0"))
    except ValueError:
        count = 0
    count = max(0, min(count, current_app.config["SETTINGS"].max_rows))
    out = []
    for i in range(count):
        values = {col: form.get(f"r{i}-{col}", "") for col in ROSTER_COLUMNS}
        try:
            line = int(form.get(f"r{i}-line", "0"))
        except ValueError:
            line = 0
        out.append(check(Row(line, record_from_columns(values), source), i, bool(form.get(f"r{i}-leave_out"))))
    return out, source


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
    results = current_app.config["RENDERER"].packets([r.row.patient() for r in ready], options)
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
    return Printable(ready, results, [r.left_out() for r in rows if not r.ready], form)


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
