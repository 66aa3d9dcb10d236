"""Property test: rosters full of the hazards staff really meet (invisible direction controls pasted
with a name, unquoted commas, unclosed quotes, Excel's lost leading zeros and semicolons, a stray
byte, duplicate MRNs, es-US beside es-MX, typo years) never end in an internal error, never print a
packet whose name or MRN differs from its row's, and never let two rows share an output file.

Each generated row carries its *intended* name and MRN; every packet written is traced back to its
row through the run's manifest and read back from the PDF (cover and every page header).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from packets.batch import run_batch
from packets.build import Options
from packets.errors import PacketError
from packets.patient import parse_patient
from packets.roster import parse_roster

TODAY = dt.date(2026, 11, 23)
# Distinctive names, so a piece of one found in a message is a leak, not a coincidence.
BASES = ["Zoë Ågren", "Nguyễn Thị Minh", "Иван Петров", "王小明", "Σοφία Παππά", "O'Brien-Ortega", "김민준",
         "Ruiz, Ana María", 'Ana "Nita" Ruiz', "Müller; Jürgen"]
REMOVED = ["\u202e", "\u202d", "\u2067", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c", "\u200b", "\ufeff"]
REFUSED = ["\t", "\x00", "\x7f", "\x85", "\u2028", "\u2062", "\ue000"]
LANGS = ["en", "en", "es-US", "es-MX", "fr", "ja"]
CONTROLS = re.compile("[\u200e\u200f\u2066-\u2069\u061c]")


HAZARDS = (["none"] * 6 + ["name-removed"] * 3 + ["name-refused", "name-invisible", "name-long", "mrn-zeros",
                                                     "mrn-word", "mrn-bool", "lang-bad", "lang-name", "date-2300",
                                                     "date-9999", "date-excel", "date-empty"])


@st.composite
def rows(draw):
    """One row with at most one hazard in its values (the row's layout may add another)."""
    base = draw(st.sampled_from(BASES))
    hazard = draw(st.sampled_from(HAZARDS))
    name = base
    if hazard == "name-removed":
        at = draw(st.integers(0, len(base)))
        name = base[:at] + draw(st.sampled_from(REMOVED)) + base[at:] + draw(st.sampled_from(REMOVED + [""]))
    elif hazard == "name-refused":
        at = draw(st.integers(1, len(base) - 1))
        name = base[:at] + draw(st.sampled_from(REFUSED)) + base[at:]
    elif hazard == "name-invisible":
        name = "".join(draw(st.lists(st.sampled_from(REMOVED), min_size=1, max_size=3)))
    elif hazard == "name-long":
        name = base * (200 // len(base) + 1)  # over 200 characters
    mrn = {"mrn-zeros": "900004", "mrn-word": "Jordan", "mrn-bool": "true"}.get(
        hazard, draw(st.integers(0, 6).map(lambda i: f"{10412340 + i:08d}")))
    language = {"lang-bad": "xx-YY", "lang-name": "Ana"}.get(hazard, draw(st.sampled_from(LANGS)))
    date = {"date-2300": "2300-05-12", "date-9999": "9999-12-25", "date-excel": "03/12/2026",
            "date-empty": ""}.get(hazard, draw(st.sampled_from(["2026-12-01", "2027-01-12"])))
    valid_name = hazard in ("none", "name-removed")
    return {"name": name, "intended": base if valid_name else None, "mrn": mrn, "language": language,
            "first_admission": date}


@st.composite
def rosters(draw):
    people = draw(st.lists(rows(), min_size=1, max_size=4))
    delim = draw(st.sampled_from([",", ";"]))
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, lineterminator="\r\n")
    w.writerow(["name", "mrn", "language", "first_admission"])
    lines = []
    for p in people:
        row = [p["name"], p["mrn"], p["language"], p["first_admission"]]
        hazard = draw(st.sampled_from(["none"] * 9 + ["unquoted", "unclosed-quote", "extra-field"]))
        if hazard == "unquoted":  # written by hand: a comma or semicolon in a name shifts the columns
            line = delim.join(row)
            hazard = "none" if not any(delim in c or '"' in c for c in row) else hazard
        elif hazard == "unclosed-quote":
            line = '"' + delim.join(row)
        elif hazard == "extra-field":
            line = delim.join(f'"{c}"' for c in row + ["x"])
        else:
            one = io.StringIO()
            csv.writer(one, delimiter=delim, lineterminator="").writerow(row)
            line = one.getvalue()
        p["trusted"] = hazard == "none" and "\n" not in p["name"] and "\r" not in p["name"]
        lines.append(line)
    data = (buf.getvalue() + "\r\n".join(lines) + "\r\n").encode("utf-8")
    if draw(st.booleans()) and len(people) > 1:  # one stray byte in the last row
        data = data[:-3] + b"\xff" + data[-3:]
        people[-1]["trusted"] = False
    return people, data


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", CONTROLS.sub("", text))


def _printed(pdf) -> tuple[set[str], set[str], list[str]]:
    """Names and MRNs in every page header ('Name · MRN 00412345'), and the cover's lines."""
    names, mrns, cover = set(), set(), []
    for i, page in enumerate(PdfReader(pdf).pages):
        text = _norm(page.extract_text() or "")
        if i == 0:
            cover = [line.strip() for line in text.splitlines()]
        header = [line for line in text.splitlines() if re.search(r" · \D*\d{8}$", line)]
        assert header, f"page {i + 1} has no header"
        for line in header:
            name, label = line.rsplit(" · ", 1)
            names.add(name.strip())
            mrns.add(label.split()[-1])
    return names, mrns, cover


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(case=rosters())
def test_hazardous_rosters_never_print_a_wrong_name_or_mrn(tmp_path_factory, program, case):
    people, data = case
    out = tmp_path_factory.mktemp("out")
    rows_ = parse_roster(data, "roster.csv")
    result = run_batch(rows_, program, Options(), out, jobs=1, today=TODAY)

    # No internal error, and no message repeats a piece of a name.
    blob = " ".join(e["problem"] for e in result.errors) + (out / "errors.csv").read_text(encoding="utf-8-sig") \
        if result.errors else ""
    assert "internal error" not in blob
    for base in BASES:
        for token in re.findall(r"\w{3,}", base):
            assert token not in blob, token

    # Every packet is traced to exactly one row, and prints that row's intended name and MRN.
    manifest = list(csv.DictReader(io.StringIO((out / "manifest.csv").read_text(encoding="utf-8-sig"))))
    files = [m["file"] for m in manifest]
    assert len(files) == len(set(files)) == len(list(out.glob("*.pdf")))
    line_to_person = {2 + i: p for i, p in enumerate(people)}
    mrn_counts = {}  # among rows whose MRN can be read at all (a malformed row's values are never used)
    for p in people:
        if p["trusted"]:
            mrn_counts[p["mrn"]] = mrn_counts.get(p["mrn"], 0) + 1
    for m in manifest:
        person = line_to_person[int(m["line"])]
        assert person["trusted"] and person["intended"] is not None, (person, m)
        assert mrn_counts[person["mrn"]] == 1  # a shared MRN never prints, even if the other row has other errors
        names, mrns, cover = _printed(out / m["file"])
        intended = " ".join(person["intended"].split())
        assert names == {intended} and mrns == {person["mrn"]}, (names, mrns, intended)
        assert intended in cover and person["mrn"] in cover
        assert m["file"].startswith(person["mrn"] + "-")


NAMES = st.one_of(st.sampled_from(BASES), st.text(max_size=30),
                  st.builds(lambda a, b, c: a + b + c, st.sampled_from(BASES), st.sampled_from(REMOVED + REFUSED),
                            st.sampled_from(BASES)))
VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12),
                   st.lists(st.integers(), max_size=2), st.dates().map(str), st.just("9999-12-31"))


@settings(max_examples=150, deadline=None)
@given(name=NAMES, mrn=VALUES, language=VALUES, birth=VALUES, first=VALUES, follow=VALUES, cycles=VALUES)
def test_any_patient_file_is_a_record_or_clean_errors(program, name, mrn, language, birth, first, follow, cycles):
    record = {"name": name, "mrn": mrn, "language": language, "birth_date": birth,
              "schedule": {"first_admission": first, "follow_up": follow, "cycles": cycles}}
    try:
        patient = parse_patient(record, "p.yaml", program=program, today=TODAY)
    except PacketError as err:
        for problem in err.problems():
            assert problem.field and problem.file == "p.yaml" and "\n" not in str(problem)
            if isinstance(name, str) and len(name) >= 3 and name.isalpha():
                assert name not in problem.message
        return
    assert patient.name and not CONTROLS.search(patient.name) and len(patient.name) <= 200
    assert re.fullmatch(r"\d{8}", patient.mrn)
