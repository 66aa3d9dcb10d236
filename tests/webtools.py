"""Helpers for the web tests: form tokens, sample rosters, and a real server in a subprocess."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
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
