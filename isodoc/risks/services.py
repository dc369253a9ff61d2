"""The risks and opportunities register: scales, assessing a risk or an opportunity of a
process, its actions (owner, due date) and their completion. Commands: each asks the
policy, flushes, never commits, and writes an audit-log row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from isodoc import audit as audit_log
from isodoc import policy
from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.documents.models import Document
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.findings.services import agency_member
from isodoc.policy import Action
from isodoc.risks.models import Risk, RiskAction, RiskKind, RiskScale, RiskStatus
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
            raise InvalidInput(f"Thang khả năng xảy ra và mức độ ảnh hưởng: từ {SCALE_MIN} "
                               f"đến {SCALE_MAX} bậc.")
    top = likelihood_max * impact_max
    if not (isinstance(medium_from, int) and isinstance(high_from, int)
            and 1 < medium_from < high_from <= top):
        raise InvalidInput(f"Ngưỡng mức trung bình phải lớn hơn 1 và nhỏ hơn ngưỡng mức cao "
                           f"(tối đa {top}).")
    if db.session.scalar(select(func.count()).select_from(Risk).where(
            Risk.agency_id == agency.id, (Risk.likelihood > likelihood_max) |
            (Risk.impact > impact_max))):
        raise InvalidInput("Có rủi ro/cơ hội đã đánh giá vượt thang mới: đánh giá lại trước.")
    scale = db.session.get(RiskScale, agency.id) or RiskScale(agency_id=agency.id)
    scale.likelihood_max, scale.impact_max = likelihood_max, impact_max
    scale.medium_from, scale.high_from = medium_from, high_from
    db.session.add(scale)
    for risk in db.session.scalars(select(Risk).where(Risk.agency_id == agency.id)):
        risk.level = scale.level(risk.score)
    audit_log.record("risk.scale", "agency", agency.id, agency_id=agency.id, actor=_actor(actor),
                     summary=f"Thang {likelihood_max} × {impact_max}; trung bình từ "
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


def register(agency: Agency, actor: User, data: RiskInput) -> Risk:
    policy.require(actor, Action.RISK_MANAGE, agency)
    if data.kind not in set(RiskKind):
        raise InvalidInput("Chọn rủi ro hoặc cơ hội.")
    process = typed(data.process, "quá trình / quy trình", 300)
    description = typed(data.description, "mô tả", 4000, multiline=True)
    cause = typed(data.cause, "nguyên nhân", 4000, required=False, multiline=True)
    scale = scale_of(agency)
    if not isinstance(data.likelihood, int) or not 1 <= data.likelihood <= scale.likelihood_max:
        raise InvalidInput(f"Khả năng xảy ra: từ 1 đến {scale.likelihood_max}.")
    if not isinstance(data.impact, int) or not 1 <= data.impact <= scale.impact_max:
        raise InvalidInput(f"Mức độ ảnh hưởng: từ 1 đến {scale.impact_max}.")
    if data.review_date is None:
        raise InvalidInput("Vui lòng nhập ngày xem xét lại (dd/mm/yyyy).")
    if data.document is not None and data.document.agency_id != agency.id:
        raise InvalidInput("Tài liệu liên quan phải là tài liệu của đơn vị.")
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
    audit_log.record("risk.register", "risk", risk.id, agency_id=agency.id, actor=_actor(actor),
                     summary=f"{risk.code}: {process} — mức {risk.level_label} "
                             f"({data.likelihood} × {data.impact})")
    return risk


def add_action(risk: Risk, actor: User, action: str, owner: User | None,
               due_date: date | None) -> RiskAction:
    policy.require(actor, Action.RISK_MANAGE, risk.agency)
    text = typed(action, "hành động", 4000, multiline=True)
    if owner is None or not agency_member(risk.agency, owner):
        raise InvalidInput("Người thực hiện phải là thành viên của đơn vị.")
    if due_date is None:
        raise InvalidInput("Vui lòng nhập hạn hoàn thành (dd/mm/yyyy).")
    if due_date < today_local():
        raise InvalidInput("Hạn hoàn thành không được ở quá khứ.")
    if len(risk.actions) >= 50:
        raise InvalidInput("Mỗi rủi ro/cơ hội tối đa 50 hành động.")
    item = RiskAction(action=text, owner=owner, due_date=due_date)
    risk.actions.append(item)
    db.session.flush()
    audit_log.record("risk.action", "risk", risk.id, agency_id=risk.agency_id,
                     actor=_actor(actor), summary=f"{risk.code}: {text[:200]} — "
                     f"{owner.full_name}, hạn {format_date(due_date)}")
    return item


def complete_action(item: RiskAction, actor: User) -> None:
    policy.require(actor, Action.RISK_ACTION_DONE, item)
    item.done_on = today_local()
    risk = item.risk
    if all(a.done_on for a in risk.actions) and risk.status == RiskStatus.OPEN:
        risk.status = RiskStatus.TREATED
    audit_log.record("risk.action_done", "risk", risk.id, agency_id=risk.agency_id,
                     actor=_actor(actor), summary=f"{risk.code}: hoàn thành «{item.action[:200]}»")
    db.session.flush()


def agency_risks(agency: Agency, kind: RiskKind) -> list[Risk]:
    return list(db.session.scalars(
        select(Risk).where(Risk.agency_id == agency.id, Risk.kind == kind)
        .options(selectinload(Risk.actions).selectinload(RiskAction.owner),
                 selectinload(Risk.document))
        .order_by(Risk.seq).limit(RISKS_SHOWN)))


def overdue(risk: Risk, today: date | None = None) -> dict[str, bool]:
    today = today or today_local()
    return {"review": risk.status != RiskStatus.CLOSED and risk.review_date < today,
            "actions": any(a.done_on is None and a.due_date < today for a in risk.actions)}
