"""What the banner on every page and the languages page say: production or not, and which of the
three reviews (:mod:`packets.review`: the content, the program profile, each catalog) are not done.

In: the program profile, the server's ``--require-reviewed``. Out: :class:`Status`. The review
states come from :func:`packets.review.status` (which caches its fingerprints per file version),
so the pages say exactly what ``python generate.py status`` says.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from .. import review
from ..i18n import locales
from ..i18n.checks import catalog_stats
from ..program import Program


KINDS = {"content": "the content", "program": "the program profile"}


@dataclass(frozen=True)
class Language:
    catalog_id: str
    tag: str
    native: str
    english: str
    review: review.ReviewState | None   # None for English, the source text
    percent: float | None = None         # translated share, when asked for (it parses the catalog)

    @property
    def ready(self) -> bool:
        return self.review is None or self.review.ready

    @property
    def status_word(self) -> str:
        """'source text', 'reviewed', 'draft', 'changed since review'."""
        return "source text" if self.review is None else self.review.status


@dataclass(frozen=True)
class Status:
    production: bool
    reviews: tuple[review.ReviewState, ...]     # content, profile, then each catalog
    languages: tuple[Language, ...]              # English (the source) first

    @property
    def not_ready(self) -> tuple[review.ReviewState, ...]:
        return tuple(r for r in self.reviews if not r.ready)

    def summary(self) -> str:
        """One line for the banner: which reviews are missing, translations counted together."""
        parts = [f"{KINDS[r.kind]}: {r.status}" + (" and a sample" if r.problems else "")
                 for r in self.reviews if r.kind != "catalog" and not r.ready]
        catalogs = [r for r in self.reviews if r.kind == "catalog"]
        waiting = [r for r in catalogs if not r.ready]
        if waiting:
            parts.append(f"{len(waiting)} of {len(catalogs)} translations not reviewed")
        return "; ".join(parts)


def production(program: Program, require_reviewed: bool) -> bool:
    return require_reviewed or program.production


def current_status(program: Program, require_reviewed: bool, progress: bool = False) -> Status:
    """The three reviews now. ``progress`` adds each language's translated share (the languages page)."""
    states = review.status(program)
    by_catalog = {s.target: s for s in states if s.kind == "catalog"}
    shares = _shares() if progress else {}
    languages = [Language("en", "en", "English", "English", None, 100.0 if progress else None)]
    for cid, state in by_catalog.items():
        languages.append(Language(cid, locales.bcp47(cid), locales.native_name(cid), locales.english_name(cid),
                                  state, shares.get(cid)))
    return Status(production(program, require_reviewed), tuple(states), tuple(languages))


_LOCK = threading.Lock()
_SHARES: dict = {}


def _shares() -> dict[str, float]:
    """Translated share per catalog, recomputed only when a catalog file changed."""
    ids = [c for c in locales.available()[1:] if c not in locales.PSEUDO]
    stamp = tuple((c, os.stat(locales.catalog_path(c)).st_mtime_ns) for c in ids)
    with _LOCK:
        if _SHARES.get("stamp") != stamp:
            _SHARES.update(stamp=stamp, values={c: catalog_stats(c)["percent"] for c in ids})
        return _SHARES["values"]


def print_refusal(program: Program, require_reviewed: bool, language: str) -> str | None:
    """Why a packet in ``language`` may not print now, or None: the production gate's own
    verdict (:func:`packets.review.may_print`), which the build applies again when it prints."""
    if not production(program, require_reviewed):
        return None
    verdict = review.may_print(program, language)
    return None if verdict.ok else verdict.reason
