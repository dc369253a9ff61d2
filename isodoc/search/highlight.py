"""Highlights computed from the stored text, the same for every engine."""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from markupsafe import Markup

from isodoc.search.analysis import fold

WORDS = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=65536)
def folded(word: str) -> str:
    """Vietnamese has a few thousand syllables: fold each once per process."""
    return fold(word.lower())


def mark(text: str, words: set[str]) -> Markup:
    """The whole text with every matching syllable in <mark>."""
    out, last = [], 0
    for m in WORDS.finditer(text):
        if folded(m.group()) in words:
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
    matches = [i for i, t in enumerate(tokens) if folded(t.group()) in words]
    best_start, best, j = 0, 0, 0
    for i, start in enumerate(matches):  # windows that start at a match
        while j < len(matches) and matches[j] < start + size:
            j += 1
        if j - i > best:
            best, best_start = j - i, max(0, start - 4)
    end = min(len(tokens), best_start + size)
    piece = text[tokens[best_start].start():tokens[end - 1].end()]
    prefix = "… " if best_start else ""
    suffix = " …" if end < len(tokens) else ""
    return Markup(prefix) + mark(piece, words) + Markup(suffix)  # noqa: S704 (constants)
