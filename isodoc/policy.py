"""The one place that answers "may this person do this to this object?".

Views, the API and the CLI ask `can()` / `require()`; nothing else checks roles.

Scope rules:
- admin and overseer memberships reach down the agency tree (an admin of a UBND
  cấp huyện manages its communes; the Sở KH&CN overseer on the province root
  reads every agency);
- every other role holds on its own agency only;
- a dissolved agency is read-only, and members of its successors may read it.
"""

from __future__ import annotations

from enum import StrEnum

from flask import g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.local import LocalProxy

from isodoc.agencies.models import Agency
from isodoc.annual_reports import workflow as report_flow
from isodoc.annual_reports.models import AnnualReport
from isodoc.audits.models import Audit, AuditState
from isodoc.auth.models import ApiToken, Role, User
from isodoc.documents.models import Document, Revision, RevisionState
from isodoc.documents.workflow import Transition, allowed
from isodoc.errors import Forbidden
from isodoc.findings import workflow as finding_flow
from isodoc.findings.models import Finding, FindingType
from isodoc.findings.workflow import Step
from isodoc.inspections.models import Inspection
from isodoc.objectives.models import QualityObjective
from isodoc.reviews.models import ActionState, ReviewAction
from isodoc.risks.models import RiskAction


class Action(StrEnum):
    AGENCY_VIEW = "agency.view"
    AGENCY_VIEW_MEMBERS = "agency.view_members"
    AGENCY_CREATE_CHILD = "agency.create_child"
    AGENCY_EDIT = "agency.edit"
    AGENCY_REORGANIZE = "agency.reorganize"
    REGISTRY_IMPORT = "registry.import"
    REGISTRY_EXPORT = "registry.export"
    PEOPLE_LIST = "people.list"
    PEOPLE_MANAGE = "people.manage"  # target: an agency (memberships there) or a person
    AUDIT_VIEW = "audit.view"
    MAIL_OUTBOX = "mail.outbox"  # the mail outbox (every agency's mail): province admins
    TOKEN_REVOKE = "token.revoke"
    ACCOUNT_OWN = "account.own"  # target: a person; their own password, tokens, sign-out
    # documents (target: an agency, a document or a revision)
    DOC_READ = "document.read"                  # issued revisions: the whole province
    DOC_VIEW_DRAFTS = "document.view_drafts"    # drafts: the agency's staff and reviewers
    DOC_CREATE = "document.create"
    DOC_EDIT = "document.edit"
    DOC_SUBMIT = "document.submit"
    DOC_REVIEW = "document.review"
    DOC_APPROVE = "document.approve"
    DOC_REJECT = "document.reject"
    DOC_ISSUE = "document.issue"
    # an imported draft recorded as an earlier lần ban hành (history migration)
    DOC_RECORD_HISTORY = "document.record_history"
    DOC_CANCEL = "document.cancel"
    DOC_WITHDRAW_REQUEST = "document.withdraw_request"
    DOC_WITHDRAW_CONFIRM = "document.withdraw_confirm"
    DOC_ACKNOWLEDGE = "document.acknowledge"
    DOC_READERS = "document.readers"            # who has (not) read a revision
    DOC_PERIODIC_REVIEW = "document.periodic_review"
    # internal audits and findings (target: an agency, an audit or a finding)
    QA_VIEW = "quality.view"                    # audits, findings, reports of an agency
    AUDIT_PLAN = "audit.plan"
    AUDIT_EDIT = "audit.edit"                   # scope, team, plan while planned
    AUDIT_LEAD = "audit.lead"                   # start, complete, cancel, decide conflicts
    AUDIT_FILL = "audit.fill"                   # fill the checklist during the audit
    AUDIT_DECLARE = "audit.declare_conflict"
    FINDING_RAISE = "finding.raise"
    FINDING_ATTACH = "finding.attach"
    FINDING_REVISE_DOC = "finding.revise_document"
    FINDING_PROPOSE = "finding.propose"
    FINDING_RETURN = "finding.return"
    FINDING_ACCEPT = "finding.accept"
    FINDING_IMPLEMENT = "finding.implement"
    FINDING_VERIFY = "finding.verify"
    FINDING_INEFFECTIVE = "finding.ineffective"
    FINDING_CLOSE = "finding.close"
    FINDING_DISMISS = "finding.dismiss"
    # administrative procedures (TTHC)
    TTHC_MANAGE = "tthc.manage"                 # import the catalog, map executing bodies
    COVERAGE_PROVINCE = "tthc.coverage_province"  # every agency's coverage, by district
    COVERAGE_VIEW = "tthc.coverage"             # target: an agency; its coverage
    MODEL_PUBLISH = "tthc.model_publish"        # target: a document; make it the model
    # quality objectives (target: an agency, or an objective for measuring)
    OBJECTIVE_VIEW = "objective.view"           # members, overseer, admin
    OBJECTIVE_MANAGE = "objective.manage"       # secretary, approver: set the year's objectives
    OBJECTIVE_MEASURE = "objective.measure"     # the objective's owner or the secretary
    # risks and opportunities (target: an agency, or a risk action)
    RISK_VIEW = "risk.view"                     # members, overseer, admin
    RISK_MANAGE = "risk.manage"                 # secretary, approver: register, scales
    RISK_ACTION_DONE = "risk.action_done"       # the action's owner, secretary, approver
    # the province's programme (the plan, its dashboard and appendices)
    PROGRAMME_VIEW = "programme.view"           # the Sở KH&CN overseer, the province admin
    PROGRAMME_MANAGE = "programme.manage"       # the plan's targets, schedule, unit rates
    # management review (target: an agency, or a review action)
    REVIEW_VIEW = "review.view"                 # members, overseer, admin
    REVIEW_MANAGE = "review.manage"             # secretary, approver: meetings, decisions
    REVIEW_ACTION_REPORT = "review.action_report"  # the action's owner or the secretary
    REVIEW_ACTION_VERIFY = "review.action_verify"  # secretary, approver; not who reported
    # training records and the records register (target: an agency)
    TRAINING_VIEW = "training.view"             # members, overseer, admin
    TRAINING_MANAGE = "training.manage"         # secretary, approver: courses, certificates
    RECORDS_VIEW = "records.view"               # members, overseer, admin
    RECORDS_MANAGE = "records.manage"           # secretary: where a record is kept
    # annual QMS reports (target: an agency, or a report)
    REPORT_VIEW = "report.view"                 # the agency's staff, overseer, admin
    REPORT_EDIT = "report.edit"                 # secretary: start, write, send to the leader
    REPORT_APPROVE = "report.approve"           # approver: approve or return
    REPORT_SUBMIT = "report.submit"             # secretary or approver, once approved
    REPORT_PROVINCE = "report.province"         # who submitted, who is late, consolidated
    REPORT_DEADLINE = "report.deadline"         # the year's deadline: the Sở KH&CN
    # conformity declarations (target: an agency)
    DECLARATION_VIEW = "declaration.view"       # members, overseer, admin
    DECLARATION_RECORD = "declaration.record"   # secretary, approver of the agency
    DECLARATION_PROVINCE = "declaration.province"  # every agency's declarations: overseer, admin
    # the Sở KH&CN's inspections and consultants
    INSPECTION_VIEW = "inspection.view"         # target: an agency or an inspection
    INSPECTION_MANAGE = "inspection.manage"     # record an inspection: the province overseer
    INSPECTION_LEAD = "inspection.lead"         # target: an inspection; conclude it
    INSPECTION_FINDING = "inspection.raise_finding"  # target: an inspection the overseer leads
    CONSULTANT_MANAGE = "consultant.manage"     # consultants, engagements, supervision visits
    # citizen satisfaction survey (target: an agency)
    SURVEY_ANSWER = "survey.answer"             # anyone, no account: the public page
    SURVEY_VIEW = "survey.view"                 # results: members, overseer, admin


