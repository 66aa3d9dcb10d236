"""Sending a DocumentReference to the EHR's FHIR server.

In: the server's base URL, a DocumentReference (dict) and a bearer token (the caller reads it
from ``PACKETS_FHIR_TOKEN``, never from the command line). Out: a :class:`Sent` saying whether
the server took it, and if not, why, in one line built from the server's OperationOutcome.

- Plain ``http://`` is refused except to this machine: the document is health information.
- Redirects are not followed, so the token never travels to another address.
- The create is conditional (``If-None-Exist`` on the document's masterIdentifier), so sending
  the same packet again does not file it twice.
"""

from __future__ import annotations

import ipaddress
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..errors import ConfigError, PacketError
from ..roster import row_errors

TOKEN_VARIABLE = "PACKETS_FHIR_TOKEN"
TIMEOUT = 30.0
MAX_REASON = 300


@dataclass
class Sent:
    ok: bool
    status: int | None       # HTTP status, None when the server could not be reached
    detail: str              # the new resource's location, or why it failed


def check_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"--post needs the FHIR server's base URL, such as https://ehr.example.org/fhir "
                          f"(got '{url}')")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise ConfigError("--post sends health information: use https:// (plain http only to this machine)")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError("--post takes a base URL without a query, fragment or user name; the token comes "
                          f"from {TOKEN_VARIABLE}")
    return url.rstrip("/")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx status


_OPENER = urllib.request.build_opener(_NoRedirect)


def _one_line(text: str) -> str:
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", text).strip()
    return text if len(text) <= MAX_REASON else text[:MAX_REASON] + "…"


def outcome_reason(body: bytes) -> str:
    """The server's reasons from an OperationOutcome body; empty when the body is something else."""
    try:
        outcome = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return ""
    if not isinstance(outcome, dict) or outcome.get("resourceType") != "OperationOutcome":
        return ""
    reasons = []
    for issue in outcome.get("issue") or []:
        if not isinstance(issue, dict):
            continue
        details = issue.get("details") if isinstance(issue.get("details"), dict) else {}
        text = issue.get("diagnostics") or details.get("text") or issue.get("code") or ""
        if isinstance(text, str) and text:
            reasons.append(f"{issue.get('severity', 'error')}: {text}")
    return _one_line("; ".join(reasons))


def post_document(base_url: str, document: dict, token: str, *, timeout: float = TIMEOUT) -> Sent:
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/fhir+json; charset=utf-8",
        "Accept": "application/fhir+json",
        "Prefer": "return=minimal",
    }
    master = document.get("masterIdentifier") or {}
    if master.get("system") and master.get("value"):
        headers["If-None-Exist"] = f"identifier={master['system']}|{master['value']}"
    request = urllib.request.Request(f"{base_url}/DocumentReference", data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            location = response.headers.get("Location") or response.headers.get("Content-Location") or ""
            return Sent(True, response.status, location)
    except urllib.error.HTTPError as err:
        reason = outcome_reason(err.read() or b"")
        if 300 <= err.code < 400:
            reason = reason or "the server redirects; check the base URL (redirects are not followed)"
        elif err.code == 401:
            reason = reason or f"the server refused the token in {TOKEN_VARIABLE}"
        return Sent(False, err.code, f"HTTP {err.code} {_one_line(str(err.reason or ''))}".strip()
                    + (f": {reason}" if reason else ""))
    except (urllib.error.URLError, OSError) as err:
        why = getattr(err, "reason", err)
        return Sent(False, None, f"could not reach the server ({_one_line(str(why))})")


@dataclass
class PostReport:
    posted: int = 0          # the server has them now
    already: int = 0         # of those, the ones it had filed before (a conditional create answered 200)
    errors: list[dict] = field(default_factory=list)   # one errors.csv line per document not posted


def post_packets(base_url: str, token: str, packets, companion) -> PostReport:
    """POST the DocumentReference of each packet a batch wrote (``BatchResult.packets``), as written.

    Each refusal becomes one line of the run's ``errors.csv`` (the row's line, masked MRN, the
    resource and the server's reason), so it is counted in the summary and the exit code, and
    the PDF and its JSON stay. Rerunning the same command the same day posts what failed: the
    packets come out the same, so their masterIdentifier is the same, and ``If-None-Exist`` keeps
    the server from filing again the ones it already has.
    """
    report = PostReport()
    for packet in packets:
        path = packet.companion(companion)
        sent = post_document(base_url, json.loads(path.read_bytes()), token)
        if sent.ok:
            report.posted += 1
            report.already += sent.status == 200
            continue
        report.errors += row_errors(packet.row, PacketError(
            f"DocumentReference not posted to {base_url}: {sent.detail}; {packet.pdf.name} and {path.name} are "
            "kept (rerun the same command today to post it)"))
    return report
