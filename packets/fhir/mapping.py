"""FHIR resources -> patient records, the same records a roster row holds.

In: a :class:`~packets.fhir.resources.ResourceIndex` and the program (its ``fhir:`` settings and
regimen). Out: :class:`FhirRow` objects, a :class:`~packets.roster.Row` each, for
:func:`packets.batch.run_batch`: one per patient with IL-2 admissions, plus one per problem
(an unreadable line, a reference that points nowhere). A row with a problem raises it as an
:class:`InputError` when the batch asks for its patient, so it is reported like a bad roster
row, with its masked MRN, and never stops the others.

The record holds only what the packet prints: name, MRN, birth date, language and dates. The
rest of the source (SSN, address, telecom, race...) is never copied out of the resources.
Messages name resources (``Patient/123 (entry 3)``), never a patient's name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field

from babel import Locale, UnknownLocaleError

from ..errors import InputError, PacketError
from ..i18n.locales import catalog_id_for, parse_tag
from ..patient import mask_mrn, parse_patient
from ..roster import Row
from ..schedule import build_schedule
from .profile import FhirSettings, require_settings
from .resources import Entry, ResourceIndex, UnresolvedReference, items

V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
BCP47 = "urn:ietf:bcp:47"
CODED_FIELDS = ("serviceType", "appointmentType", "reasonCode", "type")
NOT_HAPPENING = {"Appointment": {"cancelled", "noshow", "entered-in-error"},   # by resource type
                 "Encounter": {"cancelled", "entered-in-error"}}
RECORD_FIELDS = {"name": "Patient.name", "mrn": "Patient.identifier", "language": "Patient.communication",
                 "birth_date": "Patient.birthDate", "schedule.response_scan": "response scan",
                 "schedule.follow_up": "follow-up", "schedule": "admissions"}
_DATETIME = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$")


@dataclass(frozen=True)
class FhirRow(Row):
    resource: str = ""              # "Patient/123": the source Patient (or the resource at fault)
    where: str = ""                 # "entry 3", "Patient.ndjson line 12"
    subject: dict = field(default_factory=dict)   # the DocumentReference's subject: reference + MRN
    problem: str | None = None      # set when this row is an error: raised instead of a patient
    problem_field: str | None = None
    done: tuple[str, ...] = ()      # days of admissions and visits the EHR records as happened (Encounters)

    def patient(self, program=None, today=None):
        if self.problem:
            raise InputError(self.problem, field=self.problem_field)
        patient = super().patient(program, today)
        if self.done:  # not "in the past" by mistake: these cycles are done (see packets.schedule.past_dates)
            done = frozenset(dt.date.fromisoformat(d) for d in self.done)
            patient = dataclasses.replace(patient, schedule=dataclasses.replace(patient.schedule, done=done))
        return patient

    def describe(self, problem: PacketError) -> tuple[str, str]:
        """(the FHIR element, the text): every problem names its resource and where it is in the source,
        whichever step found it (the import, the batch's checks, the build)."""
        element = fhir_field(problem.field) or ""
        if self.problem is not None:  # found by the import: the message names its resource already
            return element, problem.message
        return element, f"{self.resource} ({self.where}): {element + ': ' if element else ''}{problem.message}"


@dataclass
class FhirImport:
    rows: list[FhirRow]
    without_admissions: int = 0     # patients in the source with no IL-2 admission (no packet, no error)


class FhirDataError(PacketError):
    """A problem in one resource; ``field`` is the FHIR element (``Patient.identifier``), ``about``
    the visit at fault when the problem is not the Patient's own (``Appointment/7 (entry 9)``)."""

    def __init__(self, message: str, *, field: str | None = None, about: str | None = None) -> None:
        super().__init__(message, field=field)
        self.about = about

    def text(self) -> str:
        if self.about:
            return f"{self.about}: {self.message}"
        return f"{self.field}: {self.message}" if self.field else self.message


@dataclass
class Event:
    kind: str                       # admission | scan | follow_up
    day: dt.date                    # the local day
    start: dt.datetime | None
    end: dt.datetime | None
    entry: Entry
    fulfils: tuple[int, ...] = ()   # ids of Appointment entries this Encounter carried out

    @property
    def label(self) -> str:
        return f"{self.entry.label} ({self.entry.where})"


# -- small readers ------------------------------------------------------------------------------
def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def codings(resource: dict) -> list[tuple[str, str]]:
    out = []
    for name in CODED_FIELDS:
        for concept in items(resource.get(name)):
            if isinstance(concept, dict):
                for c in items(concept.get("coding")):
                    if isinstance(c, dict) and isinstance(c.get("system"), str) and isinstance(c.get("code"), str):
                        out.append((c["system"], c["code"]))
    return out


def kinds_of(entry: Entry, settings: FhirSettings) -> set[str]:
    """The kinds of IL-2 visit ('admission', 'scan', 'follow_up') a resource's codes say it is."""
    return {k for k in (settings.kind_of(s, c) for s, c in codings(entry.resource)) if k}


def local_time(value, tz: zoneinfo.ZoneInfo | None, what: str) -> tuple[dt.date, dt.datetime | None]:
    """A FHIR date/dateTime/instant -> (the local day, the moment or None for a bare date).

    The day is the one on the clock where the event happens: the value's own UTC offset, or the
    profile's ``time_zone`` when set (an export in UTC says 07:30Z for 23:30 in Portland).
    """
    if not isinstance(value, str) or not _DATETIME.match(value):
        raise FhirDataError(f"{what} is not a FHIR date or dateTime")
    if len(value) < 10:
        raise FhirDataError(f"{what} ({value}) is not a full date")
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value), None
        moment = dt.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz or dt.timezone.utc)
        elif tz is not None:
            moment = moment.astimezone(tz)
        moment.astimezone(dt.timezone.utc)  # comparable with every other moment (not past year 9999)
    except (ValueError, OverflowError):
        raise FhirDataError(f"{what} ({value}) is not a valid date") from None
    return moment.date(), moment


