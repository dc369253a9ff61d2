"""How many things wait for a person: the number in the header, linking to "Việc của tôi".

The work list (documents/worklist.py, findings/worklist.py) loads every document of the
person's agencies and asks the policy about each; far too much for every page. This is
the same rules written as one SQL statement of COUNT subqueries, remembered for the rest
of the request. tests/test_mail.py checks that both agree, case by case.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import cache

from flask import current_app, g, has_request_context
from sqlalchemy import Date, Integer, and_, bindparam, case, exists, extract, func, or_, select
from sqlalchemy.orm import aliased

from isodoc import pagecache
from isodoc.agencies.models import Agency
from isodoc.audits.models import AuditMember
from isodoc.auth.models import Role, User
from isodoc.documents.models import (
    Acknowledgement,
    Document,
    ReviewAssignment,
    Revision,
    RevisionEvent,
    RevisionState,
    WithdrawalRequest,
)
from isodoc.extensions import db
from isodoc.findings.models import Finding, FindingState
from isodoc.inspections.models import Inspection
from isodoc.reviews.models import ActionState, ManagementReview, ReviewAction
from isodoc.risks.models import Risk, RiskAction, RiskStatus

S = RevisionState
F = FindingState
MEMO = "_isodoc_waiting_count"
KEPT = 4096  # counts kept per worker: (person, data version, day); any write retires them
# bound parameter → (live agencies only, roles (empty: any role)), filled by statement()
ROLE_SETS: dict[str, tuple[bool, frozenset[Role]]] = {}


def _count(*where, select_from=Revision):
    return select(func.count()).select_from(select_from).where(*where).scalar_subquery()


def _listed(kind: str, roles: tuple[Role, ...]):
    key = f"{kind}_" + ("_".join(sorted(r.value for r in roles)) or "any")
    ROLE_SETS[key] = (kind == "live", frozenset(roles))
    return bindparam(key, expanding=True, type_=Integer)


def agencies(*roles: Role):
    """The person's agencies where they hold one of `roles` (any role: none given), as a
    list of ids bound per call (params_for reads them from the memberships the request
    has loaded): with a constant list the planner reads those agencies' documents by
    index instead of every revision of the province."""
    return _listed("agencies", roles)


def live(*roles: Role):
    """The same, less the agencies dissolved by today."""
    return _listed("live", roles)


def live_agencies(today):
    """The ids of every agency not dissolved by `today` (a bound parameter)."""
    return select(Agency.id).where(or_(Agency.dissolved_on.is_(None),
                                       Agency.dissolved_on > today))


@cache
def document_groups() -> dict[str, tuple]:
    """Each document list of "Việc của tôi" as (FROM, WHERE clauses, ORDER BY) with the bound
    parameters below: the header's count counts them, the home page lists their first
    rows (documents/worklist.py). Built once: building costs several times running."""
    user_id = bindparam("user_id", type_=Integer)
    today = bindparam("today", type_=Date)

    doc_open = and_(Revision.document_id == Document.id, Document.withdrawn_on.is_(None))
    with_document = Revision.__table__.join(Document.__table__)

    newest = (Revision.id.desc(),)
    # a reviewer may be of another agency: the document's own must still be in being
    agency_live = Document.agency_id.in_(live_agencies(today))
    review = (with_document, (Revision.state == S.IN_REVIEW, doc_open, agency_live, exists()
                              .where(ReviewAssignment.revision_id == Revision.id,
                                     ReviewAssignment.reviewer_id == user_id,
                                     ReviewAssignment.decision == "pending")), newest)
    saved_by_me = exists().where(RevisionEvent.revision_id == Revision.id,
                                 RevisionEvent.action == "save",
                                 RevisionEvent.actor_id == user_id)
    approve = (with_document, (Revision.state == S.REVIEWED, doc_open,
                               Document.agency_id.in_(live(Role.APPROVER)),
                               Revision.author_id != user_id, ~saved_by_me), newest)
    issue = (with_document, (Revision.state == S.APPROVED, doc_open,
                             Document.agency_id.in_(live(Role.SECRETARY))), newest)
    # returned to its author, who may still edit it (policy: DOC_EDIT)
    returned = (with_document, (Revision.state == S.DRAFT, Revision.author_id == user_id,
                                Revision.last_comment.is_not(None), Revision.last_comment != "",
                                doc_open, Document.agency_id.in_(live(Role.AUTHOR,
                                                                      Role.SECRETARY))),
                newest)

    # the revision in force: issued, not superseded before effect, in effect today, and
    # no later one of the same document in effect too
    later = aliased(Revision)
    in_force = and_(
        Revision.state == S.ISSUED, Revision.superseded_before_effect.is_(False),
        Revision.effective_date <= today,
        or_(Document.withdrawn_on.is_(None), Document.withdrawn_on > today),
        ~exists().where(later.document_id == Revision.document_id, later.state == S.ISSUED,
                        later.superseded_before_effect.is_(False),
                        later.effective_date <= today, later.number > Revision.number))
    acknowledge = (with_document, (in_force, Document.agency_id.in_(live()), ~exists().where(
        Acknowledgement.revision_id == Revision.id, Acknowledgement.user_id == user_id)),
        (Revision.effective_date.desc(), Revision.id.desc()))
    # periodic review due before today: add_months(since, months) < today, compared as
    # (month index, day) so it reads the same on SQLite and PostgreSQL (a due day clamped
    # to the month's end is before today exactly when the unclamped day is)
    since = case((and_(Document.last_reviewed_on.is_not(None),
                       Document.last_reviewed_on > Revision.effective_date),
                  Document.last_reviewed_on), else_=Revision.effective_date)
    due_month = extract("year", since) * 12 + extract("month", since) + Revision.review_months
    this_month = bindparam("this_month", type_=Integer)
    day = bindparam("day", type_=Integer)
    periodic = (with_document, (in_force, Document.withdrawn_on.is_(None),
                                Document.agency_id.in_(live(Role.SECRETARY)),
                                or_(due_month < this_month, and_(due_month == this_month,
                                                                extract("day", since) < day))),
                (due_month, extract("day", since), Revision.id))  # the most overdue first
    withdrawals = (Document, (Document.withdrawn_on.is_(None),
                              Document.agency_id.in_(live(Role.APPROVER)), exists().where(
                                  WithdrawalRequest.document_id == Document.id,
                                  WithdrawalRequest.state == "pending",
                                  WithdrawalRequest.requested_by_id != user_id)),
                   (Document.id.desc(),))
    return {"review": review, "approve": approve, "issue": issue, "returned": returned,
            "acknowledge": acknowledge, "periodic": periodic, "withdrawals": withdrawals}


@cache
def statement():
    """Everything that waits for the person, counted in one statement with the bound
    parameters of document_groups (and the same ones): one column per document list
    (named as in document_groups), then findings, risks and management-review
    decisions."""
    user_id = bindparam("user_id", type_=Integer)
    today = bindparam("today", type_=Date)
    documents = [_count(*where, select_from=source).label(name)
                 for name, (source, where, _order) in document_groups().items()]

    live_agency = live_agencies(today)

    def not_me(column):
        return or_(column.is_(None), column != user_id)

    auditor = or_(Finding.agency_id.in_(agencies(Role.AUDITOR)), Finding.audit_id.in_(
        select(AuditMember.audit_id).where(AuditMember.user_id == user_id)),
        # the overseer who led the inspection the finding was raised in
        Finding.inspection_id.in_(select(Inspection.id).where(Inspection.lead_id == user_id)))
    owner = Finding.owner_id == user_id
    findings = _count(Finding.agency_id.in_(live_agency), or_(
        and_(Finding.state == F.OPEN, or_(owner, Finding.agency_id.in_(
            agencies(Role.AUTHOR, Role.SECRETARY, Role.APPROVER)))),
        and_(Finding.state == F.PROPOSED, auditor, not_me(Finding.proposed_by_id)),
        and_(Finding.state == F.ACCEPTED, or_(owner, Finding.agency_id.in_(
            agencies(Role.SECRETARY)))),
        and_(Finding.state == F.IMPLEMENTED, auditor, not_me(Finding.proposed_by_id),
             not_me(Finding.owner_id), not_me(Finding.implemented_by_id)),
        and_(Finding.state == F.VERIFIED, auditor)), select_from=Finding)
    risk_reviews = _count(Risk.agency_id.in_(agencies(Role.SECRETARY)),
                          Risk.agency_id.in_(live_agency),
                          Risk.status != RiskStatus.CLOSED.value, Risk.review_date <= today,
                          select_from=Risk)
    risk_actions = _count(RiskAction.owner_id == user_id, RiskAction.done_on.is_(None),
                          Risk.agency_id.in_(agencies()), Risk.agency_id.in_(live_agency),
                          select_from=RiskAction.__table__.join(Risk.__table__))
    review_of = ReviewAction.__table__.join(ManagementReview.__table__)
    decisions = _count(ManagementReview.agency_id.in_(live_agency), or_(
        and_(ReviewAction.state == ActionState.OPEN.value, ReviewAction.owner_id == user_id,
             ManagementReview.agency_id.in_(agencies())),
        and_(ReviewAction.state == ActionState.DONE.value,
             ManagementReview.agency_id.in_(agencies(Role.SECRETARY, Role.APPROVER)),
             not_me(ReviewAction.reported_by_id), ReviewAction.owner_id != user_id)),
        select_from=review_of)
    return select(*documents, findings.label("findings"), risk_reviews.label("risk_reviews"),
                  risk_actions.label("risk_actions"), decisions.label("decisions"))


class _Kept:
    """Counts by key, least recently used out first."""

    def __init__(self) -> None:
        self.items: OrderedDict[tuple, int] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> int | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: tuple, count: int) -> None:
        with self.lock:
            self.items[key] = count
            while len(self.items) > KEPT:
                self.items.popitem(last=False)


_kept = _Kept()


def count_for(user: User) -> int:
    """The number of items under "Việc của tôi" (audits one sits on aside): one query,
    remembered for the rest of the request, and kept in the worker per person while
    the data version and the day are unchanged (it is in the header of every page)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.id is None:
        return 0
    memo = g.setdefault(MEMO, {}) if has_request_context() else {}
    if user.id not in memo:
        from isodoc.documents import services  # the work list's today

        today = services.today_local()
        key = _keep_key(user, today)
        found = _kept.get(key) if key else None
        memo[user.id] = found if found is not None else \
            sum(counts_now(user, today, key).values())
    return memo[user.id]


