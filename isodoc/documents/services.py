"""Document control: create, draft, review, approve, issue, withdraw, acknowledge.

Issuing follows the design's write-ahead order: (a) one commit on main through the
store, under its lock, as a compare-and-swap on the document's last commit, (b) the
SQL rows, committed by the request. A crash between the two is found and repaired
by `isodoc check --repair` from the commit's trailers.

Every state change is a command (see isodoc/commands.py): it asks the state table
(`workflow.require`) and then `policy.require` itself, before any git or SQL work, so
no caller can skip either; it records the event, the audit row and the search-outbox
row, and flushes, never commits.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Update, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from isodoc import audit, mail, policy, search, standards
from isodoc.agencies.models import Agency
from isodoc.auth.models import Membership, Role, User
from isodoc.documents import attachments as attachments_of
from isodoc.documents import cache, content
from isodoc.documents.models import (
    CODE_RE,
    TITLE_MAX,
    Acknowledgement,
    Decision,
    Document,
    DocumentKind,
    ReviewAssignment,
    Revision,
    RevisionEvent,
    RevisionState,
    WithdrawalRequest,
)
from isodoc.documents.repos import person, repo_for
from isodoc.documents.store import DocumentMoved, StaleRef
from isodoc.documents.workflow import OPEN_STATES, Transition
from isodoc.documents.workflow import require as require_state
from isodoc.errors import Conflict, InvalidInput
from isodoc.extensions import db
from isodoc.i18n import _, _l
from isodoc.policy import Action
from isodoc.textnorm import clean, nfc
from isodoc.timeutil import format_date, today_local, utcnow

S = RevisionState
CLAUSE_RE = re.compile(r"^\d{1,2}(\.\d{1,2}){0,3}$")
TTHC_RE = re.compile(r"^\d\.\d{6}$")  # the national TTHC database: 1.004227, 2.002766
BODY_MAX = 500_000


class StaleDraft(Conflict):
    """The draft moved on since the editor loaded it: nothing was saved. `details` holds
    the newer head (`current_sha`) and its Markdown body (`current_markdown`): the web
    editor shows them beside a diff, the API answers them in a 409."""

    def __init__(self, current_sha: str | None, current_markdown: str):
        super().__init__(_("Dự thảo đã được người khác lưu sau khi bạn mở trình soạn thảo; "
                           "bản của bạn CHƯA được lưu. Hãy xem bản mới và phần khác biệt bên "
                           "dưới, chép lại thay đổi của bạn rồi lưu lại."),
                         {"current_sha": current_sha, "current_markdown": current_markdown})

    @property
    def current_sha(self) -> str | None:
        return self.details["current_sha"]

    @property
    def current_markdown(self) -> str:
        return self.details["current_markdown"]


# -- validation ---------------------------------------------------------------

def check_code(code: str) -> str:
    code = re.sub(r"\s+", " ", clean(code).upper())
    if not CODE_RE.match(code):
        raise InvalidInput(_("Mã tài liệu «%(code)s» không hợp lệ: dùng chữ in hoa không dấu, "
                             "chữ số, khoảng trắng và . / _ - (tối đa 48 ký tự), vd. QT-05, "
                             "QT 02/CX-HCTP.", code=code[:60]))
    return code


def slugify(code: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-")[:64].strip("-")


def check_title(title: str) -> str:
    title = clean(title)
    if not title:
        raise InvalidInput(_("Tên tài liệu không được để trống."))
    if len(title) > TITLE_MAX:
        raise InvalidInput(_("Tên tài liệu quá dài (tối đa %(max)s ký tự).", max=TITLE_MAX))
    return title


def check_clauses(text: str) -> str:
    clauses = [c.strip() for c in re.split(r"[,;\s]+", nfc(text)) if c.strip()]
    bad = [c for c in clauses if not CLAUSE_RE.match(c)]
    if bad:
        raise InvalidInput(_("Điều khoản ISO không hợp lệ: %(clauses)s (vd. 7.5.3 8.5.1).",
                             clauses=", ".join(bad[:5])))
    if unknown := standards.check_numbers(clauses):
        raise InvalidInput(_("Điều khoản %(clauses)s không có trong TCVN ISO 9001:2015 "
                             "(vd. 7.5.3, 8.5.1).", clauses=", ".join(unknown[:5])))
    return " ".join(dict.fromkeys(clauses))


def check_body(body: str) -> str:
    body = clean(body, multiline=True)
    if len(body) > BODY_MAX:
        raise InvalidInput(_("Nội dung quá dài (tối đa %(max)s ký tự).",
                             max=content.format_count(BODY_MAX)))
    return body


@dataclass
class DocumentFields:
    """What the editor edits besides the body."""

    title: str
    kind: DocumentKind
    tthc_code: str = ""
    field: str = ""
    iso_clauses: str = ""
    review_months: int = 12

    def checked(self) -> DocumentFields:
        tthc = clean(self.tthc_code)
        if tthc and not TTHC_RE.match(tthc):
            raise InvalidInput(_("Mã TTHC «%(code)s» không hợp lệ: một chữ số, dấu chấm và "
                                 "sáu chữ số như trên Cơ sở dữ liệu quốc gia về TTHC "
                                 "(vd. 1.004227, 2.002766).", code=tthc[:40]))
        if not 1 <= self.review_months <= 60:
            raise InvalidInput(_("Chu kỳ xem xét phải từ 1 đến 60 tháng."))
        field = clean(self.field)
        if len(field) > 120:
            raise InvalidInput(_("Lĩnh vực quá dài (tối đa 120 ký tự)."))
        return DocumentFields(check_title(self.title), self.kind, tthc, field,
                              check_clauses(self.iso_clauses), self.review_months)


# -- queries ------------------------------------------------------------------

def get_document(agency: Agency, slug: str) -> Document | None:
    return db.session.scalar(select(Document).where(Document.agency_id == agency.id,
                                                    Document.slug == slug))


def load_document(agency_code: str, slug: str, *options) -> Document | None:
    """A document with its agency and the agency's ancestors (what policy reads) in one
    query; its revisions and withdrawal requests load on first use, one query each;
    `options` add what a page shows besides."""
    return db.session.scalar(
        select(Document).join(Document.agency)
        .where(Agency.code == agency_code, Document.slug == slug)
        .options(contains_eager(Document.agency).joinedload(Agency.parent)
                 .joinedload(Agency.parent), *options))


def issued(document: Document) -> list[Revision]:
    return sorted((r for r in document.revisions if r.state == S.ISSUED),
                  key=lambda r: r.number or 0)


def effective_line(document: Document) -> list[Revision]:
    """Issued revisions that are or will be in force, by number; their effective dates
    increase with their numbers (a revision issued to take effect no later than a
    pending one supersedes it, and that one is never in force)."""
    return [r for r in issued(document) if not r.superseded_before_effect]


def in_force(document: Document, on: date | None = None) -> Revision | None:
    """The revision in force on a day: the highest-numbered issued one whose effective
    date has come and that was not superseded before it took effect, unless the
    document was withdrawn by then."""
    on = on or today_local()
    if document.withdrawn_on is not None and document.withdrawn_on <= on:
        return None
    effective = [r for r in effective_line(document) if r.effective_date <= on]
    return effective[-1] if effective else None


def upcoming(document: Document, on: date | None = None) -> Revision | None:
    """The next revision to take effect after `on`, if one was issued."""
    on = on or today_local()
    later = [r for r in effective_line(document) if r.effective_date > on]
    return later[0] if later else None


def replaced_before_effect(document: Document, effective_date: date,
                           on: date | None = None) -> list[Revision]:
    """The pending revisions that a revision issued on `on` to take effect on
    `effective_date` supersedes before they take effect."""
    on = on or today_local()
    return [r for r in effective_line(document)
            if r.effective_date > on and r.effective_date >= effective_date]


def current_metadata(document: Document, on: date | None = None) -> Revision | None:
    """The revision whose title, kind, TTHC code, field, clauses and review interval are
    the document's: the one in force; when withdrawn, the last one that was; before the
    first takes effect, the first issued; never issued, its draft (for its staff)."""
    on = on or today_local()
    line = effective_line(document)
    past = [r for r in line if r.effective_date <= on]
    if past:
        return past[-1]
    if line:
        return line[0]
    return open_revision(document) or (document.revisions[-1] if document.revisions else None)


def open_revision(document: Document) -> Revision | None:
    return next((r for r in document.revisions if r.state in OPEN_STATES), None)


def revision_status(revision: Revision, on: date | None = None) -> str:
    """Derived from the dates, so a revision is superseded the day the next takes effect;
    only "superseded before effect" is recorded, when the revision replacing it issues."""
    if revision.state != S.ISSUED:
        return revision.state
    if revision.superseded_before_effect:
        return "superseded_before_effect"
    current = in_force(revision.document, on)
    if current is None:
        if revision.document.withdrawn_on is not None:
            return "withdrawn"
        return "pending"
    if revision.id == current.id:
        return "in_force"
    return "superseded" if (revision.number or 0) < (current.number or 0) else "pending"


# lazy: read in the language of the request that shows them (the revision states' own
# labels are the same messages as RevisionState.label)
STATUS_LABELS = {
    "in_force": _l("Đang hiệu lực"), "pending": _l("Chờ hiệu lực"),
    "superseded": _l("Đã hết hiệu lực"),
    "superseded_before_effect": _l("Không có hiệu lực (bị thay thế trước ngày hiệu lực)"),
    "withdrawn": _l("Đã thu hồi (hết hiệu lực)"), "draft_only": _l("Chưa ban hành"),
    "draft": _l("Dự thảo"), "in_review": _l("Đang xem xét"), "reviewed": _l("Chờ phê duyệt"),
    "approved": _l("Đã phê duyệt, chờ ban hành"), "issued": _l("Đã ban hành"),
    "cancelled": _l("Đã huỷ"),
}


def document_status(document: Document, on: date | None = None) -> str:
    on = on or today_local()
    if document.withdrawn_on is not None and document.withdrawn_on <= on:
        return "withdrawn"
    if in_force(document, on):
        return "in_force"
    return "pending" if issued(document) else "draft_only"


@dataclass
class Standing:
    """What the register, the work list and the API show of a document on a day,
    computed once from its eagerly loaded revisions."""

    document: Document
    status: str
    current: Revision | None  # in force
    shown: Revision | None  # in force, else the newest issued
    upcoming: Revision | None
    open_draft: Revision | None
    meta: Revision | None  # whose metadata is the document's (see current_metadata)
    review_due: date | None


def standing(document: Document, on: date | None = None) -> Standing:
    """The same answers as in_force, upcoming, document_status, current_metadata and
    review_due, from one pass over the document's revisions."""
    on = on or today_local()
    latest = issued(document)
    line = [r for r in latest if not r.superseded_before_effect]
    past = [r for r in line if r.effective_date <= on]
    withdrawn = document.withdrawn_on is not None and document.withdrawn_on <= on
    current = past[-1] if past and not withdrawn else None
    status = "withdrawn" if withdrawn else "in_force" if current else \
        "pending" if latest else "draft_only"
    upcoming_ = next((r for r in line if r.effective_date > on), None)
    draft = open_revision(document)
    meta = past[-1] if past else line[0] if line else \
        draft or (document.revisions[-1] if document.revisions else None)
    due = None
    if current is not None:
        since = max(d for d in (current.effective_date, document.last_reviewed_on) if d)
        due = add_months(since, current.review_months)
    return Standing(document, status, current, current or (latest[-1] if latest else None),
                    upcoming_, draft, meta, due)


