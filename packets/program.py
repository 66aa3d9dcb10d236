"""The program profile (``content/program.yaml``): names, phones, territory and regimen.

In: YAML. Out: a :class:`Program`. The program and unit names are translatable
(msgctxt ``program``); phone numbers, the address and the website never are.

Validation (every mode): every text field is text (YAML 1.1 reads ``000``, ``0503555`` and
``NO`` as numbers or booleans: each is an error naming the field, see :func:`yamlio.text`);
phone numbers are parsed for the program's territory with ``phonenumbers``; the emergency
number is a quoted short number that the territory dials for emergencies; the website is an
http(s) address. What marks a profile as a *sample* (:func:`sample_reasons`): phone numbers in
ranges reserved for fiction (NANP 555-0100 to 555-0199; Ofcom's drama numbers) and example
domains (RFC 2606 and RFC 6761). Outside production a sample profile's packets say "SAMPLE" on
every page; in production (``production: true``) it is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers
from babel import Locale, UnknownLocaleError
from phonenumbers import shortnumberinfo

from . import paths, yamlio
from .content import PROGRAM_CONTEXT, Message
from .errors import ConfigError
from .fhir.profile import FhirSettings, parse_fhir_settings

# How an estimated scan date is placed (regimen.estimated_scan_day).
SCAN_RULES = ("nearest working day", "as counted")
# Territories that use US Letter; everyone else prints on A4.
LETTER_TERRITORIES = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "VE", "GT", "PR"})
TOP_KEYS = {"program_name", "hospital_name", "unit_name", "phones", "emergency_number", "address", "website",
            "territory", "regimen", "production", "fhir", "mrn_pattern", "mrn_description"}


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
    production: bool = False       # packets only from reviewed content, profile and catalogs
    path: str = field(default="", compare=False)  # where the profile lives (its review record sits beside it)
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

    def phones(self) -> dict[str, str]:
        return {"phones.main": self.phone_main, "phones.24h": self.phone_24h}


# -- fiction: numbers and domains that can never reach a patient ------------------------------

# (country code, first national digits, last national digits): whole ranges reserved for fiction.
FICTIONAL_RANGES = (
    # North American Numbering Plan: 555-0100 to 555-0199 in every area code.
    (1, None, "5550100", "5550199"),
    # Ofcom's numbers for TV and radio drama (United Kingdom).
    (44, "20", "79460000", "79460999"),
    (44, "113", "4960000", "4960999"), (44, "114", "4960000", "4960999"),
    (44, "115", "4960000", "4960999"), (44, "116", "4960000", "4960999"),
    (44, "117", "4960000", "4960999"), (44, "118", "4960000", "4960999"),
    (44, "121", "4960000", "4960999"), (44, "131", "4960000", "4960999"),
    (44, "141", "4960000", "4960999"), (44, "151", "4960000", "4960999"),
    (44, "161", "4960000", "4960999"), (44, "191", "4980000", "4980999"),
    (44, "1632", "960000", "960999"), (44, "7700", "900000", "900999"),
)
# RFC 2606 and RFC 6761: names reserved for examples and tests.
EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")
EXAMPLE_TLDS = ("example", "test", "invalid", "localhost")


def fictional_range(number: str, territory: str) -> str | None:
    """The reserved range a phone number falls in ("555-0100 to 555-0199"), or None."""
    try:
        parsed = phonenumbers.parse(number, territory)
    except phonenumbers.NumberParseException:
        return None
    national = str(parsed.national_number)
    for country, prefix, low, high in FICTIONAL_RANGES:
        if parsed.country_code != country:
            continue
        if prefix is None:  # NANP: any 3-digit area code
            rest = national[3:] if len(national) == 10 else ""
            if low <= rest <= high:
                return "555-0100 to 555-0199, reserved for fiction"
        elif national.startswith(prefix) and len(national) == len(prefix) + len(low) \
                and low <= national[len(prefix):] <= high:
            return f"0{prefix} {low} to 0{prefix} {high}, Ofcom's numbers for drama"
    return None


def example_domain(url: str) -> str | None:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if any(host == d or host.endswith("." + d) for d in EXAMPLE_DOMAINS) \
            or host.rsplit(".", 1)[-1] in EXAMPLE_TLDS:
        return host
    return None


def sample_reasons(program: Program) -> list[str]:
    """Why this profile can only make samples: fictional phone numbers, example domains.

    Empty for a profile that could be real. Each reason names the field.
    """
    reasons = []
    for name, number in program.phones().items():
        fiction = fictional_range(number, program.territory)
        if fiction:
            reasons.append(f"{name}: {number} is a fictional number ({fiction})")
    host = example_domain(program.website)
    if host:
        reasons.append(f"website: {host} is an example domain (RFC 2606/6761), not a real website")
    return reasons


# -- parsing -------------------------------------------------------------------------------------

def _int(spec, key, file, field, minimum=0):
    value = spec.get(key) if isinstance(spec, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"must be a whole number of at least {minimum}", file=file, field=field)
    return int(value)


def _cycles_per_course(reg: dict, file: str) -> int:
    """The education content describes a course as two cycles ("your second cycle", the scan
    after it): another number would print a packet that contradicts the schedule beside it."""
    value = _int(reg, "cycles_per_course", file, "regimen.cycles_per_course", 1)
    if value != 2:
        raise ConfigError(f"is {value}, but the education content describes courses of two cycles; "
                          "change and review the content before the profile", file=file,
                          field="regimen.cycles_per_course")
    return value


def _phone(value, territory: str, file: str, field: str) -> str:
    text = yamlio.text(value, file=file, field=field, error=ConfigError)
    line = yamlio.line_of(value) or None
    try:
        parsed = phonenumbers.parse(text, territory)
    except phonenumbers.NumberParseException:
        raise ConfigError(f"'{text}' is not a phone number", file=file, line=line, field=field) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ConfigError(f"'{text}' is not a valid phone number in {territory} (write it as it is dialled "
                          "there, or with + and the country code)", file=file, line=line, field=field)
    return text


def _emergency(value, territory: str, file: str) -> str:
    text = yamlio.text(value, file=file, field="emergency_number", error=ConfigError)
    if not shortnumberinfo.is_emergency_number(text, territory):
        raise ConfigError(f"'{text}' is not an emergency number in {territory}", file=file,
                          line=yamlio.line_of(value) or None, field="emergency_number")
    return text


def _website(value, file: str) -> str:
    text = yamlio.text(value, file=file, field="website", error=ConfigError)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in text:
        raise ConfigError(f"'{text}' is not a web address (https://...)", file=file,
                          line=yamlio.line_of(value) or None, field="website")
    return text


def _scan_rule(reg: dict, file: str) -> str:
    rule = reg.get("estimated_scan_day", SCAN_RULES[0])
    if rule not in SCAN_RULES:
        raise ConfigError(f"must be one of: {', '.join(SCAN_RULES)}", file=file, field="regimen.estimated_scan_day")
    return rule


def _weekend(region: Locale) -> frozenset[int]:
    """The territory's weekend days from CLDR (Friday to Saturday in some, one day in others)."""
    start, end = region.weekend_start, region.weekend_end
    return frozenset((start + i) % 7 for i in range((end - start) % 7 + 1))


