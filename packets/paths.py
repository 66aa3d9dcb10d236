"""Where the project's data lives. ``PACKETS_ROOT`` overrides the repository root (tests use it)."""

from __future__ import annotations

import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent  # resolved once: a packet asks for paths many times


def root() -> Path:
    env = os.environ.get("PACKETS_ROOT")
    return Path(env) if env else _HERE.parent


def content_dir() -> Path:
    return root() / "content"


def locales_dir() -> Path:
    return root() / "locales"


def fonts_dir() -> Path:
    return root() / "fonts"


def data_dir() -> Path:
    return _HERE / "data"
