"""What waits for a person under "Việc của tôi": drafts to review, approve or issue,
drafts returned to their author, revisions to acknowledge, overdue periodic reviews,
withdrawals to decide."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from isodoc import policy
from isodoc.auth.models import User
from isodoc.documents import services
from isodoc.documents.models import Acknowledgement, Document, Revision, RevisionState
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.policy import Action
from isodoc.timeutil import format_date


@dataclass
class WorkItem:
    code: str
    title: str
    agency: str
    url: str
    note: str = ""
    due: date | None = None  # when it is due, for the daily reminders (isodoc/mail)


def _draft_item(revision: Revision, note: str = "") -> WorkItem:
    d = revision.document
    return WorkItem(d.code, revision.title, d.agency.name,
                    url_for("documents.draft", agency_code=d.agency.code, slug=d.slug,
                            seq=revision.seq), note)


def _doc_item(document: Document, meta: Revision | None, note: str = "",
              due: date | None = None) -> WorkItem:
    return WorkItem(document.code, meta.title if meta else document.title,
                    document.agency.name,
                    url_for("documents.show", agency_code=document.agency.code,
                            slug=document.slug), note, due)


# loader options are immutable: built once, not at every request
DOCUMENT_OPTIONS = (selectinload(Document.revisions), selectinload(Document.withdrawal_requests),
                    joinedload(Document.agency))
OPEN_DRAFT_OPTIONS = (selectinload(Revision.reviews), selectinload(Revision.events))
REVIEW_OPTIONS = (selectinload(Revision.document).selectinload(Document.agency),)


def work_for(user: User) -> dict[str, list[WorkItem]]:
    """Everything in a constant number of queries: documents with their revisions,
    reviews, events and withdrawal requests loaded in one go, each document's standing
    computed once."""
    agency_ids = {m.agency_id for m in user.memberships}
    documents = db.session.scalars(select(Document).where(
        Document.agency_id.in_(agency_ids)).options(*DOCUMENT_OPTIONS)).all() \
        if agency_ids else []
    today = services.today_local()
    standings = services.standings(documents, today)
    open_revisions = [s.open_draft for s in standings if s.open_draft is not None]
    if open_revisions:
        # what policy reads of an open draft (its reviews and who saved it), for the open
        # drafts only: issued revisions' long event lists are not needed here
        db.session.scalars(select(Revision).where(
            Revision.id.in_([r.id for r in open_revisions])).options(*OPEN_DRAFT_OPTIONS)).all()
    # reviews can be asked of anyone named, whatever their agency
    reviews = db.session.scalars(select(Revision).where(
        Revision.state == RevisionState.IN_REVIEW,
        Revision.reviews.any(reviewer_id=user.id, decision="pending")).options(
        *REVIEW_OPTIONS)).all()
    acknowledged = set(db.session.scalars(select(Acknowledgement.revision_id).where(
        Acknowledgement.user_id == user.id)))
    work: dict[str, list[WorkItem]] = {k: [] for k in (
        "review", "approve", "issue", "returned", "acknowledge", "periodic", "withdrawals",
        "actions")}
    work["review"] = [_draft_item(r) for r in reviews]
    for r in open_revisions:
        if policy.can(user, Action.DOC_APPROVE, r):
            work["approve"].append(_draft_item(r))
        elif policy.can(user, Action.DOC_ISSUE, r):
            work["issue"].append(_draft_item(r, _("đã phê duyệt")))
        elif r.state == RevisionState.DRAFT and r.author_id == user.id and r.last_comment:
            work["returned"].append(_draft_item(r, r.last_comment))
    for s in standings:
        d, current = s.document, s.current
        if current and current.id not in acknowledged and \
                policy.can(user, Action.DOC_ACKNOWLEDGE, current):
            work["acknowledge"].append(_doc_item(
                d, s.meta, _("lần %(number)s, hiệu lực từ %(date)s", number=current.number,
                             date=format_date(current.effective_date)),
                current.effective_date))
        if s.review_due and s.review_due < today and \
                policy.can(user, Action.DOC_PERIODIC_REVIEW, d):
            work["periodic"].append(_doc_item(
                d, s.meta, _("hạn %(date)s", date=format_date(s.review_due)), s.review_due))
        if any(w.state == "pending" for w in d.withdrawal_requests) and \
                policy.can(user, Action.DOC_WITHDRAW_CONFIRM, d):
            work["withdrawals"].append(_doc_item(d, s.meta, _("đề nghị thu hồi")))
    return work