def declared_type(ref) -> str | None:
    if not isinstance(ref, dict):
        return None
    if isinstance(ref.get("type"), str):
        return ref["type"]
    text = ref.get("reference")
    if not isinstance(text, str):
        return None
    m = re.search(r"(?:^|/)([A-Z][A-Za-z]+)(?:/[A-Za-z0-9\-.]{1,64}(?:/_history/[^/]+)?|\?.*)$", text)
    return m.group(1) if m and not text.startswith(("urn:", "#")) else None


def patient_of(entry: Entry, index: ResourceIndex) -> Entry:
    """The one Patient an Appointment (participant.actor, or R5's subject) or Encounter (subject) is for."""
    res = entry.resource
    refs = [("subject", res.get("subject"))]
    if entry.type == "Appointment":
        refs += [(f"participant[{i + 1}].actor", p.get("actor"))
                 for i, p in enumerate(items(res.get("participant"))) if isinstance(p, dict)]
    patients: dict[int, Entry] = {}
    dangling: list[tuple[str, str, bool]] = []
    for where, ref in refs:
        declared = declared_type(ref)
        if ref is None or declared not in (None, "Patient"):
            continue
        try:
            target = index.resolve(ref, entry)
        except UnresolvedReference as exc:
            dangling.append((where, str(exc), declared == "Patient"))
            continue
        if target is not None and target.type == "Patient":
            if target.contained:
                raise FhirDataError(f"its {where} is a contained Patient; export the Patient as a resource of its "
                                    "own, with its identifiers", field=f"{entry.type}.{where}",
                                    about=f"{entry.label} ({entry.where})")
            patients[id(target)] = target
    about = f"{entry.label} ({entry.where})"
    for where, message, is_patient in dangling:
        if is_patient or not patients:
            raise FhirDataError(f"its {where}: {message}", field=f"{entry.type}.{where}", about=about)
    if not patients:
        raise FhirDataError("names no Patient", about=about, field=f"{entry.type}.participant"
                            if entry.type == "Appointment" else f"{entry.type}.subject")
    if len(patients) > 1:
        raise FhirDataError(f"is for {len(patients)} patients ({', '.join(p.label for p in patients.values())})",
                            field=f"{entry.type}.participant", about=about)
    return next(iter(patients.values()))


