"""The patient's dates made visible: month calendars, .ics export and large print."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from packets.build import Options, build_packet
from packets.content import load_content
from packets.i18n.context import make_context
from packets.localize import day_kinds, localize
from packets.schedule import build_schedule
from tests.conftest import patient, pdf_text


@pytest.mark.parametrize("tag, territory, first", [
    pytest.param("en", "US", "Sun", id="en-US-sunday"),
    pytest.param("es-US", "US", "dom", id="es-US-sunday"),
    # The week belongs to the program's territory, whatever the language (CLDR week data).
    pytest.param("fr", "US", "dim.", id="fr-in-a-US-program-sunday"),
    pytest.param("zh-Hans", "US", "周日", id="zh-Hans-in-a-US-program-sunday"),
    pytest.param("zh-Hant", "US", "週日", id="zh-Hant-in-a-US-program-sunday"),
    pytest.param("fa", "US", "یکشنبه", id="fa-in-a-US-program-sunday"),
    pytest.param("en", "GB", "Mon", id="en-in-a-UK-program-monday"),
    pytest.param("fr", "FR", "lun.", id="fr-in-a-French-program-monday"),
])
def test_calendar_week_starts_on_the_territorys_first_weekday(program, tag, territory, first):
    import dataclasses
    program = dataclasses.replace(program, territory=territory)
    p = patient(language=tag)
    ctx = make_context(tag, program.territory, allow_fallback=True)
    doc = localize(load_content(), program, p, build_schedule(p, program.regimen), ctx, dt.date(2026, 1, 1))
    month = doc.calendar.months[0]
    assert month.weekdays[0] == first
    # March 2026 begins on a Sunday: no blank lead cell when weeks start on Sunday, six when on Monday.
    lead = sum(1 for d in month.weeks[0] if d is None)
    assert lead == (0 if territory == "US" else 6)


def test_calendar_covers_every_scheduled_month(program):
    p = patient(language="en", schedule={"first_admission": "2026-03-03", "follow_up": "2026-06-02"})
    ctx = make_context("en", program.territory)
    doc = localize(load_content(), program, p, build_schedule(p, program.regimen), ctx, dt.date(2026, 1, 1))
    titles = ["".join(r.text for r in m.title) for m in doc.calendar.months]
    assert titles == ["March 2026", "April 2026", "May 2026", "June 2026"]


def test_day_kinds_follow_the_schedule(program):
    s = build_schedule(patient(), program.regimen)
    kinds = day_kinds(s)
    assert kinds[dt.date(2026, 3, 3)] == {"hospital"}       # admission
    assert kinds[dt.date(2026, 3, 8)] == {"maybe"}          # day 6 of a 5-7 day stay
    assert kinds[dt.date(2026, 3, 15)] == {"break"}
    assert kinds[s.response_scan] == {"scan"}


def test_calendar_page_in_spanish_pdf(spanish_pdf):
    text = " ".join(pdf_text(spanish_pdf))
    assert "marzo de 2026" in text and "abril de 2026" in text
    assert re.search(r"dom\s+lun\s+mar\s+mié\s+jue\s+vie\s+sáb", text)


def test_ics_read_back(sample_patient, program):
    built = build_packet(sample_patient, program, Options())
    cal = Calendar.from_ical(built.ics)
    events = [e for e in cal.walk("VEVENT")]
    summaries = [str(e["summary"]) for e in events]
    assert len(events) == 4  # two stays, the scan, the follow-up visit
    stays = [e for e in events if e["transp"] == "OPAQUE"]
    assert [e.decoded("dtstart") for e in stays] == [dt.date(2026, 3, 3), dt.date(2026, 3, 24)]
    assert stays[0].decoded("dtend") == dt.date(2026, 3, 10)  # exclusive end after a 7-day stay
    assert all("IL-2" in s for s in summaries[:2])
    assert not any(s.startswith("IL-2 treatment") for s in summaries)  # in Spanish, not English
    raw = built.ics.decode()
    assert "00412345" not in raw and "Ruiz" not in raw and "Ana" not in raw


def _sizes(pdf: bytes) -> list[float]:
    sizes = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=lambda t, cm, tm, fd, fs: sizes.append(round(fs * (tm[0] or 1), 1))
                          if t.strip() else None)
    return sizes


def test_large_print_body_is_18pt_and_no_smaller_than_13(sample_patient, program):
    regular = build_packet(sample_patient, program, Options()).pdf
    large = build_packet(sample_patient, program, Options(large_print=True)).pdf
    sizes = _sizes(large)
    body = max(set(sizes), key=sizes.count)
    assert body >= 18
    assert min(sizes) >= 13
    assert len(PdfReader(io.BytesIO(large)).pages) > len(PdfReader(io.BytesIO(regular)).pages)
