"""The program profile (``content/program.yaml``): names, phones, territory and regimen.

In: YAML. Out: a :class:`Program`. The program and unit names are translatable
(msgctxt ``program``); phone numbers, the address and the website never are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError

from . import paths, yamlio
from .content import PROGRAM_CONTEXT, Message
from .errors import ConfigError
from .fhir.profile import FhirSettings, parse_fhir_settings

# How an estimated scan date is placed (regimen.estimated_scan_day).
SCAN_RULES = ("nearest working day", "as counted")
# Territories that use US Letter; everyone else prints on A4.
LETTER_TERRITORIES = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "VE", "GT", "PR"})


@dataclass(frozen=True)
class Regimen:
    stay_min: int
    stay_max: int
    break_days: int
    scan_weeks: int
    cycles_per_course: int
    max_cycles: int
    # Where an estimated response scan goes when the count lands on a weekend: "nearest working
    # day" moves it there (the scan is an estimate; the clinic books the real day), "as counted"
    # leaves it. The weekend is the program territory's (CLDR): Saturday and Sunday in the US.
    estimated_scan: str = "nearest working day"
    weekend: frozenset[int] = frozenset({5, 6})  # 0 = Monday ... 6 = Sunday


@dataclass(frozen=True)
class Program:
    program_name: Message
    unit_name: Message
    hospital_name: str
    phone_main: str
    phone_24h: str
    emergency_number: str
    address: str
    website: str
    territory: str
    regimen: Regimen
    file: str = ""
    fhir: FhirSettings | None = None   # the optional fhir: block (packets/fhir/profile.py)
    mrn_pattern: str | None = None      # a regular expression an MRN must match in full
    mrn_description: str | None = None  # the same, in words staff read in error messages

    @property
    def mrn_regex(self) -> re.Pattern | None:
        return re.compile(self.mrn_pattern) if self.mrn_pattern else None

    @property
    def paper(self) -> str:
        return "letter" if self.territory in LETTER_TERRITORIES else "a4"

    def messages(self) -> tuple[Message, ...]:
        return (self.program_name, self.unit_name)


def _int(spec, key, file, field, minimum=0):
    value = spec.get(key) if isinstance(spec, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"must be a whole number of at least {minimum}", file=file, field=field)
    return value


def _scan_rule(reg: dict, file: str) -> str:
    rule = reg.get("estimated_scan_day", SCAN_RULES[0])
    if rule not in SCAN_RULES:
        raise ConfigError(f"must be one of: {', '.join(SCAN_RULES)}", file=file, field="regimen.estimated_scan_day")
    return rule


def _weekend(region: Locale) -> frozenset[int]:
    """The territory's weekend days from CLDR (Friday to Saturday in some, one day in others)."""
    start, end = region.weekend_start, region.weekend_end
    return frozenset((start + i) % 7 for i in range((end - start) % 7 + 1))


def parse_program(data, file: str) -> Program:
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping", file=file)

    def need(key, mapping=data, prefix=""):
        value = mapping.get(key) if isinstance(mapping, dict) else None
        if value in (None, ""):
            raise ConfigError("is required", file=file, field=prefix + key)
        return value

    territory = str(need("territory")).upper()
    try:
        region = Locale.parse(f"und_{territory}")
    except (ValueError, UnknownLocaleError):
        raise ConfigError(f"'{territory}' is not an ISO 3166 region code", file=file,
                          field="territory") from None
    phones = need("phones")
    reg = need("regimen")
    stay = reg.get("stay_days") if isinstance(reg, dict) else None
    if (not isinstance(stay, list) or len(stay) != 2 or not all(isinstance(x, int) for x in stay)
            or not 0 < stay[0] <= stay[1]):
        raise ConfigError("must be [shortest, longest] days, e.g. [5, 7]", file=file,
                          field="regimen.stay_days")
    regimen = Regimen(
        stay_min=stay[0], stay_max=stay[1],
        break_days=_int(reg, "break_days", file, "regimen.break_days", 1),
        scan_weeks=_int(reg, "scan_weeks_after_second_cycle", file, "regimen.scan_weeks_after_second_cycle", 1),
        cycles_per_course=_int(reg, "cycles_per_course", file, "regimen.cycles_per_course", 1),
        max_cycles=_int(reg, "max_cycles", file, "regimen.max_cycles", 1),
        estimated_scan=_scan_rule(reg, file),
        weekend=_weekend(region),
    )
    pname, uname = need("program_name"), need("unit_name")
    return Program(
        program_name=Message(PROGRAM_CONTEXT, str(pname), "The name of the treatment program.",
                             file, yamlio.line_of(pname)),
        unit_name=Message(PROGRAM_CONTEXT, str(uname),
                          "The hospital unit, used in: You stay in {unit_name} at {hospital_name}.",
                          file, yamlio.line_of(uname)),
        hospital_name=str(need("hospital_name")),
        phone_main=str(need("main", phones, "phones.")),
        phone_24h=str(need("24h", phones, "phones.")),
        emergency_number=str(need("emergency_number")),
        address=str(need("address")),
        website=str(need("website")),
        territory=territory,
        regimen=regimen,
        file=file,
        fhir=parse_fhir_settings(data.get("fhir"), file),
        **_mrn_format(data, file),
    )


def _mrn_format(data: dict, file: str) -> dict:
    """``mrn_pattern`` (a regular expression, matched in full) and ``mrn_description`` (words)."""
    pattern, description = data.get("mrn_pattern"), data.get("mrn_description")
    if pattern is None and description is None:
        return {}
    if not isinstance(pattern, str) or not pattern.strip():
        raise ConfigError("must be a regular expression in quotes, e.g. mrn_pattern: '\\d{8}'", file=file,
                          field="mrn_pattern")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"is not a valid regular expression ({exc})", file=file, field="mrn_pattern") from None
    if not isinstance(description, str) or not description.strip():
        raise ConfigError("is required with mrn_pattern: the format in words for staff, e.g. 'eight digits'",
                          file=file, field="mrn_description")
    return {"mrn_pattern": pattern, "mrn_description": " ".join(description.split())}


def load_program(path: Path | str | None = None) -> Program:
    path = Path(path) if path else paths.content_dir() / "program.yaml"
    if not path.is_file():
        raise ConfigError("program profile not found", file=str(path))
    data = yamlio.load(yamlio.read_text(path, ConfigError), str(path), ConfigError)
    try:
        name = str(path.resolve().relative_to(paths.root().resolve()))
    except ValueError:
        name = str(path)
    return parse_program(data, name)