def read_entry(revision: Revision) -> cache.Entry | None:
    """The revision's file, parsed and rendered: issued content from main, a draft's from
    its ref head. Both name content that never changes, so it comes from the revision
    cache; git is read (and the repository opened) only the first time."""
    sha = revision.commit_sha if revision.state == S.ISSUED else revision.head_sha
    if not sha:
        return None
    document = revision.document
    return cache.entry(lambda: repo_for(document.agency).read(sha, document.slug), sha,
                       document.slug)


def read_text(revision: Revision) -> str:
    found = read_entry(revision)
    return found.text if found is not None else ""


def read_parts(revision: Revision) -> tuple[dict, str]:
    found = read_entry(revision)
    return (found.meta, found.body) if found is not None else ({}, "")


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31/01 + 1 → 28 or 29/02)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_due(document: Document, on: date | None = None) -> date | None:
    """Periodic review of the revision in force: its own interval from its effective date
    or from the last review that found nothing to change."""
    current = in_force(document, on)
    if current is None:
        return None
    since = max(d for d in (current.effective_date, document.last_reviewed_on) if d)
    return add_months(since, current.review_months)


def with_revisions(query):
    """Documents with their revisions in one more query, however many documents there
    are: the lists compute everything they show from these."""
    return query.options(selectinload(Document.revisions))


