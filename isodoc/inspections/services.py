"""The Sở KH&CN's inspections of agencies and its register of consultants. Commands (see
isodoc/commands.py): each asks the policy itself, flushes, never commits, and writes an
audit-log row. A finding raised in an inspection goes through the findings command and
then follows the agency's usual corrective-action steps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

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


def _day(value: date | None, what: str, ahead_days: int = 0) -> date:
    if value is None:
        raise InvalidInput(f"Vui lòng nhập {what} (dd/mm/yyyy).")
    if value.year < YEAR_MIN:
        raise InvalidInput(f"{what[:1].upper()}{what[1:]} phải từ năm {YEAR_MIN}.")
    if value > today_local() + timedelta(days=ahead_days):
        raise InvalidInput(f"{what[:1].upper()}{what[1:]} không được ở tương lai"
                           + (f" quá {ahead_days} ngày." if ahead_days else "."))
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
        raise InvalidInput("Chọn đơn vị được kiểm tra.")
    if agency.is_dissolved():
        raise InvalidInput("Đơn vị đã giải thể hoặc sáp nhập: không kiểm tra.")
    if data.mode not in set(InspectionMode):
        raise InvalidInput("Chọn hình thức kiểm tra (tại trụ sở hoặc qua hồ sơ).")
    on = _day(data.inspected_on, "ngày kiểm tra", ahead_days=365)
    team = typed(data.team, "thành phần đoàn kiểm tra", 2000, multiline=True)
    scope = typed(data.scope, "nội dung, phạm vi kiểm tra", 4000, multiline=True)
    seq = (db.session.scalar(select(func.max(Inspection.seq)).where(
        Inspection.year == on.year)) or 0) + 1
    inspection = Inspection(agency=agency, year=on.year, seq=seq, mode=data.mode,
                            inspected_on=on, team=team, scope=scope, lead=actor)
    db.session.add(inspection)
    db.session.flush()
    audit_log.record("inspection.record", "inspection", inspection.id, agency_id=agency.id,
                     actor=_who(actor), summary=f"{inspection.code}: "
                     f"{inspection.mode_enum.label} {agency.name} ngày {format_date(on)}")
    return inspection


def conclude(inspection: Inspection, actor: User, conclusion: str) -> None:
    policy.require(actor, Action.INSPECTION_LEAD, inspection)
    inspection.conclusion = typed(conclusion, "kết luận kiểm tra", 10_000, multiline=True)
    inspection.concluded_on = today_local()
    db.session.flush()
    audit_log.record("inspection.conclude", "inspection", inspection.id,
                     agency_id=inspection.agency_id, actor=_who(actor),
                     summary=f"{inspection.code}: kết luận — {inspection.conclusion[:200]}")


def raise_finding(inspection: Inspection, actor: User, data: findings.FindingInput,
                  engagement: Engagement | None = None) -> Finding:
    """A finding at the inspected agency (source: the inspection), optionally traced to
    the consultant that advised the agency."""
    if engagement is not None and engagement.agency_id != inspection.agency_id:
        raise InvalidInput("Tổ chức tư vấn phải là đơn vị đã tư vấn cho cơ quan được kiểm tra.")
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
                     summary=f"{finding.code}: liên quan đến tư vấn {engagement.consultant.name}"
                             f" ({engagement.year})")
    return link


FINDING_CODE_RE = re.compile(r"PH-([0-9]{4})-([0-9]{1,6})")


def trace_finding(engagement: Engagement, actor: User, code: str) -> FindingTrace:
    """Trace a finding of the advised agency (from an internal audit, a complaint, an
    inspection…) to the consultant's work there, by its code (PH-2026-003)."""
    policy.require(actor, Action.CONSULTANT_MANAGE)
    code = typed(code, "mã phát hiện", 20).upper()
    found = FINDING_CODE_RE.fullmatch(code)
    if found is None:
        raise InvalidInput("Mã phát hiện có dạng PH-năm-số, vd. PH-2026-003.")
    finding = db.session.scalar(select(Finding).where(
        Finding.agency_id == engagement.agency_id, Finding.year == int(found.group(1)),
        Finding.seq == int(found.group(2))))
    if finding is None:
        raise InvalidInput(f"{engagement.agency.name} không có phát hiện {code}.")
    if db.session.get(FindingTrace, finding.id) is not None:
        raise InvalidInput(f"Phát hiện {code} đã được gắn với một tổ chức tư vấn.")
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
    name = typed(name, "tên tổ chức, chuyên gia tư vấn", 255)
    if kind not in set(ConsultantKind):
        raise InvalidInput("Chọn loại: tổ chức tư vấn hoặc chuyên gia.")
    contact = typed(contact, "địa chỉ liên hệ", 255, required=False)
    note = typed(note, "ghi chú", 2000, required=False, multiline=True)
    if db.session.scalar(select(func.count()).select_from(Consultant).where(
            func.lower(Consultant.name) == name.lower())):
        raise InvalidInput(f"«{name}» đã có trong danh sách tư vấn.")
    consultant = Consultant(name=name, kind=kind, contact=contact, note=note)
    db.session.add(consultant)
    db.session.flush()
    audit_log.record("consultant.create", "consultant", consultant.id, actor=_who(actor),
                     summary=f"{consultant.kind_enum.label}: {name}")
    return consultant


def engage(consultant: Consultant, actor: User, agency: Agency | None, year: object,
           note: str = "") -> Engagement:
    """The consultant advises `agency` in `year`."""
    policy.require(actor, Action.CONSULTANT_MANAGE)
    if agency is None or agency.parent_id is None:
        raise InvalidInput("Chọn cơ quan được tư vấn.")
    if not isinstance(year, int) or isinstance(year, bool) or not YEAR_MIN <= year <= YEAR_MAX:
        raise InvalidInput(f"Năm phải trong khoảng {YEAR_MIN}–{YEAR_MAX}.")
    note = typed(note, "nội dung tư vấn", 2000, required=False, multiline=True)
    if db.session.scalar(select(func.count()).select_from(Engagement).where(
            Engagement.consultant_id == consultant.id, Engagement.agency_id == agency.id,
            Engagement.year == year)):
        raise InvalidInput(f"{consultant.name} đã được ghi là tư vấn cho {agency.name} năm "
                           f"{year}.")
    engagement = Engagement(consultant=consultant, agency=agency, year=year, note=note)
    db.session.add(engagement)
    db.session.flush()
    audit_log.record("consultant.engage", "consultant", consultant.id, agency_id=agency.id,
                     actor=_who(actor), summary=f"{consultant.name} tư vấn {agency.name} "
                                                f"năm {year}")
    return engagement


def record_visit(engagement: Engagement, actor: User, visited_on: date | None,
                 conclusion: str) -> SupervisionVisit:
    """The Sở's supervision of the consultant's work at the agency."""
    policy.require(actor, Action.CONSULTANT_MANAGE)
    on = _day(visited_on, "ngày giám sát")
    conclusion = typed(conclusion, "kết luận giám sát", 10_000, multiline=True)
    visit = SupervisionVisit(engagement=engagement, visited_on=on, conclusion=conclusion,
                             recorded_by=_who(actor))
    db.session.add(visit)
    db.session.flush()
    audit_log.record("consultant.visit", "consultant", engagement.consultant_id,
                     agency_id=engagement.agency_id, actor=_who(actor),
                     summary=f"Giám sát {engagement.consultant.name} tại "
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
