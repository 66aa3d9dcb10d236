"""Batch printing: every row of a roster to its own packet, in parallel, one bad row never
stopping the rest.

In: roster rows (from a roster, FHIR import or the web app), a program profile and build
options. Out: files in OUTDIR, a :class:`BatchResult`.

A run, in order:

1. The output folder is checked and locked (:class:`~packets.output.OutputFolder`); the files
   that belong to the previous run, ``errors.csv``, ``manifest.csv`` and the combined PDF,
   are removed, so nothing of an earlier run looks like this run's, even when every row fails.
2. Every row is validated in this process (cheap): all problems of a row at once. Rows that
   share an MRN or an output file (``es-US`` and ``es-MX`` both print the Spanish packet) are
   all refused: no packet overwrites another patient's. A refused row's packet from an earlier
   run is removed, so an outdated one is not printed instead.
3. Valid rows are drawn by worker processes. Workers only return bytes; this process writes
   every file (temporary name, then rename). A worker dies with this process, even by SIGKILL
   (Linux: PR_SET_PDEATHSIG), so a killed run leaves no workers; its temporary files are hidden
   (``.partial-*``) and the next run into the folder removes them.
4. A caller's ``after_build`` step runs next, with the folder still locked (the FHIR command
   sends its DocumentReferences here); the problems it returns join the run's errors.
5. ``manifest.csv`` lists what this run wrote (kind, line, masked MRN, file: each packet and its
   companion files), ``errors.csv`` every problem (line, column, masked MRN, reason; never a
   name). If the disk fills up, the run stops building, frees the space it reserved at the start,
   and still writes both, so staff see exactly which rows have no packet.

Companion files (:class:`Companion`, such as a FHIR DocumentReference) are made from the drawn
packet and the row it came from, and written in one step with the packet's PDF and calendar
file: all appear or none do, and a refused row loses all of its earlier files together.

Why a manifest and not a subfolder per run: printer hot folders, staff scripts and the
``--combined`` path point at one stable folder, and a packet's file name stays
``<mrn>-<lang>.pdf``; a run replaces its own previous report files instead of hiding them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from .build import BuiltPacket, Options, build_packet, packet_filename
from .clock import printed_date
from .errors import ConfigError, InputError, PacketError
from .output import OutputFolder, _unlink, describe, write_together
from .patient import Patient, check_mrn
from .program import Program
from .roster import Row, row_errors

ERRORS_FILE = "errors.csv"
MANIFEST_FILE = "manifest.csv"
RESERVE_FILE = ".packets-reserve"
MAX_JOBS = 256


@dataclass
class Outcome:
    index: int
    built: BuiltPacket | None = None
    error: list[dict] | None = None


@dataclass(frozen=True)
class Companion:
    """A file written beside each packet, in one step with it: ``<packet name><suffix>``.

    ``make(row, built)`` gives its bytes from the row the packet was made from and the drawn
    packet; it runs in the batch's own process. ``kind`` is its ``kind`` in the manifest.
    """
    suffix: str                                     # replaces '.pdf': '.documentreference.json'
    kind: str                                       # 'documentreference'
    make: Callable[[Row, BuiltPacket], bytes]

    def name_for(self, packet_name: str) -> str:
        return packet_name[:-4] + self.suffix


@dataclass(frozen=True)
class Written:
    """One packet this run wrote: the row it was made from and its files, the PDF last."""
    row: Row
    files: tuple[Path, ...]

    @property
    def pdf(self) -> Path:
        return self.files[-1]

    def companion(self, companion: Companion) -> Path:
        return self.pdf.with_name(companion.name_for(self.pdf.name))


@dataclass
class BatchResult:
    written: list[Path] = field(default_factory=list)   # the PDFs, in the order written
    packets: list[Written] = field(default_factory=list)  # the same packets with their rows and all files
    errors: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    combined: Path | None = None
    manifest: Path | None = None
    errors_file: Path | None = None
    stopped: str | None = None          # why the run stopped writing (a full disk), or None
    removed: list[Path] = field(default_factory=list)  # outdated packets of refused rows

    @property
    def failed_rows(self) -> int:
        return len({(e.get("file", ""), e["line"]) for e in self.errors})


def _neutral(value) -> str:
    """A cell a spreadsheet will not run as a formula (=, +, -, @, tab, CR start one)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_bytes(header: list[str], rows: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow([_neutral(r.get(k, "")) for k in header])
    return buf.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 with a BOM correctly


# -- worker side: content, catalogs and fonts load once per process, not once per packet --------
_WORKER: dict = {}


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this worker when the batch process dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _init_worker(program: Program, options: Options, password: str | None, parent: int | None = None) -> None:
    if parent is not None:
        _die_with_parent(parent)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler is inherited by fork
    from .content import load_content
    _WORKER.update(program=program, options=options, content=load_content(), password=password)


def _build_one(job: tuple[int, Patient, Row]) -> Outcome:
    index, patient, row = job
    try:
        built = build_packet(patient, _WORKER["program"], _WORKER["options"], _WORKER["content"],
                             password=_WORKER["password"])
        return Outcome(index, built=built)
    except Exception as err:  # noqa: BLE001 - a bug must not stop the batch, nor print data that may name a patient
        return Outcome(index, error=row_errors(row, err))


class Progress:
    """A tqdm bar on a terminal; otherwise sparse plain lines (every 10%)."""

    def __init__(self, total: int, stream=None):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.bar = None
        self.next_report = max(total // 10, 1)
        if getattr(self.stream, "isatty", lambda: False)():
            try:
                from tqdm import tqdm
                self.bar = tqdm(total=total, unit="packet", file=self.stream)
            except ImportError:
                self.bar = None

    def step(self) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        elif self.done >= self.next_report or self.done == self.total:
            print(f"batch: {self.done}/{self.total} rows done", file=self.stream)
            self.next_report = self.done + max(self.total // 10, 1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _outcomes(jobs_list: list, program: Program, options: Options, jobs: int, password: str | None):
    if jobs <= 1 or len(jobs_list) <= 1:
        _init_worker(program, options, password)
        for job in jobs_list:
            yield _build_one(job)
        return
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                               initargs=(program, options, password, os.getpid()))
    try:
        # Small chunks: an interrupted run waits for at most a few packets per worker.
        chunk = max(1, min(4, len(jobs_list) // (jobs * 4) or 1))
        yield from pool.map(_build_one, jobs_list, chunksize=chunk)
    finally:
        # Interrupted, stopped by SIGTERM or by a full disk: queued work is dropped and the workers
        # finish the packet in hand and exit before the run returns. (Killing them here instead
        # trips a Python 3.11 bug in the pool's manager thread; SIGKILL of this process is
        # covered by PR_SET_PDEATHSIG.)
        pool.shutdown(wait=True, cancel_futures=True)


def combine(packets: list[bytes]) -> bytes:
    """One PDF; each packet starts on an odd page (a blank page pads an odd-length packet)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for data in packets:
        reader = PdfReader(io.BytesIO(data))
        for page in reader.pages:
            writer.add_page(page)
        if len(reader.pages) % 2:
            last = reader.pages[-1]
            writer.add_blank_page(width=last.mediabox.width, height=last.mediabox.height)
    writer.add_metadata({"/Title": "IL-2 patient packets (combined for printing)"})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _same(a: Path, b: Path) -> bool:
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def _inside(folder: Path, path: Path) -> bool:
    return _same(path.parent, folder)


def _catalog_tag(language: str) -> str:
    from .i18n.locales import bcp47, catalog_id_for
    return bcp47(catalog_id_for(language))


def _planned_name(row: Row, program: Program, options: Options) -> str | None:
    """The file a row would have printed to, if its MRN and language can be read."""
    record = row.record if isinstance(row.record, dict) else {}
    try:
        mrn = check_mrn(record.get("mrn"), row.file, program)
        return packet_filename(mrn, _catalog_tag(options.language or str(record.get("language") or "")), options)
    except (PacketError, TypeError):
        return None


def _previous_combined(folder: Path) -> Path | None:
    """The combined file the previous run recorded in its manifest, if it is in this folder."""
    try:
        text = (folder / MANIFEST_FILE).read_text(encoding="utf-8-sig")
        for rec in csv.DictReader(io.StringIO(text)):
            if rec.get("kind") == "combined" and rec.get("file") and "/" not in rec["file"] \
                    and "\\" not in rec["file"]:  # only a file of this folder is this folder's to remove
                path = folder / rec["file"]
                return path if path.is_file() else None
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return None


def _readable_mrn(row: Row, program: Program) -> str | None:
    try:
        return check_mrn(row.record.get("mrn"), row.file, program) if isinstance(row.record, dict) \
            and not row.problems else None
    except PacketError:
        return None


def _refuse_duplicates(valid: list[tuple[int, Patient, str]], failed: set[int], rows: list[Row], program: Program,
                       result: BatchResult) -> set[int]:
    """Rows sharing an MRN or an output file: every row involved is refused. A row refused for
    another reason still counts: two patients with one MRN means one of the MRNs is wrong."""
    groups: dict[tuple[str, str], list[int]] = {}
    for index, patient, name in valid:
        groups.setdefault(("mrn", patient.mrn.casefold()), []).append(index)
        groups.setdefault(("file", name.casefold()), []).append(index)
    for index in sorted(failed):
        mrn = _readable_mrn(rows[index], program)
        if mrn:
            groups.setdefault(("mrn", mrn.casefold()), []).append(index)
    refused: dict[int, str] = {}
    for (kind, _), members in groups.items():
        if len(members) < 2:
            continue
        members = sorted(set(members))
        lines = [rows[i].line for i in members]
        for i in members:
            others = ", ".join(str(n) for n in lines if n != rows[i].line) or str(rows[i].line)
            why = ("the same MRN is on line(s) " + others + " too" if kind == "mrn" else
                   "line(s) " + others + " would print to the same file (the same MRN and packet language)")
            refused.setdefault(i, f"{why}; a roster holds each patient once, so no packet was made for any of "
                                  "these rows: correct the MRN or remove the extra row")
    for i, why in refused.items():
        result.errors.extend(row_errors(rows[i], InputError(why, field="mrn")))
    return set(refused)


def _own_files(name: str, companions: Sequence[Companion] = ()) -> list[str]:
    """The file names a packet named ``name`` comes with: the PDF, its calendar and companions."""
    return [name, name[:-4] + ".ics"] + [c.name_for(name) for c in companions]


def check_combined(combined: Path, outdir: Path, planned: list[str], inputs: list[Path] = (),
                   companions: Sequence[Companion] = ()) -> None:
    """``--combined`` must not be a packet, a report file, an input or a folder of this run."""
    if combined.is_dir():
        raise ConfigError(f"--combined {combined}: is a folder; give a file name such as print-all.pdf")
    if combined.exists() and not combined.is_file():
        raise ConfigError(f"--combined {combined}: is not a regular file")
    ours = [outdir / f for n in planned for f in _own_files(n, companions)] + \
        [outdir / ERRORS_FILE, outdir / MANIFEST_FILE] + list(inputs)
    if any(_same(combined, p) for p in ours):
        raise ConfigError(f"--combined {combined}: is the path of a packet or another file of this run; "
                          "choose another name, such as print-all.pdf")
    if not combined.absolute().parent.is_dir():
        raise ConfigError(f"--combined {combined}: the folder {combined.absolute().parent} does not exist")


def validate_rows(rows: list[Row], program: Program, options: Options, result: BatchResult,
                  today: dt.date | None = None) -> tuple[list[tuple[int, Patient, str]], set[int]]:
    """Step 2 of a run, also for callers that check rows before building (the web app's table):
    every row validated, all its problems at once, and the rows that share an MRN or an output
    file refused. Returns the valid rows as (index, patient, file name) and the indexes of the
    failed ones; ``result.errors`` gets one line per problem."""
    today = today or printed_date()
    valid: list[tuple[int, Patient, str]] = []
    failed: set[int] = set()
    for i, row in enumerate(rows):
        try:
            patient = row.patient(program, today)
            name = packet_filename(patient.mrn, _catalog_tag(options.language or patient.language), options)
            valid.append((i, patient, name))
        except Exception as err:  # noqa: BLE001 - reported per row, never as a crash of the run
            result.errors.extend(row_errors(row, err))
            failed.add(i)
    refused = _refuse_duplicates(valid, failed, rows, program, result)
    return [v for v in valid if v[0] not in refused], failed | refused


def run_batch(rows: list[Row], program: Program, options: Options, outdir: Path, *, jobs: int = 0,
              combined: Path | None = None, sort_by_language: bool = False, password: str | None = None,
              stream=None, today: dt.date | None = None, inputs: list[Path] = (),
              companions: Sequence[Companion] = (),
              after_build: Callable[[BatchResult], list[dict]] | None = None) -> BatchResult:
    """Build every row into OUTDIR; see the module doc for the order of a run.

    Raises :class:`ConfigError` (nothing written) for a problem of the whole run: the output
    folder, ``--combined``, another run holding the folder. Row problems end in ``result.errors``.
    ``companions`` are written with each packet; ``after_build(result)`` runs once the packets
    are written, before the reports, and returns more errors (dicts as :func:`row_errors` makes).
    """
    outdir = Path(outdir)
    result = BatchResult()
    with OutputFolder(outdir) as folder:
        # 2. validate every row here, before any file changes
        valid, failed = validate_rows(rows, program, options, result, today)
        if combined is not None:
            check_combined(Path(combined), outdir, [n for _, _, n in valid], inputs, companions)

        # 1. this run's report files replace the last run's, whatever happens next
        stale = [outdir / ERRORS_FILE, _previous_combined(outdir), Path(combined) if combined else None,
                 outdir / MANIFEST_FILE]
        for path in stale:
            if path is not None:
                _unlink(path)
        planned = {n for _, _, n in valid}
        for i in sorted(failed):  # a refused row's packet from an earlier run is outdated: remove it
            name = _planned_name(rows[i], program, options)
            if name and name not in planned:
                if (outdir / name).is_file():
                    result.removed.append(outdir / name)
                for old in _own_files(name, companions):
                    _unlink(outdir / old)

        reserve = _reserve(outdir, len(rows))
        try:
            _build_all(valid, rows, program, options, outdir, jobs, password, stream, result,
                       combined is not None, sort_by_language, Path(combined) if combined else None, companions)
        finally:
            _unlink(reserve)
        if after_build is not None:
            result.errors.extend(after_build(result))
        _write_reports(outdir, result, companions)
    return result


def _reserve(outdir: Path, rows: int) -> Path:
    """Space set aside at the start, freed if the disk fills up, so the reports can still be written."""
    path = outdir / RESERVE_FILE
    try:
        write_together([(path, b"\0" * (64_000 + 400 * rows))])
    except OSError as exc:
        raise ConfigError(f"output folder {outdir}: cannot be written to ({describe(exc)})") from None
    return path


def _build_all(valid, rows, program, options, outdir, jobs, password, stream, result, want_combined,
               sort_by_language, combined, companions):
    jobs = max(1, min(jobs or os.cpu_count() or 1, MAX_JOBS, len(valid) or 1))
    progress = Progress(len(valid), stream)
    built_ok: list[tuple[int, BuiltPacket]] = []
    names = {i: name for i, _, name in valid}
    pending = set(names)
    outcomes = _outcomes([(i, p, rows[i]) for i, p, _ in valid], program, options, jobs, password)
    try:
        for outcome in outcomes:
            progress.step()
            pending.discard(outcome.index)
            if outcome.error:
                result.errors.extend(outcome.error)
                continue
            b, row = outcome.built, rows[outcome.index]
            try:
                files = [(outdir / name, data) for name, data in packet_files(row, b, companions)]
            except Exception as err:  # noqa: BLE001 - that row fails, never the run
                result.errors.extend(row_errors(row, err))
                continue
            try:
                done = write_together(files)
                result.written.append(done[-1])
                result.packets.append(Written(row, tuple(done)))
            except OSError as exc:
                result.stopped = describe(exc)
                pending.add(outcome.index)
                break
            if not b.ics:  # encrypted: no plain calendar file with the patient's dates beside it
                _unlink(outdir / b.ics_filename)
            result.warnings.extend(b.warnings)
            if want_combined:
                built_ok.append((outcome.index, b))
    finally:
        outcomes.close()  # stops the workers now, not when the generator is collected
        progress.close()
    if result.stopped:
        for i in sorted(pending):
            result.errors.extend(row_errors(rows[i], PacketError(f"not written: {result.stopped} in {outdir}")))
        _unlink(outdir / RESERVE_FILE)
        return
    if want_combined and built_ok:
        try:
            result.combined = write_together([(combined, combined_pdf(built_ok, sort_by_language))])[0]
        except OSError as exc:
            result.stopped = f"{describe(exc)} (the combined file {combined} was not written)"


def packet_files(row: Row, built, companions: Sequence[Companion] = ()) -> list[tuple[str, bytes]]:
    """One packet's files as a run writes them, together: its calendar (none for an encrypted
    packet), its companions, the PDF last. ``built`` is a :class:`BuiltPacket` (or anything with
    its ``filename``, ``ics_filename``, ``ics``, ``pdf`` and ``language``: the web app's results)."""
    extra = [(c.name_for(built.filename), c.make(row, built)) for c in companions]
    return ([(built.ics_filename, built.ics)] if built.ics else []) + extra + [(built.filename, built.pdf)]


def combined_pdf(built: list[tuple[int, object]], sort_by_language: bool = False) -> bytes:
    """The duplex-safe print file of ``(row index, built packet)`` pairs: in roster order, or
    grouped by packet language (roster order within a language)."""
    order = sorted(built, key=lambda x: (x[1].language, x[0])) if sort_by_language else built
    return combine([b.pdf for _, b in order])


def report_files(packets: list[tuple[Row, list[tuple[str, str]]]], errors: list[dict],
                 combined: str | None = None) -> list[tuple[str, bytes]]:
    """``manifest.csv`` (each packet's row with its files as ``(kind, file name)``: the PDF as
    ``packet``, then its companions; the combined file last) and, when there are problems,
    ``errors.csv`` (sorted by source file and line; ``errors`` is sorted in place)."""
    manifest = [{"kind": kind, "line": row.line, "mrn": row.masked_mrn, "file": name}
                for row, files in packets for kind, name in files]
    if combined:
        manifest.append({"kind": "combined", "line": "", "mrn": "", "file": combined})
    errors.sort(key=lambda e: (e.get("file", ""), e["line"]))
    files = [(MANIFEST_FILE, csv_bytes(["kind", "line", "mrn", "file"], manifest))]
    if errors:
        files.append((ERRORS_FILE, csv_bytes(["line", "column", "mrn", "problem"], errors)))
    return files


def _write_reports(outdir: Path, result: BatchResult, companions: Sequence[Companion]) -> None:
    shown = None
    if result.combined:
        shown = result.combined.name if _inside(outdir, result.combined) else str(result.combined.absolute())
    try:
        packets = [(p.row, [("packet", p.pdf.name)] + [(c.kind, p.companion(c).name) for c in companions])
                   for p in result.packets]
        files = report_files(packets, result.errors, shown)
        written = write_together([(outdir / name, data) for name, data in files])
    except OSError as exc:
        result.stopped = (result.stopped or describe(exc)) + "; the report files could not be written"
        return
    result.manifest = written[0]
    result.errors_file = written[1] if len(written) > 1 else None
