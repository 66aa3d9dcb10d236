"""Import from EHR file: a FHIR R4 Bundle (``.json``) or the NDJSON files of a Bulk Data export,
read as ``python generate.py fhir`` reads them, into the roster table.

- GET ``/ehr``: the upload form.
- POST ``/ehr``: the files (read in memory, never saved) become rows through
  :func:`packets.fhir.rows_from_bundle` or :func:`packets.fhir.rows_from_ndjson`, the command's own
  import, and fill the roster table (:func:`.roster.show_rows`). From there they are fixed,
  printed and zipped as a roster's rows are; the ZIP carries each packet's DocumentReference, as
  ``fhir -o`` writes it. (Sending them to the EHR, ``fhir --post``, stays on the command line:
  it needs the server's token.)

A file that cannot be read as a whole (not JSON, not FHIR, not a Bundle) is a plain message
above the form; a bad patient in a good file is a "Not ready" row in the table, like a bad
roster row, and never stops the others.
"""

from __future__ import annotations

from pathlib import PurePath

from flask import Blueprint, current_app, render_template, request

from ..errors import PacketError
from ..fhir import rows_from_bundle, rows_from_ndjson
from ..fhir.resources import wanted_ndjson
from .fields import sentence
from .roster import show_rows

bp = Blueprint("ehr", __name__, url_prefix="/ehr")
NDJSON = (".ndjson", ".ndjson.gz")


def upload_page(error: str = "", code: int = 200):
    settings = current_app.config["SETTINGS"]
    return render_template("ehr_upload.html", error=error, active="ehr", max_rows=settings.max_rows,
                           max_mb=settings.max_upload_bytes / (1024 * 1024)), code


@bp.get("")
def upload_form():
    return upload_page()


def _message(err: PacketError) -> str:
    """'clinic.json, line 1: not JSON (Expecting value, column 1).' (names a file, never a patient)."""
    text = err.message if err.message.endswith(".") else err.message + "."
    if not err.file:
        return sentence(text)
    where = PurePath(str(err.file)).name + (f", line {err.line}" if err.line else "")
    return f"{where}: {text}" if not text.startswith("is ") else f"{where} {text}"


@bp.post("")
def upload():
    files = [f for f in request.files.getlist("ehr") if f and f.filename]
    if not files:
        return upload_page("Choose the EHR file first.", 422)
    names = [PurePath(f.filename).name for f in files]
    program = current_app.config["PROGRAM"]
    ndjson = [n for n in names if n.lower().endswith(NDJSON)]
    try:
        if ndjson and len(ndjson) != len(names):
            return upload_page("Upload either one FHIR Bundle (.json) or the .ndjson files of one Bulk Data "
                               "export, not both at once.", 422)
        if ndjson:
            data = {n: f.read() for n, f in zip(names, files) if wanted_ndjson(n)}  # in memory only
            if not data:
                return upload_page("None of these files holds Patients, Appointments or Encounters: upload "
                                   "Patient.ndjson with Appointment.ndjson and Encounter.ndjson.", 422)
            source = "Bulk Data export"
            imported = rows_from_ndjson(data, program)
        elif len(names) > 1:
            return upload_page("Upload one FHIR Bundle (.json) at a time, or the .ndjson files of one Bulk "
                               "Data export.", 422)
        elif not names[0].lower().endswith(".json"):
            return upload_page(f"{names[0]} is not an EHR file: upload a FHIR R4 Bundle (.json) or the "
                               ".ndjson files of a Bulk Data export.", 422)
        else:
            source = names[0]
            imported = rows_from_bundle(files[0].read(), program, names[0])
    except PacketError as err:   # the file as a whole (not JSON, not FHIR), or no fhir: block in the profile
        return upload_page(_message(err), 422)
    rows = imported.rows
    skipped = imported.without_admissions
    if not rows:
        return upload_page(f"No patient in {source} has an IL-2 admission"
                           + (f" ({skipped} patient(s) without one)" if skipped else "")
                           + ": check that the export holds the admission appointments, and that the visit-"
                             "type codes match the program profile's fhir: admission_codes.", 422)
    max_rows = current_app.config["SETTINGS"].max_rows
    if len(rows) > max_rows:
        return upload_page(f"The file has {len(rows)} patients to print; at most {max_rows} can be printed at "
                           "once. Export a shorter list (one clinic day).", 413)
    notes = [f"{skipped} patient(s) in the file have no IL-2 admission: no packet for them."] if skipped else []
    return show_rows(rows, source, notes=notes)
