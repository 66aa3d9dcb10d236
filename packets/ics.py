"""Calendar export: the patient's schedule as an iCalendar (.ics) file, in their language.

In: a :class:`Schedule`, a :class:`Localizer`-ready context and the content. Out: bytes.
One all-day event per hospital stay (admission to the latest expected discharge), and one
per scan, visit and test. No MRN, name or other identifier goes into the file: event UIDs
are hashes of the event's own dates.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from icalendar import Calendar, Event

from .content import Content
from .i18n.context import LocaleContext
from .localize import Localizer, plain
from .program import Program
from .schedule import Schedule


def _event(summary: str, start: dt.date, end_inclusive: dt.date, stamp: dt.datetime, kind: str) -> Event:
    ev = Event()
    ev.add("summary", summary)
    ev.add("dtstart", start)
    ev.add("dtend", end_inclusive + dt.timedelta(days=1))  # all-day DTEND is exclusive
    ev.add("dtstamp", stamp)
    ev.add("transp", "OPAQUE" if kind == "stay" else "TRANSPARENT")
    uid = hashlib.sha256(f"{kind}:{start.isoformat()}:{end_inclusive.isoformat()}".encode()).hexdigest()[:32]
    ev.add("uid", f"{uid}@il2-packets")
    return ev


def schedule_ics(schedule: Schedule, ctx: LocaleContext, content: Content, program: Program,
                 printed: dt.date) -> bytes:
    loc = Localizer(content, program, ctx)
    stamp = dt.datetime.combine(printed, dt.time(0, 0), tzinfo=dt.timezone.utc)
    cal = Calendar()
    cal.add("prodid", "-//il2-packets//patient schedule//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", plain(loc.ui("calendar_title")))
    for c in schedule.cycles:
        cal.add_component(_event(loc.ui_text("ics_stay", cycle=ctx.number(c.number)), c.admission,
                                 c.discharge_latest, stamp, "stay"))
    if schedule.response_scan:
        title = loc.ui_text("ics_scan_estimated" if schedule.response_scan_estimated else "ics_scan")
        cal.add_component(_event(title, schedule.response_scan, schedule.response_scan, stamp, "scan"))
    if schedule.follow_up:
        cal.add_component(_event(loc.ui_text("ics_visit"), schedule.follow_up, schedule.follow_up, stamp, "visit"))
    for t in schedule.tests:
        cal.add_component(_event(loc.ui_text("ics_test", test=t.name), t.date, t.date, stamp, "test"))
    return cal.to_ical()
