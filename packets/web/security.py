"""The rules that keep patient data in the room, applied to every request and response.

- Uploads stay in memory (:class:`MemoryRequest`): Werkzeug would spool a file over 500 KB to
  a temporary file on disk.
- Every response carries a strict Content-Security-Policy (scripts and styles only from this
  app, never inline; no framing), ``X-Content-Type-Options: nosniff``, ``Referrer-Policy:
  no-referrer``; every response but static files carries ``Cache-Control: no-store``.
- CSRF: Flask-WTF's :class:`CSRFProtect` checks a token on every POST.
- Sign-in: a passphrase from ``PACKETS_WEB_PASSPHRASE``, or a header that the hospital's
  single-sign-on proxy sets (its name is a server option).
- The log gets one line per request (method, path, status, time): paths and status codes only,
  because patient data only ever travels in POST bodies. Unexpected errors are logged by type,
  never with their message or traceback, which may quote a patient's data.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import time

from flask import Blueprint, Flask, current_app, g, redirect, render_template, request, session, url_for
from flask.wrappers import Request

log = logging.getLogger("packets.web")

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class MemoryRequest(Request):
    """Uploaded files are read into memory, never spooled to a temporary file."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return io.BytesIO()


class WebApp(Flask):
    request_class = MemoryRequest

    def log_exception(self, exc_info) -> None:
        """Flask logs the traceback; its message or locals may quote a patient's data."""
        log.error("unexpected error on %s %s (%s)", request.method, request.path, exc_info[0].__name__)


def _before() -> None:
    g.started = time.perf_counter()


def _after(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    log.info("%s %s %s %.0f ms", request.method, request.path, response.status_code, elapsed)
    return response


# -- sign-in --------------------------------------------------------------------------------------
auth = Blueprint("auth", __name__)
OPEN_ENDPOINTS = {"auth.login", "static"}


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _require_sign_in():
    header = current_app.config.get("TRUST_HEADER")
    if header:
        if request.remote_addr not in current_app.config["PROXY_ADDRESSES"]:
            return render_template("error.html", title="Not through the sign-in proxy",
                                   message="Open the intake desk through the hospital's sign-in page."), 403
        if not request.headers.get(header, "").strip():
            return render_template("error.html", title="Sign in first",
                                   message="Open the intake desk through the hospital's sign-in page."), 401
        return None
    if current_app.config.get("PASSPHRASE") and not session.get("signed_in"):
        if request.endpoint not in OPEN_ENDPOINTS:
            return redirect(url_for("auth.login"))
    return None


@auth.route("/sign-in", methods=["GET", "POST"])
def login():
    passphrase = current_app.config.get("PASSPHRASE")
    if not passphrase:
        return redirect(url_for("patient.form"))
    error = None
    if request.method == "POST":
        given = request.form.get("passphrase", "")
        if hmac.compare_digest(_digest(given), _digest(passphrase)):
            session.clear()
            session["signed_in"] = True
            return redirect(url_for("patient.form"))
        time.sleep(current_app.config.get("SIGN_IN_DELAY", 1.0))  # slows guessing
        error = "That passphrase is not right. Ask the program office for today's passphrase."
    return render_template("login.html", error=error), (401 if error else 200)


@auth.route("/sign-out", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("auth.login") if current_app.config.get("PASSPHRASE") else url_for("patient.form"))


def install(app: Flask) -> None:
    from flask_wtf.csrf import CSRFProtect

    app.before_request(_before)
    app.before_request(_require_sign_in)   # sign-in first: a stranger learns nothing from CSRF errors
    CSRFProtect(app)
    app.after_request(_after)
    app.register_blueprint(auth)
