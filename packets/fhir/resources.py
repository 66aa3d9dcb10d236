"""Reading FHIR R4 JSON and resolving references between resources.

In: the bytes of a Bundle (any ``Bundle.type``), or the bytes of Bulk Data NDJSON files (one
resource per line), as a mapping of file name to bytes so an upload never touches the disk.
Out: a :class:`ResourceIndex` of :class:`Entry` objects, each remembering where it came from
(``entry 3``, ``Patient.ndjson line 12``) so messages can point at it, plus the problems found
while reading (a line that is not JSON, a resource without ``resourceType``), each a
:class:`Problem` for the caller to report without stopping the rest.

References resolve in every form real exports use: ``Patient/123`` (also with ``_history``),
absolute URLs, ``urn:uuid:`` and ``urn:oid:`` fullUrls, conditional references
(``Patient?identifier=system|value``), logical references (``identifier`` without
``reference``) and contained resources (``#id``).

Whole-source failures (a Bundle that is not JSON, not FHIR, or not a Bundle) raise
:class:`ConfigError` naming the file and line: nothing in it can be trusted.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping
from urllib.parse import parse_qsl

from ..errors import ConfigError
from ..patient import mask_mrn

NEEDED_TYPES = ("Patient", "Appointment", "Encounter")
MAX_NESTED_BUNDLES = 4
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_TYPE = re.compile(r"^[A-Z][A-Za-z]{1,63}$")
_RELATIVE = re.compile(r"^(?P<type>[A-Z][A-Za-z]+)/(?P<id>[A-Za-z0-9\-.]{1,64})(/_history/[A-Za-z0-9\-.]{1,64})?$")


@dataclass
class Entry:
    resource: dict
    where: str                    # "entry 3" or "Patient.ndjson line 12": for messages
    number: int                   # entry number or line number: the error report's "line"
    full_url: str | None = None
    file: str = ""                # the file the entry is in
    contained: bool = False       # a resource inside another one's ``contained``

    @property
    def type(self) -> str:
        return self.resource.get("resourceType", "")

    @property
    def id(self) -> str | None:
        rid = self.resource.get("id")
        return rid if isinstance(rid, str) and _ID.match(rid) else None

    @property
    def label(self) -> str:
        """'Patient/123', else the fullUrl, else 'Patient (entry 3)': safe to print (no data)."""
        if self.id:
            return f"{self.type}/{self.id}"
        if self.full_url and self.full_url.startswith(("urn:uuid:", "urn:oid:")):
            return self.full_url
        return f"{self.type} ({self.where})"

    def identifiers(self) -> list[tuple[str | None, str]]:
        out = []
        for ident in items(self.resource.get("identifier")):
            if isinstance(ident, dict) and isinstance(ident.get("value"), str):
                system = ident.get("system")
                out.append((system if isinstance(system, str) else None, ident["value"]))
        return out


@dataclass
class Problem:
    """Something unreadable in the source: reported as one failed item, the rest carries on."""

    message: str
    number: int
    file: str
    where: str = ""
    field: str | None = None


class UnresolvedReference(Exception):
    """A reference that resolves to nothing, or to more than one resource."""


@dataclass
class ResourceIndex:
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    by_key: dict[tuple[str, str], Entry] = field(default_factory=dict)
    by_url: dict[str, Entry] = field(default_factory=dict)

    conflicts: set[tuple[str, str]] = field(default_factory=set)

    def add(self, entry: Entry) -> None:
        """Index one resource. The same resource twice is kept once; the same id with different
        content is a problem, and the id is marked so no packet is made from either version."""
        if entry.id:
            key = (entry.type, entry.id)
            first = self.by_key.get(key)
            if first is not None:
                if first.resource != entry.resource and key not in self.conflicts:
                    self.conflicts.add(key)
                    self.problems.append(Problem(
                        f"{entry.label} ({entry.where}): appears twice with different content (also "
                        f"{first.where})", entry.number, entry.file, entry.where))
                return
            self.by_key[key] = entry
        self.entries.append(entry)
        if entry.full_url:
            self.by_url.setdefault(entry.full_url, entry)

    def of_type(self, rtype: str) -> Iterable[Entry]:
        return (e for e in self.entries if e.type == rtype)

    # -- references -----------------------------------------------------------------------
    def resolve(self, ref, source: Entry) -> Entry | None:
        """The entry a Reference points at; None when it is not a reference at all.

        Raises :class:`UnresolvedReference` when it points nowhere or at several resources.
        """
        if not isinstance(ref, dict):
            return None
        text = ref.get("reference")
        if not isinstance(text, str) or not text.strip():
            ident = ref.get("identifier")
            if isinstance(ident, dict) and isinstance(ident.get("value"), str):
                rtype = ref.get("type") if isinstance(ref.get("type"), str) else "Patient"
                return self._one(self._by_identifier(rtype, ident.get("system"), ident["value"]),
                                 f"{rtype} with identifier {describe_identifier(ident.get('system'), ident['value'])}")
            return None
        text = text.strip()
        if text.startswith("#"):
            return self._contained(text[1:], source)
        if text.startswith(("urn:uuid:", "urn:oid:")):
            return self._one([self.by_url[text]] if text in self.by_url else [], text)
        if "?" in text:
            return self._conditional(text)
        if text.startswith(("http://", "https://")):
            if text in self.by_url:
                return self.by_url[text]
            tail = re.search(r"([A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64})(/_history/[^/]+)?$", text)
            text_key = tail.group(1) if tail else None
            found = self.by_key.get(tuple(text_key.split("/"))) if text_key else None
            return self._one([found] if found else [], text)
        m = _RELATIVE.match(text)
        if not m:
            raise UnresolvedReference(f"'{safe_reference(text)}' is not a FHIR reference")
        if source.full_url and source.full_url.startswith(("http://", "https://")):
            base = re.sub(r"[A-Z][A-Za-z]+/[^/]+(/_history/[^/]+)?$", "", source.full_url)
            absolute = base + f"{m['type']}/{m['id']}"
            if absolute in self.by_url:
                return self.by_url[absolute]
        found = self.by_key.get((m["type"], m["id"]))
        return self._one([found] if found else [], f"{m['type']}/{m['id']}")

    def _one(self, found: list[Entry], what: str) -> Entry:
        unique = list({id(e): e for e in found}.values())
        if not unique:
            raise UnresolvedReference(f"{what} points nowhere (not in this export)")
        if len(unique) > 1:
            raise UnresolvedReference(f"{what} matches {len(unique)} resources "
                                  f"({', '.join(e.label for e in unique[:3])})")
        return unique[0]

    def _contained(self, cid: str, source: Entry) -> Entry:
        for res in items(source.resource.get("contained")):
            if isinstance(res, dict) and res.get("id") == cid:
                return Entry(res, source.where, source.number, None, source.file, contained=True)
        raise UnresolvedReference(f"#{cid if _ID.match(cid) else '…'} points nowhere (no such contained resource)")

    def _by_identifier(self, rtype: str, system, value: str) -> list[Entry]:
        return [e for e in self.of_type(rtype)
                if any(v == value and (system is None or s == system) for s, v in e.identifiers())]

    def _conditional(self, text: str) -> Entry:
        rtype, _, query = text.partition("?")
        rtype = rtype.rsplit("/", 1)[-1]
        shown = safe_reference(text)
        if not _TYPE.match(rtype):
            raise UnresolvedReference(f"'{shown}' is not a FHIR reference")
        params = parse_qsl(query, keep_blank_values=True)
        if not params:
            raise UnresolvedReference(f"'{shown}' has no search parameters")
        candidates = list(self.of_type(rtype))
        for name, value in params:
            if name == "_id":
                candidates = [e for e in candidates if e.id == value]
            elif name == "identifier":
                if "|" in value:
                    system, _, ident = value.partition("|")
                    system = system or None
                else:
                    system, ident = "*", value
                candidates = [e for e in candidates if any(
                    (not ident or v == ident) and (system == "*" or s == system) for s, v in e.identifiers())]
            else:
                raise UnresolvedReference(f"'{shown}': conditional references by '{name}' are not supported "
                                      "(use identifier or _id)")
        return self._one(candidates, f"'{shown}'")


def items(value) -> list:
    """A repeating FHIR element as a list (a lone object counts as one; anything else as none)."""
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, dict) else []


def describe_identifier(system, value: str) -> str:
    """An identifier for a message: the system in full, the value masked like an MRN."""
    masked = mask_mrn(value)
    return f"{system}|{masked}" if isinstance(system, str) else masked


def safe_reference(text: str) -> str:
    """A reference for a message: identifier values in conditional references are masked."""
    rtype, sep, query = text.partition("?")
    if not sep:
        return text if len(text) <= 200 else text[:200] + "…"
    parts = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        system, bar, ident = value.rpartition("|")
        parts.append(f"{name}={system}{bar}{mask_mrn(ident)}" if ident else f"{name}={value}")
    return f"{rtype}?{'&'.join(parts)}"


# -- reading ----------------------------------------------------------------------------------
def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _loads(text: str):
    return json.loads(text, parse_constant=_reject_constant)


def _decode(data: bytes, name: str) -> str:
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ConfigError(f"a damaged gzip file ({exc})", file=name) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start}); FHIR JSON is always UTF-8", file=name) from None


def _json_error(exc: Exception) -> tuple[str, int | None]:
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON ({exc.msg}, column {exc.colno})", exc.lineno
    if isinstance(exc, RecursionError):
        return "not usable JSON (nested too deeply)", None
    return f"not JSON ({exc})", None


def read_bundle(data: bytes, name: str) -> ResourceIndex:
    """A Bundle of any type: collection, searchset, transaction, batch, history, document, message."""
    text = _decode(data, name)
    try:
        bundle = _loads(text)
    except (ValueError, RecursionError) as exc:
        message, line = _json_error(exc)
        raise ConfigError(message, file=name, line=line) from None
    if not isinstance(bundle, dict) or not isinstance(bundle.get("resourceType"), str):
        raise ConfigError("not a FHIR resource (no resourceType); expected a FHIR R4 Bundle", file=name)
    if bundle["resourceType"] != "Bundle":
        raise ConfigError(f"is a {bundle['resourceType'] if _TYPE.match(bundle['resourceType']) else 'resource'}"
                          ", not a Bundle; export a Bundle or a Bulk Data NDJSON folder", file=name)
    index = ResourceIndex()
    _add_bundle(index, bundle, name, outer=None, depth=0)
    return index


def _add_bundle(index: ResourceIndex, bundle: dict, name: str, outer: str | None, depth: int) -> None:
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        index.problems.append(Problem("Bundle.entry is not a list", 0, name, field="Bundle.entry"))
        return
    history = bundle.get("type") == "history"
    versions_seen: set[tuple[str, str]] = set()
    for i, item in enumerate(entries, start=1):
        where = f"{outer} > entry {i}" if outer else f"entry {i}"
        number = int(outer.split()[1]) if outer else i  # a nested Bundle reports under its outer entry
        if not isinstance(item, dict):
            index.problems.append(Problem(f"{where}: not a Bundle entry (an object)", number, name, where))
            continue
        request = item.get("request") if isinstance(item.get("request"), dict) else {}
        res = item.get("resource")
        if history:  # newest version first: older versions, and what a deletion removed, are skipped
            m = _RELATIVE.match(request.get("url") or "") if isinstance(request.get("url"), str) else None
            key = (m["type"], m["id"]) if m else (res.get("resourceType"), res.get("id")) \
                if isinstance(res, dict) else None
            if key and key[1]:
                if key in versions_seen:
                    continue
                versions_seen.add(key)
        if res is None:
            continue  # a deletion, or a transaction-response entry without the resource
        if not isinstance(res, dict) or not isinstance(res.get("resourceType"), str) \
                or not _TYPE.match(res["resourceType"]):
            index.problems.append(Problem(f"{where}: not a FHIR resource (no resourceType)", number, name, where,
                                          field="resourceType"))
            continue
        search = item.get("search") if isinstance(item.get("search"), dict) else {}
        if search.get("mode") == "outcome" or res["resourceType"] == "OperationOutcome":
            continue
        if res["resourceType"] == "Bundle":
            if depth < MAX_NESTED_BUNDLES:
                _add_bundle(index, res, name, where if not outer else outer, depth + 1)
            continue
        full_url = item.get("fullUrl") if isinstance(item.get("fullUrl"), str) else None
        index.add(Entry(res, where, number, full_url, name))


def ndjson_type_hint(name: str) -> str | None:
    """'Observation.000.ndjson' -> 'Observation': the resource type a Bulk Data file is named for."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    for token in re.split(r"[._\-\s]+", base):
        if _TYPE.match(token) and token not in ("Ndjson", "Json", "Gz"):
            return token
    return None


