"""The real server (``generate.py serve``, waitress and worker processes) through a whole day's
work: nothing about a patient reaches its log or its disk."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

import pytest

from webtools import (EXAMPLES, FHIR_NAMES, ROSTER_NAMES, Client, Server, patient_form, roster_csv,
                      table_form)

# Loaded by every Python process of the server (the workers too): reports each file opened for
# writing. PYTHONDONTWRITEBYTECODE keeps imports from writing .pyc files.
AUDIT_HOOK = '''
import os, sys
_WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
def _audit(event, args):
    if event == "open":
        path, mode, flags = args
        if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (isinstance(flags, int) and flags & _WRITE):
            if path not in ("/dev/null",) and not isinstance(path, int):
                sys.stderr.write("AUDIT-WRITE %r\\n" % (path,))
sys.addaudithook(_audit)
'''
NAMES = ["Jordan Quill-Smith", "Secret Typo-Person", "Secret Pastdate"] + ROSTER_NAMES + FHIR_NAMES + \
    ["Anita", "Erik Lindqvist"]   # the bundle's nickname, and the export's patient without admissions
MRNS = ["00412345", "00519876", "00633210", "00500001", "00500002", "00777001", "00777002",
        "00744321", "00855012", "00966103", "00977214"]


def print_table(c: Client, path: str, html: str):
    """POST the table to /roster/print or /roster/zip; confirm the warnings if it asks first (the
    examples' dates may be behind the real clock)."""
    form = table_form(html)
    answer = c.request(path, urlencode(form).encode("utf-8"), "application/x-www-form-urlencoded")
    m = re.search(rb'name="confirmed" value="([^"]+)"', answer[2])
    if answer[0] == 200 and m:
        form["confirmed"] = m.group(1).decode()
        answer = c.request(path, urlencode(form).encode("utf-8"), "application/x-www-form-urlencoded")
    return answer


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    """One server, a day's work through it, then its whole log (stderr)."""
    hook = tmp_path_factory.mktemp("hook")
    (hook / "sitecustomize.py").write_text(AUDIT_HOOK, encoding="utf-8")
    server = Server(env={"PYTHONPATH": str(hook)}, workers=2)
    seen = {}
    try:
        server.wait_ready()
        c = Client(server.url)
        seen["packet"] = c.post("/packet", patient_form())
        seen["mistake"] = c.post("/packet", patient_form(name="Secret Typo-Person", mrn="007 77001"))
        seen["warning"] = c.post("/packet", patient_form(name="Secret Pastdate", mrn="00777002",
                                                         first_admission="2024-01-09"))
        status, _, body = c.upload(roster_csv())
        seen["upload"] = (status, body)
        data = table_form(body.decode("utf-8"))
        form = urlencode(data).encode("utf-8")
        seen["check"] = c.request("/roster/check", form, "application/x-www-form-urlencoded")
        seen["print"] = c.request("/roster/print", form, "application/x-www-form-urlencoded")
        seen["zip"] = c.request("/roster/zip", form, "application/x-www-form-urlencoded")
        # The EHR import: a Bundle, then a Bulk Data export, each printed and zipped.
        bundle = EXAMPLES / "clinic-day-bundle.json"
        status, _, body = c.upload(bundle.read_bytes(), bundle.name, path="/ehr", field="ehr")
        seen["ehr"] = (status, body)
        seen["ehr-print"] = print_table(c, "/roster/print", body.decode("utf-8"))
        seen["ehr-zip"] = print_table(c, "/roster/zip", body.decode("utf-8"))
        bulk = {p.name: p.read_bytes() for p in sorted((EXAMPLES / "bulk-export").iterdir())}
        status, _, body = c.upload(bulk, path="/ehr", field="ehr")
        seen["bulk"] = (status, body)
        seen["bulk-zip"] = print_table(c, "/roster/zip", body.decode("utf-8"))
        seen["ehr-bad"] = c.upload(b"{not json", "export.json", path="/ehr", field="ehr")
        seen["preview"] = c.get("/languages/ar/preview.pdf")
        seen["languages"] = c.get("/languages")
        seen["csrf"] = c.request("/packet", urlencode(patient_form()).encode(), "application/x-www-form-urlencoded")
        seen["missing"] = c.get("/no-such-page")
    finally:
        log = server.stop()
    return seen, log


def test_the_day_works_through_the_real_server(day):
    seen, log = day
    assert seen["packet"][0] == 200 and seen["packet"][2].startswith(b"%PDF")
    assert seen["mistake"][0] == 422 and b'id="f-mrn-error"' in seen["mistake"][2]
    assert seen["warning"][0] == 200 and b"in the past" in seen["warning"][2]
    assert seen["upload"][0] == 200 and seen["check"][0] == 200
    assert seen["print"][0] == 200 and seen["print"][2].startswith(b"%PDF")
    assert seen["zip"][0] == 200 and seen["zip"][2].startswith(b"PK")
    assert seen["preview"][0] == 200 and seen["csrf"][0] == 400 and seen["missing"][0] == 404
    assert seen["ehr"][0] == 200 and "3 ready" in unescape(seen["ehr"][1].decode())
    assert seen["ehr-print"][2].startswith(b"%PDF") and seen["ehr-zip"][2].startswith(b"PK")
    assert seen["bulk"][0] == 200 and seen["bulk-zip"][2].startswith(b"PK")
    assert seen["ehr-bad"][0] == 422 and b"export.json, line 1: not JSON" in seen["ehr-bad"][2]
    for status, headers, _ in (seen["packet"], seen["print"], seen["zip"], seen["mistake"]):
        assert headers["Cache-Control"] == "no-store"
    # The log is there, and useful: one line per request, method, path and status.
    for line in ("POST /packet 200", "POST /packet 422", "POST /roster 200", "POST /roster/print 200",
                 "POST /roster/zip 200", "POST /packet 400", "GET /no-such-page 404", "POST /ehr 200",
                 "POST /ehr 422"):
        assert line in log, line


def test_no_patient_data_in_the_server_log(day):
    _, log = day
    words = NAMES + MRNS + [w for n in NAMES for w in n.split() if len(w) >= 5]  # "Quill-Smith", "Okafor"
    for word in words:
        assert word not in log, word
    birth_dates = ["1961-07-14", "1958-02-01", "1970-11-30", "1966-05-05", "1972-03-09", "1980-08-23"]
    assert not any(d in log for d in birth_dates)


def test_nothing_is_written_to_disk(day):
    """No upload folder, no PDF cache, no spooled request or response body: no file is opened for
    writing by the server or its workers during the whole day."""
    _, log = day
    writes = [line for line in log.splitlines() if line.startswith("AUDIT-WRITE")]
    assert writes == []


def test_the_audit_hook_would_see_a_write(tmp_path):
    """The disk check above can fail: the same hook reports a temporary file."""
    import subprocess
    import sys
    (tmp_path / "sitecustomize.py").write_text(AUDIT_HOOK, encoding="utf-8")
    r = subprocess.run([sys.executable, "-c", "import tempfile; tempfile.TemporaryFile().close()"],
                       env={"PYTHONPATH": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"},
                       capture_output=True, text=True)
    assert "AUDIT-WRITE" in r.stderr


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_no_worker_outlives_the_server(how):
    """Stopped (SIGTERM, as a service manager does) or killed outright, the server leaves no
    rendering process behind."""
    import signal
    import time
    import psutil
    def alive(procs):
        return [p.pid for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]

    server = Server(workers=2)
    children = []
    try:
        server.wait_ready()
        children = psutil.Process(server.proc.pid).children(recursive=True)
        assert len(children) >= 2
        server.proc.send_signal(getattr(signal, how))
        server.proc.wait(timeout=30)
        end = time.monotonic() + 30
        while alive(children) and time.monotonic() < end:
            time.sleep(0.2)
        assert alive(children) == []
    finally:
        for pid in alive(children):      # a failed run cleans up the processes it started
            psutil.Process(pid).kill()
        server.stop()
