"""The ``fhir:`` block of the program profile: how this hospital's EHR data maps to a packet.

In: the block as YAML gave it (``content/program.yaml``)::

    fhir:
      mrn_system: "http://hospital.example.org/mrn"
      admission_codes: [{system: "http://hospital.example.org/visit-type", code: "IL2-ADMIT"}]
      scan_codes: [...]              # optional
      follow_up_codes: [...]         # optional
      time_zone: America/Los_Angeles # optional: the hospital's clock, for instants sent in UTC
      name_prefixes: false           # optional: print "Mrs." and the like
      name_suffixes: false           # optional: print "Jr." and the like
      custodian: {reference: "Organization/ppmc", display: "Providence Portland Medical Center"}
      author: {reference: "Organization/ppmc"}   # optional

Out: a frozen, hashable :class:`FhirSettings` (it travels inside the ``Program`` to the batch's
worker processes), or ``None`` when the profile has no ``fhir:`` block. Mistakes are
:class:`ConfigError` naming the profile, line and key.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass

from ..errors import ConfigError
from ..yamlio import line_of

KEYS = {"mrn_system", "admission_codes", "scan_codes", "follow_up_codes", "time_zone", "name_prefixes",
        "name_suffixes", "custodian", "author"}
REFERENCE_KEYS = {"reference", "display", "identifier"}
# A FHIR uri (system) has no whitespace; a FHIR code is text without leading/trailing space.
_URI = re.compile(r"^\S+$")
_LITERAL_REFERENCE = re.compile(r"^[A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64}$")


@dataclass(frozen=True)
class Reference:
    """A FHIR Reference as the profile states it (for the DocumentReference's custodian/author)."""

    reference: str | None = None
    display: str | None = None
    identifier_system: str | None = None
    identifier_value: str | None = None

    def as_json(self) -> dict:
        out: dict = {}
        if self.reference:
            out["reference"] = self.reference
        if self.identifier_value:
            out["identifier"] = {k: v for k, v in (("system", self.identifier_system),
                                                    ("value", self.identifier_value)) if v}
        if self.display:
            out["display"] = self.display
        return out


@dataclass(frozen=True)
class FhirSettings:
    admission_codes: frozenset[tuple[str, str]]
    scan_codes: frozenset[tuple[str, str]] = frozenset()
    follow_up_codes: frozenset[tuple[str, str]] = frozenset()
    mrn_system: str | None = None
    time_zone: str | None = None
    name_prefixes: bool = False
    name_suffixes: bool = False
    custodian: Reference | None = None
    author: Reference | None = None

    def kind_of(self, system: str, code: str) -> str | None:
        """'admission', 'scan', 'follow_up' or None for one coding."""
        key = (system, code)
        for kind, codes in (("admission", self.admission_codes), ("scan", self.scan_codes),
                            ("follow_up", self.follow_up_codes)):
            if key in codes:
                return kind
        return None


def _codes(data, key: str, file: str, required: bool) -> frozenset[tuple[str, str]]:
    items = data.get(key)
    field = f"fhir.{key}"
    if items in (None, []):
        if required:
            raise ConfigError("is required: a list of {system, code} that mark an IL-2 admission",
                              file=file, field=field)
        return frozenset()
    if not isinstance(items, list):
        raise ConfigError("must be a list of {system, code}", file=file, line=line_of(items), field=field)
    out = set()
    for i, item in enumerate(items):
        where = f"{field}[{i + 1}]"
        if not isinstance(item, dict) or set(map(str, item)) != {"system", "code"}:
            raise ConfigError("must be {system: URI, code: CODE}", file=file, field=where)
        system, code = item["system"], item["code"]
        if not isinstance(system, str) or not _URI.match(system):
            raise ConfigError("system must be a URI without spaces", file=file, line=line_of(system), field=where)
        if not isinstance(code, str) or not code.strip() or code != code.strip():
            raise ConfigError("code must be text without leading or trailing spaces", file=file,
                              line=line_of(code), field=where)
        out.add((str(system), str(code)))
    return frozenset(out)


def _reference(data, key: str, file: str) -> Reference | None:
    value = data.get(key)
    field = f"fhir.{key}"
    if value is None:
        return None
    if not isinstance(value, dict) or not value or set(map(str, value)) - REFERENCE_KEYS:
        raise ConfigError("must be a mapping with reference (e.g. Organization/ppmc), display and/or "
                          "identifier {system, value}", file=file, field=field)
    ref, display, ident = value.get("reference"), value.get("display"), value.get("identifier")
    if ref is not None and (not isinstance(ref, str) or not _LITERAL_REFERENCE.match(ref)):
        raise ConfigError("reference must be Type/id, e.g. Organization/ppmc", file=file, line=line_of(ref),
                          field=field + ".reference")
    if display is not None and (not isinstance(display, str) or not display.strip()):
        raise ConfigError("display must be text", file=file, field=field + ".display")
    system = id_value = None
    if ident is not None:
        if not isinstance(ident, dict) or not isinstance(ident.get("value"), str) or set(map(str, ident)) - {
                "system", "value"}:
            raise ConfigError("identifier must be {system: URI, value: text}", file=file,
                              field=field + ".identifier")
        system, id_value = ident.get("system"), ident["value"]
        if system is not None and (not isinstance(system, str) or not _URI.match(system)):
            raise ConfigError("identifier system must be a URI", file=file, field=field + ".identifier.system")
    if not (ref or display or id_value):
        raise ConfigError("needs a reference, a display or an identifier", file=file, field=field)
    return Reference(ref and str(ref), display and str(display), system and str(system),
                     id_value and str(id_value))


def parse_fhir_settings(data, file: str) -> FhirSettings | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ConfigError("must be a mapping (mrn_system, admission_codes, ...)", file=file, field="fhir")
    unknown = set(map(str, data)) - KEYS
    if unknown:
        raise ConfigError(f"unknown key(s): {', '.join(sorted(unknown))} (known: {', '.join(sorted(KEYS))})",
                          file=file, field="fhir")
    mrn_system = data.get("mrn_system")
    if mrn_system is not None and (not isinstance(mrn_system, str) or not _URI.match(mrn_system)):
        raise ConfigError("must be the URI of the MRN identifiers (Patient.identifier.system)", file=file,
                          line=line_of(mrn_system), field="fhir.mrn_system")
    admission = _codes(data, "admission_codes", file, required=True)
    scan = _codes(data, "scan_codes", file, required=False)
    follow_up = _codes(data, "follow_up_codes", file, required=False)
    for a, b, (name_a, name_b) in ((admission, scan, ("admission_codes", "scan_codes")),
                                   (admission, follow_up, ("admission_codes", "follow_up_codes")),
                                   (scan, follow_up, ("scan_codes", "follow_up_codes"))):
        both = a & b
        if both:
            system, code = sorted(both)[0]
            raise ConfigError(f"{system}|{code} is in both {name_a} and {name_b}", file=file, field="fhir")
    zone = data.get("time_zone")
    if zone is not None:
        try:
            zoneinfo.ZoneInfo(str(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"'{zone}' is not an IANA time zone (e.g. America/Los_Angeles)", file=file,
                              line=line_of(zone), field="fhir.time_zone") from None
    flags = {}
    for key in ("name_prefixes", "name_suffixes"):
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise ConfigError("must be true or false", file=file, field=f"fhir.{key}")
        flags[key] = value
    return FhirSettings(admission_codes=admission, scan_codes=scan, follow_up_codes=follow_up,
                        mrn_system=mrn_system and str(mrn_system), time_zone=zone and str(zone),
                        custodian=_reference(data, "custodian", file), author=_reference(data, "author", file),
                        **flags)


def require_settings(program) -> FhirSettings:
    """The program's FHIR settings, or a :class:`ConfigError` saying what to add to the profile."""
    settings = getattr(program, "fhir", None)
    if settings is None:
        raise ConfigError("the program profile has no fhir: block (mrn_system, admission_codes, ...); "
                          "see the README, section 'From the EHR'", file=program.file or None)
    return settings
