"""Rendering: a localized :class:`~packets.localize.Document` -> PDF bytes.

This is the only subpackage that imports reportlab. Entry point: :func:`render_pdf`.
"""

from .pdf import render_pdf

__all__ = ["render_pdf"]