def declined(entry: Entry, patient: Entry, index: ResourceIndex) -> bool:
    """An Appointment the patient declined is not an admission."""
    for p in items(entry.resource.get("participant")):
        if isinstance(p, dict) and p.get("status") == "declined":
            try:
                if index.resolve(p.get("actor"), entry) is patient:
                    return True
            except UnresolvedReference:
                continue
    return False


def event_of(entry: Entry, kind: str, index: ResourceIndex, tz) -> Event:
    res = entry.resource
    if entry.type == "Appointment":
        start, end, field_name = res.get("start"), res.get("end"), "Appointment.start"
    else:
        period = res.get("period") if isinstance(res.get("period"), dict) else {}
        start, end, field_name = period.get("start"), period.get("end"), "Encounter.period"
    about = f"{entry.label} ({entry.where})"
    if start is None:
        raise FhirDataError("has no start date", field=field_name, about=about)
    try:
        day, moment = local_time(start, tz, "the start")
        end_moment = local_time(end, tz, "the end")[1] if end is not None else None
    except FhirDataError as exc:
        raise FhirDataError(exc.message, field=field_name, about=about) from None
    if end_moment and moment and end_moment < moment:
        raise FhirDataError(f"ends ({end}) before it starts ({start})", field=field_name, about=about)
    fulfils = []
    if entry.type == "Encounter":
        for ref in items(res.get("appointment")):
            try:
                target = index.resolve(ref, entry)
            except UnresolvedReference:
                continue  # only used to avoid counting one stay twice
            if target is not None:
                fulfils.append(id(target))
    return Event(kind, day, moment, end_moment, entry, tuple(fulfils))


# -- the patient's own data ---------------------------------------------------------------------
def find_mrn(patient: Entry, settings: FhirSettings) -> tuple[str, dict]:
    """(MRN, the Identifier for the DocumentReference). Several candidates, or none, is an error."""
    idents = [i for i in items(patient.resource.get("identifier"))
              if isinstance(i, dict) and isinstance(i.get("value"), str) and i["value"].strip()
              and i.get("use") != "old"]

    def distinct(items):
        return list({i["value"].strip(): i for i in items}.values())

    if settings.mrn_system:
        by_system = distinct([i for i in idents if i.get("system") == settings.mrn_system])
        if len(by_system) == 1:
            return by_system[0]["value"].strip(), by_system[0]
        if len(by_system) > 1:
            raise FhirDataError(f"{len(by_system)} MRNs with system {settings.mrn_system} ("
                                + ", ".join(mask_mrn(i["value"].strip()) for i in by_system)
                                + "); a patient has one", field="Patient.identifier")
    typed = distinct([i for i in idents if any(
        isinstance(c, dict) and c.get("system") == V2_0203 and c.get("code") == "MR"
        for c in items((i.get("type") or {}).get("coding") if isinstance(i.get("type"), dict) else None))])
    if len(typed) == 1:
        return typed[0]["value"].strip(), typed[0]
    system = f" with system {settings.mrn_system}" if settings.mrn_system else ""
    if len(typed) > 1:
        raise FhirDataError(f"no MRN{system} and {len(typed)} identifiers of type MR ("
                            + ", ".join(mask_mrn(i["value"].strip()) for i in typed)
                            + "): cannot tell which is the MRN", field="Patient.identifier")
    raise FhirDataError(f"no MRN: no identifier{system}{' and none' if system else ''} of type MR (v2-0203)",
                        field="Patient.identifier")


_NAME_RANK = {"official": 0, "usual": 1, "old": 3, "maiden": 3, "anonymous": 3}


def find_name(patient: Entry, settings: FhirSettings) -> str:
    """The name to print: ``use: official`` first, given names then family; ``text`` without parts."""
    names = [n for n in items(patient.resource.get("name")) if isinstance(n, dict)]
    for n in sorted(names, key=lambda n: _NAME_RANK.get(_text(n.get("use")), 2)):
        def strings(key):
            value = n.get(key)
            return [s.strip() for s in (value if isinstance(value, list) else [value])
                    if isinstance(s, str) and s.strip()]
        family = [n["family"].strip()] if isinstance(n.get("family"), str) and n["family"].strip() else []
        given = strings("given")
        if given or family:
            parts = (strings("prefix") if settings.name_prefixes else []) + given + family \
                + (strings("suffix") if settings.name_suffixes else [])
            return " ".join(parts)
        if isinstance(n.get("text"), str) and n["text"].strip():
            return n["text"].strip()
    raise FhirDataError("no name to print (no given, family or text)", field="Patient.name")


