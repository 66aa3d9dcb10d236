"""FHIR R4 in, packets out, a DocumentReference back to the chart.

In: a FHIR R4 Bundle (any type) or a Bulk Data NDJSON export, as bytes (an upload) or a path.
Out: :class:`~packets.fhir.mapping.FhirRow` objects, the same patient records a roster row
holds, for :func:`packets.batch.run_batch`. Given ``companions=[documents.companion(settings)]``
the batch writes a DocumentReference JSON in one step with each PDF, from the row that PDF was
made from; ``after_build`` with :func:`~packets.fhir.post.post_packets` POSTs them to the EHR
while the output folder is still locked, and its refusals join the run's ``errors.csv``.

One module per job: ``profile`` (the profile's ``fhir:`` block), ``resources`` (reading and
resolving references), ``mapping`` (resources -> patient records), ``documents``
(DocumentReference out), ``post`` (sending it). No reportlab, no web framework here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping


def rows_from_bundle(data: bytes, program, name: str = "bundle.json"):
    """A Bundle's bytes -> :class:`~packets.fhir.mapping.FhirImport` (``.rows`` for ``run_batch``)."""
    from .mapping import map_patients
    from .resources import read_bundle
    from .profile import require_settings
    require_settings(program)
    return map_patients(read_bundle(data, name), program)


def rows_from_ndjson(files: Mapping[str, bytes], program, name: str = ""):
    """Bulk Data NDJSON, ``{"Patient.ndjson": b"...", ...}`` -> :class:`~packets.fhir.mapping.FhirImport`."""
    from .mapping import map_patients
    from .resources import read_ndjson
    from .profile import require_settings
    require_settings(program)
    return map_patients(read_ndjson(files, name), program)


def read_source(path: Path | str, program):
    """A Bundle file or a Bulk Data folder (``*.ndjson``, ``*.ndjson.gz``) on disk."""
    from ..errors import ConfigError
    from .resources import wanted_ndjson
    path = Path(path)
    if path.is_dir():
        files = {p.name: p.read_bytes() for p in sorted(path.iterdir())
                 if p.is_file() and p.name.endswith((".ndjson", ".ndjson.gz")) and wanted_ndjson(p.name)}
        if not files:
            raise ConfigError("no .ndjson files in this folder (a Bulk Data export has Patient.ndjson, "
                              "Appointment.ndjson, ...)", file=str(path))
        return rows_from_ndjson(files, program, str(path))
    if not path.is_file():
        raise ConfigError("not found: give a FHIR Bundle (.json) or a Bulk Data folder", file=str(path))
    return rows_from_bundle(path.read_bytes(), program, str(path))
