"""Arabic-script joining for right-to-left text, before layout.

Arabic and Persian letters change shape with their neighbours. reportlab can shape with
HarfBuzz, but in right-to-left paragraphs it shapes words after reordering them, which puts
punctuation on the wrong side and splits numbers. Instead, each run is joined here into
Unicode presentation forms (``arabic_reshaper``, which knows Persian letters and ZWNJ), and
reportlab then only orders the text with the bidi algorithm. Text extracted from the PDF
gives presentation forms; NFKC normalisation turns them back into the base letters.
"""

from __future__ import annotations

import re
from functools import lru_cache

import arabic_reshaper

_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF]")
_RESHAPER = arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": True, "support_ligatures": True})


def has_arabic(text: str) -> bool:
    return bool(_ARABIC.search(text))


@lru_cache(maxsize=8192)
def join(text: str) -> str:
    """Arabic letters in their contextual presentation forms; other text unchanged."""
    return _RESHAPER.reshape(text) if has_arabic(text) else text
