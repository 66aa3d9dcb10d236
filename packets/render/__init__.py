"""Rendering: a localized :class:`~packets.localize.Document` -> PDF bytes.

This is the only subpackage that imports reportlab. Entry point: :func:`render_pdf`.
"""

from . import bidi

bidi.install()  # before reportlab.pdfgen loads: gives reportlab its optional RTL support

from . import fonts, linebreak, shaping  # noqa: E402
from .pdf import render_pdf  # noqa: E402

linebreak.install()
shaping.install()
fonts.install_compression_cache()



def forget_text(patient: str) -> None:
    """After the packet of ``patient`` (its MRN): drop the memoised text that may hold its name,
    MRN or dates. Parsed paragraphs are kept once a second patient's packet printed them too
    (:func:`.pdf.forget_parsed`: headings and body text recur in every packet); the smaller memos
    (markup runs, bidi order, Arabic joining, paragraph analysis) are emptied. A long-running
    process (the web app's workers) calls this after each packet, so nothing about a patient
    stays in its memory after the answer."""
    from . import arabic, paragraph, pdf
    for memo in (pdf._markup, bidi._visual, bidi.has_rtl, bidi.needs_bidi, arabic.join):
        memo.cache_clear()
    paragraph._ANALYSIS.clear()
    pdf.forget_parsed(patient)


__all__ = ["render_pdf", "forget_text"]