def agency_documents(agency: Agency) -> list[Document]:
    return db.session.scalars(with_revisions(
        select(Document).where(Document.agency_id == agency.id).order_by(Document.code))).all()


def standings(documents: Iterable[Document], on: date | None = None) -> list[Standing]:
    on = on or today_local()
    return [standing(d, on) for d in documents]


def check_tthc_unique(agency: Agency, tthc_code: str | None,
                      document: Document | None = None) -> None:
    """One procedure in force (or issued to take effect) per TTHC code in an agency."""
    if not tthc_code:
        return
    others = db.session.scalars(with_revisions(select(Document).where(
        Document.agency_id == agency.id, Document.withdrawn_on.is_(None),
        Document.revisions.any((Revision.state == S.ISSUED) &
                               (Revision.tthc_code == tthc_code))))).all()
    today = today_local()
    for other in others:
        if document is not None and other.id == document.id:
            continue
        current = in_force(other, today)
        live = ([current] if current else []) + [r for r in effective_line(other)
                                                 if r.effective_date > today]
        if any(r.tthc_code == tthc_code for r in live):
            raise InvalidInput(_("Mã TTHC %(tthc)s đã có quy trình %(code)s (%(title)s) đang "
                                 "hiệu lực hoặc đã ban hành chờ hiệu lực trong đơn vị: mỗi thủ "
                                 "tục hành chính chỉ có một quy trình. Hãy sửa đổi %(code)s "
                                 "hoặc thu hồi nó trước.", tthc=tthc_code, code=other.code,
                                 title=other.title))


def check_catalog(agency: Agency, fields: DocumentFields, previous: str | None) -> None:
    """Once the province has a TTHC catalog, a TTHC procedure names one of its TTHC that
    the agency must cover (isodoc/tthc); a code the revision already had is kept."""
    from isodoc.tthc.drafting import catalog_requires, has_catalog

    if fields.kind is DocumentKind.TTHC and not fields.tthc_code and has_catalog():
        raise InvalidInput(_("Quy trình giải quyết TTHC cần chọn mã TTHC từ danh mục TTHC "
                             "của tỉnh."))
    catalog_requires(agency, fields.tthc_code, previous)


REVIEWER_ROLES = (Role.AUTHOR, Role.SECRETARY, Role.APPROVER, Role.AUDITOR)


def reviewer_choices(revision: Revision) -> list[tuple[User, list[Role]]]:
    """The eligible reviewers of `revision`, each with the roles they hold in its agency
    (the picker shows them: a reviewer is chosen for what they know)."""
    people = eligible_reviewers(revision)
    roles: dict[int, list[Role]] = {}
    if people:
        rows = db.session.execute(
            select(Membership.user_id, Membership.role).where(
                Membership.agency_id == revision.document.agency_id,
                Membership.user_id.in_([u.id for u in people]),
                Membership.role.in_(REVIEWER_ROLES)))
        for user_id, role in rows:
            roles.setdefault(user_id, []).append(Role(role))
    order = {r: n for n, r in enumerate(REVIEWER_ROLES)}
    return [(u, sorted(roles.get(u.id, []), key=order.__getitem__)) for u in people]


def eligible_reviewers(revision: Revision) -> list[User]:
    """Staff of the agency other than the draft's author."""
    staff = list(REVIEWER_ROLES)
    users = db.session.scalars(
        select(User).join(Membership).where(Membership.agency_id == revision.document.agency_id,
                                            Membership.role.in_(staff), User.active.is_(True))
        .order_by(User.full_name).distinct()).all()
    return [u for u in users if u.id != revision.author_id]


