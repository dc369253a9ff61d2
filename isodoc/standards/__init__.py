"""Clause catalogs of ISO 9001 editions and the correspondence between them.

The catalogs are data (`*.yaml` beside this module): one file per edition, one per
correspondence. `load()` validates them — unique numbers, every parent present,
every clause of the older edition mapped or marked "no counterpart", every target
present — and refuses to start on a broken catalog rather than show wrong clauses.
Adding ISO 9001:2026 is a new edition file plus its map file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
NUMBER_RE = re.compile(r"^\d{1,2}(\.\d{1,2}){0,3}$")
CURRENT = "iso9001-2015"


class CatalogError(ValueError):
    """A catalog file contradicts itself or another catalog."""


def _english() -> bool:
    from flask_babel import get_locale

    locale = get_locale()
    return locale is not None and locale.language == "en"


@dataclass(frozen=True)
class Note:
    flag: str
    vi: str
    en: str

    @property
    def text(self) -> str:
        """In the interface's language (the catalog carries both)."""
        return self.en if _english() else self.vi


@dataclass
class Clause:
    number: str
    vi: str
    en: str
    untitled: bool = False
    question: str = ""
    notes: list[Note] = field(default_factory=list)
    children: list[Clause] = field(default_factory=list)

    @property
    def parent_number(self) -> str | None:
        return self.number.rpartition(".")[0] or None

    @property
    def depth(self) -> int:
        return self.number.count(".")

    @property
    def label(self) -> str:
        return f"{self.number} {self.vi}"

    @property
    def title(self) -> str:
        """In the interface's language (the catalog carries both)."""
        return self.en if _english() else self.vi

    @property
    def other_title(self) -> str:
        """In the other language: shown beside, for the terms people meet elsewhere."""
        return self.vi if _english() else self.en


@dataclass
class Edition:
    id: str
    title: str
    short: str
    current: bool
    clauses: dict[str, Clause]  # in document order

    def top(self) -> list[Clause]:
        return [c for c in self.clauses.values() if c.parent_number is None]

    def get(self, number: str) -> Clause | None:
        return self.clauses.get(number)

    def lineage(self, number: str) -> list[Clause]:
        """The clause and its ancestors, outermost first."""
        out = []
        while number:
            if clause := self.clauses.get(number):
                out.append(clause)
            number = number.rpartition(".")[0]
        return out[::-1]

    def subtree(self, number: str) -> list[str]:
        return [n for n in self.clauses if n == number or n.startswith(number + ".")]


@dataclass
class Correspondence:
    source: str
    target: str
    map: dict[str, list[str]]
    none: dict[str, str]
    new: list[str]
    notes: dict[str, str]

    def sources_of(self, number: str) -> list[str]:
        return [old for old, targets in self.map.items() if number in targets]


@dataclass
class Catalog:
    editions: dict[str, Edition]
    correspondences: list[Correspondence]

    @property
    def current(self) -> Edition:
        return self.editions[CURRENT]

    def correspondence(self, source: str, target: str = CURRENT) -> Correspondence | None:
        return next((c for c in self.correspondences
                     if c.source == source and c.target == target), None)


def _edition(data: dict, name: str) -> Edition:
    clauses: dict[str, Clause] = {}
    for raw in data.get("clauses") or []:
        number = str(raw.get("number", ""))
        if not NUMBER_RE.match(number):
            raise CatalogError(f"{name}: bad clause number {number!r}")
        if number in clauses:
            raise CatalogError(f"{name}: clause {number} appears twice")
        if not raw.get("vi") or not raw.get("en"):
            raise CatalogError(f"{name}: clause {number} needs a Vietnamese and an English title")
        clause = Clause(number, raw["vi"], raw["en"], bool(raw.get("untitled")),
                        raw.get("question", ""),
                        [Note(n["flag"], n["vi"], n["en"]) for n in raw.get("notes") or []])
        if clause.parent_number is not None:
            parent = clauses.get(clause.parent_number)
            if parent is None:
                raise CatalogError(f"{name}: clause {number} comes before or without its "
                                   f"parent {clause.parent_number}")
            parent.children.append(clause)
        clauses[number] = clause
    if not clauses:
        raise CatalogError(f"{name}: no clauses")
    return Edition(data["id"], data["title"], data.get("short", data["title"]),
                   bool(data.get("current")), clauses)


def _correspondence(data: dict, name: str, editions: dict[str, Edition]) -> Correspondence:
    source, target = editions.get(data.get("from")), editions.get(data.get("to"))
    if source is None or target is None:
        raise CatalogError(f"{name}: unknown edition in from/to")
    mapping = {str(k): [str(t) for t in v] for k, v in (data.get("map") or {}).items()}
    none = {str(k): v for k, v in (data.get("none") or {}).items()}
    new = [str(n) for n in data.get("new") or []]
    for number in source.clauses:
        if number not in mapping:
            raise CatalogError(f"{name}: {source.short} clause {number} is neither mapped nor "
                               "marked as having no counterpart")
        if not mapping[number] and number not in none:
            raise CatalogError(f"{name}: {number} maps to nothing: say why under `none`")
    for old, targets in mapping.items():
        if old not in source.clauses:
            raise CatalogError(f"{name}: {old} is not a {source.short} clause")
        for t in targets:
            if t not in target.clauses:
                raise CatalogError(f"{name}: {old} → {t}, not a {target.short} clause")
    targets = {t for ts in mapping.values() for t in ts}
    for number in new:
        if number not in target.clauses:
            raise CatalogError(f"{name}: new clause {number} is not a {target.short} clause")
        if number in targets:
            raise CatalogError(f"{name}: {number} is listed as new but has a source")
    return Correspondence(source.id, target.id, mapping, none, new,
                          {str(k): v for k, v in (data.get("notes") or {}).items()})


def load(folder: Path = HERE) -> Catalog:
    """Read and validate every catalog file in `folder`."""
    editions: dict[str, Edition] = {}
    maps: list[tuple[str, dict]] = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if "map" in data:
            maps.append((path.name, data))
            continue
        edition = _edition(data, path.name)
        if edition.id in editions:
            raise CatalogError(f"{path.name}: edition {edition.id} defined twice")
        editions[edition.id] = edition
    if CURRENT not in editions:
        raise CatalogError(f"the current edition {CURRENT} is missing")
    return Catalog(editions, [_correspondence(d, n, editions) for n, d in maps])


@cache
def catalog() -> Catalog:
    return load()


def current() -> Edition:
    return catalog().current


def check_numbers(numbers: list[str]) -> list[str]:
    """The numbers that are not clauses of the current edition."""
    edition = current()
    return [n for n in numbers if n not in edition.clauses]


def addressed_by(number: str, document_clauses: list[str]) -> bool:
    """A document addressing 7.5 addresses 7.5.3 too, and one addressing 7.5.3 shows
    under 7.5: a clause page lists both."""
    return any(c == number or c.startswith(number + ".") or number.startswith(c + ".")
               for c in document_clauses)
