"""Document control over the API: the same services and the same policy as the UI."""

from __future__ import annotations

from flask import Response, g
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, pre_dump, validate
from sqlalchemy.orm import selectinload

from isodoc import policy
from isodoc.agencies.services import get_by_code
from isodoc.api import Extended, authenticate_bearer
from isodoc.api.schemas import PAGINATION_HEADER, PagedQuerySchema
from isodoc.auth.services import get_user
from isodoc.commands import run
from isodoc.documents import services
from isodoc.documents.models import (
    Decision,
    Document,
    DocumentKind,
    ReviewAssignment,
    Revision,
    RevisionState,
)
from isodoc.i18n import _
from isodoc.officedocs import layout, procedure
from isodoc.pagecache import cached_page
from isodoc.paging import Paging
from isodoc.policy import Action, require
from isodoc.textnorm import fold, nfc

# the OpenAPI document is written once, at start-up, in Vietnamese like the routes'
# docstrings that give their summaries; answers and messages follow the request's language
DESCRIPTION = "Kiểm soát tài liệu: danh mục, bản hiệu lực, dự thảo, duyệt"  # i18n: vi-only
blp = Blueprint("api_documents", __name__, url_prefix="/api/v1/agencies",
                description=DESCRIPTION)
blp.before_request(authenticate_bearer)


class DocumentSchema(Schema):
    """A document as it stands today: title, kind, TTHC code, field and clauses are those
    of its revision in force (a draft never changes them)."""

    code = fields.String()
    slug = fields.String()
    title = fields.String()
    kind = fields.String(metadata={"enum": [k.value for k in DocumentKind]})
    tthc_code = fields.String(allow_none=True)
    field = fields.String(allow_none=True)
    iso_clauses = fields.List(fields.String())
    status = fields.String()
    revision = fields.Integer(allow_none=True)
    effective_date = fields.Date(allow_none=True)
    withdrawn_on = fields.Date(allow_none=True)

    @pre_dump
    def from_standing(self, obj, **kwargs) -> dict:
        s = obj if isinstance(obj, services.Standing) else services.standing(obj)
        d, meta, current = s.document, s.meta, s.current
        return {"code": d.code, "slug": d.slug, "title": meta.title if meta else d.title,
                "kind": meta.kind if meta else d.kind,
                "tthc_code": meta.tthc_code if meta else None,
                "field": meta.field if meta else None,
                "iso_clauses": meta.clause_list if meta else [], "status": s.status,
                "revision": current.number if current else None,
                "effective_date": current.effective_date if current else None,
                "withdrawn_on": d.withdrawn_on}


class RevisionSchema(Schema):
    number = fields.Integer(allow_none=True)
    seq = fields.Integer(metadata={"description": "draft number (refs/drafts/<slug>/<seq>)"})
    state = fields.String(metadata={"enum": [s.value for s in RevisionState]})
    status = fields.Function(lambda r: services.revision_status(r))
    title = fields.String()
    effective_date = fields.Date(allow_none=True)
    kind = fields.String(metadata={"enum": [k.value for k in DocumentKind]})
    tthc_code = fields.String(allow_none=True)
    field = fields.String(allow_none=True)
    iso_clauses = fields.Function(lambda r: r.clause_list)
    review_months = fields.Integer()
    author = fields.Function(lambda r: r.author.username)
    approved_by = fields.Function(lambda r: r.approved_by.username if r.approved_by else None)
    reviews = fields.Function(lambda r: [{"reviewer": a.reviewer.username,
                                          "decision": a.decision, "comment": a.comment}
                                         for a in r.reviews])
    change_location = fields.String()
    change_summary = fields.String()
    reason = fields.String()
    last_comment = fields.String()
    head_sha = fields.String(allow_none=True, metadata={"description": "base for the next save"})
    commit_sha = fields.String(allow_none=True)


class RevisionContentSchema(RevisionSchema):
    document = fields.Nested(DocumentSchema)
    markdown = fields.String()
    html = fields.String()
    front_matter = fields.Dict()


class ListQuery(PagedQuerySchema):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    kind = fields.String(load_default="", validate=validate.OneOf(["", *DocumentKind]))
    status = fields.String(load_default="", validate=validate.OneOf(
        ["", "in_force", "pending", "withdrawn", "draft_only"]))


class FieldsSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    kind = fields.String(required=True, validate=validate.OneOf(list(DocumentKind)))
    tthc_code = fields.String(load_default="", validate=validate.Length(max=32))
    field = fields.String(load_default="", validate=validate.Length(max=120))
    iso_clauses = fields.String(load_default="", validate=validate.Length(max=200))
    review_months = fields.Integer(load_default=12)
    body = fields.String(load_default="", validate=validate.Length(max=500_000))


class CreateSchema(FieldsSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=48))


class SaveSchema(FieldsSchema):
    base_sha = fields.String(required=True, validate=validate.Length(equal=40))
    change_location = fields.String(load_default="", validate=validate.Length(max=4000))
    change_summary = fields.String(load_default="", validate=validate.Length(max=4000))
    reason = fields.String(load_default="", validate=validate.Length(max=4000))


class SubmitSchema(Schema):
    reviewers = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class ReviewSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["agreed",
                                                                     "changes_requested"]))
    comment = fields.String(load_default="", validate=validate.Length(max=4000))


class CommentSchema(Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=4000))


class IssueSchema(Schema):
    effective_date = fields.Date(required=True)


class WithdrawSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class DecideSchema(Schema):
    confirm = fields.Boolean(required=True)
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


def document_or_404(agency_code: str, ref: str) -> Document:
    """A document by slug, or by its code as written (URL-encoded)."""
    agency = get_by_code(agency_code)
    if agency is None:
        abort(404)
    document = services.get_document(agency, services.slugify(nfc(ref)))
    if document is None or (ref != document.slug and nfc(ref).upper() != document.code):
        abort(404)
    return document


def readable_or_404(agency_code: str, ref: str) -> Document:
    """What the GET handlers read (as `document_or_404`), with the revisions' people and
    reviews loaded up front rather than one lazy load at a time."""
    revisions = selectinload(Document.revisions)
    document = services.load_document(
        agency_code, services.slugify(nfc(ref)),
        revisions.selectinload(Revision.reviews).joinedload(ReviewAssignment.reviewer),
        revisions.joinedload(Revision.author), revisions.joinedload(Revision.approved_by))
    if document is None or (ref != document.slug and nfc(ref).upper() != document.code):
        abort(404)
    return document


def draft_or_404(document: Document, seq: int) -> Revision:
    revision = next((r for r in document.revisions if r.seq == seq and
                     r.state != RevisionState.ISSUED), None)
    if revision is None:
        abort(404)
    require(g.api_user, Action.DOC_VIEW_DRAFTS, revision)
    return revision


def with_content(revision: Revision) -> Extended:
    found = services.read_entry(revision)
    if found is None:
        return Extended(revision, markdown="", html="", front_matter={})
    return Extended(revision, markdown=found.body, html=str(found.html),
                    front_matter=found.meta)


def fields_from(data: dict) -> services.DocumentFields:
    return services.DocumentFields(title=data["title"], kind=DocumentKind(data["kind"]),
                                   tthc_code=data["tthc_code"], field=data["field"],
                                   iso_clauses=data["iso_clauses"],
                                   review_months=data["review_months"])


@blp.route("/<agency_code>/documents")
@blp.arguments(ListQuery, location="query")
@blp.response(200, DocumentSchema(many=True), headers=PAGINATION_HEADER)
def list_documents(args, agency_code: str):
    """Danh mục tài liệu của đơn vị (chỉ cán bộ của đơn vị thấy tài liệu chưa ban hành).
    Phân trang: `page`, `page_size` (≤ 100); tổng số ở tiêu đề `X-Pagination`."""
    agency = get_by_code(agency_code)
    if agency is None:
        abort(404)
    drafts_visible = policy.can(g.api_user, Action.DOC_VIEW_DRAFTS, agency)
    found = []
    for s in services.standings(services.agency_documents(agency)):
        if s.status == "draft_only" and not drafts_visible:
            continue
        if args["status"] and s.status != args["status"]:
            continue
        if args["kind"] and s.meta.kind != args["kind"]:
            continue
        if args["q"] and fold(nfc(args["q"])) not in fold(
                f"{s.document.code} {s.meta.title} {s.meta.tthc_code or ''}"):
            continue
        found.append(s)
    paging = Paging(args["page"], args["page_size"])
    return (found[paging.offset:paging.offset + paging.size],
            {"X-Pagination": paging.header(len(found))})


