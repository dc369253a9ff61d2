"""Highlights computed from the stored text, the same for every engine."""

from __future__ import annotations

import re
from html import escape

from markupsafe import Markup

from isodoc.search.analysis import fold

WORDS = re.compile(r"[^\W_]+", re.UNICODE)


def mark(text: str, words: set[str]) -> Markup:
    """The whole text with every matching syllable in <mark>."""
    out, last = [], 0
    for m in WORDS.finditer(text):
        if fold(m.group().lower()) in words:
            out.append(escape(text[last:m.start()]))
            out.append(f"<mark>{escape(m.group())}</mark>")
            last = m.end()
    out.append(escape(text[last:]))
    return Markup("".join(out))  # noqa: S704 (every piece escaped)


def snippet(text: str, words: set[str], size: int = 32) -> Markup:
    """The window of `size` syllables with the most matches, marked."""
    tokens = list(WORDS.finditer(text))
    if not tokens:
        return Markup("")
    hits = [1 if fold(t.group().lower()) in words else 0 for t in tokens]
    best, best_start, current = -1, 0, sum(hits[:size])
    for start in range(0, max(1, len(tokens) - size + 1)):
        if start:
            current += (hits[start + size - 1] if start + size - 1 < len(hits) else 0) \
                - hits[start - 1]
        if current > best:
            best, best_start = current, start
    first = tokens[best_start].start()
    last_token = tokens[min(len(tokens), best_start + size) - 1]
    piece = text[first:last_token.end()]
    prefix = "… " if best_start else ""
    suffix = " …" if best_start + size < len(tokens) else ""
    return Markup(prefix) + mark(piece, words) + Markup(suffix)  # noqa: S704 (constants)
