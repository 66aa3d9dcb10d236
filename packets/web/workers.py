"""Rendering for the web app, in worker processes that load content, catalogs and fonts once.

In: validated :class:`~packets.patient.Patient` records and :class:`~packets.build.Options`.
Out: PDF bytes (one packet, or the duplex-safe combined file), built by the same
:func:`packets.build.build_packet` and :func:`packets.batch.combined_pdf` as the command line.
Nothing touches the disk.

Rendering is CPU-bound, so a web server thread hands it to a process pool and waits; the
threads stay free to answer pages. Each worker loads the program profile (passed in), the
content and, by rendering one warm-up packet, the fonts and the catalogs when it starts.
Errors come back as plain :class:`Failure` values (exceptions with keyword arguments do not
survive pickling), never with a traceback or a patient's name.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import multiprocessing.connection
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from ..batch import combined_pdf
from ..build import Options, build_packet, forget_patient
from ..errors import PacketError
from ..patient import Patient
from ..program import Program

# Warm-up: one packet per script family loads every font and the catalogs a worker will use.
WARM_LANGUAGES = ("en", "es", "zh-Hans", "ar")
TIMEOUT = 300  # seconds for one request's rendering: far above a 500-row roster


@dataclass(frozen=True)
class Failure:
    """Why one packet could not be built: the message and the field (for the form or table)."""

    message: str
    field: str | None = None


@dataclass
class Result:
    """One packet: ``pdf`` and its file names, or a ``failure``; ``warnings`` for staff."""

    pdf: bytes = b""
    ics: bytes = b""
    filename: str = ""
    language: str = ""
    warnings: list[str] = field(default_factory=list)
    failure: Failure | None = None

    @property
    def ics_filename(self) -> str:
        return self.filename[:-4] + ".ics"


# -- worker side ---------------------------------------------------------------------------------
_STATE: dict = {}


def _exit_with_parent() -> None:
    """A worker whose server was killed (kill -9, a crash) exits too, rather than living on."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch():
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)
    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def init_worker(program: Program, warm: bool = True, in_process: bool = False) -> None:
    """Runs once in each worker: the content, and (with ``warm``) fonts and catalogs, load here."""
    from ..content import load_content
    from ..patient import load_patient
    from .. import paths

    if not in_process:
        _exit_with_parent()
    _STATE.update(program=program, content=load_content())
    if warm:  # a preview of the sample patient in each script: never printed, so never production
        sample = load_patient(paths.data_dir() / "sample_patient.yaml")
        trial = dataclasses.replace(program, production=False)
        for lang in WARM_LANGUAGES:
            try:
                build_packet(sample, trial, Options(language=lang, allow_fallback=True), _STATE["content"])
            except PacketError:  # a language that is not shipped: nothing to warm
                pass


def _build(patient: Patient, program: Program, options: Options) -> Result:
    try:
        built = build_packet(patient, program, options, _STATE["content"])
    except PacketError as err:
        return Result(failure=Failure(err.message, err.field))
    except Exception as err:  # a bug: say what kind, never the data that caused it
        return Result(failure=Failure(f"internal error ({type(err).__name__})"))
    return Result(built.pdf, built.ics, built.filename, built.language, list(built.warnings))


def build_one(patient: Patient, options: Options) -> Result:
    try:
        return _build(patient, _STATE["program"], options)
    finally:
        forget_patient(patient)   # nothing about this patient stays in the worker after its answer


def build_preview(patient: Patient, options: Options) -> Result:
    """A translator's preview, as ``i18n preview`` makes it: never for a patient, so never in
    production (English fills gaps, marked; failing strings are marked instead of stopping it)."""
    return _build(patient, dataclasses.replace(_STATE["program"], production=False),
                  dataclasses.replace(options, allow_fallback=True, preview=True, require_reviewed=False))


def build_many(patients: list[Patient], options: Options) -> list[Result]:
    return [build_one(p, options) for p in patients]


def _ping() -> int:
    return os.getpid()


# -- server side ---------------------------------------------------------------------------------
class Renderer:
    """The interface the pages use. :class:`InlineRenderer` runs in-process (tests);
    :class:`PoolRenderer` runs in worker processes (the server)."""

    def _call(self, fn, *args):
        raise NotImplementedError

    def _map(self, fn, chunks: list) -> list:
        return [self._call(fn, c) for c in chunks]

    def packet(self, patient: Patient, options: Options) -> Result:
        return self._call(build_one, patient, options)

    def packets(self, patients: list[Patient], options: Options) -> list[Result]:
        """Many packets, in order, spread over the workers in chunks."""
        size = max(1, min(8, len(patients) // (self.workers * 2) or 1))
        chunks = [patients[i:i + size] for i in range(0, len(patients), size)]
        out: list[Result] = []
        for part in self._map(_build_chunk, [(c, options) for c in chunks]):
            out.extend(part)
        return out

    def preview(self, patient: Patient, options: Options) -> Result:
        return self._call(build_preview, patient, options)

    def combined(self, packets: list[tuple[int, "Result"]], sort_by_language: bool = False) -> bytes:
        """The duplex-safe print file of ``(row index, result)`` pairs, as ``batch --combined`` makes it."""
        return self._call(combined_pdf, packets, sort_by_language)

    workers = 1

    def close(self) -> None:
        pass


def _build_chunk(args) -> list[Result]:
    patients, options = args
    return build_many(patients, options)


class InlineRenderer(Renderer):
    def __init__(self, program: Program, warm: bool = False):
        init_worker(program, warm=warm, in_process=True)
        self._state = dict(_STATE)

    def _call(self, fn, *args):
        _STATE.update(self._state)   # its own program and content, whatever another one in this process loaded
        return fn(*args)


class RendererUnavailable(Exception):
    """The worker pool broke (a worker died) and was restarted; the request may be retried."""


class PoolRenderer(Renderer):
    """A process pool of ``workers`` processes (spawned, as on Windows), started at once and warmed."""

    def __init__(self, program: Program, workers: int | None = None, warm: bool = True):
        self.program, self.warm = program, warm
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._lock = threading.Lock()
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=init_worker, initargs=(self.program, self.warm))
        for _ in range(self.workers):  # start every worker now, so the first packet is not slow
            pool.submit(_ping)
        return pool

    def _submit(self, fn, *args) -> Future:
        with self._lock:
            return self._pool.submit(fn, *args)

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()

    def _call(self, fn, *args):
        pool = self._pool
        try:
            return self._submit(fn, *args).result(timeout=TIMEOUT)
        except BrokenProcessPool:
            self._restart(pool)
            raise RendererUnavailable() from None

    def _map(self, fn, chunks: list) -> list:
        pool = self._pool
        try:
            futures = [self._submit(fn, c) for c in chunks]
            return [f.result(timeout=TIMEOUT) for f in futures]
        except BrokenProcessPool:
            self._restart(pool)
            raise RendererUnavailable() from None

    def pids(self) -> list[int]:
        return [p.pid for p in list(getattr(self._pool, "_processes", {}).values())]

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