# -- writing ------------------------------------------------------------------

EVENT = insert(RevisionEvent.__table__)


def _event(revision: Revision, actor: User | None, action: str, from_state: str,
           comment: str = "", sha: str | None = None) -> None:
    # a Core INSERT, not `revision.events.append` (that loads every earlier event of the
    # revision first) nor an object for the unit of work (its flush is most of a
    # command's SQL time); a loaded `events` is read again with the new row
    loaded = "events" in revision.__dict__
    if loaded or revision.id is None or (isinstance(actor, User) and actor.id is None):
        db.session.flush()  # ids to point at; nothing pending lost by the expiry below
    actor_id = actor.id if isinstance(actor, User) else None
    db.session.connection().execute(EVENT, {"revision_id": revision.id, "actor_id": actor_id,
                                            "action": action, "from_state": from_state,
                                            "to_state": revision.state, "comment": comment,
                                            "sha": sha})
    if loaded:
        db.session.expire(revision, ["events"])
    document = revision.document
    search.enqueue(document)
    audit.record(f"document.{action}", "document", f"{document.agency.code}/{document.code}",
                 actor=actor, agency_id=document.agency_id,
                 summary=_log_detail(revision, action) + (f" — {comment[:300]}" if comment else ""))
    mail.revision_moved(revision, actor, action)  # in this transaction, sent after it


def _log_detail(revision: Revision, action: str) -> str:
    """What the action log says after the document's code (isodoc/activity.py reads it
    as "… ban hành QT-03 lần 2, hiệu lực từ 01/12/2026"). The log is a record: written
    in Vietnamese, whatever the language of the person acting."""
    if action == "issue" and revision.number is not None:
        return (f"lần {revision.number}, hiệu lực từ "
                f"{format_date(revision.effective_date)}")  # i18n: vi-only
    return f"(dự thảo {revision.seq})"  # i18n: vi-only


def _meta(document: Document, fields: DocumentFields, revision: Revision) -> dict:
    return {
        "code": document.code, "title": fields.title, "kind": fields.kind.value,
        "agency": document.agency.code, "revision": revision.number,
        "effective_date": revision.effective_date.isoformat() if revision.effective_date else None,
        "tthc_code": fields.tthc_code, "field": fields.field,
        "iso_clauses": fields.iso_clauses.split(), "review_interval_months": fields.review_months,
        "drafted_by": revision.author.full_name,
    }


def _apply_fields(document: Document, revision: Revision, fields: DocumentFields) -> None:
    """The editor's fields belong to the draft; the document's cached values follow
    only while it has never been issued (its draft is then all there is)."""
    revision.title = fields.title
    revision.kind, revision.tthc_code = fields.kind.value, fields.tthc_code or None
    revision.field, revision.iso_clauses = fields.field or None, fields.iso_clauses
    revision.review_months = fields.review_months
    if revision.state != S.ISSUED and not issued(document):
        document.title = fields.title
        _cache_metadata(document, revision)


def _update_by_id(model: type, names: tuple[str, ...], *where) -> Update:
    """UPDATE <model> SET name = :v_name … WHERE id = :row_id, built once (a statement
    built at every call coerces every value again)."""
    table = model.__table__
    return (update(table).where(table.c.id == bindparam("row_id"), *where)
            .values({name: bindparam(f"v_{name}") for name in names}))


METADATA = ("kind", "tthc_code", "field", "iso_clauses", "review_months")
# issuing: the claim carries every column of the issued revision; the document's cache
CLAIM = _update_by_id(Revision, ("state", "number", "commit_sha", "effective_date",
                                 "issued_at", "issued_by_id", "blob_sha"),
                      Revision.__table__.c.state != S.ISSUED)
CACHE = _update_by_id(Document, ("head_commit", "title", *METADATA))


def _cache_metadata(document: Document, revision: Revision) -> None:
    """The document's columns: a cache of its newest issued revision (or of its only
    draft), written when that revision is issued. Screens read the revision."""
    for name, value in _metadata_of(revision).items():
        setattr(document, name, value)


def _metadata_of(revision: Revision) -> dict:
    return {name: getattr(revision, name) for name in METADATA}


def _write_row(obj: Revision | Document, statement: Update, values: dict) -> int:
    """Run one of the statements above for `obj` and tell the loaded object it holds
    `values` (what its row now has): the unit of work has nothing left to flush for it.
    Issuing spent a sixth of its time in the flush of three objects. The caller has
    flushed the object's own pending changes."""
    done = db.session.connection().execute(
        statement, {"row_id": obj.id, **{f"v_{k}": v for k, v in values.items()}}).rowcount
    if done:
        for name, value in values.items():
            set_committed_value(obj, name, value)
    return done


