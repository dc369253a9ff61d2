"""Annual QMS reports: the figures from the agency's records, the report's steps
(edit, send to the leader, return, approve, submit to the Sở) and the Sở's deadline.

Every step is a command (isodoc/commands.py): it asks the state table
(`workflow.require`) and `policy.require` itself, records the report's event and the
audit-log row, and flushes, never commits."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import case, distinct, func, or_, select

from isodoc import audit, policy
from isodoc.agencies.models import Agency
from isodoc.annual_reports import workflow
from isodoc.annual_reports.models import (
    DEFAULT_DEADLINE,
    REFRESHED,
    STARTED,
    AnnualReport,
    ReportDeadline,
    ReportEvent,
    ReportState,
)
from isodoc.annual_reports.workflow import Step
from isodoc.audits.models import Audit, AuditState
from isodoc.auth.models import User
from isodoc.documents.models import Document, Revision, RevisionState
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.findings.models import Finding, FindingState, FindingType
from isodoc.findings.services import overdue_condition
from isodoc.i18n import _, _l
from isodoc.policy import Action
from isodoc.textnorm import typed
from isodoc.timeutil import LOCAL_TZ, format_date, today_local, utcnow

YEAR_MIN, YEAR_MAX = 2000, 2100
TEXT_MAX = 10_000     # each section the secretary writes
LIST_MAX = 200        # documents or audits listed in a report's figures
TEXT_FIELDS = {"assessment": _l("đánh giá chung"), "declarations": _l("công bố hệ thống"),
               "training": _l("đào tạo, tập huấn"), "difficulties": _l("khó khăn, vướng mắc"),
               "proposals": _l("kiến nghị, đề xuất"), "next_year": _l("phương hướng năm sau")}


# Sections that other features fill (conformity declarations, training): each provider
# returns the section's text for (agency, year), or None when it has nothing; the
# secretary edits it like any section.
SectionProvider = Callable[[Agency, int], str | None]


def _training(agency: Agency, year: int) -> str | None:
    from isodoc.training.services import year_summary

    return year_summary(agency, year)


def _declarations(agency: Agency, year: int) -> str | None:
    from isodoc.declarations.services import year_summary

    return year_summary(agency, year)


INPUT_SECTIONS: dict[str, SectionProvider | None] = {"declarations": _declarations,
                                                     "training": _training}


def current_year() -> int:
    """The reporting year people look at: this year from July (reports are due in
    November), last year before."""
    today = today_local()
    return today.year if today.month >= 7 else today.year - 1


def check_year(year: object) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not YEAR_MIN <= year <= YEAR_MAX:
        raise InvalidInput(_("Năm báo cáo phải trong khoảng %(min)s–%(max)s.", min=YEAR_MIN,
                             max=YEAR_MAX))
    return year


# -- the deadline ----------------------------------------------------------------

def deadline(year: int) -> date:
    """The deadline of `year`'s reports: the one the Sở set, or 15 November."""
    found = db.session.get(ReportDeadline, year)
    return found.due_on if found else date(year, *DEFAULT_DEADLINE)


def deadline_row(year: int) -> ReportDeadline | None:
    return db.session.get(ReportDeadline, year)


def set_deadline(year: int, due_on: date | None, actor: User) -> ReportDeadline:
    """The Sở KH&CN sets the year's deadline (between 1 July of the year and 31 March of
    the next). Reports submitted before it stay as they were; lateness is judged
    against the deadline in force."""
    policy.require(actor, Action.REPORT_DEADLINE)
    year = check_year(year)
    if due_on is None:
        raise InvalidInput(_("Vui lòng nhập hạn nộp báo cáo (dd/mm/yyyy)."))
    if not date(year, 7, 1) <= due_on <= date(year + 1, 3, 31):
        raise InvalidInput(_("Hạn nộp báo cáo năm %(year)s phải từ 01/07/%(year)s đến "
                             "31/03/%(next)s.", year=year, next=year + 1))
    row = deadline_row(year)
    before = row.due_on if row else date(year, *DEFAULT_DEADLINE)
    if row is None:
        row = ReportDeadline(year=year, due_on=due_on)
        db.session.add(row)
    row.due_on, row.set_by, row.set_at = due_on, actor if isinstance(actor, User) else None, \
        utcnow()
    db.session.flush()
    audit.record("report.deadline", "report_deadline", year, actor=row.set_by,
                 summary=f"hạn nộp báo cáo năm {year}: {format_date(before)} → "  # i18n: vi-only
                         f"{format_date(due_on)}")
    return row


