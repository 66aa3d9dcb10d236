"""Batch printing: every row of a roster to its own packet, in parallel, one bad row never
stopping the rest.

In: roster rows, a program profile and build options. Out: files in OUTDIR (each written
to a temporary name and renamed), an ``errors.csv`` for rows that failed, optionally one
combined PDF where every packet starts on an odd page (duplex printing never puts two
patients on one sheet). Console lines carry line numbers and masked MRNs, never names.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .build import BuiltPacket, Options, build_packet
from .errors import PacketError
from .output import atomic_write
from .program import Program
from .roster import Row, row_error


@dataclass
class Outcome:
    row: Row
    built: BuiltPacket | None = None
    error: dict | None = None


@dataclass
class BatchResult:
    written: list[Path] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    combined: Path | None = None


# -- worker side: content, catalogs and fonts load once per process, not once per packet --------
_WORKER: dict = {}


def _init_worker(program: Program, options: Options, password: str | None) -> None:
    from .content import load_content
    _WORKER.update(program=program, options=options, content=load_content(), password=password)


def _build_row(row: Row) -> Outcome:
    try:
        patient = row.patient()
        built = build_packet(patient, _WORKER["program"], _WORKER["options"], _WORKER["content"],
                             password=_WORKER["password"])
        return Outcome(row, built=built)
    except PacketError as err:
        return Outcome(row, error=row_error(row, err))
    except Exception as err:  # a bug must not stop the batch, nor print data that may name a patient
        return Outcome(row, error={"line": row.line, "column": "", "mrn": row.masked_mrn,
                                   "problem": f"internal error ({type(err).__name__})"})


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


def _outcomes(rows: list[Row], program: Program, options: Options, jobs: int, password: str | None):
    if jobs <= 1 or len(rows) <= 1:
        _init_worker(program, options, password)
        for row in rows:
            yield _build_row(row)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                             initargs=(program, options, password)) as pool:
        yield from pool.map(_build_row, rows, chunksize=max(1, min(16, len(rows) // (jobs * 4) or 1)))


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


def errors_csv(errors: list[dict]) -> bytes:
    """The rows that failed, as a spreadsheet opens it: line, column, masked MRN, problem."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["line", "column", "mrn", "problem"], lineterminator="\r\n")
    w.writeheader()
    w.writerows(sorted(errors, key=lambda e: e["line"]))
    return buf.getvalue().encode("utf-8-sig")


def run_batch(rows: list[Row], program: Program, options: Options, outdir: Path, *, jobs: int = 0,
              combined: Path | None = None, sort_by_language: bool = False, password: str | None = None,
              stream=None) -> BatchResult:
    jobs = jobs or os.cpu_count() or 1
    result = BatchResult()
    progress = Progress(len(rows), stream)
    built_ok: list[tuple[int, BuiltPacket]] = []
    try:
        for i, outcome in enumerate(_outcomes(rows, program, options, jobs, password)):
            progress.step()
            if outcome.error:
                result.errors.append(outcome.error)
                continue
            b = outcome.built
            atomic_write(outdir / b.ics_filename, b.ics)
            result.written.append(atomic_write(outdir / b.filename, b.pdf))
            result.warnings.extend(b.warnings)
            if combined:
                built_ok.append((i, b))
    finally:
        progress.close()
    if result.errors:
        atomic_write(outdir / "errors.csv", errors_csv(result.errors))
    if combined and built_ok:
        order = sorted(built_ok, key=lambda x: (x[1].language, x[0])) if sort_by_language else built_ok
        result.combined = atomic_write(combined, combine([b.pdf for _, b in order]))
    return result