def create_document(agency: Agency, actor: User, code: str, fields: DocumentFields,
                    body: str, *, imported: dict | None = None,
                    attachments: list[dict] | None = None) -> Revision:
    """A new document and its first draft. `imported` (the Word file it came from and
    what its control block said) and `attachments` (its pictures and embedded forms,
    already written as blobs) go into the front matter, kept by later saves."""
    policy.require(actor, Action.DOC_CREATE, agency)
    code, fields, body = check_code(code), fields.checked(), check_body(body)
    slug = slugify(code)
    clash = db.session.scalar(select(Document).where(
        Document.agency_id == agency.id, (Document.code == code) | (Document.slug == slug)))
    if clash is not None:
        raise InvalidInput(_("Đơn vị đã có tài liệu mã «%(code)s».", code=clash.code)
                           if clash.code == code else
                           _("Đơn vị đã có tài liệu mã «%(code)s» (trùng tên tệp với mã này).",
                             code=clash.code))
    check_catalog(agency, fields, None)
    check_tthc_unique(agency, fields.tthc_code)
    document = Document(agency=agency, code=code, slug=slug, title=fields.title,
                        kind=fields.kind.value)
    repo = repo_for(agency)
    revision = Revision(document=document, seq=repo.next_draft_number(slug), author=actor,
                        title=fields.title)
    _apply_fields(document, revision, fields)
    db.session.add(document)
    db.session.flush()
    meta = _meta(document, fields, revision)
    if imported:
        meta["imported"] = imported
    if attachments:
        meta["attachments"] = attachments_of.merged([], attachments)
        attachments_of.keep(repo, meta["attachments"])
    revision.head_sha = _first_save(repo, revision, content.compose(meta, body), actor,
                                    f"Tạo dự thảo {code}: {fields.title}")  # i18n: vi-only
    _event(revision, actor, "create", S.DRAFT, sha=revision.head_sha)
    return revision


def _first_save(repo, revision: Revision, data: bytes, actor: User, message: str) -> str:
    try:
        return repo.save_draft(revision.document.slug, revision.seq, data, person(actor),
                               message, None)
    except StaleRef:  # someone started the same draft this very moment
        raise InvalidInput(_("Một người khác vừa tạo dự thảo này; tải lại trang và thử "
                             "lại.")) from None


def start_revision(document: Document, actor: User) -> Revision:
    """A new draft of an issued document, starting from the latest issued text."""
    if document.withdrawn_on is not None:
        raise InvalidInput(_("%(code)s đã bị thu hồi: hãy soạn tài liệu mới.",
                             code=document.code))
    if open_revision(document) is not None:
        raise InvalidInput(_("%(code)s đang có một dự thảo chưa ban hành: hãy tiếp tục dự "
                             "thảo đó.", code=document.code))
    latest = effective_line(document)  # never from a revision superseded before effect
    if not latest:
        raise InvalidInput(_("Tài liệu chưa được ban hành lần nào."))
    policy.require(actor, Action.DOC_CREATE, document.agency)
    meta, body = read_parts(latest[-1])
    repo = repo_for(document.agency)
    seq = repo.next_draft_number(document.slug, max(r.seq for r in document.revisions) + 1)
    base = latest[-1]
    revision = Revision(document=document, seq=seq, author=actor, title=base.title,
                        kind=base.kind, tthc_code=base.tthc_code, field=base.field,
                        iso_clauses=base.iso_clauses, review_months=base.review_months)
    db.session.add(revision)
    db.session.flush()
    meta.update(revision=None, effective_date=None, drafted_by=actor.full_name)
    meta.pop("approved_by", None)
    meta.pop("reviewed_by", None)
    meta.pop("supersedes", None)
    started = f"Bắt đầu sửa đổi {document.code} (dự thảo {seq})"  # i18n: vi-only
    revision.head_sha = _first_save(repo, revision, content.compose(meta, body), actor, started)
    _event(revision, actor, "create", S.DRAFT, sha=revision.head_sha)
    return revision


def save_draft(revision: Revision, actor: User, base_sha: str, fields: DocumentFields,
               body: str, *, change_location: str = "", change_summary: str = "",
               reason: str = "", imported: dict | None = None,
               attachments: list[dict] | None = None) -> str:
    """Save the editor's text on the draft ref. `base_sha` is the head the editor
    loaded: if the draft moved meanwhile, StaleDraft carries the newer text."""
    require_state(Transition.SAVE, revision.state)
    policy.require(actor, Action.DOC_EDIT, revision)
    document = revision.document
    fields, body = fields.checked(), check_body(body)
    check_catalog(document.agency, fields, revision.tthc_code)
    check_tthc_unique(document.agency, fields.tthc_code, document)
    for label, value in ((_("Vị trí sửa đổi"), change_location),
                         (_("Nội dung sửa đổi"), change_summary), (_("Lý do, căn cứ"), reason)):
        if len(nfc(value)) > 4000:
            raise InvalidInput(_("%(field)s quá dài (tối đa 4.000 ký tự).", field=label))
    meta = _meta(document, fields, revision)
    before_meta = read_parts(revision)[0] if revision.head_sha else {}
    # where an imported draft came from, and its attachments, stay through later saves
    if imported := imported or before_meta.get("imported"):
        meta["imported"] = imported
    if kept := attachments_of.merged(before_meta.get("attachments"), attachments or []):
        meta["attachments"] = kept
        if attachments:
            attachments_of.keep(repo_for(document.agency), kept)
    data = content.compose(meta, body)
    try:
        sha = repo_for(document.agency).save_draft(
            document.slug, revision.seq, data, person(actor),
            f"Lưu dự thảo {document.code} (dự thảo {revision.seq})", base_sha)  # i18n: vi-only
    except StaleRef as exc:
        current = repo_for(document.agency).read(exc.current, document.slug) if exc.current \
            else b""
        _front, newer = content.split(current or b"")
        raise StaleDraft(exc.current, newer) from None
    before = revision.state
    revision.head_sha, revision.updated_at = sha, utcnow()
    revision.change_location = nfc(change_location)
    revision.change_summary, revision.reason = nfc(change_summary), nfc(reason)
    _apply_fields(document, revision, fields)
    if before != S.DRAFT:  # every later edit resets reviews and approval
        revision.state = S.DRAFT
        revision.reviews.clear()
        revision.approved_by, revision.approved_at = None, None
    _event(revision, actor, "save", before, sha=sha)
    return sha


