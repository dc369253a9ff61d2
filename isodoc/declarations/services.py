"""Conformity declarations: what an agency must have before it declares, recording a
declaration with its scope frozen, and what changed in that scope since (a TTHC the
agency must cover added or abolished, documents in force issued or withdrawn, an agency
merged into it): then it must declare again (the rule: isodoc/declarations/redeclare.py).

`record_declaration` is a command (see isodoc/commands.py): it asks the policy itself,
flushes, never commits, and writes an audit-log row."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from isodoc import audit as audit_log
from isodoc import policy
from isodoc.agencies.models import Agency
from isodoc.audits.models import Audit, AuditState
from isodoc.auth.models import Role, User
from isodoc.auth.services import members_of
from isodoc.declarations import redeclare
from isodoc.declarations.models import (
    DOCUMENTS_MAX,
    STANDARDS,
    Declaration,
    DeclaredDocument,
    DeclaredTthc,
)
from isodoc.documents.models import Document, Revision
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.policy import Action
from isodoc.textnorm import typed
from isodoc.timeutil import format_date, today_local, utc_days
from isodoc.tthc import coverage

PERIOD_DAYS = 365       # the internal audit must have been completed within this period
PROVINCE_MAX = 500      # declared agencies weighed on the province page
DECISION_RE = re.compile(r".*[0-9].*")


@dataclass(frozen=True)
class InForce:
    document_id: int
    code: str
    title: str
    number: int
    effective_date: date


def documents_in_force(agency: Agency, on: date | None = None) -> list[InForce]:
    """The agency's documents with a revision in force on `on` (one query)."""
    on = on or today_local()
    rows = db.session.execute(
        select(Document.id, Document.code, Revision.title, Revision.number,
               Revision.effective_date)
        .join(Revision, Revision.document_id == Document.id)
        .where(Document.agency_id == agency.id, coverage.in_force_filter(on))
        .order_by(Document.code).limit(DOCUMENTS_MAX))
    return [InForce(*row) for row in rows]


# -- prerequisites --------------------------------------------------------------------
# Each returns what is missing (a sentence in the interface's language) or None:
# documents issued, an internal audit completed and a management review held in the period.
Prerequisite = Callable[[Agency, date], "str | None"]


def issued_documents(agency: Agency, on: date) -> str | None:
    if not documents_in_force(agency, on):
        return _("Chưa có bộ tài liệu của HTQLCL được ban hành: cần ít nhất một tài liệu "
                 "đã ban hành và có hiệu lực đến ngày %(date)s.", date=format_date(on))
    return None


def audit_window(on: date) -> tuple[date, date]:
    return on - timedelta(days=PERIOD_DAYS), on


def completed_audit(agency: Agency, on: date) -> str | None:
    start, end = audit_window(on)
    lo, hi = utc_days(start, end)  # local days: an audit closed at 06:00 on `start` counts
    found = db.session.scalar(select(func.count()).select_from(Audit).where(
        Audit.agency_id == agency.id, Audit.state == AuditState.COMPLETED,
        Audit.completed_at >= lo, Audit.completed_at < hi))
    if not found:
        return _("Chưa có cuộc đánh giá nội bộ nào hoàn thành trong kỳ "
                 "(từ %(start)s đến %(end)s).", start=format_date(start), end=format_date(end))
    return None


def held_management_review(agency: Agency, on: date) -> str | None:
    from isodoc.reviews.models import ManagementReview

    start, end = audit_window(on)
    found = db.session.scalar(select(func.count()).select_from(ManagementReview).where(
        ManagementReview.agency_id == agency.id, ManagementReview.held_on >= start,
        ManagementReview.held_on <= end))
    if not found:
        return _("Chưa có cuộc họp xem xét của lãnh đạo nào trong kỳ "
                 "(từ %(start)s đến %(end)s).", start=format_date(start), end=format_date(end))
    return None


PREREQUISITES: list[Prerequisite] = [issued_documents, completed_audit, held_management_review]


def year_summary(agency: Agency, year: int) -> str | None:
    """The declarations section of the agency's annual report: declarations decided in
    the year, else the one in force at its end, and whether the scope had changed since
    by then (a later declaration is not the year's). The annual report is filed: its
    text stays Vietnamese whatever the interface's language."""
    with force_locale("vi"):
        return _year_summary(agency, year)


