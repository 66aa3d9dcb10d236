#!/usr/bin/env python3
"""Measure how searchable each locale's packet is: what a reader gets when copying text.

For every shipped locale, builds the sample packet, extracts its text with pypdf, and counts
how many of the catalog's placeholder-free strings that the packet prints are found in it:
- raw: exactly as extracted (whitespace ignored);
- NFKC: after Unicode NFKC normalisation (Arabic presentation forms -> base letters);
- PUA: private-use code points in the extracted text (glyphs without a Unicode mapping).

    python tools/searchable_text.py
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from io import BytesIO  # noqa: E402

from pypdf import PdfReader  # noqa: E402

from packets.build import Options, build_packet  # noqa: E402
from packets.i18n.context import load_catalog_state  # noqa: E402
from packets.i18n.locales import available  # noqa: E402
from packets.patient import parse_patient  # noqa: E402
from packets.program import load_program  # noqa: E402


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def packet_text(catalog_id: str, program) -> str:
    p = parse_patient({"name": "Ana Ruiz", "mrn": "00412345", "language": catalog_id.replace("_", "-"),
                       "schedule": {"first_admission": "2027-03-02"}}, "sample")
    pdf = build_packet(p, program, Options(allow_fallback=True)).pdf
    return "".join(page.extract_text() or "" for page in PdfReader(BytesIO(pdf)).pages)


def printed_messages(program) -> set[tuple[str, str]]:
    """The placeholder-free messages that the English packet prints (not .ics-only ones)."""
    from packets.content import iter_messages, load_content
    text = squash(packet_text("en", program))
    return {(m.context, m.text) for m in iter_messages(load_content())
            if "{" not in m.text and squash(re.sub(r"</?b>", "", m.text)) in text}


def measure(catalog_id: str, program, printed: set) -> tuple[int, int, int, int]:
    text = packet_text(catalog_id, program)
    raw, nfkc = squash(text), squash(unicodedata.normalize("NFKC", text))
    if catalog_id == "en":
        strings = [text_ for _, text_ in printed]
    else:
        tr = load_catalog_state(catalog_id).translations
        strings = [tr[k] for k in printed if k in tr]
    strings = [squash(re.sub(r"</?b>", "", s)) for s in strings]
    found_raw = sum(1 for s in strings if s in raw)
    found_nfkc = sum(1 for s in strings if unicodedata.normalize("NFKC", s) in nfkc)
    pua = sum(1 for c in text if 0xE000 <= ord(c) <= 0xF8FF)
    return len(strings), found_raw, found_nfkc, pua


def main() -> int:
    program = load_program()
    printed = printed_messages(program)
    print(f"{'locale':<9} {'strings':>7} {'raw':>6} {'NFKC':>6} {'PUA chars':>9}")
    for catalog_id in available():
        if catalog_id != "en" and not load_catalog_state(catalog_id).translations:
            print(f"{catalog_id:<9} (no translations yet)")
            continue
        n, raw, nfkc, pua = measure(catalog_id, program, printed)
        print(f"{catalog_id:<9} {n:>7} {100 * raw / n:>5.0f}% {100 * nfkc / n:>5.0f}% {pua:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