def submit(revision: Revision, actor: User, reviewers: list[User], comment: str = "") -> None:
    require_state(Transition.SUBMIT, revision.state)
    policy.require(actor, Action.DOC_SUBMIT, revision)
    if not reviewers:
        raise InvalidInput(_("Cần chọn ít nhất một người xem xét."))
    allowed_ids = {u.id for u in eligible_reviewers(revision)}
    if any(u.id not in allowed_ids for u in reviewers):
        raise InvalidInput(_("Người xem xét phải là cán bộ của đơn vị và không phải người "
                             "soạn thảo."))
    if issued(revision.document) and not (revision.change_summary and revision.reason):
        raise InvalidInput(_("Lần sửa đổi cần ghi nội dung sửa đổi và lý do, căn cứ trước khi "
                             "trình xem xét."))
    before = revision.state
    revision.reviews.clear()
    db.session.flush()
    for user in reviewers:
        revision.reviews.append(ReviewAssignment(reviewer=user))
    revision.state = S.IN_REVIEW
    db.session.flush()
    _event(revision, actor, "submit", before, nfc(comment)[:2000] or
           "Người xem xét: " + ", ".join(u.full_name for u in reviewers))  # i18n: vi-only


def review(revision: Revision, actor: User, decision: Decision, comment: str) -> None:
    require_state(Transition.REVIEW, revision.state)
    policy.require(actor, Action.DOC_REVIEW, revision)  # a pending reviewer of this draft
    comment = nfc(comment)[:4000]
    if decision is Decision.CHANGES_REQUESTED and not comment:
        raise InvalidInput(_("Hãy ghi nội dung cần sửa."))
    if decision is Decision.PENDING:
        raise InvalidInput(_("Hãy chọn đồng ý hoặc đề nghị sửa."))
    assignment = next(r for r in revision.reviews if r.reviewer_id == actor.id)
    assignment.decision, assignment.comment, assignment.decided_at = decision, comment, utcnow()
    before = revision.state
    if decision is Decision.CHANGES_REQUESTED:
        revision.state, revision.last_comment = S.DRAFT, comment
    elif all(r.decision == Decision.AGREED for r in revision.reviews):
        revision.state = S.REVIEWED
    _event(revision, actor, f"review_{decision.value}", before, comment)


def approve(revision: Revision, actor: User, comment: str = "") -> None:
    require_state(Transition.APPROVE, revision.state)
    policy.require(actor, Action.DOC_APPROVE, revision)  # never one who wrote or saved it
    before = revision.state
    revision.state, revision.approved_by, revision.approved_at = S.APPROVED, actor, utcnow()
    _event(revision, actor, "approve", before, nfc(comment)[:2000])


def reject(revision: Revision, actor: User, comment: str) -> None:
    require_state(Transition.REJECT, revision.state)
    policy.require(actor, Action.DOC_REJECT, revision)
    comment = nfc(comment)[:4000]
    if not comment:
        raise InvalidInput(_("Hãy ghi lý do trả lại."))
    before = revision.state
    revision.state, revision.last_comment = S.DRAFT, comment
    revision.approved_by = None
    _event(revision, actor, "reject", before, comment)


def cancel(revision: Revision, actor: User, comment: str = "") -> None:
    require_state(Transition.CANCEL, revision.state)
    policy.require(actor, Action.DOC_CANCEL, revision)
    before = revision.state
    revision.state = S.CANCELLED
    _event(revision, actor, "cancel", before, nfc(comment)[:2000])


def issue(revision: Revision, actor: User, effective_date: date) -> str:
    """One commit on main (lần ban hành +1), then the SQL rows. The previous revision
    stays in force until `effective_date`."""
    require_state(Transition.ISSUE, revision.state)
    policy.require(actor, Action.DOC_ISSUE, revision)
    document = revision.document
    if effective_date < today_local():
        raise InvalidInput(_("Ngày hiệu lực không được trước hôm nay."))
    if open_revision(document) is not revision:
        raise InvalidInput(_("Dự thảo này không còn mở."))
    check_tthc_unique(document.agency, revision.tthc_code, document)
    replaced = [r.number for r in replaced_before_effect(document, effective_date)]
    number = max((r.number or 0 for r in issued(document)), default=0) + 1
    meta, body = read_parts(revision)
    people = _people_named(revision)
    author, approver = people[revision.author_id], people[revision.approved_by_id]
    reviewers = [people[r.reviewer_id].full_name for r in revision.reviews
                 if r.decision == Decision.AGREED]
    meta.update(revision=number, effective_date=effective_date.isoformat(),
                approved_by=approver.full_name, reviewed_by=reviewers, supersedes=replaced)
    trailers = {
        "Document": document.code, "Revision": number,
        "Effective-date": effective_date.isoformat(),
        **({"Supersedes": ", ".join(map(str, replaced))} if replaced else {}),
        "Approved-by": approver.username, "Issued-by": actor.username,
        "Isodoc-Revision": revision.id,
    }
    subject = f"Ban hành {document.code} lần {number}: {revision.title}"  # i18n: vi-only
    message = commit_message(subject, revision.reason, trailers)
    repo = repo_for(document.agency)
    try:
        sha = repo.publish(document.slug, content.compose(meta, body), person(author),
                           person(actor), message, document.head_commit)
    except DocumentMoved:
        # main moved: if its last commit for the document is this very revision, an
        # earlier attempt wrote git and died before its SQL commit: record it now
        landed = _landed_on_main(document, {"Isodoc-Revision": str(revision.id)})
        if landed is None:
            raise InvalidInput(_("%(code)s vừa được ban hành hoặc thu hồi bởi một thao tác "
                                 "khác; tải lại trang để xem trạng thái mới.",
                                 code=document.code)) from None
        try:
            number, day = int(landed.trailers["Revision"]), \
                date.fromisoformat(landed.trailers["Effective-date"])
        except (KeyError, ValueError):
            raise InvalidInput(_("%(code)s: commit %(sha)s trên main không đọc được; hãy báo "
                                 "quản trị viên chạy `isodoc check`.", code=document.code,
                                 sha=landed.sha[:10])) from None
        record_issue(revision, landed.sha, number, day,
                     _user_named(landed.trailers.get("Issued-by")) or actor,
                     supersedes_of(landed.trailers))
        return landed.sha
    record_issue(revision, sha, number, effective_date, actor, replaced)
    return sha


