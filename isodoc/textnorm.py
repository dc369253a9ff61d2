"""Text normalisation applied at every boundary (forms, imports, queries): NFC."""

from __future__ import annotations

import unicodedata


def nfc(value: str | None) -> str:
    return unicodedata.normalize("NFC", value or "").strip()


def fold(value: str) -> str:
    """Lowercase without diacritics (đ→d), for accent-insensitive matching."""
    value = unicodedata.normalize("NFD", value.lower().replace("đ", "d"))
    return "".join(c for c in value if not unicodedata.combining(c))
