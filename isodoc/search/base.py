"""What the engines index and answer; nothing here knows an engine."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as attribute
from datetime import date
from pathlib import Path
from typing import Protocol

OPEN_END = 99991231


def day_number(day: date | None, default: int = 0) -> int:
    return day.year * 10000 + day.month * 100 + day.day if day else default


@dataclass
class SearchDoc:
    """One index entry: an issued revision (key "<doc>:r<n>") or a draft ("<doc>:d")."""

    key: str
    document_id: int
    agency: str
    agency_name: str
    district: str
    level: str
    code: str
    slug: str
    tthc_code: str
    title: str
    body: str
    kind: str
    field: str
    clauses: list[str]
    revision: int | None
    effective_date: date | None
    valid_from: int
    valid_until: int
    visibility: str  # "public" (issued) or "staff" (draft of the agency)


@dataclass
class Filters:
    on: int                                         # today, yyyymmdd
    agencies: list[str] | None = None               # restrict to these agencies
    district: str = ""
    kind: str = ""
    field: str = ""
    clause: str = ""
    draft_agencies: list[str] = attribute(default_factory=list)  # drafts visible to the user
    prefer_agencies: list[str] = attribute(default_factory=list)  # ranked first


@dataclass
class RawHit:
    key: str
    score: float
    stored: dict


@dataclass
class RawResults:
    hits: list[RawHit]
    total: int
    facets: dict[str, list[tuple[str, int]]]


class Engine(Protocol):
    name: str
    path: Path  # the index's own folder: its cursor file lives there too

    def replace(self, docs: list[SearchDoc], document_ids: list[int]) -> None:
        """Delete every entry of `document_ids`, add `docs`, commit (one writer)."""

    def clear(self) -> None: ...

    def rebuild(self, batches: Iterable[list[SearchDoc]]) -> int:
        """Empty the index and fill it from `batches` with one writer and one commit: a
        full reindex without a segment merge per batch. Returns the documents added."""
        ...

    def search(self, query, filters: Filters, offset: int, limit: int) -> RawResults: ...

    def suggest(self, words: list[str], prefix: str, filters: Filters, limit: int
                ) -> list[RawHit]: ...

    def vocabulary(self) -> list[str]: ...

    def entry_keys(self) -> set[str]: ...

    def count(self) -> int: ...

    def stamp(self) -> tuple:
        """Which commit of the index a search now reads (it moves at every commit,
        by any process): what a page of results kept for later is valid for."""
        ...

    def close(self) -> None: ...
