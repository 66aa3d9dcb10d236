"""Any patient record gives either a PDF or a clean validation error, never a traceback."""

from __future__ import annotations

import datetime as dt
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from packets.build import Options, build_packet
from packets.errors import PacketError
from packets.patient import parse_patient

NASTY = st.sampled_from([
    "<font size=40>X</font>", "&amp; <b>", "O'Brien \"Jr\"", "محمد عبد الله", "שרה כהן", "王小明",
    "Иван Петров", "Nguyễn Thị Minh Khai", "e\u0301\u0301\u0301", "🙂👩‍⚕️", "\u202eevil", "a" * 300,
    "नमस्ते", "\u0000", "\ud800", "", " ", "\t\n",
])
NAMES = st.one_of(st.text(max_size=80), NASTY, st.builds(lambda a, b: a + " " + b, NASTY, st.text(max_size=20)))
DATES = st.one_of(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)).map(str),
                  st.text(max_size=12))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=NAMES, admission=DATES, birth=st.one_of(st.none(), DATES),
       language=st.sampled_from(["en", "es-US", "ar", "fa", "hi", "zh-Hant", "ko", "xx", "", "en-XA-foo"]))
def test_record_gives_pdf_or_clean_error(program, name, admission, birth, language):
    record = {"name": name, "mrn": "00412345", "language": language, "birth_date": birth,
              "schedule": {"first_admission": admission}}
    try:
        patient = parse_patient(record, "prop.yaml")
        pdf = build_packet(patient, program, Options(allow_fallback=True)).pdf
    except PacketError as err:
        line = str(err)
        assert "\n" not in line.strip() or "Traceback" not in line
        return
    assert PdfReader(io.BytesIO(pdf)).pages