def parse_program(data, file: str, path: str = "") -> Program:
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping", file=file)
    unknown = sorted(str(k) for k in data if str(k) not in TOP_KEYS)
    if unknown:
        raise ConfigError(f"unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(TOP_KEYS))})",
                          file=file)

    def text(key, mapping=data, prefix=""):
        value = mapping.get(key) if isinstance(mapping, dict) else None
        return yamlio.text(value, file=file, field=prefix + key, error=ConfigError)

    territory = text("territory").upper()
    try:
        region = Locale.parse(f"und_{territory}")
    except (ValueError, UnknownLocaleError):
        raise ConfigError(f"'{territory}' is not an ISO 3166 region code", file=file,
                          field="territory") from None
    phones = data.get("phones")
    if not isinstance(phones, dict):
        raise ConfigError("is required: main and 24h numbers", file=file, field="phones")
    reg = data.get("regimen")
    if not isinstance(reg, dict):
        raise ConfigError("is required", file=file, field="regimen")
    stay = reg.get("stay_days")
    if (not isinstance(stay, list) or len(stay) != 2
            or not all(isinstance(x, int) and not isinstance(x, bool) for x in stay)
            or not 0 < stay[0] <= stay[1]):
        raise ConfigError("must be [shortest, longest] days, e.g. [5, 7]", file=file,
                          field="regimen.stay_days")
    regimen = Regimen(
        stay_min=int(stay[0]), stay_max=int(stay[1]),
        break_days=_int(reg, "break_days", file, "regimen.break_days", 1),
        scan_weeks=_int(reg, "scan_weeks_after_second_cycle", file, "regimen.scan_weeks_after_second_cycle", 1),
        cycles_per_course=_cycles_per_course(reg, file),
        max_cycles=_int(reg, "max_cycles", file, "regimen.max_cycles", 1),
        estimated_scan=_scan_rule(reg, file),
        weekend=_weekend(region),
    )
    production = data.get("production", False)
    if not isinstance(production, bool):
        raise ConfigError("must be true or false (no quotes)", file=file, field="production")
    pname, uname = text("program_name"), text("unit_name")
    return Program(
        program_name=Message(PROGRAM_CONTEXT, pname, "The name of the treatment program.",
                             file, yamlio.line_of(data.get("program_name"))),
        unit_name=Message(PROGRAM_CONTEXT, uname,
                          "The hospital unit, used in: You stay in {unit_name} at {hospital_name}.",
                          file, yamlio.line_of(data.get("unit_name"))),
        hospital_name=text("hospital_name"),
        phone_main=_phone(phones.get("main"), territory, file, "phones.main"),
        phone_24h=_phone(phones.get("24h"), territory, file, "phones.24h"),
        emergency_number=_emergency(data.get("emergency_number"), territory, file),
        address=text("address"),
        website=_website(data.get("website"), file),
        territory=territory,
        regimen=regimen,
        file=file,
        fhir=parse_fhir_settings(data.get("fhir"), file),
        production=production,
        path=path,
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


def default_path() -> Path:
    return paths.content_dir() / "program.yaml"


def load_program(path: Path | str | None = None) -> Program:
    path = Path(path) if path else default_path()
    if not path.is_file():
        raise ConfigError("program profile not found", file=str(path))
    data = yamlio.load(yamlio.read_text(path, ConfigError), str(path), ConfigError)
    try:
        name = str(path.resolve().relative_to(paths.root().resolve()))
    except ValueError:
        name = str(path)
    return parse_program(data, name, str(path.resolve()))