@blp.route("/<agency_code>/documents", methods=["POST"])
@blp.arguments(CreateSchema)
@blp.response(201, RevisionSchema)
def create_document(data, agency_code: str):
    """Tạo dự thảo tài liệu mới."""
    agency = get_by_code(agency_code)
    if agency is None:
        abort(404)
    require(g.api_user, Action.DOC_CREATE, agency)
    return run(services.create_document, agency, g.api_user, data["code"], fields_from(data),
               data["body"])


@blp.route("/<agency_code>/documents/<ref>")
@cached_page
@blp.response(200, RevisionContentSchema)
def in_force(agency_code: str, ref: str):
    """Bản đang hiệu lực: thông tin, Markdown và HTML đã làm sạch."""
    document = readable_or_404(agency_code, ref)
    require(g.api_user, Action.DOC_READ, document)
    current = services.in_force(document)
    if current is None:
        abort(404, message=_("Tài liệu không có bản đang hiệu lực."))
    return with_content(current)


@blp.route("/<agency_code>/documents/<ref>/revisions")
@blp.response(200, RevisionSchema(many=True))
def revisions(agency_code: str, ref: str):
    """Các lần ban hành, mới nhất trước."""
    document = readable_or_404(agency_code, ref)
    require(g.api_user, Action.DOC_READ, document)
    return list(reversed(services.issued(document)))


@blp.route("/<agency_code>/documents/<ref>/revisions/<int:number>")
@blp.response(200, RevisionContentSchema)
def revision(agency_code: str, ref: str, number: int):
    document = readable_or_404(agency_code, ref)
    require(g.api_user, Action.DOC_READ, document)
    found = next((r for r in services.issued(document) if r.number == number), None)
    if found is None:
        abort(404)
    return with_content(found)


def docx_response(revision: Revision) -> Response:
    return Response(procedure.build(revision), mimetype=layout.DOCX_MIMETYPE, headers={
        "Content-Disposition": f"attachment; filename={procedure.filename(revision)}"})


DOCX_DOC = ("Tệp .docx theo thể thức Nghị định 30/2020/NĐ-CP. Thuộc tính tùy chỉnh của tệp: "
            "`isodoc-code`, `isodoc-revision` (số lần ban hành, hoặc `d<n>` cho dự thảo n), "
            "`isodoc-base` (commit git của nội dung), `isodoc-agency`.")  # i18n: vi-only
DOCX_RESPONSE = {"200": {"description": DOCX_DOC, "content": {
    layout.DOCX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}}}}}


@blp.route("/<agency_code>/documents/<ref>/revisions/<int:number>/export.docx")
@blp.doc(responses=DOCX_RESPONSE)
def revision_docx(agency_code: str, ref: str, number: int):
    """Lần ban hành `number` dưới dạng Word (.docx) để in và ký: bản đang hiệu lực, chờ
    hiệu lực hay đã hết hiệu lực (có dấu «ĐÃ HẾT HIỆU LỰC» trên mọi trang)."""
    document = readable_or_404(agency_code, ref)
    require(g.api_user, Action.DOC_READ, document)
    found = next((r for r in services.issued(document) if r.number == number), None)
    if found is None:
        abort(404)
    return docx_response(found)


@blp.route("/<agency_code>/documents/<ref>/drafts/<int:seq>/export.docx")
@blp.doc(responses=DOCX_RESPONSE)
def draft_docx(agency_code: str, ref: str, seq: int):
    """Một dự thảo dưới dạng Word (.docx), có dấu «DỰ THẢO»; `isodoc-base` là `head_sha`
    của dự thảo (cơ sở của lần lưu tiếp theo)."""
    return docx_response(draft_or_404(readable_or_404(agency_code, ref), seq))


@blp.route("/<agency_code>/documents/<ref>/drafts/<int:seq>")
@blp.response(200, RevisionContentSchema)
def draft(agency_code: str, ref: str, seq: int):
    """Một dự thảo (cán bộ của đơn vị và người xem xét)."""
    return with_content(draft_or_404(document_or_404(agency_code, ref), seq))


@blp.route("/<agency_code>/documents/<ref>/drafts/<int:seq>", methods=["POST"])
@blp.arguments(SaveSchema)
@blp.response(200, RevisionSchema)
def save(data, agency_code: str, ref: str, seq: int):
    """Lưu dự thảo; `base_sha` là `head_sha` đã đọc. Bản cũ hơn bị từ chối (409)."""
    revision = draft_or_404(document_or_404(agency_code, ref), seq)
    require(g.api_user, Action.DOC_EDIT, revision)
    run(services.save_draft, revision, g.api_user, data["base_sha"], fields_from(data),
        data["body"], change_location=data["change_location"],
        change_summary=data["change_summary"], reason=data["reason"])
    return revision


