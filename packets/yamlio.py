"""YAML reading that keeps line numbers.

In: a text file object. Out: plain Python data, where every string is a :class:`LineStr`
that remembers its 1-based line. Errors become :class:`ConfigError`/:class:`InputError`
naming the file and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

import yaml

from .errors import PacketError


class LineStr(str):
    """A str that knows the line it came from."""

    line: int = 0


class LineInt(int):
    """An int read from YAML, with its line and the text as written (``0503555``, ``000``)."""

    line: int = 0
    source: str = ""


class LineFloat(float):
    """A float read from YAML, with its line and the text as written (``1.10``)."""

    line: int = 0
    source: str = ""


class _Loader(yaml.SafeLoader):
    pass


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> LineStr:
    value = LineStr(loader.construct_scalar(node))
    value.line = node.start_mark.line + 1
    return value


def _keep_source(kind):
    base = {LineInt: yaml.SafeLoader.construct_yaml_int, LineFloat: yaml.SafeLoader.construct_yaml_float}[kind]

    def construct(loader: _Loader, node: yaml.ScalarNode):
        value = kind(base(loader, node))
        value.line = node.start_mark.line + 1
        value.source = str(node.value)
        return value
    return construct


_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)
_Loader.add_constructor("tag:yaml.org,2002:int", _keep_source(LineInt))
_Loader.add_constructor("tag:yaml.org,2002:float", _keep_source(LineFloat))
# Dates stay text here, so a bad one (2026-13-03) reaches the field's own validation and
# error message instead of failing inside the YAML parser.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_str)


def load(stream: IO[str] | str, name: str, error: type[PacketError] = PacketError):
    """Parse YAML, raising ``error`` with the file and line on a syntax error."""
    try:
        return yaml.load(stream, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise error(f"not valid YAML ({exc.problem or exc.context})", file=name, line=line) from None
    except yaml.YAMLError as exc:
        raise error(f"not valid YAML ({exc})", file=name) from None
    except RecursionError:  # PyYAML builds nested lists and mappings recursively
        raise error("lists or mappings are nested too deeply for a file of this kind", file=name) from None


def read_text(path: Path | str, error: type[PacketError] = PacketError, limit: int = 50_000_000) -> str:
    """A UTF-8 text file (BOM allowed; UTF-16 with a BOM too). Bad bytes name the line and say how to save it;
    an unreadable or oversized file is one plain error, never an internal one."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise error(f"is {size:,} bytes; a file of this kind is at most {limit:,}", file=str(path))
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"cannot be read ({exc.strerror or exc})", file=str(path)) from None
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad's "Unicode": UTF-16 with a byte order mark
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(f"is not UTF-8 text (byte 0x{data[exc.start]:02X}); save it with the UTF-8 encoding",
                    file=str(path), line=line) from None


def line_of(value, default: int = 0) -> int:
    return getattr(value, "line", default)


def text(value, *, file: str | None, field: str, error: type[PacketError] = PacketError,
         required: bool = True) -> str | None:
    """A field that must be text. YAML 1.1 reads some unquoted text as something else: ``000``
    as 0, ``0503555`` as the octal number 165741, ``1:30`` as 90, ``NO``/``yes``/``off`` as
    booleans. Each is an ``error`` naming the field and file (and the line when YAML kept it),
    never a silent conversion. Returns the text stripped, or None for an absent optional field.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise error("is required", file=file, field=field)
        return None
    if isinstance(value, str):
        return value.strip()
    line = getattr(value, "line", None) or None
    if isinstance(value, bool):
        raise error("must be text in quotes: YAML reads yes, no, on, off, true and false (in any case) "
                    f"as {str(value).lower()}; write it in quotes", file=file, line=line, field=field)
    if isinstance(value, (int, float)):
        written = getattr(value, "source", "") or str(value)
        raise error(f"must be text in quotes: YAML reads {written} as the number {value}; "
                    f'write "{written}"', file=file, line=line, field=field)
    raise error("must be text", file=file, line=line, field=field)
