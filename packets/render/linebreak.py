"""CJK line breaking: characters that may not start a line (kinsoku / 避头点).

reportlab's list (``reportlab.lib.textsplit.ALL_CANNOT_START``) covers Japanese closing marks
but not the full-width punctuation of Chinese text (，；：！？．), so a line could begin with
"，". :func:`install` adds them to the lists reportlab's CJK wrappers read.
"""

from __future__ import annotations

EXTRA_CANNOT_START = "\uff0c\uff0e\uff1a\uff1b\uff01\uff1f\u3001\u3002\u300b\u3009\u3011\u2019\u201d\u2026\uff5e\u30fc"


def install() -> None:
    """Both of reportlab's CJK wrappers read the list: the per-fragment one in
    ``platypus.paragraph`` and the single-string one in ``lib.textsplit``."""
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    for module in (textsplit, paragraph):
        missing = "".join(ch for ch in EXTRA_CANNOT_START if ch not in module.ALL_CANNOT_START)
        if missing:
            module.ALL_CANNOT_START += missing
