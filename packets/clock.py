"""The date a packet is printed: today, or the day of ``SOURCE_DATE_EPOCH``.

Reproducible builds set ``SOURCE_DATE_EPOCH`` (seconds since 1970-01-01 UTC), so the same input
gives the same PDF bytes. A value that is not such a number is a configuration error naming the
variable, never a crash deep inside a library that reads it too.
"""

from __future__ import annotations

import datetime as dt
import os

from .errors import ConfigError

# Far enough for any real use, and far enough from year 9999 that date arithmetic on a
# schedule (a few years at most, see patient.py) can never overflow.
_MAX_EPOCH = int(dt.datetime(9000, 1, 1, tzinfo=dt.timezone.utc).timestamp())


def source_date_epoch() -> int | None:
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw == "":
        return None
    value = raw.strip()
    if not value.isascii() or not value.isdigit() or int(value) > _MAX_EPOCH:
        shown = raw if len(raw) <= 30 else raw[:30] + "..."
        raise ConfigError(f"'{shown}' is not a whole number of seconds since 1970-01-01 "
                          f"(from 0 to {_MAX_EPOCH}); unset it or set e.g. 1767225600",
                          field="SOURCE_DATE_EPOCH")
    return int(value)


def printed_date() -> dt.date:
    """Today, or the day of SOURCE_DATE_EPOCH so reproducible builds are reproducible."""
    epoch = source_date_epoch()
    if epoch is not None:
        return dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc).date()
    return dt.date.today()
