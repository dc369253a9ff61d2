"""Management-review actions under "Việc của tôi": those waiting for their owner (overdue
first, flagged) and those reported done waiting for confirmation."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from isodoc import policy
from isodoc.auth.models import User
from isodoc.documents.worklist import WorkItem
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.policy import Action
from isodoc.reviews.models import ActionState, ManagementReview, ReviewAction
from isodoc.timeutil import format_date, today_local


def review_work(user: User) -> list[WorkItem]:
    agency_ids = {m.agency_id for m in user.memberships}
    if not agency_ids:
        return []
    found = db.session.scalars(select(ReviewAction).join(ManagementReview).where(
        ManagementReview.agency_id.in_(agency_ids),
        or_((ReviewAction.owner_id == user.id) & (ReviewAction.state == ActionState.OPEN),
            ReviewAction.state == ActionState.DONE))
        .options(joinedload(ReviewAction.review).joinedload(ManagementReview.agency))
        .order_by(ReviewAction.due_date)).unique().all()
    today = today_local()
    items = []
    for a in found:
        if policy.can(user, Action.REVIEW_ACTION_VERIFY, a):
            note = _("đã thực hiện · chờ xác nhận")
        elif a.owner_id == user.id and policy.can(user, Action.REVIEW_ACTION_REPORT, a):
            note = (_("QUÁ HẠN từ %(date)s", date=format_date(a.due_date)) if a.overdue(today)
                    else _("hạn %(date)s", date=format_date(a.due_date)))
        else:
            continue
        agency = a.review.agency
        items.append((not a.overdue(today), a.due_date, WorkItem(
            a.code, a.decision[:80], agency.name,
            url_for("reviews.show", agency_code=agency.code, review_id=a.review_id,
                    _anchor=f"action-{a.id}"), note, a.due_date)))
    return [item for *_, item in sorted(items, key=lambda t: (t[0], t[1]))]