def find_language(patient: Entry) -> str:
    """The BCP 47 tag of the preferred communication, else of the only one."""
    comms = [c for c in items(patient.resource.get("communication")) if isinstance(c, dict)]
    preferred = [c for c in comms if c.get("preferred") is True]
    if len(preferred) > 1:
        raise FhirDataError(f"{len(preferred)} languages are marked preferred", field="Patient.communication")
    if preferred:
        chosen = preferred[0]
    elif len(comms) == 1:
        chosen = comms[0]
    elif comms:
        raise FhirDataError(f"{len(comms)} languages and none marked preferred", field="Patient.communication")
    else:
        raise FhirDataError("no language (Patient.communication): the packet's language must come from the EHR",
                            field="Patient.communication")
    language = chosen.get("language") if isinstance(chosen.get("language"), dict) else {}
    codes = [c.get("code") for c in items(language.get("coding"))
             if isinstance(c, dict) and c.get("system") in (BCP47, None) and isinstance(c.get("code"), str)]
    if not codes:
        raise FhirDataError(f"the language has no BCP 47 code ({BCP47})", field="Patient.communication.language")
    tag = codes[0].strip()
    try:
        parse_tag(tag)
        Locale.parse(tag, sep="-")
    except (PacketError, ValueError, UnknownLocaleError):
        shown = f"'{tag}'" if re.fullmatch(r"[A-Za-z0-9-]{1,35}", tag) else "the code"
        raise FhirDataError(f"language code {shown} is not a BCP 47 language that CLDR knows "
                            "(examples: en-US, es, zh-TW, vi-VN)", field="Patient.communication.language") from None
    return tag


def check_record_status(patient: Entry) -> None:
    res = patient.resource
    if res.get("deceasedBoolean") is True or "deceasedDateTime" in res:
        raise FhirDataError("is marked deceased; no packet is made", field="Patient.deceased")
    if res.get("active") is False:
        raise FhirDataError("is marked inactive (active: false); no packet is made", field="Patient.active")
    for link in items(res.get("link")):
        if isinstance(link, dict) and link.get("type") == "replaced-by":
            raise FhirDataError("was merged into another record (link: replaced-by); use that record",
                                field="Patient.link")


# -- the schedule -------------------------------------------------------------------------------
def _merge(events: list[Event]) -> list[Event]:
    """One stay, one event: an Encounter replaces the Appointment it carried out (by reference, or
    on the same day); two Appointments (or two Encounters) that overlap are an error."""
    fulfilled = {a for e in events for a in e.fulfils}
    events = [e for e in events if id(e.entry) not in fulfilled]
    encounter_days = {e.day for e in events if e.entry.type == "Encounter"}
    events = [e for e in events if e.entry.type == "Encounter" or e.day not in encounter_days]
    events.sort(key=lambda e: (e.day, e.start or dt.datetime.combine(e.day, dt.time(), dt.timezone.utc)))
    for prev, cur in zip(events, events[1:]):
        same_day = prev.day == cur.day
        overlap = prev.end and cur.start and prev.start and cur.start < prev.end
        if same_day or overlap:
            until = f" to {prev.end.date().isoformat()}" if prev.end else ""
            raise FhirDataError(f"the admission on {cur.day.isoformat()} overlaps {prev.label}, "
                                f"{prev.day.isoformat()}{until}", field=f"{cur.entry.type}.start", about=cur.label)
    return events


def happened(event: Event) -> bool:
    """An Encounter (not one only planned) records a stay or visit that took place or is under way."""
    return event.entry.type == "Encounter" and _text(event.entry.resource.get("status")) != "planned"


