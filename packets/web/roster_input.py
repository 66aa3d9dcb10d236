"""Reading an uploaded roster from memory: bytes in, :class:`~packets.roster.Row` objects out.

ADAPTER: ``packets.roster.parse_roster(data, filename)`` (issue 10) reads CSV in UTF-8,
Windows-1252 or with semicolons, and ``.xlsx``, strictly, from bytes. Until it is on main, this
decodes UTF-8 and hands the text to the roster module's CSV reader, the one ``batch`` uses.
Only :func:`read_upload` is used by the pages, so wiring issue 10 in replaces its body.
Nothing is written to disk: the upload arrives as bytes in memory (see ``MemoryRequest``).
"""

from __future__ import annotations

from pathlib import PurePath

from .. import roster
from ..errors import ConfigError
from ..roster import Row

ACCEPT = (".csv", ".txt")


def read_upload(data: bytes, filename: str) -> list[Row]:
    name = PurePath(filename or "roster.csv").name
    suffix = PurePath(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        raise ConfigError("Excel workbooks are not read yet: in Excel, choose File > Save As > "
                          "'CSV UTF-8 (Comma delimited)' and upload that file", file=name)
    if suffix not in ACCEPT:
        raise ConfigError("this is not a roster file: upload the CSV file the scheduling system exports",
                          file=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start}); in Excel, save it as 'CSV UTF-8'",
                          file=name) from None
    return roster._csv_rows(text, name)  # noqa: SLF001 (temporary: replaced by parse_roster)
