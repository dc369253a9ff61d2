"""Text hygiene applied at every boundary (forms, services, imports, queries).

DESIGN invariant 7: text is NFC-normalised, and characters nobody can see or type on
purpose are taken out before they reach SQL, git or a Word file:
- C0 and C1 control characters (U+0000–001F, U+007F–009F), but newline and tab in
  multi-line bodies, where CR LF and lone CR become LF;
- bidi embeddings, overrides and isolates, and the direction marks (U+202A–202E,
  U+2066–2069, U+200E/200F, U+061C), which make text read differently from how it is
  stored;
- zero-width characters (U+200B–200D, U+2060, U+FEFF), which make equal-looking text
  differ;
- the noncharacters U+FFFE/U+FFFF and lone surrogates, which XML (.docx) refuses.

Stripping, not refusing: this junk arrives by copy and paste far more often than by
malice, and what remains is what the person saw.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_INVISIBLE = ("\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\u061c\ufeff\ufffe\uffff"
              "\ud800-\udfff")
# single-line values: every control (tab and newline too) is a word break
_SINGLE_BREAKS = re.compile(f"[{_CONTROL}\t\n\r]+")
_MULTI_DROP = re.compile(f"[{_CONTROL}{_INVISIBLE}]")
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_SPACES = re.compile(r"[ \u00a0]{2,}")


def clean(value: str | None, multiline: bool = False) -> str:
    """NFC, without control, bidi and zero-width characters, stripped at both ends.

    A single-line value (a title, a code, a name) has no line breaks: a control
    character or a line break there becomes one space. A multi-line body keeps its
    newlines and tabs (CR LF → LF); other controls are dropped."""
    value = unicodedata.normalize("NFC", value or "")
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        return _MULTI_DROP.sub("", value).strip()
    value = _INVISIBLE_RE.sub("", value)
    value = _SINGLE_BREAKS.sub(" ", value)
    return _SPACES.sub(" ", value).strip()


def typed(value: str | None, what: str, limit: int, required: bool = True,
          multiline: bool = False) -> str:
    """A field a person typed, cleaned and checked: `what` names it in the refusal, in
    the interface's language (`_("tên mục tiêu")` → "Vui lòng nhập tên mục tiêu.",
    "Tên mục tiêu quá dài …")."""
    from isodoc.errors import InvalidInput
    from isodoc.i18n import _

    value = clean(value, multiline=multiline)
    what = str(what)
    if required and not value:
        raise InvalidInput(_("Vui lòng nhập %(what)s.", what=what))
    if len(value) > limit:
        raise InvalidInput(_("%(what)s quá dài (tối đa %(limit)s ký tự).",
                             what=what[:1].upper() + what[1:], limit=limit))
    return value


def nfc(value: str | None) -> str:
    """What every service applies to the text it is given: `clean` for a value that may
    span lines (reasons, comments), so that a caller bypassing the forms (API, CLI,
    imports) cannot bring control, bidi or zero-width characters in either."""
    return clean(value, multiline=True)


_FOLD_MAP = str.maketrans({"đ": "d", "Đ": "d"})  # i18n: vi-only


@lru_cache(maxsize=65536)
def _fold_short(value: str) -> str:
    value = unicodedata.normalize("NFD", value.lower().translate(_FOLD_MAP))
    return unicodedata.normalize("NFC", "".join(c for c in value
                                                 if not unicodedata.combining(c)))


def fold(value: str) -> str:
    """Lowercase without diacritics (đ→d, ư→u, ả→a…), for accent-insensitive matching:
    the one fold of the code base (search analysis, highlights, filters). Vietnamese has
    a few thousand syllables, so short values are cached."""
    if len(value) <= 64:
        return _fold_short(value)
    return _fold_short.__wrapped__(value)