# -- the figures -------------------------------------------------------------------

def _utc(day: date) -> datetime:
    """Local midnight starting `day`, as the naive UTC that stored times use."""
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ).astimezone(UTC) \
        .replace(tzinfo=None)


def figures_for(agency: Agency, year: int, on: date | None = None) -> dict:
    """What the agency's records say about `year`, as of `on` (the year's end, or today
    while the year runs): documents issued (new, revised) and withdrawn, documents in
    force, TTHC coverage (predecessors' procedures counted after a merger), internal
    audits, findings raised, closed and open. Plain JSON values."""
    from isodoc.tthc.coverage import agency_coverage, in_force_filter

    start, end = date(year, 1, 1), date(year, 12, 31)
    on = on or min(end, today_local())
    lo, hi = _utc(start), _utc(date(year + 1, 1, 1))
    issued = db.session.execute(
        select(Document.code, Revision.title, Revision.number, Revision.effective_date)
        .join(Revision, Revision.document_id == Document.id)
        .where(Document.agency_id == agency.id, Revision.state == RevisionState.ISSUED,
               Revision.issued_at >= lo, Revision.issued_at < hi)
        .order_by(Revision.issued_at).limit(LIST_MAX + 1)).all()
    issued_new, revised = db.session.execute(
        select(func.count(case((Revision.number == 1, 1))),
               func.count(case((Revision.number > 1, 1))))
        .join(Document, Revision.document_id == Document.id)
        .where(Document.agency_id == agency.id, Revision.state == RevisionState.ISSUED,
               Revision.issued_at >= lo, Revision.issued_at < hi)).one()
    withdrawn = db.session.scalar(select(func.count()).select_from(Document).where(
        Document.agency_id == agency.id, Document.withdrawn_on >= start,
        Document.withdrawn_on <= end)) or 0
    in_force = db.session.scalar(
        select(func.count(distinct(Document.id))).select_from(Revision)
        .join(Document, Revision.document_id == Document.id)
        .where(Document.agency_id == agency.id, in_force_filter(on))) or 0
    coverage = agency_coverage(agency, on).counts
    audits = db.session.execute(
        select(Audit.title, Audit.planned_start, Audit.planned_end, Audit.state)
        .where(Audit.agency_id == agency.id, Audit.planned_start <= end,
               Audit.planned_end >= start).order_by(Audit.planned_start)
        .limit(LIST_MAX)).all()
    raised = dict(db.session.execute(
        select(Finding.type, func.count()).where(Finding.agency_id == agency.id,
                                                 Finding.year == year)
        .group_by(Finding.type)).all())
    closed = db.session.scalar(select(func.count()).select_from(Finding).where(
        Finding.agency_id == agency.id, Finding.closed_on >= start,
        Finding.closed_on <= end)) or 0
    still_open = db.session.scalar(select(func.count()).select_from(Finding).where(
        Finding.agency_id == agency.id, Finding.year <= year,
        Finding.state != FindingState.CLOSED)) or 0
    overdue = db.session.scalar(select(func.count()).select_from(Finding).where(
        Finding.agency_id == agency.id, Finding.year <= year, overdue_condition(on))) or 0
    nonconformities = sum(raised.get(t, 0) for t in FindingType if t.is_nonconformity)
    return {
        "as_of": on.isoformat(),
        "documents": {
            "issued_new": issued_new, "revised": revised,
            "withdrawn": withdrawn, "in_force": in_force,
            "list": [{"code": c, "title": t, "number": n,
                      "effective_date": e.isoformat() if e else None}
                     for c, t, n, e in issued[:LIST_MAX]],
            "list_truncated": len(issued) > LIST_MAX,
        },
        "tthc": coverage.as_dict(),
        "audits": {
            "held": sum(1 for a in audits if a.state == AuditState.COMPLETED),
            "planned": sum(1 for a in audits if a.state in (AuditState.PLANNED,
                                                            AuditState.IN_PROGRESS)),
            "list": [{"title": a.title, "start": a.planned_start.isoformat(),
                      "end": a.planned_end.isoformat(), "state": a.state} for a in audits],
        },
        "findings": {
            "raised": sum(raised.values()), "nonconformities": nonconformities,
            "by_type": {t.value: raised.get(t.value, 0) for t in FindingType},
            "closed": closed, "open": still_open, "overdue": overdue,
        },
    }


