"""Finding reports: by clause, agency, type, state, overdue, trend per year; CSV; and the
inputs of the management review (ISO 9001:2015 clause 9.3.2) for one agency and period."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import Response
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from isodoc import policy, standards
from isodoc.agencies.models import Agency
from isodoc.audits.models import Audit, AuditState
from isodoc.audits.services import clause_title
from isodoc.auth.models import User
from isodoc.csvio import write_rows
from isodoc.documents.models import Document, Revision, RevisionState
from isodoc.extensions import db
from isodoc.findings.models import Finding, FindingClause, FindingEvent, FindingState, FindingType
from isodoc.findings.services import overdue_condition, overdue_since
from isodoc.findings.workflow import OPEN_STATES
from isodoc.timeutil import format_date, today_local, utc_days


def visible_agencies(user: User, under: Agency | None = None) -> list[Agency] | None:
    """Agencies whose findings `user` may see (None: every agency); with `under`, only
    that agency and those below it (a district's communes, a department's units)."""
    everyone = db.session.scalars(select(Agency)).all()
    visible = policy.quality_scope(user, everyone)
    if under is None:
        return visible
    return [a for a in (everyone if visible is None else visible) if under in a.lineage()]


@dataclass
class FindingQuery:
    agencies: list[Agency] | None = None   # None: the whole province
    year: int | None = None
    type: str = ""
    state: str = ""
    clause: str = ""
    overdue: bool = False

    @classmethod
    def from_args(cls, args: MultiDict, agencies: list[Agency] | None) -> FindingQuery:
        year = args.get("year", type=int)
        return cls(agencies=agencies, year=year if year and 2000 <= year <= 2100 else None,
                   type=args.get("type", "") if args.get("type") in set(FindingType) else "",
                   state=args.get("state", "") if args.get("state") in set(FindingState)
                   else "",
                   clause=args.get("clause", "") if args.get("clause", "")
                   in standards.current().clauses else "",
                   overdue=args.get("overdue") == "1")

    def _filtered(self, q):
        if self.agencies is not None:
            q = q.where(Finding.agency_id.in_([a.id for a in self.agencies]))
        if self.year:
            q = q.where(Finding.year == self.year)
        if self.type:
            q = q.where(Finding.type == self.type)
        if self.state:
            q = q.where(Finding.state == self.state)
        if self.clause:
            number = self.clause
            q = q.where(Finding.clauses.any(
                (FindingClause.clause == number) | FindingClause.clause.like(f"{number}.%")))
        if self.overdue:
            q = q.where(overdue_condition(today_local()))
        return q

    def run(self, limit: int | None = None, offset: int = 0) -> list[Finding]:
        # everything the report rows, the CSV and the API show, loaded in a few queries
        q = self._filtered(select(Finding).options(
            selectinload(Finding.clauses), selectinload(Finding.agency),
            selectinload(Finding.raised_by), selectinload(Finding.owner),
            selectinload(Finding.audit).selectinload(Audit.programme),
            selectinload(Finding.revisions).selectinload(Revision.document),
            selectinload(Finding.revision).selectinload(Revision.document)))
        q = q.order_by(Finding.year.desc(), Finding.agency_id, Finding.seq).offset(offset)
        return list(db.session.scalars(q.limit(limit) if limit is not None else q).unique())

    def count(self) -> int:
        return db.session.scalar(self._filtered(select(func.count(Finding.id))))

    def facts(self) -> list[Fact]:
        """The columns a summary needs, without building ORM objects: a province's
        thousands of findings summarise in SQL time, not object time."""
        rows = db.session.execute(self._filtered(select(
            Finding.id, Finding.agency_id, Finding.year, Finding.type, Finding.state,
            overdue_condition(today_local()).label("overdue")))).all()
        clauses: dict[int, list[str]] = {}
        for finding_id, clause in db.session.execute(
                select(FindingClause.finding_id, FindingClause.clause).where(
                    FindingClause.finding_id.in_(self._filtered(select(Finding.id))))):
            clauses.setdefault(finding_id, []).append(clause)
        return [Fact(r.agency_id, r.year, r.type, r.state, bool(r.overdue),
                     tuple(clauses.get(r.id, ()))) for r in rows]


@dataclass(frozen=True)
class Fact:
    agency_id: int
    year: int
    type: str
    state: str
    overdue: bool
    clauses: tuple[str, ...]


def facts_of(rows: list[Finding]) -> list[Fact]:
    return [Fact(f.agency_id, f.year, f.type, f.state, overdue_since(f) is not None,
                 tuple(f.clause_list)) for f in rows]


def top_clause(number: str) -> str:
    """7.5.3 → 7.5: the level a chart can show."""
    parts = number.split(".")
    return ".".join(parts[:2])


@dataclass
class Summary:
    total: int = 0
    by_clause: list[tuple[str, str, Counter]] = field(default_factory=list)
    by_agency: list[tuple[Agency, Counter]] = field(default_factory=list)
    by_type: Counter = field(default_factory=Counter)
    by_state: Counter = field(default_factory=Counter)
    by_year: list[tuple[int, Counter]] = field(default_factory=list)
    overdue: int = 0

    @property
    def clause_max(self) -> int:
        return max((sum(c.values()) for _, _, c in self.by_clause), default=0)


def summarise(facts: list[Fact]) -> Summary:
    edition = standards.current()
    clauses: dict[str, Counter] = {}
    agencies: dict[int, Counter] = {}
    years: dict[int, Counter] = {}
    summary = Summary(total=len(facts))
    for f in facts:
        for number in dict.fromkeys(top_clause(c) for c in f.clauses):
            clauses.setdefault(number, Counter())[f.type] += 1
        agencies.setdefault(f.agency_id, Counter())[f.type] += 1
        years.setdefault(f.year, Counter())[f.type] += 1
        summary.by_type[f.type] += 1
        summary.by_state[f.state] += 1
        summary.overdue += f.overdue
    order = list(edition.clauses)
    summary.by_clause = [(n, clause_title(n), clauses[n])
                         for n in sorted(clauses, key=lambda n: order.index(n)
                                         if n in edition.clauses else 10_000)]
    named = {a.id: a for a in db.session.scalars(
        select(Agency).where(Agency.id.in_(list(agencies))))} if agencies else {}
    summary.by_agency = sorted(((named[i], c) for i, c in agencies.items()),
                               key=lambda pair: -sum(pair[1].values()))
    summary.by_year = sorted(years.items())
    return summary


CSV_HEADER = ["so", "don_vi", "nam", "loai", "nguon", "dieu_khoan", "noi_dung", "trang_thai",
              "nguoi_thuc_hien", "han_hoan_thanh", "qua_han_tu", "ngay_dong"]


def csv_response(rows: list[Finding], filename: str) -> Response:
    data = write_rows(CSV_HEADER, [[
        f.code, f.agency.code, str(f.year), f.type_enum.label, f.source_enum.label,
        " ".join(f.clause_list), f.observed, f.state_enum.label,
        f.owner.full_name if f.owner else "", format_date(f.due_date),
        format_date(overdue_since(f)), format_date(f.closed_on)] for f in rows])
    return Response(data, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


def _utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local calendar days [start, end] as naive UTC instants (how rows store time)."""
    return utc_days(start, end)


