"""Highlights computed from the stored text, the same for every engine.

Bounded work per hit, whatever the body's length: the body is read syllable by syllable
only up to its first match (at most SCAN_LIMIT characters) and the window after it; no
token list of the whole body, no scan for the densest window. (A regex of the accented
forms of the searched words would scan faster, but compiling its Vietnamese character
classes costs milliseconds for every new query.)
"""

from __future__ import annotations

import re
from collections import deque
from html import escape
from itertools import islice

from markupsafe import Markup

from isodoc.search.analysis import fold

WORDS = re.compile(r"[^\W_]+", re.UNICODE)
SCAN_LIMIT = 10_000  # characters read for a first match; past it, the body's start
BEFORE = 4           # syllables of context before the first match


_FOLDS: dict[str, str] = {}  # syllable -> fold; Vietnamese has a few thousand syllables


def folded(word: str) -> str:
    """fold() of one syllable, remembered (bounded: codes and numbers are unbounded)."""
    value = _FOLDS.get(word)
    if value is None:
        value = fold(word)
        if len(_FOLDS) < 65536:
            _FOLDS[word] = value
    return value


def _marked(text: str, tokens, words: set[str], offset: int = 0) -> str:
    """`text` (which starts at `offset` of the string the tokens come from) escaped, the
    tokens whose fold is in `words` in <mark>."""
    out, last, get = [], offset, _FOLDS.get
    for m in tokens:
        word = m.group()
        if (get(word) or folded(word)) in words:
            out.append(escape(text[last - offset:m.start() - offset]))
            out.append(f"<mark>{escape(word)}</mark>")
            last = m.end()
    out.append(escape(text[last - offset:]))
    return "".join(out)


def mark(text: str, words: set[str]) -> Markup:
    """The whole text (a title) with every matching syllable in <mark>."""
    return Markup(_marked(text, WORDS.finditer(text), words))  # noqa: S704 (escaped)


def snippet(text: str, words: set[str], size: int = 32) -> Markup:
    """`size` syllables from a few before the first match, marked; the body's first
    syllables when nothing matches in its first SCAN_LIMIT characters."""
    recent: deque[re.Match] = deque(maxlen=BEFORE)
    seen, first, get = 0, None, _FOLDS.get
    tokens = WORDS.finditer(text, 0, SCAN_LIMIT)
    for m in tokens:
        word = m.group()
        if (get(word) or folded(word)) in words:
            first = m
            break
        recent.append(m)
        seen += 1
    if first is not None:
        window = [*recent, first]
        first_index = seen - len(recent)
        window += islice(tokens, size - len(window))
        if len(window) < size:  # the scan limit cut the window: read on past it
            window += islice(WORDS.finditer(text, window[-1].end()), size - len(window))
    else:  # nothing matched: the body's first syllables (read again, `size` at most)
        first_index, window = 0, list(islice(WORDS.finditer(text, 0, SCAN_LIMIT), size))
    if not window:
        return Markup("")
    start, end = window[0].start(), window[-1].end()
    prefix = "… " if first_index > 0 else ""
    suffix = " …" if WORDS.search(text, end) is not None else ""
    piece = _marked(text[start:end], window, words, start)
    return Markup(prefix + piece + suffix)  # noqa: S704 (every piece escaped)