# Actions with no target object.
GLOBAL_ACTIONS = {Action.REGISTRY_IMPORT, Action.REGISTRY_EXPORT, Action.PEOPLE_LIST,
                  Action.AUDIT_VIEW, Action.MAIL_OUTBOX, Action.TTHC_MANAGE,
                  Action.COVERAGE_PROVINCE, Action.PROGRAMME_VIEW, Action.PROGRAMME_MANAGE,
                  Action.REPORT_PROVINCE, Action.REPORT_DEADLINE, Action.DECLARATION_PROVINCE,
                  Action.INSPECTION_MANAGE, Action.CONSULTANT_MANAGE}
# Actions that change an agency, refused once it is dissolved.
WRITE_ACTIONS = {Action.AGENCY_CREATE_CHILD, Action.AGENCY_EDIT,
                 Action.AGENCY_REORGANIZE, Action.PEOPLE_MANAGE}
INHERITED_ROLES = {Role.ADMIN, Role.OVERSEER}
STAFF_ROLES = {Role.AUTHOR, Role.SECRETARY, Role.APPROVER, Role.AUDITOR}
WRITERS = {Role.AUTHOR, Role.SECRETARY}
REVISION_TRANSITIONS = {
    Action.DOC_EDIT: Transition.SAVE, Action.DOC_SUBMIT: Transition.SUBMIT,
    Action.DOC_REVIEW: Transition.REVIEW, Action.DOC_APPROVE: Transition.APPROVE,
    Action.DOC_REJECT: Transition.REJECT, Action.DOC_ISSUE: Transition.ISSUE,
    Action.DOC_CANCEL: Transition.CANCEL,
    Action.DOC_RECORD_HISTORY: Transition.SUBMIT,  # from a draft, as submitting is
}