# -- the report's steps -----------------------------------------------------------------

def get_report(agency: Agency, year: int) -> AnnualReport | None:
    return db.session.scalar(select(AnnualReport).where(AnnualReport.agency_id == agency.id,
                                                        AnnualReport.year == year))


def _event(report: AnnualReport, actor: User | None, step: Step, before: str,
           comment: str = "") -> None:
    who = actor if isinstance(actor, User) else None
    report.events.append(ReportEvent(actor=who, step=step.value, from_state=before,
                                     to_state=report.state, comment=comment))
    report.updated_at = utcnow()
    db.session.flush()
    audit.record(f"report.{step.value}", "annual_report", report.id, actor=who,
                 agency_id=report.agency_id,
                 summary=f"báo cáo năm {report.year}: {before} → {report.state}"  # i18n: vi-only
                         + (f" — {comment[:300]}" if comment else ""))


def start_report(agency: Agency, year: int, actor: User) -> AnnualReport:
    """The year's report, prefilled from the agency's records (and from the providers of
    the input sections, when wired). One per agency and year."""
    policy.require(actor, Action.REPORT_EDIT, agency)
    year = check_year(year)
    if year > today_local().year:
        raise InvalidInput(_("Chưa đến năm %(year)s: chỉ lập báo cáo của năm nay hoặc năm "
                             "trước.", year=year))
    if get_report(agency, year) is not None:
        raise InvalidInput(_("%(agency)s đã có báo cáo năm %(year)s.", agency=agency.name,
                             year=year))
    report = AnnualReport(agency=agency, year=year, state=ReportState.DRAFT,
                          figures=json.dumps(figures_for(agency, year), ensure_ascii=False),
                          prepared_by=actor if isinstance(actor, User) else None)
    for name, provider in INPUT_SECTIONS.items():
        if provider is not None and (text := provider(agency, year)):
            setattr(report, name, text[:TEXT_MAX])
    db.session.add(report)
    db.session.flush()
    _event(report, actor, Step.EDIT, ReportState.DRAFT, STARTED)
    return report


def refresh_figures(report: AnnualReport, actor: User) -> None:
    """Recompute the figures of a draft from today's records."""
    workflow.require(Step.EDIT, report.state)
    policy.require(actor, Action.REPORT_EDIT, report)
    report.figures = json.dumps(figures_for(report.agency, report.year), ensure_ascii=False)
    report.figures_at = utcnow()
    _event(report, actor, Step.EDIT, report.state, REFRESHED)


def save_report(report: AnnualReport, actor: User, texts: dict[str, str]) -> None:
    """The secretary's text, section by section; every section checked before any is
    written (nothing changes on a refusal)."""
    workflow.require(Step.EDIT, report.state)
    policy.require(actor, Action.REPORT_EDIT, report)
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        raise InvalidInput(_("Mục không có trong báo cáo: %(names)s.",
                             names=", ".join(sorted(unknown))[:100]))
    cleaned = {name: typed(value, str(TEXT_FIELDS[name]), TEXT_MAX, required=False,
                           multiline=True) for name, value in texts.items()}
    for name, value in cleaned.items():
        setattr(report, name, value)
    report.prepared_by = actor if isinstance(actor, User) else report.prepared_by
    _event(report, actor, Step.EDIT, report.state)


def send(report: AnnualReport, actor: User) -> None:
    """To the leader: the figures are frozen as they are now."""
    workflow.require(Step.SEND, report.state)
    policy.require(actor, Action.REPORT_EDIT, report)
    if not report.assessment.strip():
        raise InvalidInput(_("Vui lòng viết phần đánh giá chung trước khi trình lãnh đạo."))
    report.figures = json.dumps(figures_for(report.agency, report.year), ensure_ascii=False)
    report.figures_at = utcnow()
    report.prepared_by = actor if isinstance(actor, User) else report.prepared_by
    before, report.state = report.state, workflow.target(Step.SEND)
    _event(report, actor, Step.SEND, before)


