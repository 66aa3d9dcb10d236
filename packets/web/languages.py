"""Every language: its review status (who reviewed it and when, draft, or changed since review)
and a preview packet for its translator (the sample patient; English fills gaps and failing
strings are marked), as ``python generate.py i18n preview`` makes it."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from .. import paths
from ..build import Options
from ..patient import load_patient
from .patient import pdf_response
from .status import current_status

bp = Blueprint("languages", __name__, url_prefix="/languages")


@bp.get("")
def index():
    progress = current_status(current_app.config["PROGRAM"], current_app.config["SETTINGS"].require_reviewed,
                              progress=True)
    return render_template("languages.html", languages=progress.languages, active="languages")


@bp.get("/<tag>/preview.pdf")
def preview(tag: str):
    return _preview(tag, line_numbers=False)


@bp.get("/<tag>/preview-line-numbers.pdf")
def preview_line_numbers(tag: str):
    return _preview(tag, line_numbers=True)


def _preview(tag: str, line_numbers: bool):
    languages = current_status(current_app.config["PROGRAM"], current_app.config["SETTINGS"].require_reviewed).languages
    if tag not in {lang.tag for lang in languages}:
        abort(404)
    sample = load_patient(paths.data_dir() / "sample_patient.yaml")  # fictional: no patient data here
    result = current_app.config["RENDERER"].preview(sample, Options(language=tag, tag_lines=line_numbers))
    if result.failure:
        return render_template("error.html", title="No preview",
                               message=f"The preview could not be made: {result.failure.message}"), 422
    return pdf_response(result.pdf, f"preview-{result.language}.pdf", download=False)
