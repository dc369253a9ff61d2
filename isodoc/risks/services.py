"""The risks and opportunities register: scales, assessing a risk or an opportunity of a
process, its actions (owner, due date) and their completion. Commands: each asks the
policy, flushes, never commits, and writes an audit-log row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from isodoc import audit as audit_log
from isodoc import policy
from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.documents import services as documents
from isodoc.documents.models import Document
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.findings import services as findings
from isodoc.findings.models import Finding, FindingSource, FindingType
from isodoc.findings.services import agency_member
from isodoc.i18n import _
from isodoc.policy import Action
from isodoc.risks.models import (
    MAX_LINKED_FINDINGS,
    Risk,
    RiskAction,
    RiskKind,
    RiskScale,
    RiskStatus,
)
from isodoc.textnorm import typed
from isodoc.timeutil import format_date, today_local

RISKS_SHOWN = 500  # the register page and the API answer at most this many per kind
SCALE_MIN, SCALE_MAX = 3, 10


def scale_of(agency: Agency) -> RiskScale:
    """The agency's scale, or the default 5 × 5 one (not stored until changed)."""
    found = db.session.get(RiskScale, agency.id)
    return found or RiskScale(agency_id=agency.id, likelihood_max=5, impact_max=5,
                              medium_from=5, high_from=12)


def _actor(actor) -> User | None:
    return actor if isinstance(actor, User) else None


def set_scale(agency: Agency, actor: User, likelihood_max: int, impact_max: int,
              medium_from: int, high_from: int) -> RiskScale:
    policy.require(actor, Action.RISK_MANAGE, agency)
    for value in (likelihood_max, impact_max):
        if not isinstance(value, int) or not SCALE_MIN <= value <= SCALE_MAX:
            raise InvalidInput(_("Thang khả năng xảy ra và mức độ ảnh hưởng: từ %(min)s đến "
                                 "%(max)s bậc.", min=SCALE_MIN, max=SCALE_MAX))
    top = likelihood_max * impact_max
    if not (isinstance(medium_from, int) and isinstance(high_from, int)
            and 1 < medium_from < high_from <= top):
        raise InvalidInput(_("Ngưỡng mức trung bình phải lớn hơn 1 và nhỏ hơn ngưỡng mức cao "
                             "(tối đa %(top)s).", top=top))
    if db.session.scalar(select(func.count()).select_from(Risk).where(
            Risk.agency_id == agency.id, (Risk.likelihood > likelihood_max) |
            (Risk.impact > impact_max))):
        raise InvalidInput(_("Có rủi ro/cơ hội đã đánh giá vượt thang mới: đánh giá lại trước."))
    scale = db.session.get(RiskScale, agency.id) or RiskScale(agency_id=agency.id)
    scale.likelihood_max, scale.impact_max = likelihood_max, impact_max
    scale.medium_from, scale.high_from = medium_from, high_from
    db.session.add(scale)
    for risk in db.session.scalars(select(Risk).where(Risk.agency_id == agency.id)):
        risk.level = scale.level(risk.score)
    audit_log.record("risk.scale", "agency", agency.id, agency_id=agency.id, actor=_actor(actor),
                     summary=f"Thang {likelihood_max} × {impact_max}; "  # i18n: vi-only
                             f"trung bình từ "
                             f"{medium_from}, cao từ {high_from}")
    db.session.flush()
    return scale


@dataclass
class RiskInput:
    kind: str
    process: str
    description: str
    cause: str
    likelihood: int | None
    impact: int | None
    review_date: date | None
    document: Document | None = None


def _checked(agency: Agency, data: RiskInput) -> tuple[str, str, str]:
    """The typed fields cleaned, the assessment checked against the agency's scale:
    (process, description, cause)."""
    process = typed(data.process, _("quá trình / quy trình"), 300)
    description = typed(data.description, _("mô tả"), 4000, multiline=True)
    cause = typed(data.cause, _("nguyên nhân"), 4000, required=False, multiline=True)
    scale = scale_of(agency)
    if not isinstance(data.likelihood, int) or not 1 <= data.likelihood <= scale.likelihood_max:
        raise InvalidInput(_("Khả năng xảy ra: từ 1 đến %(max)s.", max=scale.likelihood_max))
    if not isinstance(data.impact, int) or not 1 <= data.impact <= scale.impact_max:
        raise InvalidInput(_("Mức độ ảnh hưởng: từ 1 đến %(max)s.", max=scale.impact_max))
    if data.review_date is None:
        raise InvalidInput(_("Vui lòng nhập ngày xem xét lại (dd/mm/yyyy)."))
    if data.document is not None and data.document.agency_id != agency.id:
        raise InvalidInput(_("Tài liệu liên quan phải là tài liệu của đơn vị."))
    return process, description, cause


