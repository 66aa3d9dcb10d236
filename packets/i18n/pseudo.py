"""A generated pseudo-locale (``en_XA``): accented letters and text about 40% longer.

Used by tests to catch text that never went through the catalog (it stays plain ASCII)
and layout that breaks when translations grow. Placeholders and ``<b>`` tags are kept.
In: ``locales/packet.pot``. Out: a catalog written to ``<base>/en_XA/LC_MESSAGES/packet.po``.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog

from . import locales
from .pofiles import DRAFT, read_catalog, write_catalog

PSEUDO_ID = "en_XA"
_ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçδèƒĝĥîĵķĺɱñôƥǫŕšţûṽŵẋýžÀƁÇĐÈƑĜĤÎĴĶĹṀÑÔƤǪŔŠŢÛṼŴẊÝŽ",
)
_KEEP = re.compile(r"(\{[^{}]*\}|</?b>|https?://\S+|\d+)")
EXPANSION = 0.4
PADDING = " ·ẋ·"


def pseudo(text: str) -> str:
    """'Call {phone_24h} now' -> '⟦Çàĺĺ {phone_24h} ñôŵ ·ẋ··ẋ·⟧' (placeholders, tags, numbers kept)."""
    parts = _KEEP.split(text)
    out = "".join(p if i % 2 else p.translate(_ACCENTS) for i, p in enumerate(parts))
    visible = len(re.sub(r"\{[^{}]*\}|</?b>", "", text))
    pad = int(round(visible * EXPANSION))
    return "[" + out + (PADDING * (pad // len(PADDING) + 1))[:pad] + "]"


def write_pseudo_catalog(base: Path) -> Path:
    template, _ = read_catalog(base / f"{locales.DOMAIN}.pot")
    catalog = Catalog(locale="en", fuzzy=False, project=template.project, version=template.version)
    for m in template:
        if m.id:
            string = tuple(pseudo(form) for form in m.id) if isinstance(m.id, (list, tuple)) else pseudo(m.id)
            catalog.add(m.id, string, locations=m.locations, auto_comments=m.auto_comments, context=m.context)
    path = locales.catalog_path(PSEUDO_ID, base)
    write_catalog(path, catalog, {"X-Review-Status": DRAFT, "X-Reviewed-By": "", "X-Reviewed-Date": ""})
    return path
