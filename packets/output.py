"""Output files: the output folder, atomic writes, and one run at a time per folder.

- :func:`atomic_write` / :func:`write_together`: each file is written to a hidden temporary file
  (``.partial-*``) in the target folder, flushed to disk, then renamed; a reader (or a printer
  queue) never sees a half-written file at the final name. A failed write removes its temporary
  files, and a packet's calendar file and PDF appear together or not at all.
- :class:`OutputFolder`: checks the folder before any work (a missing folder is created inside the
  working folder, elsewhere only if its parent exists; a missing parent, a file, a dangling link, a
  read-only folder or a full disk is one
  plain :class:`ConfigError` naming the folder), then holds a lock so two runs never write into
  one folder at once, and removes the temporary files a killed run left behind.

Fault injection: the tests replace :func:`_write_all` to fill the disk or to stop a run mid-write.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

from .errors import ConfigError

PARTIAL_PREFIX = ".partial-"
LOCK_NAME = ".packets.lock"
MIN_FREE = 256_000  # bytes; below this a run would not get one packet out


def _write_all(fh, data: bytes) -> None:
    """Write and flush one temporary file (a seam: the tests inject a full disk or a kill here)."""
    fh.write(data)
    fh.flush()
    os.fsync(fh.fileno())


def _temp_for(path: Path, data: bytes) -> str:
    fd, tmp = tempfile.mkstemp(prefix=PARTIAL_PREFIX, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_all(fh, data)
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _unlink(path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def atomic_write(path: Path | str, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_together([(path, data)])[0]


def write_together(files: list[tuple[Path, bytes]]) -> list[Path]:
    """Write several files so that all appear or none do; renamed in the order given (put the
    file a reader looks for, the PDF, last)."""
    temps: list[str] = []
    done: list[Path] = []
    for path, _ in files:
        if Path(path).is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    try:
        for path, data in files:
            temps.append(_temp_for(Path(path), data))
        for (path, _), tmp in zip(files, temps):
            os.replace(tmp, path)
            done.append(Path(path))
    except BaseException:
        for tmp in temps:
            _unlink(tmp)
        for path in done:  # a pair is whole or absent
            _unlink(path)
        raise
    return done


def describe(exc: OSError) -> str:
    """A plain reason for a failed write: 'the disk is full', 'read-only', ..."""
    return {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
            errno.EROFS: "the folder is on a read-only disk", errno.EACCES: "no permission to write there",
            errno.EPERM: "no permission to write there", errno.EEXIST: "is a file where a folder is needed",
            errno.ENOTDIR: "a part of the path is a file, not a folder", errno.ENOENT: "no such file or folder",
            errno.ENAMETOOLONG: "the name is too long"}.get(exc.errno, exc.strerror or type(exc).__name__)


class OutputFolder:
    """``with OutputFolder(path) as folder:`` checks, creates, locks and cleans the output folder."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._lock_fd: int | None = None

    def _refuse(self, reason: str) -> ConfigError:
        return ConfigError(f"output folder {self.path}: {reason}")

    def _check(self) -> None:
        path = self.path
        if path.is_symlink() and not path.exists():
            raise self._refuse(f"is a link to {os.readlink(path)}, which does not exist")
        if path.exists() and not path.is_dir():
            raise self._refuse("is a file, not a folder")
        if not path.exists():
            # Inside the working folder (out/today) missing folders are made; elsewhere (a share, a
            # printer folder) only the last one is, so a mistyped or unmounted path is not silently
            # filled with packets nobody will find.
            inside = Path.cwd() in path.absolute().parents
            parent = path.absolute().parent
            if not inside and not parent.is_dir():
                raise self._refuse(f"does not exist, nor does the folder it would go in ({parent}); "
                                   "check the path, or create the folder first")
            try:
                path.mkdir(parents=inside)
            except FileExistsError:
                pass
            except OSError as exc:
                raise self._refuse(f"cannot be created ({describe(exc)})") from None

    def _lock(self) -> None:
        """An exclusive lock on the folder itself (no lock file left behind); released by the
        kernel when this process ends, however it ends. Where a folder cannot be locked
        (Windows, some network disks), a hidden lock file in it is."""
        fd = None
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
            _try_lock(fd)
        except BlockingIOError:
            os.close(fd)
            raise self._busy() from None
        except OSError:
            if fd is not None:
                os.close(fd)
            fd = self._lock_file()
        self._lock_fd = fd

    def _lock_file(self) -> int:
        try:
            fd = os.open(self.path / LOCK_NAME, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as exc:
            raise self._refuse(f"cannot be written to ({describe(exc)})") from None
        try:
            _try_lock(fd)
        except OSError:
            os.close(fd)
            raise self._busy() from None
        return fd

    def _busy(self) -> ConfigError:
        return self._refuse("another run is writing into it now; wait until it has finished, or choose "
                            "another folder")

    def _probe(self) -> None:
        try:
            free = shutil.disk_usage(self.path).free
        except OSError:
            free = MIN_FREE
        if free < MIN_FREE:
            raise self._refuse(f"the disk is full ({free // 1000} KB free)")
        try:
            tmp = _temp_for(self.path / "probe", b"x")
            _unlink(tmp)
        except OSError as exc:
            raise self._refuse(f"cannot be written to ({describe(exc)})") from None

    def remove_stale_partials(self) -> int:
        """Temporary files of a killed run (safe: this run holds the folder's lock)."""
        count = 0
        for p in self.path.glob(PARTIAL_PREFIX + "*"):
            try:
                p.unlink()
                count += 1
            except OSError:
                pass
        return count

    def __enter__(self) -> OutputFolder:
        self._check()
        self._lock()
        try:
            self._probe()
            self.remove_stale_partials()
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing releases the lock; the empty lock file stays
            self._lock_fd = None

    def __exit__(self, *exc) -> None:
        self.close()


def _try_lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            raise BlockingIOError from None
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