def _people_named(revision: Revision) -> dict[int, User]:
    """The draft's author, approver and reviewers by id, in one query (the commit names
    them all; one lazy load each otherwise)."""
    db.session.flush()  # an approval made in this transaction has its approver's id
    ids = {revision.author_id, revision.approved_by_id} | {r.reviewer_id
                                                           for r in revision.reviews}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def supersedes_of(trailers: dict[str, str]) -> list[int]:
    """The revision numbers an issue commit's `Supersedes:` trailer names (none if it has
    no such trailer: the issue then superseded nothing)."""
    return [int(n) for n in re.findall(r"\d+", trailers.get("Supersedes", ""))]


def commit_message(subject: str, text: str | None, trailers: dict) -> str:
    """A commit message for main: one subject line, the free text, and the trailer block,
    which is always the last paragraph and the only one parsed (`store.parse_trailers`).
    Everything user-typed is cleaned here again, so a stored value written before the
    boundary was cleaned cannot bring a control character into git."""
    text = nfc(text)
    return (clean(subject) + "\n\n" + (f"{text}\n\n" if text else "")
            + "\n".join(f"{k}: {clean(str(v))}" for k, v in trailers.items()) + "\n")


def _landed_on_main(document: Document, wanted: dict[str, str]):
    """Main's last commit for the document, if its trailers name this document and the
    `wanted` record (and it is not already recorded): else None."""
    repo = repo_for(document.agency)
    last = repo.last_change(document.slug)
    if last is None or last == document.head_commit:
        return None
    info = repo.commit_info(last)
    t = info.trailers
    if t.get("Document") != document.code or any(t.get(k) != v for k, v in wanted.items()):
        return None
    return info if repo.changes(info.sha, document.slug) else None


def _user_named(username: str | None) -> User | None:
    if not username:
        return None
    return db.session.scalar(select(User).where(User.username == username))


def record_issue(revision: Revision, sha: str, number: int, effective_date: date,
                 actor: User | None, supersedes: Iterable[int] = ()) -> None:
    """The SQL half of issuing; also used by the repair to replay a commit.

    `supersedes` are the numbers of the pending revisions this one replaces before they
    take effect, as decided when it was issued (the commit's `Supersedes:` trailer): a
    repair on a later day marks the same ones, whatever has taken effect since.

    Claimed with a conditional UPDATE first: of two requests recording the same commit
    (one that wrote it, one that found it on main), the second waits for the first's
    transaction and then finds the revision issued: refused, never recorded twice."""
    document = revision.document
    wanted = set(supersedes)
    # the events' comments are part of the record: Vietnamese, whoever acts
    replaced = (f"bị thay thế trước ngày hiệu lực bởi lần {number}, hiệu lực từ "
                f"{effective_date.strftime('%d/%m/%Y')}")  # i18n: vi-only
    for pending in (r for r in issued(document)
                    if r.number in wanted and not r.superseded_before_effect):
        pending.superseded_before_effect = True  # never in force (Supersedes: trailer)
        pending.events.append(RevisionEvent(
            actor=actor, action="supersede_before_effect", from_state=S.ISSUED,
            to_state=S.ISSUED, sha=sha, comment=replaced))
    before = revision.state
    db.session.flush()  # the events above, and the actor's id read below (_write_row)
    claimed = _write_row(revision, CLAIM, {
        "state": S.ISSUED, "number": number, "commit_sha": sha,
        "effective_date": effective_date, "issued_at": utcnow(),
        "issued_by_id": actor.id if isinstance(actor, User) else None,
        "blob_sha": repo_for(document.agency).blob_sha(sha, document.slug),
    })
    if not claimed:
        raise InvalidInput(_("%(code)s vừa được ban hành bởi một thao tác khác; tải lại "
                             "trang để xem trạng thái mới.", code=document.code))
    set_committed_value(revision, "issued_by", actor if isinstance(actor, User) else None)
    _write_row(document, CACHE, {"head_commit": sha, "title": revision.title,
                                 **_metadata_of(revision)})
    _event(revision, actor, "issue", before,
           f"lần {number}, hiệu lực từ {effective_date.strftime('%d/%m/%Y')}",  # i18n: vi-only
           sha=sha)