LOOK = object()  # counts_now: find where to keep the count itself


def _keep_key(user: User, today) -> tuple | None:
    """Where the count is kept in this worker: None when it may not be kept (pages are
    not kept, or this transaction has written)."""
    app = current_app._get_current_object()
    if not app.config.get("ISODOC_PAGE_CACHE", True):
        return None
    version = pagecache.version_to_keep()
    return (id(app), user.id, version, today) if version else None


def params_for(user: User, today) -> dict:
    """The bound parameters of the statements above for `user` on `today`."""
    statement()  # fills ROLE_SETS the first time
    held = [(m.agency_id, Role(m.role), m.agency.dissolved_on is None
             or m.agency.dissolved_on > today) for m in user.memberships]
    roles_ = {key: sorted({a for a, role, alive in held
                           if (alive or not live_only) and (not roles or role in roles)})
              for key, (live_only, roles) in ROLE_SETS.items()}
    return {"user_id": user.id, "today": today, "this_month": today.year * 12 + today.month,
            "day": today.day, **roles_}


def counts_now(user: User, today, key: tuple | None | object = LOOK) -> dict[str, int]:
    """Each count of the statement for `user` on `today`, by name, counted now. In a
    request, their sum is the header's count for the rest of it and is kept for the
    next pages (the home page reads the lists' counts; the header needs no query).
    `key`: where to keep it, when the caller has looked already."""
    if key is LOOK:
        key = _keep_key(user, today) if has_request_context() else None
    row = db.session.execute(statement(), params_for(user, today)).one()
    counts = {name: n or 0 for name, n in row._mapping.items()}
    if has_request_context():
        total = g.setdefault(MEMO, {})[user.id] = sum(counts.values())
        if key:
            _kept.put(key, total)
    return counts