def effective_roles(user: User, agency: Agency) -> set[Role]:
    """Roles `user` holds over `agency`: its own, plus admin/overseer from ancestors.

    Remembered for the rest of the request (a page asks it for the same agency many
    times), and forgotten whenever the session flushes or rolls back, so a change of
    memberships or of the agency tree is seen by the next check."""
    memo = g.setdefault(ROLES_MEMO, {}) if has_app_context() else {}
    key = (user.id, agency.id)
    if key not in memo or user.id is None or agency.id is None:
        roles = set(user.roles_on(agency))
        for ancestor in agency.lineage()[1:]:
            roles |= user.roles_on(ancestor) & INHERITED_ROLES
        memo[key] = frozenset(roles)
    return set(memo[key])


ROLES_MEMO = "_isodoc_effective_roles"


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_soft_rollback")
def _forget_roles(*_args) -> None:
    if has_app_context():
        g.pop(ROLES_MEMO, None)


def has_role(user: User, role: Role) -> bool:
    return any(m.role == role for m in user.memberships)


def admin_scope(user: User) -> list[Agency] | None:
    """The agencies whose subtrees `user` administers; None means the whole province."""
    roots = [m.agency for m in user.memberships if m.role == Role.ADMIN]
    if any(a.parent_id is None for a in roots):
        return None
    return roots


def province_overseer(user: User) -> bool:
    return any(m.role == Role.OVERSEER and m.agency.parent_id is None for m in user.memberships)


def sees_quality_reports(user: User) -> bool:
    """Whether the findings report (/reports/findings) shows `user` anything: a role that
    sees some agency's audits and findings (the header offers the link only then)."""
    return any(m.role in QA_ROLES for m in getattr(user, "memberships", ()))


def is_province_admin(user: User) -> bool:
    return has_role(user, Role.ADMIN) and admin_scope(user) is None


Target = (Agency | User | ApiToken | Document | Revision | Audit | Finding | QualityObjective
          | RiskAction | ReviewAction | AnnualReport | Inspection | None)


class SystemActor:
    """The operator at the command line (`isodoc` CLI, demo seeding, benchmarks): trusted
    as the machine's administrator is. Never a web or API caller."""

    id = None
    username = "cli"
    email = None
    # a name, as a person's is: recorded with what it did, never translated
    full_name = "Quản trị hệ thống (dòng lệnh)"  # i18n: vi-only
    is_authenticated = is_active = True
    memberships: list = []

    def roles_on(self, agency: Agency) -> set[Role]:
        return set()


SYSTEM = SystemActor()
QA_ROLES = STAFF_ROLES | INHERITED_ROLES
AUDITEE_ROLES = {Role.AUTHOR, Role.SECRETARY, Role.APPROVER}


