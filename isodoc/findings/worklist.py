"""Finding and audit work under "Việc của tôi": corrective actions waiting for this
person (overdue ones first and flagged), and audits they lead or sit on."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from isodoc import policy
from isodoc.audits.models import Audit, AuditMember, AuditState
from isodoc.auth.models import User
from isodoc.documents.worklist import WorkItem
from isodoc.extensions import db
from isodoc.findings.models import Finding
from isodoc.findings.services import overdue_since
from isodoc.findings.workflow import OPEN_STATES, Step
from isodoc.i18n import _
from isodoc.inspections.models import Inspection
from isodoc.timeutil import format_date

# what the policy checks and the list read of each finding, loaded with the findings
# (lazy loads here cost two queries per finding: audit, then its team)
FINDING_OPTIONS = (joinedload(Finding.agency), joinedload(Finding.inspection),
                   joinedload(Finding.audit).selectinload(Audit.members))


def finding_work(user: User) -> list[WorkItem]:
    agency_ids = {m.agency_id for m in user.memberships}
    team_audits = select(AuditMember.audit_id).where(AuditMember.user_id == user.id)
    led = select(Inspection.id).where(Inspection.lead_id == user.id)  # the overseer's
    findings = db.session.scalars(select(Finding).where(
        Finding.state.in_([s.value for s in OPEN_STATES]),
        or_(Finding.agency_id.in_(agency_ids), Finding.owner_id == user.id,
            Finding.audit_id.in_(team_audits), Finding.inspection_id.in_(led)))
        .options(*FINDING_OPTIONS)).unique().all()
    items = []
    for f in findings:
        steps = [s for s in Step if policy.can(user, policy.STEP_ACTIONS[s], f)
                 and s not in (Step.RETURN, Step.INEFFECTIVE, Step.DISMISS)]
        if not steps:
            continue
        late = overdue_since(f)
        note = _("%(step)s · QUÁ HẠN từ %(date)s", step=steps[0].label.lower(),
                 date=format_date(late)) if late else \
            _("%(step)s · hạn %(date)s", step=steps[0].label.lower(),
              date=format_date(f.due_date or f.response_due))
        items.append((late is None, f.due_date or f.response_due, WorkItem(
            f.code, f"{f.type_enum.label}: {f.observed[:80]}", f.agency.name,
            url_for("findings.show", agency_code=f.agency.code, finding_id=f.id), note,
            f.due_date or f.response_due)))
    return [item for *_, item in sorted(items, key=lambda t: (t[0], t[1]))]


def audit_work(user: User) -> list[WorkItem]:
    audits = db.session.scalars(select(Audit).join(AuditMember).where(
        AuditMember.user_id == user.id,
        Audit.state.in_([AuditState.PLANNED, AuditState.IN_PROGRESS]))
        .order_by(Audit.planned_start).options(joinedload(Audit.agency))).all()
    return [WorkItem(a.code, a.title, a.agency.name,
                     url_for("audits.show", agency_code=a.agency.code, audit_id=a.id),
                     f"{a.state_enum.label} · {format_date(a.planned_start)}"
                     + (_(" · trưởng đoàn") if a.lead_id == user.id else ""))
            for a in audits]