@blp.route("/<agency_code>/documents/<ref>/drafts/<int:seq>/submit", methods=["POST"])
@blp.arguments(SubmitSchema)
@blp.response(200, RevisionSchema)
def submit(data, agency_code: str, ref: str, seq: int):
    """Trình xem xét, với tên đăng nhập của người xem xét."""
    revision = draft_or_404(document_or_404(agency_code, ref), seq)
    require(g.api_user, Action.DOC_SUBMIT, revision)
    reviewers = [get_user(name) for name in data["reviewers"]]
    if None in reviewers:
        abort(422, message=_("Có tên người xem xét không tồn tại."))
    run(services.submit, revision, g.api_user, reviewers, data["comment"])
    return revision


@blp.route("/<agency_code>/documents/<ref>/drafts/<int:seq>/review", methods=["POST"])
@blp.arguments(ReviewSchema)
@blp.response(200, RevisionSchema)
def review(data, agency_code: str, ref: str, seq: int):
    revision = draft_or_404(document_or_404(agency_code, ref), seq)
    require(g.api_user, Action.DOC_REVIEW, revision)
    run(services.review, revision, g.api_user, Decision(data["decision"]), data["comment"])
    return revision


@blp.route("/<agency_code>/documents/<ref>/drafts/<int:seq>/approve", methods=["POST"])
@blp.arguments(CommentSchema)
@blp.response(200, RevisionSchema)
def approve(data, agency_code: str, ref: str, seq: int):
    revision = draft_or_404(document_or_404(agency_code, ref), seq)
    require(g.api_user, Action.DOC_APPROVE, revision)
    run(services.approve, revision, g.api_user, data["comment"])
    return revision


@blp.route("/<agency_code>/documents/<ref>/drafts/<int:seq>/reject", methods=["POST"])
@blp.arguments(CommentSchema)
@blp.response(200, RevisionSchema)
def reject(data, agency_code: str, ref: str, seq: int):
    revision = draft_or_404(document_or_404(agency_code, ref), seq)
    require(g.api_user, Action.DOC_REJECT, revision)
    run(services.reject, revision, g.api_user, data["comment"])
    return revision


@blp.route("/<agency_code>/documents/<ref>/drafts/<int:seq>/issue", methods=["POST"])
@blp.arguments(IssueSchema)
@blp.response(200, RevisionSchema)
def issue(data, agency_code: str, ref: str, seq: int):
    """Ban hành với ngày hiệu lực (hôm nay hoặc sau)."""
    revision = draft_or_404(document_or_404(agency_code, ref), seq)
    require(g.api_user, Action.DOC_ISSUE, revision)
    run(services.issue, revision, g.api_user, data["effective_date"])
    return revision


@blp.route("/<agency_code>/documents/<ref>/revise", methods=["POST"])
@blp.response(201, RevisionSchema)
def revise(agency_code: str, ref: str):
    """Bắt đầu lần sửa đổi mới từ bản đã ban hành gần nhất."""
    document = document_or_404(agency_code, ref)
    require(g.api_user, Action.DOC_CREATE, document.agency)
    return run(services.start_revision, document, g.api_user)


@blp.route("/<agency_code>/documents/<ref>/withdraw", methods=["POST"])
@blp.arguments(WithdrawSchema)
@blp.response(200, DocumentSchema)
def withdraw(data, agency_code: str, ref: str):
    """Đề nghị thu hồi (thư ký); lãnh đạo quyết định tại /withdraw/decide."""
    document = document_or_404(agency_code, ref)
    require(g.api_user, Action.DOC_WITHDRAW_REQUEST, document)
    run(services.request_withdrawal, document, g.api_user, data["reason"])
    return document


@blp.route("/<agency_code>/documents/<ref>/withdraw/decide", methods=["POST"])
@blp.arguments(DecideSchema)
@blp.response(200, DocumentSchema)
def decide_withdrawal(data, agency_code: str, ref: str):
    document = document_or_404(agency_code, ref)
    require(g.api_user, Action.DOC_WITHDRAW_CONFIRM, document)
    run(services.decide_withdrawal, document, g.api_user, data["confirm"], data["comment"])
    return document