def can(user: User | SystemActor | None, action: Action, target: Target = None) -> bool:
    if user is SYSTEM:
        return True
    if action is Action.SURVEY_ANSWER:
        # the public survey: citizens answer without an account, while the agency exists
        return isinstance(target, Agency) and not target.is_dissolved()
    # a check reads the user dozens of times: through Flask-Login's proxy each read
    # costs a context lookup, so resolve it once
    if isinstance(user, LocalProxy):
        user = user._get_current_object()
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    action = Action(action)

    if action in GLOBAL_ACTIONS:
        if action in (Action.REGISTRY_IMPORT, Action.MAIL_OUTBOX):
            return is_province_admin(user)
        if action is Action.REGISTRY_EXPORT:
            return has_role(user, Role.ADMIN) or has_role(user, Role.OVERSEER)
        if action is Action.PROGRAMME_MANAGE:
            return province_overseer(user)  # the plan is the Sở KH&CN's to keep
        if action is Action.REPORT_DEADLINE:
            return province_overseer(user)  # the Sở KH&CN sets the province's deadline
        if action is Action.INSPECTION_MANAGE:
            return province_overseer(user)  # the Sở KH&CN inspects, nobody else
        if action in (Action.TTHC_MANAGE, Action.COVERAGE_PROVINCE, Action.PROGRAMME_VIEW,
                      Action.REPORT_PROVINCE, Action.DECLARATION_PROVINCE,
                      Action.CONSULTANT_MANAGE):
            # the province's catalog and view: the province admin and the overseer of
            # the province root (Sở KH&CN), never an agency's own staff
            return is_province_admin(user) or province_overseer(user)
        return has_role(user, Role.ADMIN)  # lists are then filtered to the admin's scope

    if action is Action.AGENCY_VIEW or (action is Action.DOC_READ and
                                        not isinstance(target, Document | Revision)):
        return True  # the registry and issued documents are open to signed-in users
    if isinstance(target, Document | Revision):
        return can_on_document(user, action, target)
    if isinstance(target, Audit):
        return can_on_audit(user, action, target)
    if isinstance(target, Finding):
        return can_on_finding(user, action, target)
    if isinstance(target, QualityObjective):
        return can_on_objective(user, action, target)
    if isinstance(target, AnnualReport):
        return can_on_report(user, action, target)
    if isinstance(target, Inspection):
        return can_on_inspection(user, action, target)
    if isinstance(target, RiskAction):
        agency = target.risk.agency
        return action is Action.RISK_ACTION_DONE and target.done_on is None and \
            not agency.is_dissolved() and (
                bool(user.roles_on(agency) & {Role.SECRETARY, Role.APPROVER}) or
                (target.owner_id == user.id and bool(user.roles_on(agency))))
    if isinstance(target, ReviewAction):
        return can_on_review_action(user, action, target)
    if isinstance(target, ApiToken):
        return action is Action.TOKEN_REVOKE and target.user_id == user.id
    if isinstance(target, User):
        if action is Action.ACCOUNT_OWN:
            return target.id == user.id  # nobody, not even an admin, acts as someone else
        return action is Action.PEOPLE_MANAGE and manages_person(user, target)
    if not isinstance(target, Agency):
        raise TypeError(f"{action} needs an agency, a person or a token, not {target!r}")

    if action in WRITE_ACTIONS and target.is_dissolved():
        return False
    roles = effective_roles(user, target)
    if action is Action.AGENCY_VIEW_MEMBERS:
        return bool(roles) or any(effective_roles(user, s) for s in target.successors())
    if action in (Action.AGENCY_CREATE_CHILD, Action.AGENCY_EDIT, Action.AGENCY_REORGANIZE,
                  Action.PEOPLE_MANAGE):
        return Role.ADMIN in roles
    if action is Action.DOC_VIEW_DRAFTS:
        return bool(roles & (STAFF_ROLES | INHERITED_ROLES)) or any(
            effective_roles(user, s) & (STAFF_ROLES | INHERITED_ROLES)
            for s in target.successors())
    if action is Action.DOC_CREATE:
        return not target.is_dissolved() and bool(roles & WRITERS)
    if action is Action.QA_VIEW:
        return bool(roles & QA_ROLES) or any(effective_roles(user, s) & QA_ROLES
                                             for s in target.successors())
    if action is Action.COVERAGE_VIEW:
        return bool(roles)  # its members, and admins and overseers above it
    if action is Action.INSPECTION_VIEW:
        return can(user, Action.QA_VIEW, target)  # a quality record, read as findings are
    if action is Action.DECLARATION_RECORD:
        return not target.is_dissolved() and bool(roles & {Role.SECRETARY, Role.APPROVER})
    if action in (Action.OBJECTIVE_VIEW, Action.RISK_VIEW, Action.REVIEW_VIEW,
                  Action.TRAINING_VIEW, Action.RECORDS_VIEW, Action.DECLARATION_VIEW,
                  Action.SURVEY_VIEW):
        return bool(roles) or any(effective_roles(user, s) for s in target.successors())
    if action in (Action.OBJECTIVE_MANAGE, Action.RISK_MANAGE, Action.REVIEW_MANAGE,
                  Action.TRAINING_MANAGE):
        return not target.is_dissolved() and bool(roles & {Role.SECRETARY, Role.APPROVER})
    if action is Action.RECORDS_MANAGE:
        return not target.is_dissolved() and Role.SECRETARY in roles
    if action is Action.REPORT_VIEW:
        return bool(roles & QA_ROLES) or any(effective_roles(user, s) & QA_ROLES
                                             for s in target.successors())
    if action is Action.REPORT_EDIT:
        return not target.is_dissolved() and Role.SECRETARY in roles
    if action in (Action.AUDIT_PLAN, Action.FINDING_RAISE):
        return not target.is_dissolved() and bool(roles & {Role.AUDITOR, Role.SECRETARY})
    return False


