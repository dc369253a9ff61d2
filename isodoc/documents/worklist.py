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
from isodoc.i18n import _, _l
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
        *REVIEW_OPTIONS, selectinload(Revision.reviews))).all()
    acknowledged = set(db.session.scalars(select(Acknowledgement.revision_id).where(
        Acknowledgement.user_id == user.id)))
    work: dict[str, list[WorkItem]] = {k: [] for k in (
        "review", "approve", "issue", "returned", "acknowledge", "periodic", "withdrawals",
        "actions")}
    work["review"] = [_draft_item(r) for r in reviews if policy.can(user, Action.DOC_REVIEW, r)]
    for r in open_revisions:
        if policy.can(user, Action.DOC_APPROVE, r):
            work["approve"].append(_draft_item(r))
        elif policy.can(user, Action.DOC_ISSUE, r):
            work["issue"].append(_draft_item(r, _("đã phê duyệt")))
        elif r.state == RevisionState.DRAFT and r.author_id == user.id and r.last_comment \
                and policy.can(user, Action.DOC_EDIT, r):
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


# -- the home page's lists: their first rows, selected in SQL ---------------------------

GROUPS = ("review", "approve", "issue", "returned", "withdrawals", "periodic", "acknowledge")
TITLES = {  # the headings of the home page's cards (templates/main/home.html)
    "review": _l("Tài liệu chờ tôi xem xét"), "approve": _l("Tài liệu chờ tôi phê duyệt"),
    "issue": _l("Tài liệu chờ ban hành"), "returned": _l("Dự thảo bị trả lại cho tôi"),
    "withdrawals": _l("Đề nghị thu hồi chờ quyết định"),
    "periodic": _l("Tài liệu quá hạn xem xét định kỳ"),
    "acknowledge": _l("Văn bản mới cần xác nhận đã đọc")}
DOCUMENT_ROWS = ("withdrawals",)  # the others are rows of revisions


@dataclass
class Listed:
    """The first items of one list and how many it has in all."""

    items: list[WorkItem]
    total: int


def listed_work(user: User, limit: int, offset: int = 0,
                only: tuple[str, ...] = GROUPS) -> dict[str, Listed]:
    """The lists of work_for, each cut to `limit` items from `offset`, with their totals:
    the rows chosen in SQL by the header count's rules (main/waiting.py), so a person
    with hundreds of documents to read costs a page of them, not hundreds. Each row is
    still put to the policy (tests/test_mail.py checks that both give the same lists)."""
    from isodoc.main import waiting

    today = services.today_local()
    params = waiting.params_for(user, today)
    totals = waiting.counts_now(user, today)
    groups = waiting.document_groups()
    out = {}
    for name in only:
        source, where, order = groups[name]
        total = totals[name]
        rows: list = []
        if total > offset and limit > 0:
            rows = _rows(name, source, where, order, params, limit, offset)
        out[name] = Listed(_items(user, name, rows, today), total)
    return out


def _rows(name: str, source, where, order, params: dict, limit: int, offset: int) -> list:
    """The rows of one list, in its order (document_groups): newest first; what is to
    read by its effective date; overdue reviews the most overdue first."""
    if name in DOCUMENT_ROWS:
        ids = db.session.scalars(select(Document.id).select_from(source).where(*where)
                                 .order_by(*order).offset(offset).limit(limit),
                                 params).all()
        found = {d.id: d for d in db.session.scalars(select(Document).where(
            Document.id.in_(ids)).options(*DOCUMENT_OPTIONS))}
        return [found[i] for i in ids if i in found]
    ids = db.session.scalars(select(Revision.id).select_from(source).where(*where)
                             .order_by(*order).offset(offset).limit(limit), params).all()
    options = (REVIEW_OPTIONS if name in ("acknowledge", "periodic")
               else (*REVIEW_OPTIONS, *OPEN_DRAFT_OPTIONS))
    found = {r.id: r for r in db.session.scalars(select(Revision).where(
        Revision.id.in_(ids)).options(*options))}
    if name in ("acknowledge", "periodic"):  # their notes come from the document's standing
        db.session.scalars(select(Document).where(Document.id.in_(
            {r.document_id for r in found.values()})).options(*DOCUMENT_OPTIONS)).all()
    return [found[i] for i in ids if i in found]


def _items(user: User, name: str, rows: list, today: date) -> list[WorkItem]:
    items = []
    for row in rows:
        if (name == "review" and policy.can(user, Action.DOC_REVIEW, row)) or (
                name == "approve" and policy.can(user, Action.DOC_APPROVE, row)):
            items.append(_draft_item(row))
        elif name == "issue" and policy.can(user, Action.DOC_ISSUE, row):
            items.append(_draft_item(row, _("đã phê duyệt")))
        elif name == "returned" and policy.can(user, Action.DOC_EDIT, row):
            items.append(_draft_item(row, row.last_comment))
        elif name == "withdrawals" and policy.can(user, Action.DOC_WITHDRAW_CONFIRM, row):
            items.append(_doc_item(row, services.standing(row, today).meta,
                                   _("đề nghị thu hồi")))
        elif name in ("acknowledge", "periodic"):
            s = services.standing(row.document, today)
            if name == "acknowledge" and s.current is row and \
                    policy.can(user, Action.DOC_ACKNOWLEDGE, row):
                items.append(_doc_item(row.document, s.meta, _(
                    "lần %(number)s, hiệu lực từ %(date)s", number=row.number,
                    date=format_date(row.effective_date)), row.effective_date))
            elif name == "periodic" and s.review_due and s.review_due < today and \
                    policy.can(user, Action.DOC_PERIODIC_REVIEW, row.document):
                items.append(_doc_item(row.document, s.meta, _(
                    "hạn %(date)s", date=format_date(s.review_due)), s.review_due))
    return items
