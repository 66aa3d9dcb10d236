"""Helpers for the web tests: form tokens, sample rosters, and a real server in a subprocess."""

from __future__ import annotations

import datetime as dt
from html import unescape
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')

# Dates a few weeks ahead, so no "dates in the past" warning interrupts the flow.
FIRST = dt.date.today() + dt.timedelta(days=40)
LATER = FIRST + dt.timedelta(days=70)


def csrf(html: str) -> str:
    m = _TOKEN.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def patient_form(**over) -> dict:
    data = {"name": "Jordan Quill-Smith", "mrn": "00412345", "language": "en",
            "first_admission": FIRST.isoformat(), "birth_date": "1961-07-14", "paper": ""}
    data.update(over)
    return data


EXAMPLES = ROOT / "examples" / "fhir"
# The day the FHIR examples were written for (2026-11-23): their admissions are ahead of it, and
# their Encounters behind it. Servers that import them run on this day (SOURCE_DATE_EPOCH).
FHIR_DAY = "1795392000"
# Every patient name in the FHIR examples the tests upload, to search logs for.
FHIR_NAMES = ["Ana María Ruiz", "陳美玲", "Văn An Nguyễn", "Fatima Haddad", "Irina Volkova", "Marie Claude Joseph"]

# A roster with good and bad rows; every name is distinct so a test can search logs for them.
ROSTER_NAMES = ["Ana María Ruiz", "Nguyễn Văn An", "Secret Badday", "Secret Nolang", "Wei Okafor"]


def roster_csv() -> bytes:
    f, later = FIRST.isoformat(), LATER.isoformat()
    text = ("\ufeffname,mrn,birth_date,language,first_admission,cycles,response_scan,follow_up\r\n"
            f'"Ana María Ruiz",00412345,1961-07-14,es-US,{f},,,{later}\r\n'
            f'"Nguyễn Văn An",00519876,1958-02-01,vi,{f},,,\r\n'
            f'"Secret Badday",00500001,,en,{FIRST.year}-02-30,,,\r\n'          # line 4: impossible date
            f'"Secret Nolang",00500002,,xx-YY,{f},,,\r\n'                      # line 5: no such language
            f'"Wei Okafor",00633210,,en,,{f};{(FIRST + dt.timedelta(days=21)).isoformat()},,\r\n')
    return text.encode("utf-8")


def table_form(html: str) -> dict:
    """The table's inputs, as the browser would send them back."""
    data = dict(re.findall(r'<input type="(?:hidden|text|date)"[^>]* name="([^"]+)" value="([^"]*)"', html))
    data.update(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        m = re.search(r'<option value="([^"]*)" selected>', body)
        data[name] = m.group(1) if m else ""
    return {k: unescape(v) for k, v in data.items()}


class Server:
    """``python generate.py serve --port 0`` in a subprocess; ``url`` once it printed its address."""

    def __init__(self, *args: str, env: dict | None = None, workers: int = 1):
        full_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "generate.py"), "serve", "--port", "0", "--workers", str(workers), *args],
            cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"(http://\S+/)", line)
        if not m:
            self.stop()
            raise AssertionError(f"server did not start: {line!r} {self.stderr}")
        self.url = m.group(1)
        self.stderr = ""

    def wait_ready(self, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(self.url, timeout=5).read()
                return
            except OSError:
                if time.monotonic() > end:
                    raise
                time.sleep(0.1)

    def stop(self) -> str:
        """Stop it as Ctrl+C or a service manager would (SIGTERM); return what it logged."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            out, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        self.stderr = err
        return err


class Client:
    """A plain HTTP client with cookies (no browser), for the real server."""

    def __init__(self, base: str):
        import http.cookiejar
        self.base = base.rstrip("/")
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path: str, data: bytes | None = None, content_type: str | None = None):
        req = urllib.request.Request(self.base + path, data=data, method="POST" if data is not None else "GET")
        if content_type:
            req.add_header("Content-Type", content_type)
        try:
            with self.opener.open(req, timeout=120) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as err:
            with err:
                return err.code, err.headers, err.read()

    def get(self, path: str):
        return self.request(path)

    def token(self, page: str = "/") -> str:
        return csrf(self.get(page)[2].decode("utf-8"))

    def post(self, path: str, fields: dict, page: str = "/"):
        from urllib.parse import urlencode
        body = urlencode({**fields, "csrf_token": self.token(page)}).encode("utf-8")
        return self.request(path, body, "application/x-www-form-urlencoded")

    def upload(self, data: bytes, filename: str = "roster.csv", path: str = "/roster", field: str = "roster"):
        """A file field posted as the browser posts it; ``data`` may be ``{filename: bytes}`` for several."""
        from werkzeug.datastructures import FileStorage, MultiDict
        from werkzeug.test import encode_multipart
        import io
        files = data if isinstance(data, dict) else {filename: data}
        fields = MultiDict([("csrf_token", self.token(path))] +
                           [(field, FileStorage(io.BytesIO(b), name, field)) for name, b in files.items()])
        boundary, body = encode_multipart(fields)
        return self.request(path, body, f"multipart/form-data; boundary={boundary}")
