"""The intake desk in a browser: ``python generate.py serve``.

Pages (one module each): :mod:`.patient` (one patient's packet), :mod:`.roster` (a day's roster),
:mod:`.ehr` (import from an EHR file into the roster table), :mod:`.languages` (every language
with its review status and a preview). :mod:`.security` holds
the rules every request follows, :mod:`.workers` the rendering processes, :mod:`.server` the
production server. This package is the only code that imports the web framework; it builds
packets through :func:`packets.build.build_packet`, as the command line does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..program import load_program


@dataclass(frozen=True)
class Settings:
    program_path: Path | None = None     # None: content/program.yaml
    require_reviewed: bool = False       # production: only reviewed translations print
    passphrase: str | None = None        # from PACKETS_WEB_PASSPHRASE
    trust_header: str | None = None      # the header the hospital's sign-on proxy sets
    proxy_addresses: tuple[str, ...] = ("127.0.0.1", "::1")  # where that proxy connects from
    max_upload_bytes: int = 2 * 1024 * 1024
    max_rows: int = 500
    workers: int = 0                     # rendering processes; 0: no processes (tests only)
    secret_key: bytes | None = None      # signs the session cookie; random per start by default

    @classmethod
    def from_environment(cls, **kw) -> "Settings":
        return cls(passphrase=os.environ.get("PACKETS_WEB_PASSPHRASE") or None, **kw)


def create_app(settings: Settings | None = None, renderer=None):
    """The WSGI application. ``renderer`` renders packets (a :class:`.workers.PoolRenderer` in
    the server); by default one is made from ``settings.workers``."""
    from . import ehr, languages, patient, roster, security
    from .fields import is_iso_date
    from .status import current_status
    from .workers import InlineRenderer, PoolRenderer

    settings = settings or Settings()
    program = load_program(settings.program_path)
    if renderer is None:
        renderer = (PoolRenderer(program, settings.workers) if settings.workers
                    else InlineRenderer(program))
    app = security.WebApp(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key or os.urandom(32),
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_NAME="packets_session",
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        MAX_FORM_MEMORY_SIZE=settings.max_upload_bytes,
        MAX_FORM_PARTS=settings.max_rows * 12 + 100,
        WTF_CSRF_TIME_LIMIT=12 * 3600,   # a shift: a roster table may stay open for hours
        PASSPHRASE=settings.passphrase,
        TRUST_HEADER=settings.trust_header,
        PROXY_ADDRESSES=settings.proxy_addresses,
        SETTINGS=settings,
        PROGRAM=program,
        RENDERER=renderer,
    )
    app.jinja_env.autoescape = True  # every template, whatever its file name
    app.jinja_env.tests["iso_date"] = is_iso_date
    security.install(app)
    for module in (patient, roster, ehr, languages):
        app.register_blueprint(module.bp)

    @app.context_processor
    def _status():
        return {"status": current_status(program, settings.require_reviewed)}

    from . import errors
    errors.install(app)
    return app