def _year_summary(agency: Agency, year: int) -> str | None:
    end = min(date(year, 12, 31), today_local())
    decided = list(db.session.scalars(select(Declaration).where(
        Declaration.agency_id == agency.id, Declaration.decided_on >= date(year, 1, 1),
        Declaration.decided_on <= end).order_by(Declaration.decided_on)))
    last = decided[-1] if decided else db.session.scalar(
        select(Declaration).where(Declaration.agency_id == agency.id,
                                  Declaration.decided_on <= end)
        .order_by(Declaration.decided_on.desc(), Declaration.id.desc()).limit(1))
    if not decided and last is None:
        return None
    lines = [f"- Quyết định {d.decision_no} ngày {format_date(d.decided_on)} "  # i18n: vi-only
             f"công bố HTQLCL phù hợp {d.standard}." for d in decided]  # i18n: vi-only
    head = (f"Năm {year} đơn vị công bố HTQLCL {len(decided)} lần:" if decided  # i18n: vi-only
            else f"Năm {year} đơn vị không công bố lại; công bố còn áp dụng: "  # i18n: vi-only
            f"quyết định {last.decision_no} ngày {format_date(last.decided_on)} "
            f"({last.standard}).")
    changes = changes_since(last, end) if last is not None else []
    tail = ["Phạm vi đã thay đổi sau công bố, cần công bố lại: "  # i18n: vi-only
            + "; ".join(changes) + "."] if changes else []
    return "\n".join([head, *lines, *tail])


def missing(agency: Agency, on: date | None = None) -> list[str]:
    """What the agency still lacks to declare on `on`: empty when it may."""
    on = on or today_local()
    return [problem for check in PREREQUISITES if (problem := check(agency, on))]


# -- recording ------------------------------------------------------------------------

def refused(field: str, message: str, problems: list[str] | None = None) -> InvalidInput:
    """A refusal the form shows next to `field` (the API and the CLI read the message)."""
    error = InvalidInput(message, problems)
    error.field = field  # type: ignore[attr-defined]
    return error


@dataclass
class DeclarationInput:
    decision_no: str
    decided_on: date | None
    signer: User | None
    signer_title: str
    standard: str
    note: str = ""


def signers(agency: Agency) -> list[User]:
    """Who may sign: the agency's leaders (approvers)."""
    return members_of(agency, Role.APPROVER)


def record_declaration(agency: Agency, actor: User, data: DeclarationInput) -> Declaration:
    policy.require(actor, Action.DECLARATION_RECORD, agency)
    try:
        number = typed(data.decision_no, _("số quyết định công bố"), 60)
    except InvalidInput as exc:
        raise refused("decision_no", exc.message) from None
    if not DECISION_RE.fullmatch(number):
        raise refused("decision_no", _("Số quyết định phải có số hiệu, vd. 125/QĐ-STP."))
    on = data.decided_on
    if on is None:
        raise refused("decided_on", _("Vui lòng nhập ngày ký quyết định (dd/mm/yyyy)."))
    if on > today_local():
        raise refused("decided_on", _("Ngày ký quyết định không được ở tương lai."))
    if on.year < 2000:
        raise refused("decided_on", _("Ngày ký quyết định phải từ năm 2000."))
    if data.signer is None or data.signer.id not in {u.id for u in signers(agency)}:
        raise refused("signer", _("Người ký phải là lãnh đạo (người phê duyệt) của đơn vị."))
    try:
        title = typed(data.signer_title, _("chức vụ người ký"), 120)
    except InvalidInput as exc:
        raise refused("signer_title", exc.message) from None
    try:
        note = typed(data.note, _("ghi chú"), 2000, required=False, multiline=True)
    except InvalidInput as exc:
        raise refused("note", exc.message) from None
    if data.standard not in STANDARDS:
        raise refused("standard", _("Chọn phiên bản tiêu chuẩn công bố."))
    if db.session.scalar(select(func.count()).select_from(Declaration).where(
            Declaration.agency_id == agency.id, Declaration.decision_no == number)):
        raise refused("decision_no", _("Đơn vị đã ghi nhận quyết định số %(number)s.",
                                       number=number))
    latest_one = latest(agency)
    if latest_one is not None and on < latest_one.decided_on:
        raise refused("decided_on", _("Ngày ký không được trước lần công bố gần nhất "
                                      "(%(date)s).", date=format_date(latest_one.decided_on)))
    problems = missing(agency, on)
    if problems:
        raise refused("", _("Chưa đủ điều kiện công bố HTQLCL: %(problems)s",
                            problems=" ".join(problems)), problems)
    who = actor if isinstance(actor, User) else None
    declaration = Declaration(agency=agency, decision_no=number, decided_on=on,
                              signed_by=data.signer, signer=data.signer.full_name,
                              signer_title=title, standard=data.standard, note=note,
                              recorded_by=who)
    freeze(declaration, on)
    db.session.add(declaration)
    db.session.flush()
    audit_log.record("declaration.record", "declaration", declaration.id, agency_id=agency.id,
                     actor=who, summary=(  # the activity log keeps Vietnamese
                         f"Công bố HTQLCL theo QĐ {number} "  # i18n: vi-only
                         f"ngày {format_date(on)}: {len(declaration.documents)} "
                         f"tài liệu, {len(declaration.covered_tthc)}/"  # i18n: vi-only
                         f"{len(declaration.tthc)} TTHC có quy trình"))  # i18n: vi-only
    return declaration


