"""Highlights computed from the stored text, the same for every engine.

Bounded work per hit, whatever the body's length: one compiled pattern per query finds
the searched syllables in their accented forms (no folding of the body, no token list of
the whole body), the scan stops a few lines after the first match, and only the window
shown is marked.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from html import escape

from markupsafe import Markup

from isodoc.search.analysis import fold

WORDS = re.compile(r"[^\W_]+", re.UNICODE)
SCAN_LIMIT = 50_000   # characters searched for a first match; past it, the body's start
MAX_MATCHES = 16      # matches counted in the candidate windows
MAX_CANDIDATES = 6    # first matches tried as a window's start
CHARS_PER_SYLLABLE = 10  # generous: Vietnamese syllables are 1–7 letters and a space


def _variants() -> dict[str, str]:
    """Folded letter → every letter of Latin and Vietnamese that folds to it (a, à, ả, ã,
    á, ạ, ă, ằ… and their capitals), for the character classes of the patterns."""
    groups: dict[str, set[str]] = defaultdict(set)
    for cp in (*range(0x20, 0x250), *range(0x1E00, 0x1F00)):
        c = chr(cp)
        if c.isalnum():
            f = fold(c)
            if len(f) == 1:
                groups[f].add(c)
    return {f: "".join(sorted(cs)) for f, cs in groups.items()}


VARIANTS = _variants()


def _letter(ch: str) -> str:
    chars = set(VARIANTS.get(ch, ch)) | {ch}
    if len(ch.upper()) == 1:
        chars.add(ch.upper())
    if len(chars) == 1:
        return re.escape(ch)
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


@lru_cache(maxsize=512)
def pattern(words: frozenset[str]) -> re.Pattern | None:
    """Whole syllables whose fold is one of `words` (which are folded), as typed in the
    text: `sinh` finds Sinh, sính, SINH. The pattern opens with one character class (all
    the first letters) so that the regex engine skips to candidates at C speed; the
    lookbehind after it refuses a match that starts inside a syllable."""
    by_first: dict[str, list[str]] = defaultdict(list)
    for word in sorted(words, key=lambda w: (-len(w), w)):  # longest first
        if word:
            by_first[_letter(word[0])].append("".join(_letter(ch) for ch in word[1:]))
    if not by_first:
        return None
    firsts = "".join(sorted({c for cls in by_first for c in _members(cls)}))
    branches = "|".join(f"(?<={cls})(?:{'|'.join(rests)})" for cls, rests in by_first.items())
    return re.compile(f"[{firsts}](?<![^\\W_].)(?:{branches})\\b")


def _members(cls: str) -> list[str]:
    """The escaped characters of a class made by `_letter` (or the one escaped letter)."""
    if not cls.startswith("["):
        return [cls]
    return re.findall(r"\\.|[^\\]", cls[1:-1])


def _marked(text: str, found: re.Pattern | None) -> str:
    if found is None:
        return escape(text)
    out, last = [], 0
    for m in found.finditer(text):
        out.append(escape(text[last:m.start()]))
        out.append(f"<mark>{escape(m.group())}</mark>")
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)


def mark(text: str, words: set[str]) -> Markup:
    """The whole text (a title) with every matching syllable in <mark>."""
    return Markup(_marked(text, pattern(frozenset(words))))  # noqa: S704 (every piece escaped)


@lru_cache(maxsize=8)
def _syllables_from(n: int) -> re.Pattern:
    """From a syllable's start, up to n syllables: one match in C, no token list."""
    return re.compile(rf"(?:[^\W_]+[\W_]+){{0,{n - 1}}}[^\W_]+")


BACK = re.compile(r"(?<![^\W_])(?:[^\W_]+[\W_]+){1,4}$")  # whole syllables before a match


def snippet(text: str, words: set[str], size: int = 32) -> Markup:
    """`size` syllables from a little before the first match, or from a later one of the
    first matches when more of them fall in its window; the body's first syllables when
    nothing matches. Work bounded by the first matches, not by the body's length."""
    if not text:
        return Markup("")
    found = pattern(frozenset(words))
    hits: list[int] = []
    if found is not None:
        reach = size * CHARS_PER_SYLLABLE
        for m in found.finditer(text, 0, SCAN_LIMIT):
            if hits and m.start() > hits[0] + reach:
                break
            hits.append(m.start())
            if len(hits) == MAX_MATCHES:
                break
    opening = WORDS.search(text)
    if opening is None:
        return Markup("")
    start = opening.start()
    if hits:
        forward, best = _syllables_from(size - 4), -1
        for at in hits[:MAX_CANDIDATES]:  # windows that start at one of the first matches
            ends = forward.match(text, at).end()
            count = sum(1 for h in hits if at <= h < ends)
            if count > best:
                best, start = count, at
        before = BACK.search(text, max(opening.start(), start - 4 * CHARS_PER_SYLLABLE), start)
        if before is not None:
            start = before.start()  # a few syllables of context before the match
    end = _syllables_from(size).match(text, start).end()
    prefix = "… " if start > opening.start() else ""
    suffix = " …" if WORDS.search(text, end) is not None else ""
    return Markup(prefix + _marked(text[start:end], found) + suffix)  # noqa: S704 (escaped)