def quality_scope(user: User, agencies: list[Agency]) -> list[Agency] | None:
    """The agencies of `agencies` whose audits and findings `user` may see; None when a
    province-wide role (province admin, Sở KH&CN overseer) sees them all."""
    province_wide = {m.role for m in user.memberships if m.agency.parent_id is None}
    if province_wide & INHERITED_ROLES:
        return None
    return [a for a in agencies if can(user, Action.QA_VIEW, a)]


def on_team(user: User, audit: Audit | None) -> bool:
    return audit is not None and any(m.user_id == user.id for m in audit.members)


def can_on_audit(user: User, action: Action, audit: Audit) -> bool:
    if action is Action.QA_VIEW:
        return on_team(user, audit) or can(user, action, audit.agency)
    if audit.agency.is_dissolved():
        return False
    state = audit.state
    is_lead = audit.lead_id == user.id
    if action is Action.AUDIT_EDIT:
        return state == AuditState.PLANNED and (is_lead or audit.created_by_id == user.id)
    if action is Action.AUDIT_LEAD:
        return is_lead and state in (AuditState.PLANNED, AuditState.IN_PROGRESS)
    if action is Action.AUDIT_FILL:
        return on_team(user, audit) and state == AuditState.IN_PROGRESS
    if action is Action.AUDIT_DECLARE:
        return on_team(user, audit) and state in (AuditState.PLANNED, AuditState.IN_PROGRESS)
    if action is Action.FINDING_RAISE:
        return on_team(user, audit) and state == AuditState.IN_PROGRESS
    return False


def can_on_inspection(user: User, action: Action, inspection: Inspection) -> bool:
    """Read like the agency's findings; concluded and raised into only by the overseer who
    leads it, while it is open and the agency exists."""
    if action is Action.INSPECTION_VIEW:
        return can(user, action, inspection.agency)
    if action not in (Action.INSPECTION_LEAD, Action.INSPECTION_FINDING):
        return False
    return inspection.lead_id == user.id and inspection.concluded_on is None and \
        not inspection.agency.is_dissolved() and \
        Role.OVERSEER in effective_roles(user, inspection.agency)


def can_on_objective(user: User, action: Action, objective: QualityObjective) -> bool:
    """Values come from the objective's owner (while a member) or the secretary."""
    if action is Action.OBJECTIVE_VIEW:
        return can(user, action, objective.agency)
    if action is not Action.OBJECTIVE_MEASURE or objective.agency.is_dissolved():
        return False
    roles = user.roles_on(objective.agency)
    return Role.SECRETARY in roles or (objective.owner_id == user.id and bool(roles))


def can_on_review_action(user: User, action: Action, item: ReviewAction) -> bool:
    """A management-review action is reported done by its owner (while a member) or the
    secretary, and confirmed by the secretary or a leader who did not report it."""
    agency = item.review.agency
    if action is Action.REVIEW_VIEW:
        return can(user, action, agency)
    if agency.is_dissolved():
        return False
    roles = user.roles_on(agency)
    if action is Action.REVIEW_ACTION_REPORT:
        return item.state == ActionState.OPEN and (
            Role.SECRETARY in roles or (item.owner_id == user.id and bool(roles)))
    if action is Action.REVIEW_ACTION_VERIFY:
        return item.state == ActionState.DONE and bool(roles & {Role.SECRETARY, Role.APPROVER}) \
            and user.id not in {item.reported_by_id, item.owner_id}
    return False
