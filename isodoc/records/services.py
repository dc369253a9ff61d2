"""The agency's records register, read from the "Hồ sơ cần lưu" table (section 7) of each
procedure in force: what is kept, who keeps it, where, for how long; and the yearly
batches of records whose retention ends this year.

Retention follows archival practice: the records of year Y kept N years are kept to the
end of year Y + N. Batches are counted from the year the agency began applying its QMS
(its plan year) or the procedure's first issue, whichever is earlier."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from isodoc import audit as audit_log
from isodoc import policy
from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.documents import services as documents
from isodoc.documents.models import Document
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.policy import Action
from isodoc.records.models import RecordPlace
from isodoc.textnorm import clean, fold, typed

HEADING = re.compile(r"^#{1,6}\s+(.*)$")
ROWS_PER_DOCUMENT = 50   # table rows read from one procedure at most
DOCUMENTS_MAX = 1_000    # procedures read for one register at most
PERMANENT = ("vinh vien", "lau dai", "thuong xuyen")


@dataclass(frozen=True)
class RecordEntry:
    document: Document
    number: int | None        # lần ban hành of the revision read
    what: str
    keeper: str
    place: str
    retention: str
    years: int | None         # None: permanent or not a number of years
    permanent: bool
    place_kept: bool = False  # the place comes from the register, not the procedure

    def ends_in(self, year: int) -> int | None:
        """The year whose records reach the end of their retention in `year`."""
        return year - self.years if self.years else None


def _cells(line: str) -> list[str]:
    line = line.strip()
    if not (line.startswith("|") and line.endswith("|")):
        return []
    return [clean(c.strip().strip("*")) for c in line[1:-1].split("|")]


def _column(header: list[str], *words: str) -> int | None:
    folded = [fold(h) for h in header]
    for word in words:
        for n, h in enumerate(folded):
            if word in h:
                return n
    return None


def retention_years(text: str) -> tuple[int | None, bool]:
    folded = fold(text)
    if any(w in folded for w in PERMANENT):
        return None, True
    if m := re.search(r"(\d{1,3})\s*nam", folded):
        return int(m.group(1)) or None, False
    if m := re.search(r"(\d{1,3})\s*thang", folded):
        months = int(m.group(1))
        return (-(-months // 12) if months else None), False
    return None, False


def records_table(body: str) -> list[list[str]]:
    """The header and rows of the first table under a "Hồ sơ cần lưu" heading."""
    lines = body.splitlines()
    inside, rows = False, []
    for line in lines:
        heading = HEADING.match(line.strip())
        if heading:
            if inside and rows:
                break
            inside = "ho so can luu" in fold(heading.group(1)) or \
                "ho so luu" in fold(heading.group(1))
            continue
        if not inside:
            continue
        cells = _cells(line)
        if cells and all(set(c) <= set("-: ") for c in cells):
            continue  # the separator row
        if cells:
            rows.append(cells)
        elif rows and line.strip():
            break
        if len(rows) > ROWS_PER_DOCUMENT:
            break
    return rows


def entries_of(document: Document) -> list[RecordEntry]:
    current = documents.in_force(document)
    if current is None:
        return []
    _head, body = documents.read_parts(current)
    table = records_table(body)
    if len(table) < 2:
        return []
    header, rows = table[0], table[1:]
    what = _column(header, "ho so", "ten")
    keeper = _column(header, "trach nhiem", "nguoi luu", "bo phan luu", "don vi luu")
    place = _column(header, "noi luu", "dia diem", "vi tri")
    keep_for = _column(header, "thoi gian luu", "thoi han")
    if what is None:
        return []

    def cell(row: list[str], n: int | None) -> str:
        return row[n] if n is not None and n < len(row) else ""

    out = []
    for row in rows:
        if not cell(row, what):
            continue
        retention = cell(row, keep_for)
        years, permanent = retention_years(retention)
        out.append(RecordEntry(document, current.number, cell(row, what)[:300],
                               cell(row, keeper)[:300], cell(row, place)[:300],
                               retention[:100], years, permanent))
    return out


def register(agency: Agency) -> list[RecordEntry]:
    """Every record of every procedure in force, by procedure code; where the procedure
    does not say where a record is kept, the place the secretary noted."""
    places = {(p.document_id, p.item): p.place for p in db.session.scalars(
        select(RecordPlace).where(RecordPlace.agency_id == agency.id))}
    found = []
    for document in documents.agency_documents(agency)[:DOCUMENTS_MAX]:
        for e in entries_of(document):
            kept = places.get((document.id, e.what))
            if not e.place and kept:
                e = RecordEntry(e.document, e.number, e.what, e.keeper, kept, e.retention,
                                e.years, e.permanent, place_kept=True)
            found.append(e)
    return found


def set_place(agency: Agency, actor: User, document: Document | None, item: str,
              place: str) -> RecordPlace | None:
    """Note where a record of a procedure in force is kept (empty: forget it)."""
    policy.require(actor, Action.RECORDS_MANAGE, agency)
    if document is None or document.agency_id != agency.id:
        raise InvalidInput(_("Quy trình không thuộc đơn vị."))
    item = clean(item)
    if not any(e.what == item for e in entries_of(document)):
        raise InvalidInput(_("Hồ sơ này không có trong mục «Hồ sơ cần lưu» của quy trình "
                             "đang hiệu lực."))
    place = typed(place, _("nơi lưu"), 300, required=False)
    found = db.session.scalar(select(RecordPlace).where(
        RecordPlace.document_id == document.id, RecordPlace.item == item))
    if not place:
        if found is not None:
            db.session.delete(found)
    else:
        found = found or RecordPlace(agency_id=agency.id, document_id=document.id, item=item)
        found.place, found.updated_by_id = place, actor.id if isinstance(actor, User) else None
        db.session.add(found)
    db.session.flush()
    audit_log.record("records.place", "document", document.id, agency_id=agency.id,
                     actor=actor if isinstance(actor, User) else None,
                     summary=f"{document.code}: «{item[:200]}» lưu tại "  # i18n: vi-only
                             f"{place or '(bỏ trống)'}")  # i18n: vi-only
    return found if place else None


def first_year(agency: Agency, document: Document) -> int | None:
    issued = [r.effective_date.year for r in documents.issued(document) if r.effective_date]
    years = issued + ([agency.plan_year] if agency.plan_year else [])
    return min(years) if years else None


@dataclass(frozen=True)
class Expiring:
    entry: RecordEntry
    batch_year: int      # the records of this year
    ends_on: date        # reach the end of their retention on this day


def ending_this_year(agency: Agency, entries: list[RecordEntry], today: date) -> list[Expiring]:
    out = []
    for e in entries:
        batch = e.ends_in(today.year)
        start = first_year(agency, e.document)
        if batch is not None and start is not None and batch >= start:
            out.append(Expiring(e, batch, date(today.year, 12, 31)))
    return out