def freeze(declaration: Declaration, on: date) -> None:
    """The scope on the declaration's day: documents in force at their lần ban hành, and
    every TTHC the agency must cover with whether a procedure covered it."""
    agency = declaration.agency
    declaration.documents = [
        DeclaredDocument(document_id=d.document_id, code=d.code, title=d.title,
                         revision_number=d.number, effective_date=d.effective_date)
        for d in documents_in_force(agency, on)]
    found = coverage.agency_coverage(agency, on)
    declaration.tthc = [
        DeclaredTthc(tthc_code=item.tthc.code, name=item.tthc.name,
                     covered=item.state != coverage.MISSING,
                     document_code=item.procedure.code if item.procedure else None)
        for item in found.items]


# -- reading --------------------------------------------------------------------------

def agency_declarations(agency: Agency) -> list[Declaration]:
    return list(db.session.scalars(
        select(Declaration).where(Declaration.agency_id == agency.id)
        .order_by(Declaration.decided_on.desc(), Declaration.id.desc()).limit(100)))


def latest(agency: Agency) -> Declaration | None:
    return db.session.scalars(
        select(Declaration).where(Declaration.agency_id == agency.id)
        .order_by(Declaration.decided_on.desc(), Declaration.id.desc()).limit(1)).first()


def changes_since(declaration: Declaration, on: date | None = None) -> list[str]:
    """Why the agency must declare again: what changed in its scope after the
    declaration (empty when nothing did); see isodoc/declarations/redeclare.py."""
    facts = redeclare.load(on, [declaration.agency], declared=False)
    return redeclare.reasons(declaration, facts)


@dataclass
class Standing:
    """An agency's latest declaration and whether it must declare again."""

    agency: Agency
    declaration: Declaration
    reasons: list[str]


def standings(declarations: list[Declaration], on: date | None = None) -> list[Standing]:
    """Each declaration with why its agency must declare again, the rule's facts loaded
    once for all of them (a fixed number of queries, however many)."""
    facts = redeclare.load(on, {d.agency_id: d.agency for d in declarations}.values(),
                           declared=False)
    return [Standing(d.agency, d, redeclare.reasons(d, facts)) for d in declarations]


def _latest_live() -> list[Declaration]:
    """Every live agency's latest declaration (bounded), with its frozen scope."""
    newest = select(Declaration.agency_id, func.max(Declaration.id).label("id")) \
        .group_by(Declaration.agency_id).subquery()
    return list(db.session.scalars(
        select(Declaration).join(newest, newest.c.id == Declaration.id)
        .join(Agency, Agency.id == Declaration.agency_id)
        .where(Agency.dissolved_on.is_(None))
        .options(selectinload(Declaration.documents), selectinload(Declaration.tthc),
                 selectinload(Declaration.agency))
        .order_by(Agency.name).limit(PROVINCE_MAX)))


def province_standings() -> list[Standing]:
    """Every live agency's latest declaration (bounded), those to declare again first."""
    return sorted(standings(_latest_live()), key=lambda s: not s.reasons)


@dataclass
class Province:
    """The province page: the declared agencies, and the successors that never declared
    themselves but took a declared scope over by a merger."""

    rows: list[Standing]
    merged: list[redeclare.Redeclaration]

    @property
    def redeclare(self) -> int:
        return sum(1 for r in self.rows if r.reasons) + len(self.merged)


def province(on: date | None = None) -> Province:
    """The province page's lists from one load of the rule's facts."""
    on = on or today_local()
    found = _latest_live()
    facts = redeclare.load(on, {d.agency_id: d.agency for d in found}.values())
    rows = sorted((Standing(d.agency, d, redeclare.reasons(d, facts)) for d in found),
                  key=lambda s: not s.reasons)
    listed = {r.agency.id for r in rows}
    merged = [m for m in redeclare.must_redeclare(on, facts) if m.agency.id not in listed]
    return Province(rows, merged)


@dataclass
class RedeclareItem:
    """A line of "Việc của tôi" (the shape of documents.worklist.WorkItem)."""

    code: str
    title: str
    agency: str
    url: str
    note: str = ""
    due: date | None = None


def redeclare_work(user: User) -> list[RedeclareItem]:
    """The agencies where `user` is the secretary or a leader whose scope changed after
    their latest declaration; for the Sở KH&CN overseer, every such agency."""
    if policy.province_overseer(user):
        rows = province_standings()
    else:
        agencies = {m.agency_id: m.agency for m in user.memberships
                    if m.role in (Role.SECRETARY, Role.APPROVER)}
        rows = standings([d for a in agencies.values() if not a.is_dissolved()
                          and (d := latest(a)) is not None])
    return [RedeclareItem(s.declaration.decision_no,
                          _("Phạm vi HTQLCL đã thay đổi sau công bố: cần công bố lại"),
                          s.agency.name,
                          url_for("declarations.index", agency_code=s.agency.code),
                          " ".join(s.reasons)[:300])
            for s in rows if s.reasons]
