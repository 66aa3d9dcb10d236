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

__all__ = ["render_pdf"]
