"""One patient's packet: the form, and "Make packet".

GET ``/`` shows the form. POST ``/packet`` turns the form into a patient record, validates it
with :func:`packets.patient.parse_patient` (the command line's validator) and builds the packet
in a worker. A mistake comes back as the form, with the message next to its field; warnings
(dates in the past, a name the fonts cannot print) come back for a second look; otherwise the
answer is the PDF itself, shown by the browser's PDF viewer (print and download buttons) or,
with "Download PDF", saved as ``<mrn>-<lang>.pdf``.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from flask import Blueprint, Response, current_app, render_template, request

from ..build import Options
from ..errors import InputError
from ..patient import parse_patient
from .fields import cycle_field, cycle_label, field_of, plain_message, record_from_form

bp = Blueprint("patient", __name__)
PAPERS = {"": "As the program sets it", "letter": "US Letter", "a4": "A4"}
EXCEL_HINT = ": Excel probably dropped"


def options_from(form) -> tuple[Options | None, dict]:
    """Build options from the form's option fields (shared by the roster table)."""
    paper = form.get("paper", "")
    if paper not in PAPERS:
        return None, {"paper": "Choose a paper size from the list."}
    settings = current_app.config["SETTINGS"]
    return Options(paper=paper or None, large_print=bool(form.get("large_print")),
                   bilingual=bool(form.get("bilingual")), require_reviewed=settings.require_reviewed), {}


def pdf_response(pdf: bytes, filename: str, download: bool) -> Response:
    disposition = "attachment" if download else "inline"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'{disposition}; filename="{filename}"'})


def without_mrn(warning: str, masked_mrn: str) -> str:
    """Build warnings start with the masked MRN (for a batch's console); the form has one patient."""
    prefix = f"{masked_mrn}: "
    text = warning[len(prefix):] if warning.startswith(prefix) else warning
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _cycles() -> list[tuple[str, str]]:
    regimen = current_app.config["PROGRAM"].regimen
    return [(cycle_field(n), cycle_label(n)) for n in range(1, regimen.max_cycles + 1)]


def confirm_token(*parts) -> str:
    """Ties "anyway" to the data that was warned about: change a date and the warning shows again."""
    text = json.dumps(parts, sort_keys=True, default=str).encode("utf-8")
    return hmac.new(current_app.config["SECRET_KEY"], text, hashlib.sha256).hexdigest()


def field_errors(problems: list[tuple[str, str | None]], cycle_fields: list[str]) -> dict[str, str]:
    """Form field -> its message (two problems of one field in one paragraph); '_form' for the rest."""
    out: dict[str, str] = {}
    for message, path in problems:
        if EXCEL_HINT in message:  # typed into the form, not exported from a spreadsheet
            message = message.split(EXCEL_HINT)[0] + "; type the MRN with its leading zeros"
        name = field_of(path, cycle_fields) or "_form"
        text = plain_message(message, name)
        out[name] = f"{out[name]} {text}" if name in out and text not in out[name] else out.get(name, text)
    return out


def render_form(values=None, errors=None, warnings=None, confirm="", code=200):
    program = current_app.config["PROGRAM"]
    values, errors = values or {}, errors or {}
    cycles = _cycles()
    cycles_open = any(values.get(name) or name in errors for name, _ in cycles)
    return render_template("patient.html", values=values, errors=errors, warnings=warnings or [],
                           confirm_token=confirm, cycles=cycles, cycles_open=cycles_open, papers=PAPERS,
                           program_paper=PAPERS[program.paper], active="patient"), code


@bp.get("/")
def form():
    return render_form()


@bp.post("/packet")
def make():
    form = request.form
    options, errors = options_from(form)
    if errors:
        return render_form(form, errors, code=422)
    program = current_app.config["PROGRAM"]
    record, cycle_fields = record_from_form(form, program.regimen.max_cycles)
    try:
        patient = parse_patient(record, "form", program=program)
    except InputError as err:  # every problem of the form at once, each next to its field
        return render_form(form, field_errors([(p.message, p.field) for p in err.problems()], cycle_fields),
                           code=422)
    result = current_app.config["RENDERER"].packet(patient, options)
    if result.failure:
        return render_form(form, field_errors([(result.failure.message, result.failure.field)], cycle_fields),
                           code=422)
    token = confirm_token(record, options)
    if result.warnings and not hmac.compare_digest(form.get("confirmed", ""), token):
        return render_form(form, warnings=[without_mrn(w, patient.masked_mrn) for w in result.warnings],
                           confirm=token)
    return pdf_response(result.pdf, result.filename, download=form.get("action") == "download")
