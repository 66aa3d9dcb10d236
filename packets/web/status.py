"""What the banner on every page and the languages page say: production or not, and which
reviews are not done.

In: the program profile, the catalogs' review headers, the server's production setting.
Out: :class:`Status` with one :class:`Review` per reviewed thing (the content, the program
profile, each catalog).

ADAPTER: the review records and production mode come from ``packets/review.py`` (issue 9).
Until it is on main, this reads what exists today: each catalog's ``X-Review-Status``,
``X-Reviewed-By`` and ``X-Reviewed-Date`` header, and production is the server's
``--require-reviewed`` setting. The content and the profile have no review record yet.
The pages only use :func:`current_status` and :func:`print_refusal`, so wiring issue 9 in
replaces this module's body, not the pages.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from .. import paths
from ..i18n import locales
from ..i18n.checks import catalog_stats
from ..i18n.pofiles import REVIEW_FIELDS, extra_headers

REVIEWED, DRAFT, NOT_RECORDED = "reviewed", "draft", "no review recorded"


@dataclass(frozen=True)
class Review:
    what: str            # "Education content", "Program profile", "Español (es) translation"
    status: str          # reviewed | draft | changed since review | no review recorded
    reviewer: str = ""
    date: str = ""
    who_acts: str = ""   # who must act when it is not reviewed
    command: str = ""    # the command they run

    @property
    def ready(self) -> bool:
        return self.status == REVIEWED


@dataclass(frozen=True)
class Language:
    catalog_id: str
    tag: str
    native: str
    english: str
    percent: float | None   # translated share; None unless asked for (it parses the catalog)
    review: Review


@dataclass(frozen=True)
class Status:
    production: bool
    reviews: tuple[Review, ...]        # content, profile, then each catalog
    languages: tuple[Language, ...]    # English (the source) first

    @property
    def not_ready(self) -> tuple[Review, ...]:
        return tuple(r for r in self.reviews if not r.ready)

    def summary(self) -> str:
        """One line for the banner: which reviews are missing, translations counted together."""
        parts = [f"{r.what.lower()}: {r.status}" for r in self.reviews[:2] if not r.ready]
        catalogs = self.reviews[2:]
        waiting = [r for r in catalogs if not r.ready]
        if waiting:
            parts.append(f"{len(waiting)} of {len(catalogs)} translations not reviewed")
        return "; ".join(parts)


_LOCK = threading.Lock()
_CACHE: dict = {}


def _stamp() -> tuple:
    """Changes whenever a catalog changes: the status is recomputed then, not on every page."""
    out = []
    for cid in locales.available():
        if cid == locales.SOURCE_LANGUAGE:
            continue
        try:
            st = os.stat(locales.catalog_path(cid))
        except FileNotFoundError:
            continue
        out.append((cid, st.st_mtime_ns, st.st_size))
    return tuple(out)


def _catalog_review(catalog_id: str) -> Review:
    """From the catalog's header alone: the banner on every page must not parse whole catalogs."""
    status_field, by_field, date_field = REVIEW_FIELDS
    header = extra_headers(locales.catalog_path(catalog_id).read_bytes())
    status = REVIEWED if header.get(status_field, "").strip().lower() == REVIEWED else DRAFT
    return Review(f"{locales.native_name(catalog_id)} ({locales.bcp47(catalog_id)}) translation", status,
                  header.get(by_field, ""), header.get(date_field, ""), "a qualified medical translator",
                  f"mark the catalog reviewed (X-Review-Status) in locales/{catalog_id}/LC_MESSAGES/packet.po")


def _compute(production: bool, progress: bool) -> Status:
    languages = [Language("en", "en", "English", "English", 100.0,
                          Review("English (the source text)", REVIEWED, "", "", "", ""))]
    for cid in locales.available():
        if cid == locales.SOURCE_LANGUAGE:
            continue
        percent = catalog_stats(cid)["percent"] if progress else None
        languages.append(Language(cid, locales.bcp47(cid), locales.native_name(cid), locales.english_name(cid),
                                  percent, _catalog_review(cid)))
    reviews = (Review("Education content", NOT_RECORDED, who_acts="a clinician"),
               Review("Program profile", NOT_RECORDED, who_acts="the program's staff"),
               *(lang.review for lang in languages[1:]))
    return Status(production, reviews, tuple(languages))


def current_status(production: bool, progress: bool = False) -> Status:
    """The status, recomputed only when a catalog changed. ``progress`` adds each language's
    translated share (a full parse of every catalog: the languages page only). Computed under a
    lock: the first pages after a start wait for one computation instead of repeating it."""
    key = (production, progress, str(paths.locales_dir()), _stamp())
    with _LOCK:
        cached = _CACHE.get(progress)
        if cached and cached[0] == key:
            return cached[1]
        status = _compute(production, progress)
        _CACHE[progress] = (key, status)
        return status


def print_refusal(status: Status, catalog_id: str) -> str | None:
    """Why a packet in this language may not print now (production and not reviewed), or None.
    The build refuses the same case itself; this lets the roster table say so before printing."""
    if not status.production or catalog_id == locales.SOURCE_LANGUAGE:
        return None
    for lang in status.languages:
        if lang.catalog_id == catalog_id and not lang.review.ready:
            return (f"the {lang.english} translation is not reviewed by a qualified medical translator; "
                    "in production only reviewed translations print")
    return None