REPORT_STEPS = {Action.REPORT_EDIT: (report_flow.Step.EDIT, report_flow.Step.SEND),
                Action.REPORT_APPROVE: (report_flow.Step.APPROVE, report_flow.Step.RETURN),
                Action.REPORT_SUBMIT: (report_flow.Step.SUBMIT,)}


def can_on_report(user: User, action: Action, report: AnnualReport) -> bool:
    """The secretary writes and sends; a leader who did not write it approves or returns
    it; the secretary or a leader submits it once approved."""
    agency = report.agency
    if action is Action.REPORT_VIEW:
        return can(user, action, agency)
    steps = REPORT_STEPS.get(action)
    if steps is None or agency.is_dissolved() or \
            not any(report_flow.allowed(s, report.state) for s in steps):
        return False
    roles = user.roles_on(agency)
    if action is Action.REPORT_EDIT:
        return Role.SECRETARY in roles
    if action is Action.REPORT_APPROVE:
        return Role.APPROVER in roles and report.prepared_by_id != user.id
    return bool(roles & {Role.SECRETARY, Role.APPROVER})


def is_finding_auditor(user: User, finding: Finding) -> bool:
    """The agency's internal auditors, the audit's team, and for a finding raised in an
    inspection the overseer who led it (who returns, accepts and verifies its action)."""
    inspection = finding.inspection
    return Role.AUDITOR in effective_roles(user, finding.agency) or \
        on_team(user, finding.audit) or \
        (inspection is not None and inspection.lead_id == user.id and
         Role.OVERSEER in effective_roles(user, finding.agency))


STEP_ACTIONS = {
    Step.PROPOSE: Action.FINDING_PROPOSE, Step.RETURN: Action.FINDING_RETURN,
    Step.ACCEPT: Action.FINDING_ACCEPT, Step.IMPLEMENT: Action.FINDING_IMPLEMENT,
    Step.VERIFY: Action.FINDING_VERIFY, Step.INEFFECTIVE: Action.FINDING_INEFFECTIVE,
    Step.CLOSE: Action.FINDING_CLOSE, Step.DISMISS: Action.FINDING_DISMISS,
}
ACTION_STEPS = {a: s for s, a in STEP_ACTIONS.items()}


def can_on_finding(user: User, action: Action, finding: Finding) -> bool:
    if action is Action.QA_VIEW:
        return finding.owner_id == user.id or on_team(user, finding.audit) or \
            can(user, action, finding.agency)
    if finding.agency.is_dissolved():
        return False
    if action is Action.FINDING_ATTACH:
        # evidence comes from those who do the work: the agency's own staff, the action's
        # owner, the audit team; not from those who only read (overseer, admin, readers)
        return finding.state != "closed" and (
            bool(user.roles_on(finding.agency) & STAFF_ROLES) or
            finding.owner_id == user.id or on_team(user, finding.audit))
    if action is Action.FINDING_REVISE_DOC:
        linked = finding.revision
        return finding.state == "accepted" and bool(finding.revisions) and \
            (linked is None or linked.state == RevisionState.CANCELLED) and \
            bool(effective_roles(user, finding.agency) & WRITERS)
    step = ACTION_STEPS.get(action)
    if step is None or not finding_flow.allowed(step, finding.state):
        return False
    roles = effective_roles(user, finding.agency)
    auditor = is_finding_auditor(user, finding)
    if step is Step.PROPOSE:
        return finding.owner_id == user.id or bool(roles & AUDITEE_ROLES)
    if step in (Step.RETURN, Step.ACCEPT):
        return auditor and finding.proposed_by_id != user.id
    if step is Step.IMPLEMENT:
        return finding.owner_id == user.id or Role.SECRETARY in roles
    if step in (Step.VERIFY, Step.INEFFECTIVE):
        # nobody verifies their own action
        return auditor and user.id not in {finding.proposed_by_id, finding.owner_id,
                                           finding.implemented_by_id}
    if step is Step.CLOSE:
        return auditor
    if step is Step.DISMISS:
        return auditor and not FindingType(finding.type).is_nonconformity
    return False


