"""Shared fixtures: the real content, program and catalogs; PDFs built in memory."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from packets import paths
from packets.build import Options, build_packet
from packets.content import load_content
from packets.patient import load_patient, parse_patient
from packets.program import load_program


# A profile that could be real (no number in a range reserved for fiction, a real domain), for tests
# that need a profile its staff could review. The shipped profile is a sample.
REAL_PROFILE = """\
program_name: High-Dose IL-2 Immunotherapy Program
hospital_name: Providence Portland Medical Center
unit_name: the oncology unit
phones:
  main: "(503) 215-6000"
  24h: "(503) 215-6001"
emergency_number: "911"
address: "4805 NE Glisan St, Portland, OR 97213"
website: "https://www.providence.org"
territory: US
regimen:
  stay_days: [5, 7]
  break_days: 14
  scan_weeks_after_second_cycle: 4
  cycles_per_course: 2
  max_cycles: 6
"""


@pytest.fixture(scope="session")
def content():
    return load_content()


@pytest.fixture(scope="session")
def program():
    return load_program()


@pytest.fixture(scope="session")
def sample_patient():
    return load_patient(paths.data_dir() / "sample_patient.yaml")


def patient(**over):
    data = {"name": "Ana María Ruiz", "mrn": "00412345", "birth_date": "1961-07-14", "language": "es-US",
            "schedule": {"first_admission": "2026-03-03"}}
    data.update(over)
    return parse_patient(data, "test.yaml")


def pdf_text(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def build(p, prog, **opts) -> bytes:
    return build_packet(p, prog, Options(**opts)).pdf


@pytest.fixture
def locales_copy(tmp_path, monkeypatch):
    """A project tree whose catalogs are a copy the test may edit (content and fonts shared);
    PACKETS_ROOT points at it. Returns the tree's root."""
    import shutil
    root = tmp_path / "root"
    shutil.copytree(paths.locales_dir(), root / "locales")
    for name in ("content", "fonts"):
        (root / name).symlink_to(paths.root() / name)
    monkeypatch.setenv("PACKETS_ROOT", str(root))
    return root


@pytest.fixture(scope="session")
def spanish_pdf(sample_patient, program):
    return build(sample_patient, program)
