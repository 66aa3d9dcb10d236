"""PDF encryption for packets sent electronically: AES-256 (PDF 2.0, security handler revision 6).

In: finished PDF bytes and the user password. Out: encrypted PDF bytes. The renderer never sees a
password: the PDF is encrypted after it is drawn (pypdf, with ``cryptography`` for AES).

The owner password is random (256 bits) and thrown away, so nobody, the hospital included, can
lift the permissions: the packet opens with the user password, prints, and lets the reader copy
text (screen readers need it), but cannot be edited. reportlab's own encryption is RC4 (40 or 128
bit), which is broken whatever the password.
"""

from __future__ import annotations

import io
import secrets

from pypdf import PdfReader, PdfWriter
from pypdf.constants import UserAccessPermissions as P

ALGORITHM = "AES-256"  # revision 6 in pypdf ("AES-256-R5" would be the deprecated revision 5)
# Everything (reserved bits set, as the PDF standard asks) except changing the document.
PERMISSIONS = P.all() & ~(P.MODIFY | P.ADD_OR_MODIFY | P.FILL_FORM_FIELDS | P.ASSEMBLE_DOC)


def encrypt_pdf(pdf: bytes, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password=secrets.token_urlsafe(32),
                   permissions_flag=PERMISSIONS, algorithm=ALGORITHM)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
