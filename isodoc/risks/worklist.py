"""Risk work under "Việc của tôi": reviews due (for the agency's ISO secretary) and the
risk actions a person owns that are not done (overdue ones first and flagged)."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from isodoc.agencies.models import Agency
from isodoc.auth.models import Membership, Role, User
from isodoc.documents.worklist import WorkItem
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.risks.models import Risk, RiskAction, RiskStatus
from isodoc.timeutil import format_date


def today_local():
    from isodoc.documents import services  # the work list's today (the header count's too)

    return services.today_local()


def live_agencies(today):
    return select(Agency.id).where(or_(Agency.dissolved_on.is_(None),
                                       Agency.dissolved_on > today))


def review_work(user: User) -> list[WorkItem]:
    """Risks and opportunities, not closed, whose review date has come, of the agencies
    where the person is ISO secretary."""
    today = today_local()
    agencies = select(Membership.agency_id).where(Membership.user_id == user.id,
                                                  Membership.role == Role.SECRETARY.value)
    risks = db.session.scalars(select(Risk).where(
        Risk.agency_id.in_(agencies), Risk.agency_id.in_(live_agencies(today)),
        Risk.status != RiskStatus.CLOSED.value, Risk.review_date <= today)
        .options(joinedload(Risk.agency)).order_by(Risk.review_date, Risk.id)).all()
    return [WorkItem(r.code, f"{r.kind_enum.label}: {r.process}", r.agency.name,
                     url_for("risks.reassess", agency_code=r.agency.code, risk_id=r.id),
                     _("xem xét lại · QUÁ HẠN từ %(date)s", date=format_date(r.review_date))
                     if r.review_date < today else _("xem xét lại · đến hạn hôm nay"),
                     r.review_date) for r in risks]


def action_work(user: User) -> list[WorkItem]:
    """The risk actions the person owns and has not done, in agencies they still belong
    to (the policy lets them mark it done there)."""
    today = today_local()
    member_of = select(Membership.agency_id).where(Membership.user_id == user.id)
    actions = db.session.scalars(select(RiskAction).join(Risk).where(
        RiskAction.owner_id == user.id, RiskAction.done_on.is_(None),
        Risk.agency_id.in_(member_of), Risk.agency_id.in_(live_agencies(today)))
        .options(joinedload(RiskAction.risk).joinedload(Risk.agency))
        .order_by(RiskAction.due_date, RiskAction.id)).all()
    return [WorkItem(a.risk.code, a.action[:100], a.risk.agency.name,
                     url_for("risks.show", agency_code=a.risk.agency.code, risk_id=a.risk_id,
                             _anchor=f"hanh-dong-{a.id}"),
                     _("hành động xử lý %(kind)s · QUÁ HẠN từ %(date)s",
                       kind=a.risk.kind_enum.label.lower(), date=format_date(a.due_date))
                     if a.due_date < today else
                     _("hành động xử lý %(kind)s · hạn %(date)s",
                       kind=a.risk.kind_enum.label.lower(), date=format_date(a.due_date)),
                     a.due_date)
            for a in actions]