def register(agency: Agency, actor: User, data: RiskInput) -> Risk:
    policy.require(actor, Action.RISK_MANAGE, agency)
    if data.kind not in set(RiskKind):
        raise InvalidInput(_("Chọn rủi ro hoặc cơ hội."))
    process, description, cause = _checked(agency, data)
    scale = scale_of(agency)
    seq = (db.session.scalar(select(func.max(Risk.seq)).where(
        Risk.agency_id == agency.id, Risk.kind == data.kind)) or 0) + 1
    risk = Risk(agency=agency, kind=data.kind, seq=seq, process=process,
                document=data.document, description=description, cause=cause,
                likelihood=data.likelihood, impact=data.impact,
                level=scale.level(data.likelihood * data.impact),
                review_date=data.review_date, status=RiskStatus.OPEN,
                created_by_id=getattr(_actor(actor), "id", None))
    db.session.add(risk)
    db.session.flush()
    with force_locale("vi"):  # the activity log keeps Vietnamese
        level = risk.level_label
    audit_log.record("risk.register", "risk", risk.id, agency_id=agency.id, actor=_actor(actor),
                     summary=f"{risk.code}: {process} — mức {level} "  # i18n: vi-only
                             f"({data.likelihood} × {data.impact})")
    return risk


def reassess(risk: Risk, actor: User, data: RiskInput, status: str) -> None:
    """The periodic review of a risk or an opportunity: its text, a new assessment (the
    level follows the scale), the next review date and its status; the audit log keeps
    what the assessment was."""
    policy.require(actor, Action.RISK_MANAGE, risk.agency)
    if status not in set(RiskStatus):
        raise InvalidInput(_("Chọn trạng thái."))
    process, description, cause = _checked(risk.agency, data)
    if data.review_date < today_local() and status != RiskStatus.CLOSED:
        raise InvalidInput(_("Ngày xem xét lại tiếp theo không được ở quá khứ."))
    with force_locale("vi"):  # the activity log keeps Vietnamese
        before = f"{risk.likelihood} × {risk.impact} ({risk.level_label}), " \
                 f"{risk.status_enum.label.lower()}"
    risk.process, risk.description, risk.cause = process, description, cause
    risk.likelihood, risk.impact, risk.document = data.likelihood, data.impact, data.document
    risk.level = scale_of(risk.agency).level(risk.score)
    risk.review_date, risk.status, risk.reviewed_on = data.review_date, status, today_local()
    with force_locale("vi"):
        summary = (f"{risk.code}: {before} → {risk.likelihood} × {risk.impact} "
                   f"({risk.level_label}), {risk.status_enum.label.lower()}; xem xét "
                   f"lại {format_date(risk.review_date)}")  # i18n: vi-only
    audit_log.record("risk.reassess", "risk", risk.id, agency_id=risk.agency_id,
                     actor=_actor(actor), summary=summary)
    db.session.flush()


def link_finding(risk: Risk, actor: User, finding: Finding | None) -> None:
    policy.require(actor, Action.RISK_MANAGE, risk.agency)
    if finding is None or finding.agency_id != risk.agency_id:
        raise InvalidInput(_("Chọn một phát hiện của đơn vị."))
    if finding in risk.findings:
        raise InvalidInput(_("%(code)s đã được liên kết.", code=finding.code))
    if len(risk.findings) >= MAX_LINKED_FINDINGS:
        raise InvalidInput(_("Mỗi rủi ro/cơ hội liên kết tối đa %(n)s phát hiện.",
                             n=MAX_LINKED_FINDINGS))
    risk.findings.append(finding)
    audit_log.record("risk.link_finding", "risk", risk.id, agency_id=risk.agency_id,
                     actor=_actor(actor), summary=f"{risk.code} ↔ {finding.code}")
    db.session.flush()