def can_on_document(user: User, action: Action, target: Document | Revision) -> bool:
    revision = target if isinstance(target, Revision) else None
    document = revision.document if revision else target
    agency = document.agency
    roles = effective_roles(user, agency)
    if action is Action.MODEL_PUBLISH:
        # the overseer or province admin, or a department's secretary for its own
        # procedure (Sở Tư pháp for hộ tịch)
        return not agency.is_dissolved() and document.withdrawn_on is None and (
            can(user, Action.TTHC_MANAGE) or (
                Role.SECRETARY in user.roles_on(agency) and
                agency.kind in ("department", "sub_department")))
    if action is Action.DOC_VIEW_DRAFTS:
        is_reviewer = revision is not None and any(r.reviewer_id == user.id
                                                   for r in revision.reviews)
        return is_reviewer or can(user, action, agency)
    if action is Action.DOC_READ:
        # issued text is open to the province; a never-issued document, even its title,
        # only to those who may see one of its drafts (the agency's staff, a reviewer)
        shown = [revision] if revision else document.revisions
        return any(r.state == RevisionState.ISSUED for r in shown) or any(
            can_on_document(user, Action.DOC_VIEW_DRAFTS, r) for r in shown)
    if agency.is_dissolved():
        return False  # read-only once dissolved or merged
    if action is Action.DOC_ACKNOWLEDGE:
        return bool(user.roles_on(agency)) and revision is not None and \
            revision.state == RevisionState.ISSUED
    if action is Action.DOC_READERS:
        return bool(roles & {Role.SECRETARY, Role.APPROVER, Role.ADMIN, Role.OVERSEER})
    if action is Action.DOC_PERIODIC_REVIEW:
        return Role.SECRETARY in roles and document.withdrawn_on is None
    if action in (Action.DOC_WITHDRAW_REQUEST, Action.DOC_WITHDRAW_CONFIRM):
        if document.withdrawn_on is not None:
            return False
        pending = [w for w in document.withdrawal_requests if w.state == "pending"]
        if action is Action.DOC_WITHDRAW_REQUEST:
            issued = any(r.state == RevisionState.ISSUED for r in document.revisions)
            return Role.SECRETARY in roles and issued and not pending
        return Role.APPROVER in roles and bool(pending) and \
            pending[0].requested_by_id != user.id
    if revision is None or action not in REVISION_TRANSITIONS:
        return False
    if document.withdrawn_on is not None or not allowed(REVISION_TRANSITIONS[action],
                                                        revision.state):
        return False
    if action in (Action.DOC_EDIT, Action.DOC_SUBMIT, Action.DOC_CANCEL):
        return Role.SECRETARY in roles or (revision.author_id == user.id and Role.AUTHOR in roles)
    if action is Action.DOC_REVIEW:
        return any(r.reviewer_id == user.id and r.decision == "pending"
                   for r in revision.reviews)
    if action in (Action.DOC_APPROVE, Action.DOC_REJECT):
        return Role.APPROVER in roles and user.id not in contributors(revision)
    if action in (Action.DOC_ISSUE, Action.DOC_RECORD_HISTORY):
        return Role.SECRETARY in roles
    return False


def contributors(revision: Revision) -> set[int]:
    """The draft's author and everyone who saved it: none of them may approve it."""
    return {revision.author_id} | {e.actor_id for e in revision.events
                                   if e.action == "save" and e.actor_id is not None}


def manages_person(admin: User, person: User) -> bool:
    """A province admin manages everyone; an agency admin manages people whose every
    membership lies in their subtree (so they cannot take over a wider account)."""
    if is_province_admin(admin):
        return True
    if not person.memberships:
        return False
    return all(Role.ADMIN in effective_roles(admin, m.agency) for m in person.memberships)


def in_scope(user: User, agency: Agency | None) -> bool:
    """Whether a row about `agency` belongs in `user`'s filtered admin lists."""
    if is_province_admin(user):
        return True
    return agency is not None and Role.ADMIN in effective_roles(user, agency)


def require(user: User | SystemActor | None, action: Action, target: Target = None) -> None:
    """Raise Forbidden (403) unless allowed: callers never learn more than 'no'.
    Commands call it themselves, so no interface can skip it."""
    if not can(user, action, target):
        raise Forbidden
