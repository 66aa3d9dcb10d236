"""Error pages: plain words, the status code, and never anything from the request."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .workers import RendererUnavailable

MESSAGES = {
    400: ("The form could not be read", "Go back, check the form and send it again."),
    404: ("Page not found", "Use the links above to reach the intake desk's pages."),
    405: ("Not available this way", "Use the links above to reach the intake desk's pages."),
}


def _page(title: str, message: str, code: int):
    return render_template("error.html", title=title, message=message), code


def too_large(err):
    mb = current_app.config["MAX_CONTENT_LENGTH"] / (1024 * 1024)
    message = (f"The file is larger than {mb:g} MB. A day's roster is much smaller: check that you chose "
               "the roster file the scheduling system exports.")
    if (request.endpoint or "").startswith("roster."):
        from .roster import upload_page
        return upload_page(error=message, code=413)
    return _page("Too large", message, 413)


def csrf_failed(err):
    return _page("This form has expired", "The page was open too long, or the form came from another site. "
                 "Reload the page and send the form again.", 400)


def renderer_unavailable(err):
    return _page("Please try again", "The packet maker restarted. Send the form again.", 503)


def http_error(err: HTTPException):
    title, message = MESSAGES.get(err.code or 500, ("Something went wrong", "Go back and try again."))
    return _page(title, message, err.code or 500)


def internal_error(err):
    return _page("Something went wrong", "The packet could not be made because of a fault in the program "
                 "(internal error). Nothing was printed or saved. Tell the program office; "
                 "the server's log names the kind of fault.", 500)


def install(app: Flask) -> None:
    app.register_error_handler(RequestEntityTooLarge, too_large)
    app.register_error_handler(CSRFError, csrf_failed)
    app.register_error_handler(RendererUnavailable, renderer_unavailable)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(500, internal_error)
