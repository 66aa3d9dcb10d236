"""YAML reading that keeps line numbers.

In: a text file object. Out: plain Python data, where every string is a :class:`LineStr`
that remembers its 1-based line. Errors become :class:`ConfigError`/:class:`InputError`
naming the file and line.
"""

from __future__ import annotations

from typing import IO

import yaml

from .errors import PacketError


class LineStr(str):
    """A str that knows the line it came from."""

    line: int = 0


class _Loader(yaml.SafeLoader):
    pass


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> LineStr:
    value = LineStr(loader.construct_scalar(node))
    value.line = node.start_mark.line + 1
    return value


_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)
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


def line_of(value, default: int = 0) -> int:
    return getattr(value, "line", default)
