"""The Sở KH&CN's inspections of agencies and its register of consultants. Commands (see
isodoc/commands.py): each asks the policy itself, flushes, never commits, and writes an
audit-log row. A finding raised in an inspection goes through the findings command and
then follows the agency's usual corrective-action steps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from isodoc import audit as audit_log
from isodoc import policy
from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.findings import services as findings
from isodoc.findings.models import Finding
from isodoc.i18n import _
from isodoc.inspections.models import (
    Consultant,
    ConsultantKind,
    Engagement,
    FindingTrace,
    Inspection,
    InspectionMode,
    SupervisionVisit,
)
from isodoc.policy import Action
from isodoc.textnorm import typed
from isodoc.timeutil import format_date, today_local

LIST_MAX = 200  # rows on a list page (inspections, consultants), newest first
YEAR_MIN, YEAR_MAX = 2000, 2100


def _who(actor: User) -> User | None:
    return actor if isinstance(actor, User) else None


def _refused(field: str, message: str) -> InvalidInput:
    """A refusal the form shows next to `field` (whatever the message's language)."""
    error = InvalidInput(message)
    error.field = field  # type: ignore[attr-defined]
    return error


def _day(value: date | None, what: str, ahead_days: int = 0) -> date:
    """`what` names the day in the message ("ngày kiểm tra"), already translated."""
    what_ = what[:1].upper() + what[1:]
    if value is None:
        raise InvalidInput(_("Vui lòng nhập %(what)s (dd/mm/yyyy).", what=what))
    if value.year < YEAR_MIN:
        raise InvalidInput(_("%(what)s phải từ năm %(year)s.", what=what_, year=YEAR_MIN))
    if value > today_local() + timedelta(days=ahead_days):
        raise InvalidInput(
            _("%(what)s không được ở tương lai quá %(days)s ngày.", what=what_,
              days=ahead_days) if ahead_days else
            _("%(what)s không được ở tương lai.", what=what_))
    return value


# -- inspections ----------------------------------------------------------------------

@dataclass
class InspectionInput:
    agency: Agency | None
    mode: str
    inspected_on: date | None
    team: str
    scope: str


def record_inspection(actor: User, data: InspectionInput) -> Inspection:
    """The overseer records an inspection of an agency and leads it."""
    policy.require(actor, Action.INSPECTION_MANAGE)
    agency = data.agency
    if agency is None or agency.parent_id is None:
        raise InvalidInput(_("Chọn đơn vị được kiểm tra."))
    if agency.is_dissolved():
        raise InvalidInput(_("Đơn vị đã giải thể hoặc sáp nhập: không kiểm tra."))
    if data.mode not in set(InspectionMode):
        raise InvalidInput(_("Chọn hình thức kiểm tra (tại trụ sở hoặc qua hồ sơ)."))
    on = _day(data.inspected_on, _("ngày kiểm tra"), ahead_days=365)
    team = typed(data.team, _("thành phần đoàn kiểm tra"), 2000, multiline=True)
    scope = typed(data.scope, _("nội dung, phạm vi kiểm tra"), 4000, multiline=True)
    seq = (db.session.scalar(select(func.max(Inspection.seq)).where(
        Inspection.year == on.year)) or 0) + 1
    with force_locale("vi"):  # the activity log keeps Vietnamese
        mode_vi = InspectionMode(data.mode).label
    inspection = Inspection(agency=agency, year=on.year, seq=seq, mode=data.mode,
                            inspected_on=on, team=team, scope=scope, lead=actor)
    db.session.add(inspection)
    db.session.flush()
    audit_log.record("inspection.record", "inspection", inspection.id, agency_id=agency.id,
                     actor=_who(actor), summary=f"{inspection.code}: {mode_vi} "
                     f"{agency.name} ngày {format_date(on)}")  # i18n: vi-only
    return inspection


def conclude(inspection: Inspection, actor: User, conclusion: str) -> None:
    policy.require(actor, Action.INSPECTION_LEAD, inspection)
    inspection.conclusion = typed(conclusion, _("kết luận kiểm tra"), 10_000, multiline=True)
    inspection.concluded_on = today_local()
    db.session.flush()
    audit_log.record("inspection.conclude", "inspection", inspection.id,
                     agency_id=inspection.agency_id, actor=_who(actor),
                     summary=f"{inspection.code}: kết luận — "  # i18n: vi-only
                             f"{inspection.conclusion[:200]}")


def raise_finding(inspection: Inspection, actor: User, data: findings.FindingInput,
                  engagement: Engagement | None = None) -> Finding:
    """A finding at the inspected agency (source: the inspection), optionally traced to
    the consultant that advised the agency."""
    if engagement is not None and engagement.agency_id != inspection.agency_id:
        raise InvalidInput(_("Tổ chức tư vấn phải là đơn vị đã tư vấn cho cơ quan được kiểm tra."))
    data.inspection, data.audit, data.checklist_item = inspection, None, None
    finding = findings.raise_finding(inspection.agency, actor, data)
    if engagement is not None:
        trace(finding, engagement)
    return finding


def trace(finding: Finding, engagement: Engagement) -> FindingTrace:
    link = FindingTrace(finding=finding, engagement=engagement)
    db.session.add(link)
    db.session.flush()
    audit_log.record("finding.trace", "finding", finding.id, agency_id=finding.agency_id,
                     summary=f"{finding.code}: liên quan đến tư vấn "  # i18n: vi-only
                             f"{engagement.consultant.name} ({engagement.year})")
    return link


FINDING_CODE_RE = re.compile(r"PH-([0-9]{4})-([0-9]{1,6})")


def trace_finding(engagement: Engagement, actor: User, code: str) -> FindingTrace:
    """Trace a finding of the advised agency (from an internal audit, a complaint, an
    inspection…) to the consultant's work there, by its code (PH-2026-003)."""
    policy.require(actor, Action.CONSULTANT_MANAGE)
    code = typed(code, _("mã phát hiện"), 20).upper()
    found = FINDING_CODE_RE.fullmatch(code)
    if found is None:
        raise InvalidInput(_("Mã phát hiện có dạng PH-năm-số, vd. PH-2026-003."))
    finding = db.session.scalar(select(Finding).where(
        Finding.agency_id == engagement.agency_id, Finding.year == int(found.group(1)),
        Finding.seq == int(found.group(2))))
    if finding is None:
        raise InvalidInput(_("%(agency)s không có phát hiện %(code)s.",
                             agency=engagement.agency.name, code=code))
    if db.session.get(FindingTrace, finding.id) is not None:
        raise InvalidInput(_("Phát hiện %(code)s đã được gắn với một tổ chức tư vấn.", code=code))
    return trace(finding, engagement)


def inspection_findings(inspection: Inspection) -> list[Finding]:
    return list(db.session.scalars(select(Finding).where(
        Finding.inspection_id == inspection.id).order_by(Finding.id).limit(LIST_MAX)))


def agency_inspections(agency: Agency) -> list[Inspection]:
    return list(db.session.scalars(select(Inspection).where(Inspection.agency_id == agency.id)
                                   .order_by(Inspection.inspected_on.desc()).limit(LIST_MAX)))


def all_inspections(year: int | None = None) -> list[Inspection]:
    query = select(Inspection).options(selectinload(Inspection.agency))
    if year is not None:
        query = query.where(Inspection.year == year)
    return list(db.session.scalars(query.order_by(Inspection.inspected_on.desc(),
                                                  Inspection.id.desc()).limit(LIST_MAX)))


# -- consultants ----------------------------------------------------------------------

def create_consultant(actor: User, name: str, kind: str, contact: str = "",
                      note: str = "") -> Consultant:
    policy.require(actor, Action.CONSULTANT_MANAGE)
    name = typed(name, _("tên tổ chức, chuyên gia tư vấn"), 255)
    if kind not in set(ConsultantKind):
        raise InvalidInput(_("Chọn loại: tổ chức tư vấn hoặc chuyên gia."))
    contact = typed(contact, _("địa chỉ liên hệ"), 255, required=False)
    note = typed(note, _("ghi chú"), 2000, required=False, multiline=True)
    if db.session.scalar(select(func.count()).select_from(Consultant).where(
            func.lower(Consultant.name) == name.lower())):
        raise InvalidInput(_("«%(name)s» đã có trong danh sách tư vấn.", name=name))
    with force_locale("vi"):  # the activity log keeps Vietnamese
        kind_vi = ConsultantKind(kind).label
    consultant = Consultant(name=name, kind=kind, contact=contact, note=note)
    db.session.add(consultant)
    db.session.flush()
    audit_log.record("consultant.create", "consultant", consultant.id, actor=_who(actor),
                     summary=f"{kind_vi}: {name}")
    return consultant


def engage(consultant: Consultant, actor: User, agency: Agency | None, year: object,
           note: str = "") -> Engagement:
    """The consultant advises `agency` in `year`."""
    policy.require(actor, Action.CONSULTANT_MANAGE)
    if agency is None or agency.parent_id is None:
        raise _refused("agency", _("Chọn cơ quan được tư vấn."))
    if not isinstance(year, int) or isinstance(year, bool) or not YEAR_MIN <= year <= YEAR_MAX:
        raise _refused("year", _("Năm phải trong khoảng %(first)s–%(last)s.", first=YEAR_MIN,
                                     last=YEAR_MAX))
    try:
        note = typed(note, _("nội dung tư vấn"), 2000, required=False, multiline=True)
    except InvalidInput as exc:
        raise _refused("note", exc.message) from None
    if db.session.scalar(select(func.count()).select_from(Engagement).where(
            Engagement.consultant_id == consultant.id, Engagement.agency_id == agency.id,
            Engagement.year == year)):
        raise _refused("agency", _("%(consultant)s đã được ghi là tư vấn cho %(agency)s năm "
                                   "%(year)s.", consultant=consultant.name, agency=agency.name,
                                   year=year))
    engagement = Engagement(consultant=consultant, agency=agency, year=year, note=note)
    db.session.add(engagement)
    db.session.flush()
    audit_log.record("consultant.engage", "consultant", consultant.id, agency_id=agency.id,
                     actor=_who(actor), summary=f"{consultant.name} tư vấn "  # i18n: vi-only
                                                f"{agency.name} năm {year}")
    return engagement


def record_visit(engagement: Engagement, actor: User, visited_on: date | None,
                 conclusion: str) -> SupervisionVisit:
    """The Sở's supervision of the consultant's work at the agency."""
    policy.require(actor, Action.CONSULTANT_MANAGE)
    try:
        on = _day(visited_on, _("ngày giám sát"))
    except InvalidInput as exc:
        raise _refused("visited_on", exc.message) from None
    try:
        conclusion = typed(conclusion, _("kết luận giám sát"), 10_000, multiline=True)
    except InvalidInput as exc:
        raise _refused("conclusion", exc.message) from None
    visit = SupervisionVisit(engagement=engagement, visited_on=on, conclusion=conclusion,
                             recorded_by=_who(actor))
    db.session.add(visit)
    db.session.flush()
    audit_log.record("consultant.visit", "consultant", engagement.consultant_id,
                     agency_id=engagement.agency_id, actor=_who(actor),
                     summary=f"Giám sát {engagement.consultant.name} tại "  # i18n: vi-only
                             f"{engagement.agency.name} ngày {format_date(on)}")
    return visit


def consultants() -> list[Consultant]:
    return list(db.session.scalars(select(Consultant).options(
        selectinload(Consultant.engagements).selectinload(Engagement.agency))
        .order_by(Consultant.name).limit(LIST_MAX)))


def agency_engagements(agency: Agency) -> list[Engagement]:
    return list(db.session.scalars(select(Engagement).where(Engagement.agency_id == agency.id)
                                   .order_by(Engagement.year.desc()).limit(LIST_MAX)))


def traced_findings(consultant: Consultant) -> list[FindingTrace]:
    return list(db.session.scalars(
        select(FindingTrace).join(Engagement).where(Engagement.consultant_id == consultant.id)
        .order_by(FindingTrace.finding_id.desc()).limit(LIST_MAX)))