def return_report(report: AnnualReport, actor: User, comment: str) -> None:
    workflow.require(Step.RETURN, report.state)
    policy.require(actor, Action.REPORT_APPROVE, report)
    comment = typed(comment, _("lý do trả lại"), 2000, multiline=True)
    before, report.state = report.state, workflow.target(Step.RETURN)
    report.leader_comment, report.approved_by, report.approved_at = comment, None, None
    _event(report, actor, Step.RETURN, before, comment)


def approve(report: AnnualReport, actor: User, comment: str = "") -> None:
    workflow.require(Step.APPROVE, report.state)
    policy.require(actor, Action.REPORT_APPROVE, report)
    comment = typed(comment, _("ý kiến"), 2000, required=False, multiline=True)
    before, report.state = report.state, workflow.target(Step.APPROVE)
    report.approved_by, report.approved_at = actor, utcnow()
    report.leader_comment = ""
    _event(report, actor, Step.APPROVE, before, comment)


def submit(report: AnnualReport, actor: User) -> bool:
    """Sent to the Sở KH&CN; True when on time. A report after the deadline is still
    received, marked late."""
    workflow.require(Step.SUBMIT, report.state)
    policy.require(actor, Action.REPORT_SUBMIT, report)
    before, report.state = report.state, workflow.target(Step.SUBMIT)
    report.submitted_by, report.submitted_at = actor, utcnow()
    report.due_on = deadline(report.year)
    on_time = report.submitted_on <= report.due_on
    _event(report, actor, Step.SUBMIT, before,
           "" if on_time else f"nộp muộn (hạn {format_date(report.due_on)})")  # i18n: vi-only
    return on_time


# -- the Sở's view -------------------------------------------------------------------------

NOT_STARTED = "not_started"
def status_label(state: str) -> str:
    """A standing's state in words ("Chưa lập" before the report is started)."""
    return _("Chưa lập") if state == NOT_STARTED else ReportState(state).label


@dataclass
class Standing:
    """One agency's report for the year, as the Sở sees it."""

    agency: Agency
    report: AnnualReport | None
    due_on: date
    today: date

    @property
    def state(self) -> str:
        return self.report.state if self.report else NOT_STARTED

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.state == ReportState.SUBMITTED

    @property
    def late(self) -> bool:
        """Submitted after the deadline, or not submitted and the deadline passed."""
        if self.submitted:
            return self.report.submitted_on > self.due_on
        return self.today > self.due_on

    @property
    def label(self) -> str:
        if self.submitted:
            return _("Đã nộp muộn") if self.late else _("Đã nộp đúng hạn")
        if self.late:
            return _("%(state)s — quá hạn", state=status_label(self.state))
        return status_label(self.state)


def overseer_agency() -> Agency | None:
    """The Sở KH&CN in the registry (the consolidated report's issuer), found by name."""
    from isodoc.textnorm import fold

    for agency in db.session.scalars(select(Agency).where(Agency.kind == "department")):
        if "khoa hoc va cong nghe" in fold(agency.name) or "kh&cn" in fold(agency.name):
            return agency
    return None


def reporting_agencies() -> list[Agency]:
    """Every live agency but the province root (it receives the reports)."""
    return list(db.session.scalars(select(Agency).where(
        Agency.parent_id.is_not(None),
        or_(Agency.dissolved_on.is_(None), Agency.dissolved_on > today_local()))
        .order_by(Agency.name)))


def standings(year: int, agencies: list[Agency] | None = None) -> list[Standing]:
    """Each agency's standing for the year: two queries whatever their number."""
    today = today_local()
    due = deadline(year)
    agencies = reporting_agencies() if agencies is None else agencies
    reports = {r.agency_id: r for r in db.session.scalars(select(AnnualReport).where(
        AnnualReport.year == year))}
    from isodoc.agencies.services import kind_order

    rows = [Standing(a, reports.get(a.id), due, today) for a in agencies]
    rows.sort(key=lambda s: (kind_order(s.agency), s.agency.name))
    return rows


@dataclass
class Summary:
    total: int
    submitted: int
    on_time: int
    late: int
    missing: int       # not submitted
    overdue: int       # not submitted and the deadline passed


def summary(rows: list[Standing]) -> Summary:
    submitted = [r for r in rows if r.submitted]
    missing = [r for r in rows if not r.submitted]
    return Summary(len(rows), len(submitted), sum(not r.late for r in submitted),
                   sum(r.late for r in submitted), len(missing), sum(r.late for r in missing))