def request_withdrawal(document: Document, actor: User, reason: str) -> WithdrawalRequest:
    _require_withdrawable(document)
    if any(w.state == "pending" for w in document.withdrawal_requests):
        raise _already_pending(document)
    policy.require(actor, Action.DOC_WITHDRAW_REQUEST, document)
    reason = nfc(reason)[:4000]
    if not reason:
        raise InvalidInput(_("Hãy ghi lý do thu hồi."))
    try:
        with db.session.begin_nested():  # one pending request a document (a unique index)
            request = WithdrawalRequest(document=document, requested_by=actor, reason=reason)
            db.session.add(request)
    except IntegrityError:  # another request came first, after the check above
        raise _already_pending(document) from None
    audit.record("document.withdraw_request", "document", f"{document.agency.code}/{document.code}",
                 actor=actor, agency_id=document.agency_id, summary=reason[:300])
    return request


def _already_pending(document: Document) -> InvalidInput:
    return InvalidInput(_("%(code)s đã có đề nghị thu hồi đang chờ lãnh đạo quyết định.",
                          code=document.code))


def _require_withdrawable(document: Document) -> None:
    if document.withdrawn_on is not None:
        raise InvalidInput(_("%(code)s đã bị thu hồi.", code=document.code))
    if not issued(document):
        raise InvalidInput(_("%(code)s chưa được ban hành: hãy huỷ dự thảo thay vì thu hồi.",
                             code=document.code))


def decide_withdrawal(document: Document, actor: User, confirm: bool, comment: str = "") -> None:
    _require_withdrawable(document)
    request = next((w for w in document.withdrawal_requests if w.state == "pending"), None)
    if request is None:
        raise InvalidInput(_("%(code)s không có đề nghị thu hồi nào đang chờ quyết định.",
                             code=document.code))
    policy.require(actor, Action.DOC_WITHDRAW_CONFIRM, document)  # never the requester
    request.decided_by, request.decided_at = actor, utcnow()
    if not confirm:
        request.state = "refused"
        audit.record("document.withdraw_refuse", "document",
                     f"{document.agency.code}/{document.code}", actor=actor,
                     agency_id=document.agency_id, summary=nfc(comment)[:300])
        return
    db.session.flush()
    subject = f"Thu hồi {document.code}: {document.title}"  # i18n: vi-only
    message = commit_message(subject, request.reason, {
        "Action": "withdraw", "Document": document.code,
        "Requested-by": request.requested_by.username, "Approved-by": actor.username,
        "Isodoc-Withdrawal": request.id})
    try:
        sha = repo_for(document.agency).publish(document.slug, None, person(actor),
                                                person(actor), message, document.head_commit)
    except DocumentMoved:
        # an earlier attempt wrote this very withdrawal to git and died before SQL
        landed = _landed_on_main(document, {"Action": "withdraw",
                                            "Isodoc-Withdrawal": str(request.id)})
        if landed is None:
            raise InvalidInput(_("%(code)s vừa thay đổi; tải lại trang.",
                                 code=document.code)) from None
        sha = landed.sha
    record_withdrawal(request, sha)


def record_withdrawal(request: WithdrawalRequest, sha: str) -> None:
    document = request.document
    request.state, request.commit_sha = "confirmed", sha
    document.withdrawn_on, document.withdrawn_reason = today_local(), request.reason
    document.head_commit = sha
    search.enqueue(document)
    audit.record("document.withdraw", "document", f"{document.agency.code}/{document.code}",
                 actor=request.decided_by, agency_id=document.agency_id,
                 summary=request.reason[:300])


def acknowledge(revision: Revision, user: User) -> None:
    if revision.state != S.ISSUED:
        raise InvalidInput(_("Chỉ xác nhận đã đọc được bản đã ban hành."))
    policy.require(user, Action.DOC_ACKNOWLEDGE, revision)
    exists = db.session.scalar(select(Acknowledgement).where(
        Acknowledgement.revision_id == revision.id, Acknowledgement.user_id == user.id))
    if exists is None:
        db.session.add(Acknowledgement(revision=revision, user=user))
        audit.record("document.acknowledge", "document",
                     f"{revision.document.agency.code}/{revision.document.code}",
                     actor=user, agency_id=revision.document.agency_id,
                     summary=f"lần {revision.number}")  # i18n: vi-only


def confirm_periodic_review(document: Document, actor: User) -> None:
    if document.withdrawn_on is not None or in_force(document) is None:
        raise InvalidInput(_("%(code)s không có bản đang hiệu lực để xem xét định kỳ.",
                             code=document.code))
    policy.require(actor, Action.DOC_PERIODIC_REVIEW, document)
    document.last_reviewed_on = today_local()
    audit.record("document.periodic_review", "document",
                 f"{document.agency.code}/{document.code}", actor=actor,
                 agency_id=document.agency_id,
                 summary="xem xét định kỳ, không thay đổi")  # i18n: vi-only


def readers(revision: Revision) -> tuple[list[User], list[User]]:
    """Members of the agency who have and have not confirmed reading the revision."""
    members = db.session.scalars(select(User).join(Membership).where(
        Membership.agency_id == revision.document.agency_id, User.active.is_(True))
        .order_by(User.full_name).distinct()).all()
    done = set(db.session.scalars(select(Acknowledgement.user_id).where(
        Acknowledgement.revision_id == revision.id)))
    return [u for u in members if u.id in done], [u for u in members if u.id not in done]


def count_open(agency: Agency) -> int:
    return db.session.scalar(select(func.count()).select_from(Revision).join(Document).where(
        Document.agency_id == agency.id, Revision.state.in_(list(OPEN_STATES)))) or 0
