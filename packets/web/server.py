"""``python generate.py serve``: the intake desk on waitress, with rendering in worker processes.

waitress is a production WSGI server written in pure Python: it runs the same on Windows and
Linux (where hospital IT runs things), needs no compiler or C library, and has no development
mode to leave on by mistake. Its request and response buffers are kept in memory (they spill to
temporary files past 512 KB and 1 MB by default) so no upload or PDF ever reaches the disk.

Listening: 127.0.0.1 by default. Any other address needs sign-in, a passphrase from
``PACKETS_WEB_PASSPHRASE`` or ``--trust-header NAME`` (the header the hospital's single-sign-on
proxy sets, accepted only from ``--proxy-address``); without one the server refuses to start.
"""

from __future__ import annotations

import ipaddress
import logging
import signal
import sys
import threading

from ..errors import ConfigError
from ..program import load_program
from . import Settings, create_app
from .status import current_status
from .workers import PoolRenderer

MIN_PASSPHRASE = 12


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_listen(host: str, settings: Settings) -> None:
    """Refuse to expose the app beyond this computer without sign-in (ConfigError says why)."""
    if settings.passphrase is not None and len(settings.passphrase) < MIN_PASSPHRASE:
        raise ConfigError(f"PACKETS_WEB_PASSPHRASE must have at least {MIN_PASSPHRASE} characters")
    if is_loopback(host) or settings.passphrase or settings.trust_header:
        return
    raise ConfigError(f"--host {host} would let other computers reach the intake desk and the patient data "
                      "typed into it, with no sign-in. Set PACKETS_WEB_PASSPHRASE in the environment, or "
                      "name the header your single-sign-on proxy sets with --trust-header NAME")


def _stop(signum, frame):
    raise KeyboardInterrupt  # SIGTERM stops the server as Ctrl+C does: the workers are shut down


def url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/"


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8080, threads: int = 8,
          stream=None) -> int:
    from waitress import create_server

    stream = stream or sys.stdout
    check_listen(host, settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    renderer = PoolRenderer(load_program(settings.program_path), settings.workers)
    try:
        app = create_app(settings, renderer=renderer)
        body_limit = settings.max_upload_bytes + 64 * 1024
        try:
            server = create_server(
                app, host=host, port=port, threads=threads, ident="packets",
                max_request_body_size=body_limit,
                inbuf_overflow=body_limit + 1,          # request bodies stay in memory
                outbuf_overflow=2 ** 40,                # so do responses (a PDF never spills to disk)
                channel_timeout=300, clear_untrusted_proxy_headers=True)
        except OSError as err:
            raise ConfigError(f"cannot listen on {host}:{port} ({err.strerror or err}); "
                              "choose another port with --port") from None
        # The banner's status (CLDR names of every language) is ready before the first page asks.
        threading.Thread(target=current_status, args=(app.config["PROGRAM"], settings.require_reviewed),
                         daemon=True).start()
        print(f"Intake desk: open {url(host, server.effective_port)} in a browser "
              f"({renderer.workers} rendering worker(s)). Press Ctrl+C to stop.", file=stream, flush=True)
        signal.signal(signal.SIGTERM, _stop)
        try:
            server.run()
        except KeyboardInterrupt:
            print("Intake desk stopped.", file=stream, flush=True)
        finally:
            server.close()
    finally:
        renderer.close()
    return 0