def unlink_finding(risk: Risk, actor: User, finding: Finding) -> None:
    policy.require(actor, Action.RISK_MANAGE, risk.agency)
    if finding not in risk.findings:
        raise InvalidInput(_("Phát hiện này không được liên kết với rủi ro/cơ hội."))
    risk.findings.remove(finding)
    audit_log.record("risk.unlink_finding", "risk", risk.id, agency_id=risk.agency_id,
                     actor=_actor(actor), summary=f"{risk.code} ↮ {finding.code}")
    db.session.flush()


def raise_finding(risk: Risk, actor: User, kind: FindingType) -> Finding:
    """One step from a risk (a control that failed, an opportunity to take) to a
    finding that follows the corrective-action workflow, linked to the risk. The
    finding's text is the agency's record (audit reports print it): Vietnamese."""
    if len(risk.findings) >= MAX_LINKED_FINDINGS:
        raise InvalidInput(_("Mỗi rủi ro/cơ hội liên kết tối đa %(n)s phát hiện.",
                             n=MAX_LINKED_FINDINGS))
    with force_locale("vi"):
        kind_vi, level_vi = risk.kind_enum.label.lower(), risk.level_label.lower()
    finding = findings.raise_finding(risk.agency, actor, findings.FindingInput(
        type=kind, clauses="6.1",
        requirement=f"Hành động giải quyết {kind_vi} {risk.code} "  # i18n: vi-only
                    f"({risk.process}) theo TCVN ISO 9001:2015, 6.1.",
        observed=f"{risk.description}"
                 + (f" Nguyên nhân: {risk.cause}" if risk.cause else "")  # i18n: vi-only
                 + f" Mức {level_vi} ({risk.likelihood} × {risk.impact}).",  # i18n: vi-only
        documents=[risk.document] if risk.document is not None and
        documents.issued(risk.document) else [],
        source=FindingSource.RISK, source_note=risk.code))
    risk.findings.append(finding)
    db.session.flush()
    return finding


def add_action(risk: Risk, actor: User, action: str, owner: User | None,
               due_date: date | None) -> RiskAction:
    policy.require(actor, Action.RISK_MANAGE, risk.agency)
    text = typed(action, _("hành động"), 4000, multiline=True)
    if owner is None or not agency_member(risk.agency, owner):
        raise InvalidInput(_("Người thực hiện phải là thành viên của đơn vị."))
    if due_date is None:
        raise InvalidInput(_("Vui lòng nhập hạn hoàn thành (dd/mm/yyyy)."))
    if due_date < today_local():
        raise InvalidInput(_("Hạn hoàn thành không được ở quá khứ."))
    if len(risk.actions) >= 50:
        raise InvalidInput(_("Mỗi rủi ro/cơ hội tối đa 50 hành động."))
    item = RiskAction(action=text, owner=owner, due_date=due_date)
    risk.actions.append(item)
    db.session.flush()
    audit_log.record("risk.action", "risk", risk.id, agency_id=risk.agency_id,
                     actor=_actor(actor), summary=f"{risk.code}: {text[:200]} — "
                     f"{owner.full_name}, hạn {format_date(due_date)}")  # i18n: vi-only
    return item


def complete_action(item: RiskAction, actor: User) -> None:
    policy.require(actor, Action.RISK_ACTION_DONE, item)
    item.done_on = today_local()
    risk = item.risk
    if all(a.done_on for a in risk.actions) and risk.status == RiskStatus.OPEN:
        risk.status = RiskStatus.TREATED
    audit_log.record("risk.action_done", "risk", risk.id, agency_id=risk.agency_id,
                     actor=_actor(actor),
                     summary=f"{risk.code}: hoàn thành «{item.action[:200]}»")  # i18n: vi-only
    db.session.flush()


def agency_risks(agency: Agency, kind: RiskKind) -> list[Risk]:
    return list(db.session.scalars(
        select(Risk).where(Risk.agency_id == agency.id, Risk.kind == kind)
        .options(selectinload(Risk.actions).selectinload(RiskAction.owner),
                 selectinload(Risk.document), selectinload(Risk.findings))
        .order_by(Risk.seq).limit(RISKS_SHOWN)))


def overdue(risk: Risk, today: date | None = None) -> dict[str, bool]:
    today = today or today_local()
    return {"review": risk.status != RiskStatus.CLOSED and risk.review_date < today,
            "actions": any(a.done_on is None and a.due_date < today for a in risk.actions)}
