"""Output files: the folder checked first, one run per folder, nothing stale that looks current,
a full disk or a killed run never leaving a partial file or a worker behind.

Faults are injected (packets.output._write_all), never produced with a real full disk or a timer.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from packets import output, paths
from packets.build import Options
from packets.cli import main
from packets.errors import ConfigError
from packets.output import OutputFolder

HEADER = "name,mrn,language,first_admission,follow_up\n"


def roster(tmp_path, n=3, first=0, name="r.csv"):
    f = tmp_path / name
    f.write_text(HEADER + "".join(f"Pat Ient{i},{10000000 + i},en,2026-12-01,\n" for i in range(first, first + n)),
                 encoding="utf-8")
    return f


def report(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith((".partial", ".packets-reserve")))


# -- the folder ----------------------------------------------------------------------------------

@pytest.mark.parametrize("make, words", [
    pytest.param(lambda t: t / "no" / "such" / "folder", "does not exist, nor does the folder it would go in",
                 id="missing"),
    pytest.param(lambda t: (t / "f.txt").write_text("x") and t / "f.txt", "is a file, not a folder", id="a-file"),
    pytest.param(lambda t: os.symlink(t / "gone", t / "link") or t / "link", "is a link to", id="dangling-link"),
])
def test_a_bad_output_folder_is_one_line_exit_2(tmp_path, capsys, make, words):
    target = make(tmp_path)
    f = roster(tmp_path)
    for argv in (["batch", str(f), "--jobs", "1"], ["build", str(paths.data_dir() / "sample_patient.yaml")]):
        assert main(argv + ["-o", str(target)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [err[0]] and f"output folder {target}: {words}" in err[0], err


def test_a_missing_folder_is_created_in_the_working_folder_or_beside_an_existing_one(tmp_path, capsys,
                                                                                      monkeypatch):
    assert main(["batch", str(roster(tmp_path, 1)), "-o", str(tmp_path / "today"), "--jobs", "1"]) == 0
    assert (tmp_path / "today" / "10000000-en.pdf").is_file()
    monkeypatch.chdir(tmp_path)  # a fresh clone: out/ does not exist yet
    assert main(["batch", "r.csv", "-o", "out/2026-11-23", "--jobs", "1"]) == 0
    assert (tmp_path / "out" / "2026-11-23" / "10000000-en.pdf").is_file()


@pytest.mark.parametrize("code, words", [(errno.EROFS, "read-only"), (errno.EACCES, "no permission"),
                                         (errno.ENOSPC, "the disk is full")])
def test_a_folder_that_cannot_be_written_is_refused_before_any_work(tmp_path, capsys, monkeypatch, code, words):
    def fail(fh, data):
        raise OSError(code, os.strerror(code))
    monkeypatch.setattr(output, "_write_all", fail)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["batch", str(roster(tmp_path)), "-o", str(out), "--jobs", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"output folder {out}: cannot be written to" in err[0] and words in err[0]
    assert list(out.iterdir()) == []


def test_a_full_disk_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(output.shutil, "disk_usage", lambda p: _Usage(12_000))
    assert main(["build", str(paths.data_dir() / "sample_patient.yaml"), "-o", str(tmp_path)]) == 2
    assert f"output folder {tmp_path}: the disk is full (12 KB free)" in capsys.readouterr().err


class _Usage:
    def __init__(self, free):
        self.free = free


def test_two_runs_never_write_into_one_folder_at_once(tmp_path, capsys):
    out = tmp_path / "out"
    with OutputFolder(out):
        with pytest.raises(ConfigError, match="another run is writing into it now"):
            with OutputFolder(out):
                pass
        assert main(["batch", str(roster(tmp_path)), "-o", str(out), "--jobs", "1"]) == 2
        assert "another run is writing into it now" in capsys.readouterr().err
    with OutputFolder(out):  # released when the first run ends
        pass
    assert list(out.iterdir()) == []  # the lock leaves no file behind


def test_a_second_process_is_refused_while_a_run_holds_the_folder(tmp_path):
    out = tmp_path / "out"
    with OutputFolder(out):
        r = subprocess.run([sys.executable, str(paths.root() / "generate.py"), "batch", str(roster(tmp_path)),
                            "-o", str(out)], capture_output=True, text=True)
    assert r.returncode == 2 and "another run is writing into it now" in r.stderr


# -- nothing stale looks current ----------------------------------------------------------------

def test_reports_and_the_combined_file_belong_to_their_run(tmp_path, program, capsys):
    out = tmp_path / "out"
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Pat Ient,10000000,en,2026-12-01,\nPat Other,10000001,en,2026-02-30,\n", encoding="utf-8")
    assert main(["batch", str(bad), "-o", str(out), "--combined", str(out / "print-all.pdf"), "--jobs", "1"]) == 1
    assert (out / "errors.csv").is_file() and (out / "print-all.pdf").is_file()

    # Yesterday's errors.csv does not survive a run without errors; the manifest lists this run's files.
    good = roster(tmp_path, 2, first=5)
    assert main(["batch", str(good), "-o", str(out), "--jobs", "1"]) == 0
    assert not (out / "errors.csv").exists()
    assert not (out / "print-all.pdf").exists()  # the previous run's combined file, with other patients
    assert [(r["kind"], r["line"], r["mrn"], r["file"]) for r in report(out / "manifest.csv")] == [
        ("packet", "2", "****0005", "10000005-en.pdf"), ("packet", "3", "****0006", "10000006-en.pdf")]
    summary = capsys.readouterr().out
    assert f"2 packet(s) written to {out} (listed in {out / 'manifest.csv'})" in summary

    # When every row fails, no combined file of an earlier run is left to print.
    assert main(["batch", str(good), "-o", str(out), "--combined", str(out / "print-all.pdf"), "--jobs", "1"]) == 0
    assert (out / "print-all.pdf").is_file()
    allbad = tmp_path / "allbad.csv"
    allbad.write_text(HEADER + "Pat Ient,10000009,en,2026-02-30,\n", encoding="utf-8")
    assert main(["batch", str(allbad), "-o", str(out), "--combined", str(out / "print-all.pdf"), "--jobs", "1"]) == 1
    assert not (out / "print-all.pdf").exists()
    assert report(out / "manifest.csv") == [] and [r["line"] for r in report(out / "errors.csv")] == ["2"]


def test_a_refused_row_does_not_leave_its_outdated_packet(tmp_path, capsys):
    out = tmp_path / "out"
    f = roster(tmp_path, 1)
    assert main(["batch", str(f), "-o", str(out), "--jobs", "1"]) == 0
    assert (out / "10000000-en.pdf").is_file()
    f.write_text(HEADER + "Pat Ient0,10000000,en,2026-12-01,2026-02-30\n", encoding="utf-8")  # today: a typo
    assert main(["batch", str(f), "-o", str(out), "--jobs", "1"]) == 1
    assert not (out / "10000000-en.pdf").exists() and not (out / "10000000-en.ics").exists()
    assert "removed 1 older packet(s) of refused rows" in capsys.readouterr().err


def test_variants_get_distinct_file_names(tmp_path, capsys):
    f = roster(tmp_path, 1)
    names = set()
    for extra in ([], ["--large-print"], ["--bilingual"], ["--bilingual", "--large-print"]):
        assert main(["batch", str(f), "-o", str(tmp_path / "out"), "--jobs", "1", *extra]) == 0
        names |= {p.name for p in (tmp_path / "out").glob("*.pdf")}
    assert names == {"10000000-en.pdf", "10000000-en-large-print.pdf", "10000000-en-bilingual.pdf",
                     "10000000-en-bilingual-large-print.pdf"}


@pytest.mark.parametrize("target", ["out/10000001-en.pdf", "out/10000001-en.ics", "out/errors.csv",
                                    "out/manifest.csv", "r.csv", "out"])
def test_combined_never_overwrites_a_packet_or_an_input(tmp_path, capsys, monkeypatch, target):
    monkeypatch.chdir(tmp_path)
    f = roster(tmp_path)
    (tmp_path / "out").mkdir()
    before = f.read_bytes()
    assert main(["batch", "r.csv", "-o", "out", "--combined", target, "--jobs", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: --combined {target}: ")
    assert list((tmp_path / "out").iterdir()) == [] and f.read_bytes() == before


# -- a full disk during a batch ------------------------------------------------------------------

def test_disk_full_during_a_batch_still_writes_the_reports_and_leaves_no_partial_file(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    real = output._write_all
    state = {"pdfs": 0, "full": False}

    def disk(fh, data):
        """The disk fills up while the 3rd PDF is written; space comes back only when the run frees
        the space it reserved at the start."""
        if state["full"] and not (out / ".packets-reserve").exists():
            state["full"] = False
        if data[:4] == b"%PDF":
            state["pdfs"] += 1
            if state["pdfs"] == 3:
                state["full"] = True
        if state["full"]:
            fh.write(data[:100])
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fh, data)

    monkeypatch.setattr(output, "_write_all", disk)
    assert main(["batch", str(roster(tmp_path, 6)), "-o", str(out), "--jobs", "1"]) == 2
    captured = capsys.readouterr()
    assert f"batch stopped: the disk is full; 2 packet(s) written to {out}" in captured.out
    assert "4 row(s) failed" in captured.out and f"see {out / 'errors.csv'}" in captured.out
    assert [(r["line"], r["mrn"], r["problem"]) for r in report(out / "errors.csv")] == [
        (str(line), f"****{line - 2:04d}", f"not written: the disk is full in {out}") for line in range(4, 8)]
    assert [r["file"] for r in report(out / "manifest.csv")] == ["10000000-en.pdf", "10000001-en.pdf"]
    assert leftovers(out) == []
    # Each packet is whole: a PDF with its calendar, or neither.
    assert sorted(p.name for p in out.iterdir()) == ["10000000-en.ics", "10000000-en.pdf", "10000001-en.ics",
                                                     "10000001-en.pdf", "errors.csv", "manifest.csv"]
    for pdf in out.glob("*.pdf"):
        assert PdfReader(pdf).pages


def test_a_failed_write_of_one_packet_removes_its_temporary_files(tmp_path, monkeypatch):
    def fail(fh, data):
        fh.write(data[:10])
        raise OSError(errno.EIO, "Input/output error")
    out = tmp_path / "o"
    out.mkdir()
    monkeypatch.setattr(output, "_write_all", fail)
    with pytest.raises(OSError):
        output.write_together([(out / "a.ics", b"x"), (out / "a.pdf", b"%PDF")])
    assert list(out.iterdir()) == []


def test_a_pair_interrupted_between_its_two_renames_is_removed_whole(tmp_path, monkeypatch):
    """The calendar file is in place and the PDF's rename fails (or a signal arrives): the calendar
    file goes too, so no .ics sits without its PDF."""
    out = tmp_path / "o"
    out.mkdir()
    real = os.replace

    def replace(src, dst):
        if str(dst).endswith(".pdf"):
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(output.os, "replace", replace)
    with pytest.raises(OSError):
        output.write_together([(out / "a.ics", b"BEGIN:VCALENDAR"), (out / "a.pdf", b"%PDF")])
    assert list(out.iterdir()) == []


def test_each_file_is_on_the_disk_before_it_takes_its_name(tmp_path, monkeypatch):
    """A power cut after a rename must not leave an empty PDF under the final name: every temporary
    file is fsynced, and only then renamed."""
    out = tmp_path / "o"
    out.mkdir()
    synced, renamed = set(), []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        synced.add(os.fstat(fd).st_ino)
        real_fsync(fd)

    def replace(src, dst):
        renamed.append((Path(dst).name, os.stat(src).st_ino in synced))
        real_replace(src, dst)

    monkeypatch.setattr(output.os, "fsync", fsync)
    monkeypatch.setattr(output.os, "replace", replace)
    output.write_together([(out / "a.ics", b"BEGIN:VCALENDAR"), (out / "a.pdf", b"%PDF")])
    assert renamed == [("a.ics", True), ("a.pdf", True)]
    assert (out / "a.pdf").read_bytes() == b"%PDF" and (out / "a.ics").read_bytes() == b"BEGIN:VCALENDAR"


# -- killing a batch -----------------------------------------------------------------------------

# Runs the command line with one fault injected: the 2nd PDF is half written, then the run waits
# to be killed. Worker PIDs are recorded as the workers start.
_WRAPPER = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {root!r})
    import packets.batch as batch, packets.output as output
    real_write, real_init = output._write_all, batch._init_worker
    state = {{"pdfs": 0}}

    def write_all(fh, data):
        if data[:4] == b"%PDF":
            state["pdfs"] += 1
            if state["pdfs"] == 2:
                fh.write(data[: len(data) // 2]); fh.flush()
                open({marker!r}, "w").close()
                time.sleep(300)
        real_write(fh, data)

    def init_worker(*args):
        real_init(*args)
        with open({pids!r}, "a") as f:
            f.write(f"{{os.getpid()}}\\n")

    output._write_all, batch._init_worker = write_all, init_worker
    from packets.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status  # a zombie has finished


def _wait_until(check, what: str, limit: float = 60) -> None:
    end = time.monotonic() + limit
    while not check():
        if time.monotonic() > end:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG and /proc are Linux")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killing_a_batch_leaves_no_worker_and_no_partial_file(tmp_path, sig):
    out, marker, pids = tmp_path / "out", tmp_path / "stopped", tmp_path / "pids"
    script = tmp_path / "wrapped.py"
    script.write_text(_WRAPPER.format(root=str(paths.root()), marker=str(marker), pids=str(pids)), encoding="utf-8")
    f = roster(tmp_path, 8)
    proc = subprocess.Popen([sys.executable, str(script), "batch", str(f), "-o", str(out), "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_until(lambda: marker.exists() or proc.poll() is not None, "the run to reach its 2nd PDF")
        assert proc.poll() is None, proc.communicate()
        workers = [int(x) for x in pids.read_text().split()]
        assert len(workers) == 2
        assert [p.name for p in out.glob(".partial-*")]  # the injected fault: a PDF half written
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    _wait_until(lambda: not any(_alive(w) for w in workers), "the workers to end")
    if sig == signal.SIGTERM:  # handled: temporary files removed on the way out
        assert proc.returncode == 1 and "interrupted" in stderr and "Traceback" not in stderr
        assert leftovers(out) == []
    # Every PDF at its final name is whole, and the next run clears what a SIGKILL left.
    for pdf in out.glob("*.pdf"):
        assert PdfReader(pdf).pages
    assert main(["batch", str(f), "-o", str(out), "--jobs", "1"]) == 0
    assert leftovers(out) == []
    assert len(list(out.glob("*.pdf"))) == 8


def test_stale_partial_files_are_removed_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".partial-abc123.tmp").write_bytes(b"%PDF-1.4 half")
    assert main(["batch", str(roster(tmp_path, 1)), "-o", str(out), "--jobs", "1"]) == 0
    assert leftovers(out) == []


def test_run_batch_keeps_its_signature_for_other_callers(tmp_path, program):
    """FHIR import and the web app call run_batch with Rows; parse_roster works from bytes."""
    from packets.batch import run_batch
    from packets.roster import parse_roster
    rows = parse_roster((HEADER + "Pat Ient,10000000,en,2026-12-01,\n").encode(), "upload.csv")
    result = run_batch(rows, program, Options(), tmp_path / "o", jobs=1)
    assert [p.name for p in result.written] == ["10000000-en.pdf"] and result.errors == []