def schedule_of(events: list[Event], cycles_per_course: int) -> tuple[dict, list[str]]:
    """(the record's schedule, the days of its admissions and visits that have happened)."""
    admissions = _merge([e for e in events if e.kind == "admission"])
    first, last = admissions[0].day, admissions[-1].day
    schedule: dict = {"cycles": [e.day.isoformat() for e in admissions]}
    used = list(admissions)
    for kind, key in (("scan", "response_scan"), ("follow_up", "follow_up")):
        chosen = None
        for e in sorted((e for e in events if e.kind == kind), key=lambda e: e.day):
            what = "response scan" if kind == "scan" else "follow-up visit"
            if e.day < first:
                raise FhirDataError(f"the {what} on {e.day.isoformat()} comes before the first IL-2 admission "
                                    f"({first.isoformat()})", field=f"{e.entry.type}.start", about=e.label)
            done = sum(1 for a in admissions if a.day <= e.day)
            if kind == "scan" and e.day < last and done % cycles_per_course:
                raise FhirDataError(f"the response scan on {e.day.isoformat()} falls between cycles {done} and "
                                    f"{done + 1} of one course", field=f"{e.entry.type}.start", about=e.label)
            if e.day >= last and chosen is None:
                chosen = e  # the next one after the last admission; earlier ones belong to past courses
        if chosen:
            schedule[key] = chosen.day.isoformat()
            used.append(chosen)
    return schedule, sorted({e.day.isoformat() for e in used if happened(e)})


# -- putting it together ------------------------------------------------------------------------
def _problem_row(entry_or_problem, message: str, field_name: str | None, mrn: str | None = None,
                 resource: str = "", language: str | None = None) -> FhirRow:
    """A row that is one problem. Its MRN and language, when known, name the packet an earlier run
    may have made for it, which the batch then removes (it is outdated)."""
    record = {k: v for k, v in (("mrn", mrn), ("language", language)) if v}
    return FhirRow(line=entry_or_problem.number, record=record, file=entry_or_problem.file,
                   resource=resource, where=entry_or_problem.where, problem=message, problem_field=field_name)


def _subject(patient: Entry, mrn_identifier: dict) -> dict:
    subject: dict = {}
    if patient.id:
        subject["reference"] = f"Patient/{patient.id}"
    elif patient.full_url and patient.full_url.startswith(("http://", "https://")):
        subject["reference"] = patient.full_url
    ident: dict = {"type": {"coding": [{"system": V2_0203, "code": "MR"}]}}  # built, not copied from the source
    if isinstance(mrn_identifier.get("system"), str):
        ident["system"] = mrn_identifier["system"]
    ident["value"] = mrn_identifier["value"].strip()
    subject["identifier"] = ident
    return subject


def fhir_field(record_field: str | None) -> str | None:
    """'schedule.cycles[2]' -> 'admissions': a record's field, named the way the EHR knows it."""
    if not record_field:
        return None
    for key, name in RECORD_FIELDS.items():
        if record_field == key or record_field.startswith(key + ".") or record_field.startswith(key + "["):
            return name
    return record_field


def patient_row(patient: Entry, events: list[Event], program, settings: FhirSettings) -> FhirRow:
    label = f"{patient.label} ({patient.where})"
    mrn = language = None
    try:
        mrn, identifier = find_mrn(patient, settings)
        language = _safe_language(patient)
        check_record_status(patient)
        check_program_mrn(mrn, program)
        birth = patient.resource.get("birthDate")
        schedule, done = schedule_of(events, program.regimen.cycles_per_course)
        record = {
            "name": find_name(patient, settings),
            "mrn": mrn,
            "birth_date": birth if isinstance(birth, str) and len(birth) == 10 else None,
            "language": find_language(patient),
            "schedule": schedule,
        }
        # The build's own validators, now, so every message can name the resource it is about.
        checked = parse_patient(record, label, program=program)
        build_schedule(checked, program.regimen)
        catalog_id_for(checked.language)
    except FhirDataError as err:
        return _problem_row(patient, f"{label}: {err.text()}", err.field, mrn=mrn, resource=patient.label,
                            language=language)
    except PacketError as err:
        where = fhir_field(err.field)
        return _problem_row(patient, f"{label}: {where + ': ' if where else ''}{err.message}", where,
                            mrn=mrn, resource=patient.label, language=language)
    return FhirRow(line=patient.number, record=record, file=patient.file, resource=patient.label,
                   where=patient.where, subject=_subject(patient, identifier), done=tuple(done))


