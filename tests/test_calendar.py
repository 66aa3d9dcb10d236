"""The patient's dates made visible: month calendars, .ics export and large print."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from packets.build import Options, build_packet
from packets.content import load_content
from packets.i18n.context import make_context
from packets.localize import day_kinds, localize
from packets.schedule import build_schedule
from tests.conftest import patient, pdf_text
from tests.pdfinspect import calendar_grids, calendar_legend


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


D = dt.date
# A schedule with every kind of day: a planned test (a visit mark), two 5-7 day stays with a
# 14-day break, the estimated scan and a follow-up visit.
SCHEDULE = {"first_admission": "2026-03-03", "follow_up": "2026-05-12",
            "tests": [{"name": "Echocardiogram", "date": "2026-02-20"}]}


def expected_kinds() -> dict[dt.date, set[str]]:
    """The marks each day must carry, worked out by hand from the regimen (stays of 5 to 7 days,
    day 1 the admission; 14 days at home; the scan 4 weeks after the last possible discharge,
    moved off a weekend)."""
    days: dict[dt.date, set[str]] = {}

    def span(first, last, kind):
        d = first
        while d <= last:
            days.setdefault(d, set()).add(kind)
            d += dt.timedelta(days=1)

    span(D(2026, 3, 3), D(2026, 3, 7), "hospital")
    span(D(2026, 3, 8), D(2026, 3, 9), "maybe")
    span(D(2026, 3, 10), D(2026, 3, 23), "break")
    span(D(2026, 3, 24), D(2026, 3, 28), "hospital")
    span(D(2026, 3, 29), D(2026, 3, 30), "maybe")
    days[D(2026, 4, 27)] = {"scan"}
    days[D(2026, 2, 20)] = {"visit"}
    days[D(2026, 5, 12)] = {"visit"}
    return days


def test_day_kinds_follow_the_schedule(program):
    s = build_schedule(patient(schedule=SCHEDULE), program.regimen)
    assert day_kinds(s) == expected_kinds()


def _sunday_first_weeks(year: int, month: int) -> list[list[dt.date | None]]:
    """A month as a US wall calendar prints it: weeks from Sunday to Saturday."""
    first = D(year, month, 1)
    cells: list[dt.date | None] = [None] * ((first.weekday() + 1) % 7)
    day = first
    while day.month == month:
        cells.append(day)
        day += dt.timedelta(days=1)
    cells += [None] * (-len(cells) % 7)
    return [cells[i:i + 7] for i in range(0, len(cells), 7)]


def _read(text: str, rtl: bool) -> str:
    """A name as read back from the page, comparable with the catalog's: right-to-left text comes
    back in drawn order, in presentation forms."""
    return unicodedata.normalize("NFKC", text[::-1] if rtl else text).replace("\u200c", "")


@pytest.mark.parametrize("catalog_id, large", [("en", False), ("es", True), ("ar", False), ("fa", True),
                                               ("zh_Hant", False)])
def test_each_day_is_drawn_in_its_cell_with_its_marks(catalog_id, large, program):
    """Read back from the calendar pages: every month from the first scheduled date to the last, in
    order; each day in the cell of its weekday (Sunday first in a US program, on the right in a
    right-to-left packet); each cell with exactly the marks of that day."""
    tag = catalog_id.replace("_", "-")
    pdf = build_packet(patient(language=tag, schedule=SCHEDULE), program, Options(large_print=large)).pdf
    grids = calendar_grids(pdf)
    rtl = catalog_id in ("ar", "fa")
    marks = expected_kinds()
    months = [(2026, 2), (2026, 3), (2026, 4), (2026, 5)]
    assert len(grids) == len(months)
    names = make_context(tag, program.territory).weekday_names()
    for grid, (year, month) in zip(grids, months):
        expected = [[(d.day, marks.get(d, set())) if d else (None, set()) for d in week]
                    for week in _sunday_first_weeks(year, month)]
        if rtl:
            expected = [week[::-1] for week in expected]
        assert grid["rows"] == expected, (year, month)
        heads = [_read(n, False) for n in names]
        assert [_read(h, rtl) for h in grid["heads"]] == (heads[::-1] if rtl else heads)


@pytest.mark.parametrize("tag", ["en", "es"])
def test_the_legend_shows_each_mark_beside_its_own_words(tag, program, content):
    """Read back from the calendar page: each swatch carries the mark the grid uses for a kind of
    day, and the words beside it name that kind."""
    pdf = build_packet(patient(language=tag, schedule=SCHEDULE), program, Options()).pdf
    ctx = make_context(tag, program.territory)
    words = {kind: " ".join(ctx.gettext(content.ui[key]).split()) for kind, key in (
        ("hospital", "legend_hospital"), ("maybe", "legend_maybe_hospital"), ("break", "legend_break"),
        ("scan", "legend_scan"), ("visit", "legend_visit"))}
    legend = calendar_legend(pdf, calendar_grids(pdf)[0]["page"])
    assert legend == [({kind}, text) for kind, text in words.items()]


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


def test_ics_holds_every_dated_event_of_the_schedule(program, monkeypatch):
    """Each stay (admission to the latest discharge, DTEND exclusive), the scan, the visit and each
    planned test, in English words a phone shows; stamped with the printed date."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    schedule = {**SCHEDULE, "tests": [{"name": "Blood tests", "date": "2026-02-27"},
                                      {"name": "Echocardiogram", "date": "2026-02-20"}]}
    built = build_packet(patient(language="en", schedule=schedule), program, Options())
    events = [(str(e["summary"]), e.decoded("dtstart"), e.decoded("dtend"), str(e["transp"]))
              for e in Calendar.from_ical(built.ics).walk("VEVENT")]
    assert sorted(events, key=lambda e: (e[1], e[0])) == [
        ("Test before IL-2 treatment: Echocardiogram", D(2026, 2, 20), D(2026, 2, 21), "TRANSPARENT"),
        ("Test before IL-2 treatment: Blood tests", D(2026, 2, 27), D(2026, 2, 28), "TRANSPARENT"),
        ("IL-2 treatment, cycle 1: hospital stay", D(2026, 3, 3), D(2026, 3, 10), "OPAQUE"),
        ("IL-2 treatment, cycle 2: hospital stay", D(2026, 3, 24), D(2026, 3, 31), "OPAQUE"),
        ("Scans to check the response to IL-2 (estimated date: your care team will confirm it)",
         D(2026, 4, 27), D(2026, 4, 28), "TRANSPARENT"),
        ("Follow-up clinic visit", D(2026, 5, 12), D(2026, 5, 13), "TRANSPARENT"),
    ]
    stamps = {e.decoded("dtstamp") for e in Calendar.from_ical(built.ics).walk("VEVENT")}
    assert stamps == {dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)}


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