def wanted_ndjson(name: str) -> bool:
    """Bulk Data writes one file per type: skip the ones (Observation, Claim...) the packet never needs."""
    hint = ndjson_type_hint(name)
    return hint is None or hint in NEEDED_TYPES


def read_ndjson(files: Mapping[str, bytes], source: str = "") -> ResourceIndex:
    """Bulk Data NDJSON: ``{"Patient.ndjson": b"...", "Appointment.ndjson": b"..."}``.

    A bad line (not JSON, not FHIR) becomes a :class:`Problem`; the other lines still count.
    Files named for types the packet never needs are skipped without being parsed.
    """
    index = ResourceIndex()
    for name in sorted(files):
        if not wanted_ndjson(name):
            continue
        shown = f"{source.rstrip('/')}/{name}" if source else name
        try:
            text = _decode(files[name], shown)
        except ConfigError as exc:
            index.problems.append(Problem(f"{name}: {exc.message}", 0, shown, name))
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{name} line {number}"
            try:
                res = _loads(line)
            except (ValueError, RecursionError) as exc:
                index.problems.append(Problem(f"{where}: {_json_error(exc)[0]}", number, shown, where))
                continue
            if not isinstance(res, dict) or not isinstance(res.get("resourceType"), str) \
                    or not _TYPE.match(res["resourceType"]):
                index.problems.append(Problem(f"{where}: not a FHIR resource (no resourceType)", number, shown,
                                              where, field="resourceType"))
                continue
            index.add(Entry(res, where, number, None, shown))
    return index