@dataclass
class ReviewInputs:
    agency: Agency
    start: date
    end: date
    audits: list[Audit]
    audit_results: Counter
    raised: list[Finding]
    closed: list[Finding]
    open_now: list[Finding]
    overdue: list[Finding]
    ineffective: list[FindingEvent]
    issued: list[Revision]
    by_type: Counter
    by_clause: list[tuple[str, str, Counter]]


def management_review(agency: Agency, start: date, end: date) -> ReviewInputs:
    lo, hi = _utc_bounds(start, end)
    audits = list(db.session.scalars(select(Audit).where(
        Audit.agency_id == agency.id, Audit.planned_start <= end, Audit.planned_end >= start,
        Audit.state != AuditState.CANCELLED).order_by(Audit.planned_start)))
    results = Counter(i.result or "none" for a in audits for i in a.items)
    findings = list(db.session.scalars(select(Finding).where(Finding.agency_id == agency.id)
                                       .order_by(Finding.year, Finding.seq)))
    raised = [f for f in findings if lo <= f.raised_at < hi]
    closed = [f for f in findings if f.closed_on and start <= f.closed_on <= end]
    open_now = [f for f in findings if f.state in OPEN_STATES]
    ineffective = list(db.session.scalars(select(FindingEvent).join(Finding).where(
        Finding.agency_id == agency.id, FindingEvent.action == "ineffective",
        FindingEvent.at >= lo, FindingEvent.at < hi)))
    issued = list(db.session.scalars(select(Revision).join(Document).where(
        Document.agency_id == agency.id, Revision.state == RevisionState.ISSUED,
        Revision.issued_at >= lo, Revision.issued_at < hi).order_by(Revision.issued_at)))
    summary = summarise(facts_of(raised))
    return ReviewInputs(agency, start, end, audits, results, raised, closed, open_now,
                        [f for f in open_now if overdue_since(f)], ineffective, issued,
                        summary.by_type, summary.by_clause)


def default_period() -> tuple[date, date]:
    today = today_local()
    return date(today.year, 1, 1), today
