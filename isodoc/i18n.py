"""The interface's languages: Vietnamese (the source text) and English.

Every user-facing string is written in Vietnamese inside `_()` / `_l()` (Python) or
`_()` / `{% trans %}` (templates). The English catalog is kept in parts, one `.po` file
per area under `isodoc/translations/en/` (no compiled `.mo` in the repository): the parts
are merged and compiled in memory the first time a request asks for English, once per
process, and again when a part changes on disk. `tools/i18n.py` lists what lacks a
translation; tests/test_i18n.py fails on any string without one.

Officially filed documents (the appendices, declarations, annual reports, minutes) stay
in Vietnamese whatever the interface's language: their modules say so at the top
(`# i18n: vietnamese-only`).
"""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import has_request_context, request, session
from flask_babel import Domain, get_locale, lazy_gettext, ngettext
from flask_babel import gettext as _

__all__ = ["_", "_l", "ngettext", "LANGUAGES", "CATALOG_DIR", "merged_catalog", "select_locale"]

_l = lazy_gettext
LANGUAGES = ("vi", "en")  # the source language first
CATALOG_DIR = Path(__file__).resolve().parent / "translations"
_lock = threading.Lock()
_compiled: dict[str, tuple[tuple, Translations, float]] = {}
# The source language's catalog: one object for the process, so that what is kept per
# catalog (search's kind labels) is found again.
SOURCE = NullTranslations()
RECHECK = 2.0  # seconds between two looks at the parts on disk (a gettext call each was
               # a glob and six stats: most of an English page's time in translation)


def parts(language: str) -> list[Path]:
    return sorted((CATALOG_DIR / language).glob("*.po"))


def merged_catalog(language: str) -> Catalog:
    """All parts of one language in one catalog; a msgid's first non-empty translation wins."""
    merged = Catalog(locale=language, domain="messages")
    for path in parts(language):
        with path.open("rb") as handle:
            part = read_po(handle, locale=language)
        for message in part:
            if not message.id:
                continue
            kept = merged.get(message.id, message.context)
            if kept is None or (not kept.string and message.string):
                merged[message.id] = message
    return merged


def translations(language: str) -> NullTranslations:
    if language == LANGUAGES[0]:
        return SOURCE
    cached = _compiled.get(language)
    now = time.monotonic()
    if cached is not None and now - cached[2] < RECHECK:
        return cached[1]
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in parts(language))
    if cached is None or cached[0] != stamp:
        with _lock:
            cached = _compiled.get(language)
            if cached is None or cached[0] != stamp:
                buffer = io.BytesIO()
                catalog = merged_catalog(language)
                for message in list(catalog):  # an untranslated entry must fall back, not blank
                    if message.id and (not message.string or message.fuzzy):
                        catalog.delete(message.id, message.context)
                write_mo(buffer, catalog, use_fuzzy=False)
                buffer.seek(0)
                cached = (stamp, Translations(fp=buffer, domain="messages"), now)
            _compiled[language] = (cached[0], cached[1], now)
        return cached[1]
    # unchanged on disk: looked at again in RECHECK seconds, unless another thread has
    # just read a change (then its catalog stays)
    with _lock:
        if _compiled.get(language) is cached:
            _compiled[language] = (stamp, cached[1], now)
    return cached[1]


class PartsDomain(Domain):
    """Flask-Babel's domain, reading the merged parts instead of one compiled `.mo`."""

    def get_translations(self):
        locale = get_locale()
        return translations(locale.language if locale is not None else LANGUAGES[0])


def select_locale() -> str:
    """The language asked for in this request, then this browser's choice, then the
    person's saved one; Vietnamese otherwise (the province's working language)."""
    if not has_request_context():
        return LANGUAGES[0]
    wanted = request.args.get("lang") or session.get("lang")
    if wanted is None:
        from flask_login import current_user

        wanted = getattr(current_user, "language", None)
    return wanted if wanted in LANGUAGES else LANGUAGES[0]