def check_program_mrn(mrn: str, program) -> None:
    """The profile's MRN format (``mrn_pattern``), with a hint that fits an EHR export, not a spreadsheet."""
    pattern = getattr(program, "mrn_regex", None)
    if pattern is None or pattern.fullmatch(mrn):
        return
    description = getattr(program, "mrn_description", None) or "the profile's mrn_pattern"
    lost_zeros = mrn.isascii() and mrn.isdigit() and any(pattern.fullmatch("0" * k + mrn) for k in range(1, 12))
    raise FhirDataError(f"the MRN is not an MRN of this program ({description})"
                        + ("; its leading zeros were probably lost by an interface that treats MRNs as numbers: "
                           "correct the export" if lost_zeros else ""), field="Patient.identifier")


def map_patients(index: ResourceIndex, program) -> FhirImport:
    settings = require_settings(program)
    tz = zoneinfo.ZoneInfo(settings.time_zone) if settings.time_zone else None
    rows: list[FhirRow] = [FhirRow(line=p.number, record={}, file=p.file, where=p.where, problem=p.message,
                                   problem_field=p.field) for p in index.problems]
    events: dict[int, list[Event]] = {}
    failures: dict[int, FhirDataError] = {}   # a patient whose visit is broken gets that error, no packet
    for entry in index.entries:
        if entry.type not in NOT_HAPPENING:
            continue
        label = f"{entry.label} ({entry.where})"
        kinds = kinds_of(entry, settings)
        if not kinds or _text(entry.resource.get("status")) in NOT_HAPPENING[entry.type]:
            continue
        try:
            patient = patient_of(entry, index)
        except FhirDataError as err:
            rows.append(_problem_row(entry, err.text(), err.field, resource=entry.label))
            continue
        if declined(entry, patient, index):
            continue
        try:
            if len(kinds) > 1:
                raise FhirDataError(f"carries codes of more than one kind of visit ({', '.join(sorted(kinds))})",
                                    field=f"{entry.type}.serviceType", about=label)
            events.setdefault(id(patient), []).append(event_of(entry, kinds.pop(), index, tz))
        except FhirDataError as err:
            failures.setdefault(id(patient), err)
    without = 0
    patient_rows: list[FhirRow] = []
    for patient in index.of_type("Patient"):
        mine = events.get(id(patient), [])
        if (patient.type, patient.id) in index.conflicts:
            continue  # already reported: two different versions of this Patient
        if id(patient) in failures:
            err = failures[id(patient)]
            patient_rows.append(_problem_row(patient, f"{patient.label} ({patient.where}): {err.text()}", err.field,
                                             resource=patient.label, mrn=_safe_mrn(patient, settings),
                                             language=_safe_language(patient)))
            continue
        if not any(e.kind == "admission" for e in mine):
            without += 1
            continue
        patient_rows.append(patient_row(patient, mine, program, settings))
    rows += _refuse_shared_mrns(patient_rows)
    rows.sort(key=lambda r: (r.file, r.line))
    return FhirImport(rows, without)


def _safe_mrn(patient: Entry, settings: FhirSettings) -> str | None:
    try:
        return find_mrn(patient, settings)[0]
    except FhirDataError:
        return None


def _safe_language(patient: Entry) -> str | None:
    try:
        return find_language(patient)
    except FhirDataError:
        return None


def _refuse_shared_mrns(rows: list[FhirRow]) -> list[FhirRow]:
    """Two Patient records with one MRN: neither gets a packet (it could be the wrong person's)."""
    by_mrn: dict[str, list[FhirRow]] = {}
    for r in rows:
        if r.record.get("mrn"):
            by_mrn.setdefault(r.record["mrn"], []).append(r)
    out = []
    for r in rows:
        same = by_mrn.get(r.record.get("mrn"), [r])
        if len(same) > 1 and r.problem is None:
            others = ", ".join(f"{o.resource} ({o.where})" for o in same if o is not r)
            kept = {k: r.record[k] for k in ("mrn", "language") if r.record.get(k)}
            r = FhirRow(line=r.line, record=kept, file=r.file, resource=r.resource, where=r.where,
                        problem=f"{r.resource} ({r.where}): Patient.identifier: the same MRN as {others}; "
                                "merge the records in the EHR first", problem_field="Patient.identifier")
        out.append(r)
    return out
