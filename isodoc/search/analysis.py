"""Vietnamese text analysis: how a query is read (both engines) and how Whoosh is fed
pre-analysed tokens. The tantivy engine analyses documents inside tantivy with the same
rules (its `analyzers`; tests/test_search_engines.py checks that both fold every
Vietnamese letter alike) and looks a query's words up through that analyzer.

- NFC, lowercase, no stemming, no stop list, tokens of one letter kept;
- each syllable in two forms: folded (đ→d, ư→u, ả→a…) and exact (with its marks),
  so that an accent-free query matches and an accented query ranks exact forms first;
- syllable bigrams ("khai sinh" → "khai_sinh"): Whoosh's phrases, and both engines'
  ranking of adjacent syllables in a title (tantivy checks a quoted phrase by positions).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from isodoc.textnorm import fold  # the one fold (re-exported for the engines)

WORD = re.compile(r"[^\W_]+(?:[.\-/][^\W_]+)*", re.UNICODE)
SYLLABLE = re.compile(r"[^\W_]+", re.UNICODE)
# A code as people type it: letters and digits joined by . - / (QT-05, 1.004227, 02/CX).
CODE_LIKE = re.compile(r"^(?=.*\d)[\w]+(?:[.\-/ ][\w]+)*$", re.UNICODE)


def nfc_lower(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").lower()


def syllables(text: str) -> list[str]:
    return SYLLABLE.findall(nfc_lower(text))


def bigrams(tokens: list[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def normalise_code(code: str) -> str:
    """QT-05, qt 05, QT.05 → qt-05: how codes are indexed and queried."""
    return re.sub(r"[\s._/]+", "-", nfc_lower(code).strip()).strip("-")


@dataclass
class Analysed:
    fold: str      # space-separated folded syllables
    exact: str     # space-separated syllables with their marks
    bigrams: str   # space-separated folded bigrams


_FOLDED: dict[str, str] = {}  # syllable → fold; Vietnamese has a few thousand syllables


def _fold_all(tokens: list[str]) -> list[str]:
    """fold() of each token: one C-level dict lookup per syllable once they are known
    (a reindex folds hundreds of thousands of syllables)."""
    folded = list(map(_FOLDED.get, tokens))
    if None in folded:
        for i, (token, value) in enumerate(zip(tokens, folded, strict=True)):
            if value is None:
                value = folded[i] = fold(token)
                if len(_FOLDED) < 200_000:  # bounded: codes and numbers are unbounded
                    _FOLDED[token] = value
    return folded


def analyse(text: str) -> Analysed:
    exact = syllables(text)
    folded = _fold_all(exact)
    # "_".join over the pairs: the whole loop in C (a comprehension was a fifth of it)
    return Analysed(" ".join(folded), " ".join(exact),
                    " ".join(map("_".join, zip(folded, folded[1:], strict=False))))


@dataclass
class ParsedQuery:
    """A query split into what the engines look up."""

    text: str
    words: list[str] = field(default_factory=list)          # folded syllables, each required
    exact: list[str] = field(default_factory=list)          # accented syllables as typed
    bigrams: list[str] = field(default_factory=list)        # folded bigrams (ranking)
    phrases: list[list[str]] = field(default_factory=list)  # quoted: bigram chains required
    code: str = ""                                          # normalised code candidate
    min_words: int = 0  # relaxed search: how many words must match (0: all of them)

    @property
    def empty(self) -> bool:
        return not (self.words or self.phrases or self.code)

    @property
    def has_accents(self) -> bool:
        return any(fold(s) != s for s in self.exact)


def parse(query: str) -> ParsedQuery:
    """`"khai sinh" dang ky` → phrase [khai, sinh] + words; `QT-05` or `1.004227` → code."""
    query = unicodedata.normalize("NFC", query or "").strip()[:200]
    parsed = ParsedQuery(query)
    rest = query
    for phrase in re.findall(r'"([^"]+)"', query):
        tokens = [fold(s) for s in syllables(phrase)]
        if len(tokens) > 1:
            parsed.phrases.append(tokens)
        parsed.words += tokens
        parsed.exact += syllables(phrase)
        rest = rest.replace(f'"{phrase}"', " ")
    if CODE_LIKE.match(rest.strip()) and any(ch.isdigit() for ch in rest):
        parsed.code = normalise_code(rest)
    exact = syllables(rest.replace('"', " "))
    parsed.exact += exact
    parsed.words += [fold(s) for s in exact]
    parsed.words = list(dict.fromkeys(parsed.words))
    parsed.bigrams = bigrams([fold(s) for s in exact])
    return parsed
