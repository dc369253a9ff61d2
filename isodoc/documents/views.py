"""Document control screens: register, document page, history, diff, editor, workflow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from isodoc import policy
from isodoc.agencies.models import Agency
from isodoc.agencies.services import get_by_code
from isodoc.auth.models import User
from isodoc.auth.views import flash_form_errors, safe_next
from isodoc.commands import attempt
from isodoc.csvio import write_rows
from isodoc.documents import attachments as attachments_of
from isodoc.documents import content, docx_import, docx_safety, library, redline, services
from isodoc.documents.forms import (
    CommentForm,
    DecideWithdrawalForm,
    DocxUploadForm,
    EditDraftForm,
    ImportConfirmForm,
    ImportDocxForm,
    IssueForm,
    NewDocumentForm,
    RecordHistoryForm,
    ReviewForm,
    SubmitForm,
    WithdrawForm,
)
from isodoc.documents.models import (
    Acknowledgement,
    Decision,
    Document,
    DocumentKind,
    ReviewAssignment,
    Revision,
    RevisionState,
)
from isodoc.documents.repos import repo_for
from isodoc.documents.store import StoreError
from isodoc.errors import MESSAGES, InvalidInput, error_response
from isodoc.extensions import db
from isodoc.forms import ConfirmForm, data_options, options
from isodoc.i18n import _, _l
from isodoc.officedocs import layout, procedure
from isodoc.officedocs import register as register_export
from isodoc.pagecache import cached_page
from isodoc.paging import Paging, parse_page
from isodoc.policy import Action, require
from isodoc.textnorm import fold, nfc
from isodoc.timeutil import format_date, today_local

bp = Blueprint("documents", __name__, url_prefix="/agencies/<agency_code>/documents")
S = RevisionState


@bp.before_request
@login_required
def signed_in() -> None:
    """Every document page needs a signed-in user."""


def agency_or_404(code: str) -> Agency:
    agency = get_by_code(code)
    if agency is None:
        abort(404)
    return agency


def owned_or_404(model, agency_code: str, ident: int):
    """A record of the agency named in the URL, else 404: an id of another agency's
    record is not there (whether the person may see it is asked after, of the policy)."""
    agency = agency_or_404(agency_code)
    found = db.session.get(model, ident)
    if found is None or found.agency_id != agency.id:
        abort(404)
    return found


def document_or_404(agency_code: str, slug: str) -> Document:
    agency = agency_or_404(agency_code)
    document = services.get_document(agency, slug) if services.slugify(slug) == slug else None
    if document is None:
        abort(404)
    return document


def draft_or_404(document: Document, seq: int) -> Revision:
    revision = next((r for r in document.revisions if r.seq == seq), None)
    if revision is None or revision.state == S.ISSUED:
        abort(404)
    require(current_user, Action.DOC_VIEW_DRAFTS, revision)
    return revision


def fields_from(form) -> services.DocumentFields:
    return services.DocumentFields(
        title=form.title.data or "", kind=DocumentKind(form.kind.data),
        tthc_code=form.tthc_code.data or "", field=form.field.data or "",
        iso_clauses=form.iso_clauses.data or "", review_months=form.review_months.data or 12)


def document_url(document: Document, **kw) -> str:
    return url_for("documents.show", agency_code=document.agency.code, slug=document.slug, **kw)


def draft_url(revision: Revision) -> str:
    document = revision.document
    return url_for("documents.draft", agency_code=document.agency.code, slug=document.slug,
                   seq=revision.seq)


# -- register -------------------------------------------------------------------

def register_rows(agency: Agency) -> list[dict]:
    """One row per document, from its revisions loaded in one go: the status, the
    revision shown and the metadata are computed once per document."""
    show_drafts = policy.can(current_user, Action.DOC_VIEW_DRAFTS, agency)
    today = today_local()
    rows = []
    for s in services.standings(services.agency_documents(agency), today):
        if s.status == "draft_only" and not show_drafts:
            continue
        rows.append({
            "document": s.document, "revision": s.shown, "status": s.status,
            "meta": s.meta, "draft": s.open_draft if show_drafts else None,
            "upcoming": s.upcoming, "review_due": s.review_due,
            "overdue": s.review_due is not None and s.review_due < today,
        })
    return rows


def filtered(rows: list[dict]) -> list[dict]:
    args = request.args
    if q := fold(nfc(args.get("q", "")))[:100]:
        rows = [r for r in rows if q in fold(f"{r['document'].code} {r['meta'].title} "
                                             f"{r['meta'].tthc_code or ''}")]
    if (kind := args.get("kind")) in set(DocumentKind):
        rows = [r for r in rows if r["meta"].kind == kind]
    if status := args.get("status"):
        rows = [r for r in rows if r["status"] == status or (status == "overdue" and r["overdue"])]
    sort = args.get("sort", "code")
    keys = {
        "code": lambda r: r["document"].code,
        "title": lambda r: fold(r["meta"].title),
        "effective": lambda r: (r["revision"].effective_date if r["revision"] else
                                today_local().replace(year=1)),
        "kind": lambda r: (r["meta"].kind, r["document"].code),
    }
    return sorted(rows, key=keys.get(sort, keys["code"]), reverse=args.get("dir") == "desc")


REGISTER_PAGE = 50  # rows a page renders; the exports take every filtered row


@bp.route("/")
@cached_page
def register(agency_code: str):
    agency = agency_or_404(agency_code)
    try:
        page = parse_page(request.args.get("page"))
    except InvalidInput as exc:  # the specific message, not the generic 400 page
        return error_response(400, exc.message)
    rows = filtered(register_rows(agency))
    paging = Paging(page, REGISTER_PAGE)
    form = NewDocumentForm(review_months=12)
    return render_template("documents/register.html", agency=agency,
                           rows=rows[paging.offset:paging.offset + REGISTER_PAGE],
                           total=len(rows), page=page,
                           pages=max(1, -(-len(rows) // REGISTER_PAGE)), form=form,
                           templates=library.templates(), labels=services.STATUS_LABELS)


# the register as filed (danh mục tài liệu nội bộ): Vietnamese in every export,
# whatever the language of the person downloading it
REGISTER_HEADER = [
    "Mã hiệu", "Tên tài liệu", "Loại", "Lần ban hành", "Ngày hiệu lực",  # i18n: vi-only
    "Trạng thái", "Mã TTHC", "Lĩnh vực", "Điều khoản ISO", "Hạn xem xét"]  # i18n: vi-only


def register_table(rows: list[dict]) -> list[list[str]]:
    """The register's rows as text, the same for CSV, Excel and Word."""
    return [[r["document"].code, r["meta"].title, r["meta"].kind_enum.label,
             str(r["revision"].number) if r["revision"] else "",
             format_date(r["revision"].effective_date) if r["revision"] else "",
             str(services.STATUS_LABELS[r["status"]]), r["meta"].tthc_code or "",
             r["meta"].field or "", r["meta"].iso_clauses, format_date(r["review_due"])]
            for r in rows]


def filed_table(agency: Agency) -> list[list[str]]:
    """The filtered register in Vietnamese (kinds and statuses), for the exports."""
    with force_locale("vi"):
        return register_table(filtered(register_rows(agency)))


def download(data: bytes, mimetype: str, name: str) -> Response:
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/export.csv")
def export(agency_code: str):
    agency = agency_or_404(agency_code)
    data = write_rows(REGISTER_HEADER, filed_table(agency))
    return download(data, "text/csv; charset=utf-8", f"danh-muc-tai-lieu-{agency.code}.csv")


@bp.route("/export.docx")
def export_docx(agency_code: str):
    """Danh mục tài liệu nội bộ in the official layout (what the register page lists)."""
    agency = agency_or_404(agency_code)
    data = register_export.build_docx(agency, REGISTER_HEADER, filed_table(agency),
                                      today_local())
    return download(data, layout.DOCX_MIMETYPE, f"danh-muc-tai-lieu-{agency.code}.docx")


@bp.route("/export.xlsx")
def export_xlsx(agency_code: str):
    agency = agency_or_404(agency_code)
    data = register_export.build_xlsx(agency, REGISTER_HEADER, filed_table(agency),
                                      today_local())
    return download(data, layout.XLSX_MIMETYPE, f"danh-muc-tai-lieu-{agency.code}.xlsx")


# -- creating -------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
def new(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.DOC_CREATE, agency)
    form = NewDocumentForm()
    if request.method == "GET":
        template = library.get(request.args.get("template", ""))
        if template:
            form = NewDocumentForm(code=template.code, title=template.title,
                                   kind=template.kind.value, iso_clauses=template.iso_clauses,
                                   tthc_code=template.tthc_code, field=template.field,
                                   body=template.body, template=template.name, review_months=12)
        else:
            form = NewDocumentForm(body=library.BLANK_STRUCTURE, review_months=12)
    elif form.validate_on_submit():
        try:
            revision, error = attempt(lambda: services.create_document(
                agency, current_user, form.code.data, fields_from(form), form.body.data or ""))
        except StoreError as exc:
            return store_busy(exc, agency=agency, form=form, document=None, revision=None,
                              stale=None)
        if error is None:
            flash(_("Đã tạo dự thảo %(code)s.", code=revision.document.code), "success")
            return redirect(draft_url(revision))
        flash(error.message, "error")  # the form again, with what was typed
    else:
        flash_form_errors(form)
    return render_template("documents/editor.html", agency=agency, form=form, document=None,
                           revision=None, stale=None)


# -- reading --------------------------------------------------------------------

def page_document_or_404(agency_code: str, slug: str, *options) -> Document:
    """For the reading pages: the document and what they show, loaded up front."""
    document = services.load_document(agency_code, slug, *options) \
        if services.slugify(slug) == slug else None
    if document is None:
        abort(404)
    return document


@bp.route("/<slug>")
@cached_page
def show(agency_code: str, slug: str):
    document = page_document_or_404(agency_code, slug)
    require(current_user, Action.DOC_READ, document)
    current = services.in_force(document)
    return render_revision(document, current, printable=request.args.get("print") == "1")


@bp.route("/<slug>/revisions/<int:number>")
def revision(agency_code: str, slug: str, number: int):
    document = page_document_or_404(agency_code, slug)
    require(current_user, Action.DOC_READ, document)
    found = next((r for r in services.issued(document) if r.number == number), None)
    if found is None:
        abort(404)
    return render_revision(document, found, printable=request.args.get("print") == "1")


@bp.route("/<slug>/revisions/<int:number>/export.docx")
def revision_docx(agency_code: str, slug: str, number: int):
    """Lần ban hành `number` as the .docx to print and sign (any issued revision: in
    force, pending or superseded, each marked as such)."""
    document = page_document_or_404(agency_code, slug, *HISTORY_OPTIONS)
    require(current_user, Action.DOC_READ, document)
    found = next((r for r in services.issued(document) if r.number == number), None)
    if found is None:
        abort(404)
    require(current_user, Action.DOC_READ, found)
    return download(procedure.build(found), layout.DOCX_MIMETYPE, procedure.filename(found))


@bp.route("/<slug>/drafts/<int:seq>/export.docx")
def draft_docx(agency_code: str, slug: str, seq: int):
    """A draft as .docx marked DỰ THẢO, with its head recorded as the base of an edit in
    Word (custom property isodoc-base)."""
    document = page_document_or_404(agency_code, slug, *HISTORY_OPTIONS)
    revision = draft_or_404(document, seq)
    return download(procedure.build(revision), layout.DOCX_MIMETYPE,
                    procedure.filename(revision))


def render_revision(document: Document, shown: Revision | None, printable: bool):
    found = services.read_entry(shown) if shown else None
    meta = found.meta if found else {}
    status = services.revision_status(shown) if shown else services.document_status(document)
    if printable:  # the .docx's page 1 as HTML: in Vietnamese, as the document is filed
        with force_locale("vi"):
            html = found.html if found else content.render("")  # its notes too
            official = {"title_lines": procedure.title_lines(shown),
                        "signoffs": procedure.sign_offs(shown),
                        "change_header": procedure.CHANGE_HEADER,
                        "change_rows": procedure.change_rows(shown)} if shown else {}
            return render_template("documents/print.html", document=document, shown=shown,
                                   html=html, status=status, labels=services.STATUS_LABELS,
                                   **official)
    open_draft = services.open_revision(document)
    if open_draft and not policy.can(current_user, Action.DOC_VIEW_DRAFTS, open_draft):
        open_draft = None
    acknowledged = None
    if shown and policy.can(current_user, Action.DOC_ACKNOWLEDGE, shown):
        acknowledged = db.session.scalar(db.select(Acknowledgement).where(
            Acknowledgement.revision_id == shown.id, Acknowledgement.user_id == current_user.id))
    pending = [w for w in document.withdrawal_requests if w.state == "pending"]
    return render_template(
        "documents/show.html",
        document=document, shown=shown, meta=meta,
        files=attachments_of.checked(meta.get("attachments")),
        html=found.html if found else content.render(""), status=status,
        labels=services.STATUS_LABELS, upcoming=services.upcoming(document),
        replaced_by=replaced_by(document, shown),
        open_draft=open_draft, acknowledged=acknowledged, history=services.issued(document),
        withdrawal=pending[0] if pending else None, review_due=services.review_due(document),
        withdraw_form=WithdrawForm(), decide_form=DecideWithdrawalForm(), confirm=ConfirmForm(),
        today=today_local())


def replaced_by(document: Document, shown: Revision | None) -> Revision | None:
    """For a revision superseded before it took effect: the one issued in its place."""
    if shown is None or not shown.superseded_before_effect:
        return None
    return next((r for r in services.issued(document) if (r.number or 0) > (shown.number or 0)
                 and r.effective_date <= shown.effective_date), None)


_revisions = selectinload(Document.revisions)
# what the history table shows of each revision: its people and reviews, in two queries
HISTORY_OPTIONS = (
    _revisions.selectinload(Revision.reviews).joinedload(ReviewAssignment.reviewer),
    *(_revisions.joinedload(who) for who in (Revision.author, Revision.approved_by,
                                             Revision.issued_by)))


@bp.route("/<slug>/history")
@cached_page
def history(agency_code: str, slug: str):
    document = page_document_or_404(agency_code, slug, *HISTORY_OPTIONS)
    require(current_user, Action.DOC_READ, document)
    revisions = services.issued(document)
    drafts = [r for r in document.revisions if r.state != S.ISSUED] \
        if policy.can(current_user, Action.DOC_VIEW_DRAFTS, document.agency) else []
    return render_template("documents/history.html", document=document, revisions=revisions,
                           drafts=drafts, labels=services.STATUS_LABELS,
                           status_of=services.revision_status)


def revision_by_ref(document: Document, ref: str) -> Revision:
    """`3` is lần ban hành 3; `d2` is draft 2 (staff only)."""
    if ref.isdigit():
        found = next((r for r in services.issued(document) if r.number == int(ref)), None)
    elif ref.startswith("d") and ref[1:].isdigit():
        found = next((r for r in document.revisions if r.seq == int(ref[1:])), None)
        if found is not None:
            require(current_user, Action.DOC_VIEW_DRAFTS, found)
    else:
        found = None
    if found is None:
        abort(404)
    return found


@bp.route("/<slug>/diff")
def diff(agency_code: str, slug: str):
    document = document_or_404(agency_code, slug)
    require(current_user, Action.DOC_READ, document)
    old = revision_by_ref(document, request.args.get("a", ""))
    new = revision_by_ref(document, request.args.get("b", ""))
    (_old, old_body), (_new, new_body) = services.read_parts(old), services.read_parts(new)
    left, right, changed = content.word_diff(old_body, new_body)
    return render_template("documents/diff.html", document=document, old=old, new=new,
                           left=left, right=right, changed=changed, a=request.args["a"],
                           b=request.args["b"])


@bp.route("/<slug>/changes")
def changes(agency_code: str, slug: str):
    """The same comparison as `diff`, shown as the rendered document with its changes
    marked (documents/redline.py); the word diff of the source stays a link away."""
    document = document_or_404(agency_code, slug)
    require(current_user, Action.DOC_READ, document)
    old = revision_by_ref(document, request.args.get("a", ""))
    new = revision_by_ref(document, request.args.get("b", ""))
    (_old, old_body), (_new, new_body) = services.read_parts(old), services.read_parts(new)
    return render_template("documents/changes.html", document=document, old=old, new=new,
                           a=request.args["a"], b=request.args["b"],
                           result=redline.redline(old_body, new_body))


@bp.route("/<slug>/readers/<int:number>")
def readers(agency_code: str, slug: str, number: int):
    document = document_or_404(agency_code, slug)
    require(current_user, Action.DOC_READERS, document)
    shown = next((r for r in services.issued(document) if r.number == number), None)
    if shown is None:
        abort(404)
    done, missing = services.readers(shown)
    return render_template("documents/readers.html", document=document, shown=shown, done=done,
                           missing=missing)


# -- drafts and workflow -----------------------------------------------------------

@bp.route("/<slug>/drafts/<int:seq>")
def draft(agency_code: str, slug: str, seq: int):
    document = document_or_404(agency_code, slug)
    return render_draft(document, draft_or_404(document, seq))


def render_draft(document: Document, revision: Revision, submit_form: SubmitForm | None = None,
                 status: int = 200, **refused):
    """The draft's page; after a refused step (submit_form, or review_form, comment_form,
    issue_form, cancel_form by name), with the posted form as typed and its errors next
    to their fields (the other forms start empty)."""
    blank = {"formdata": None} if request.method == "POST" else {}
    meta, body = services.read_parts(revision)
    imported = meta.get("imported") if isinstance(meta.get("imported"), dict) else None
    history_form = None
    if imported and policy.can(current_user, Action.DOC_RECORD_HISTORY, revision):
        day = imported.get("date")
        history_form = RecordHistoryForm(
            formdata=None, number=imported.get("revision"),
            effective_date=format_date(date.fromisoformat(day)) if isinstance(day, str)
            and len(day) == 10 else "")
    if submit_form is None:
        submit_form = SubmitForm(**blank)
        submit_form.reviewers.choices = reviewer_options(revision)
    return render_template(
        "documents/draft.html", document=document, revision=revision, meta=meta,
        files=attachments_of.checked(meta.get("attachments")),
        html=content.render(body), submit_form=submit_form, history_form=history_form,
        **{"review_form": ReviewForm(**blank), "comment_form": CommentForm(**blank),
           "cancel_form": CommentForm(**blank),
           "issue_form": IssueForm(**blank, effective_date=format_date(today_local())),
           **refused},
        confirm=ConfirmForm(), labels=services.STATUS_LABELS,
        previous=services.issued(document)[-1] if services.issued(document) else None,
        pending=services.upcoming(document)), status


@bp.route("/<slug>/drafts/<int:seq>/edit", methods=["GET", "POST"])
def edit(agency_code: str, slug: str, seq: int):
    document = document_or_404(agency_code, slug)
    revision = draft_or_404(document, seq)
    require(current_user, Action.DOC_EDIT, revision)
    stale = None
    if request.method == "GET":
        meta, body = services.read_parts(revision)
        form = EditDraftForm(
            title=revision.title, kind=revision.kind, tthc_code=revision.tthc_code or "",
            field=revision.field or "", iso_clauses=revision.iso_clauses,
            review_months=revision.review_months, body=body, base_sha=revision.head_sha,
            change_location=revision.change_location, change_summary=revision.change_summary,
            reason=revision.reason)
    else:
        form = EditDraftForm()
        if form.validate_on_submit():
            try:
                _done, error = attempt(lambda: services.save_draft(
                    revision, current_user, form.base_sha.data or "", fields_from(form),
                    form.body.data or "", change_location=form.change_location.data or "",
                    change_summary=form.change_summary.data or "",
                    reason=form.reason.data or ""))
            except StoreError as exc:
                return store_busy(exc, agency=document.agency, form=form, document=document,
                                  revision=revision, stale=None)
            if error is None:
                flash(_("Đã lưu dự thảo."), "success")
                return redirect(draft_url(revision))
            if isinstance(error, services.StaleDraft):
                stale = stale_page(error, form)
            else:
                flash(error.message, "error")
        else:
            flash_form_errors(form)
    return render_template("documents/editor.html", agency=document.agency, form=form,
                           document=document, revision=revision, stale=stale), \
        409 if stale else 200


def store_busy(exc: StoreError, **page):
    """The git store was busy or failed (the command rolled back): the app's 503 with
    Retry-After, but as the editor again, so what the person typed is not lost."""
    current_app.logger.error("git store failed on %s %s: %s", request.method, request.path,
                             exc, exc_info=exc)
    flash(MESSAGES[503], "error")
    return render_template("documents/editor.html", **page), 503, {"Retry-After": "5"}


def stale_page(error: services.StaleDraft, form: EditDraftForm) -> dict:
    """The editor again after a stale save: the newer text, the person's own changes
    against it as a diff, and the form rebased on the newer head (what they typed kept)."""
    newer = error.current_markdown
    left, right, _changed = content.word_diff(newer, nfc(form.body.data or ""))
    form.base_sha.data = error.current_sha
    return {"message": error.message, "newer": newer, "left": left, "right": right}


def posted(action: Action, target: Document | Revision, form_class):
    """A workflow POST's form, after the early 403 (the command asks the policy again)."""
    require(current_user, action, target)
    form = form_class()
    if isinstance(form, SubmitForm):
        form.reviewers.choices = reviewer_options(target)
    return form


def reviewer_options(revision: Revision):
    """Only the people who may review it, each shown with their roles in the agency."""
    # the name is agency data, the roles are the interface's words
    return options((str(u.id), Markup('<span translate="no">{}</span> — {}').format(
        u.full_name, ", ".join(str(r.label) for r in roles)))
        for u, roles in services.reviewer_choices(revision))


def answer(error: InvalidInput | None, done: str, back: str):
    """Flash what became of the command and go back where the person was."""
    flash(error.message if error else done, "error" if error else "success")
    return redirect(back)


def draft_step(revision: Revision, form, form_key: str, command, done: Callable[[], str]):
    """A workflow step on a draft: refused by its form or by the command, the draft's
    page again with the form as typed and the message (422); done, back where it leads."""
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_draft(revision.document, revision, None, 422, **{form_key: form})
    _done, error = attempt(command, form)
    if error is not None:
        flash(error.message, "error")
        revision = db.session.get(Revision, revision.id)
        return render_draft(revision.document, revision, None, 422, **{form_key: form})
    flash(done(), "success")
    return redirect(after(revision))


def after(revision: Revision) -> str:
    return document_url(revision.document) if revision.state == S.ISSUED else \
        draft_url(revision)


@bp.route("/<slug>/drafts/<int:seq>/submit", methods=["POST"])
def submit(agency_code: str, slug: str, seq: int):
    document = document_or_404(agency_code, slug)
    revision = draft_or_404(document, seq)
    form = posted(Action.DOC_SUBMIT, revision, SubmitForm)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_draft(document, revision, form, 422)
    reviewers = [db.session.get(User, int(i)) for i in form.reviewers.data if i.isdigit()]
    _done, error = attempt(services.submit, revision, current_user, [u for u in reviewers if u],
                       form.comment.data or "")
    if error is not None and not form.reviewers.data:
        # nobody chosen: the message goes next to the picker, the note typed stays
        flash(error.message, "error")
        form.reviewers.errors = [error.message]
        return render_draft(document, revision, form, 422)
    return answer(error, _("Đã trình xem xét."), draft_url(revision))


@bp.route("/<slug>/drafts/<int:seq>/review", methods=["POST"])
def review(agency_code: str, slug: str, seq: int):
    revision = draft_or_404(document_or_404(agency_code, slug), seq)
    form = posted(Action.DOC_REVIEW, revision, ReviewForm)
    return draft_step(revision, form, "review_form", lambda f: services.review(
        revision, current_user, Decision(f.decision.data), f.comment.data or ""),
        lambda: _("Đã ghi ý kiến xem xét."))


@bp.route("/<slug>/drafts/<int:seq>/approve", methods=["POST"])
def approve(agency_code: str, slug: str, seq: int):
    revision = draft_or_404(document_or_404(agency_code, slug), seq)
    form = posted(Action.DOC_APPROVE, revision, CommentForm)
    return draft_step(revision, form, "comment_form", lambda f: services.approve(
        revision, current_user, f.comment.data or ""), lambda: _("Đã phê duyệt."))


@bp.route("/<slug>/drafts/<int:seq>/reject", methods=["POST"])
def reject(agency_code: str, slug: str, seq: int):
    revision = draft_or_404(document_or_404(agency_code, slug), seq)
    form = posted(Action.DOC_REJECT, revision, CommentForm)
    return draft_step(revision, form, "comment_form", lambda f: services.reject(
        revision, current_user, f.comment.data or ""), lambda: _("Đã trả lại dự thảo."))


@bp.route("/<slug>/drafts/<int:seq>/issue", methods=["POST"])
def issue(agency_code: str, slug: str, seq: int):
    revision = draft_or_404(document_or_404(agency_code, slug), seq)
    form = posted(Action.DOC_ISSUE, revision, IssueForm)
    return draft_step(revision, form, "issue_form", lambda f: services.issue(
        revision, current_user, f.effective_date.date), lambda: _(
        "Đã ban hành %(code)s lần %(number)s, hiệu lực từ %(date)s.",
        code=revision.document.code, number=revision.number,
        date=format_date(revision.effective_date)))


@bp.route("/<slug>/drafts/<int:seq>/cancel", methods=["POST"])
def cancel(agency_code: str, slug: str, seq: int):
    revision = draft_or_404(document_or_404(agency_code, slug), seq)
    form = posted(Action.DOC_CANCEL, revision, CommentForm)
    return draft_step(revision, form, "cancel_form", lambda f: services.cancel(
        revision, current_user, f.comment.data or ""), lambda: _("Đã huỷ dự thảo."))


@bp.route("/<slug>/revise", methods=["POST"])
def revise(agency_code: str, slug: str):
    document = document_or_404(agency_code, slug)
    require(current_user, Action.DOC_CREATE, document.agency)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    revision, error = attempt(services.start_revision, document, current_user)
    if error is not None:
        return answer(error, "", document_url(document))
    return redirect(url_for("documents.edit", agency_code=agency_code, slug=slug,
                            seq=revision.seq))


@bp.route("/<slug>/withdraw", methods=["POST"])
def withdraw(agency_code: str, slug: str):
    document = document_or_404(agency_code, slug)
    form = posted(Action.DOC_WITHDRAW_REQUEST, document, WithdrawForm)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(document_url(document))
    _done, error = attempt(services.request_withdrawal, document, current_user, form.reason.data)
    return answer(error, _("Đã đề nghị thu hồi; chờ lãnh đạo quyết định."),
                  document_url(document))


@bp.route("/<slug>/withdraw/decide", methods=["POST"])
def decide_withdrawal(agency_code: str, slug: str):
    document = document_or_404(agency_code, slug)
    form = posted(Action.DOC_WITHDRAW_CONFIRM, document, DecideWithdrawalForm)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(document_url(document))
    confirm = form.decision.data == "confirm"
    _done, error = attempt(services.decide_withdrawal, document, current_user, confirm,
                       form.comment.data or "")
    return answer(error, _("Đã thu hồi tài liệu.") if confirm else
                  _("Đã từ chối đề nghị thu hồi."),
                  document_url(document))


@bp.route("/<slug>/acknowledge/<int:number>", methods=["POST"])
def acknowledge(agency_code: str, slug: str, number: int):
    document = document_or_404(agency_code, slug)
    shown = next((r for r in services.issued(document) if r.number == number), None)
    if shown is None:
        abort(404)
    wanted = request.form.get("next")
    back = safe_next(wanted) if wanted else document_url(document)
    if not posted(Action.DOC_ACKNOWLEDGE, shown, ConfirmForm).validate_on_submit():
        return redirect(back)
    _done, error = attempt(services.acknowledge, shown, current_user)
    return answer(error, _("Đã xác nhận đã đọc."), back)


@bp.route("/<slug>/periodic-review", methods=["POST"])
def periodic_review(agency_code: str, slug: str):
    document = document_or_404(agency_code, slug)
    if not posted(Action.DOC_PERIODIC_REVIEW, document, ConfirmForm).validate_on_submit():
        return redirect(document_url(document))
    _done, error = attempt(services.confirm_periodic_review, document, current_user)
    return answer(error, _("Đã ghi nhận xem xét định kỳ."), document_url(document))


# -- Word in: import, and drafts edited in Word ----------------------------------------

DOCX_ENDPOINTS = {"documents.import_docx", "documents.upload_draft"}


def allow_docx_body() -> None:
    """A Word upload may carry a file up to the configured limit (and a little more, so
    that a file just over it gets the check's own message, not a bare 413), whatever the
    app's own request limit. It must be set before anything reads the body: CSRF
    protection reads the form in the app's first before-request function."""
    if request.endpoint in DOCX_ENDPOINTS and request.method == "POST":
        request.max_content_length = docx_safety.max_bytes() + 256 * 1024


@bp.record_once
def _allow_docx_first(state) -> None:
    state.app.before_request_funcs.setdefault(None, []).insert(0, allow_docx_body)


def docx_bytes(form) -> bytes:
    return form.file.data.read(docx_safety.max_bytes() + 1)


def import_targets(agency: Agency) -> list:
    """A new document, or the next revision of an issued one that has no open draft."""
    targets = [("", _("Tài liệu mới"))]
    for s in services.standings(services.agency_documents(agency)):
        if s.shown is not None and s.open_draft is None and s.status != "withdrawn":
            targets.append((s.document.slug, _("Dự thảo sửa đổi của %(code)s — %(title)s",
                                               code=s.document.code, title=s.meta.title)))
    return data_options(targets)


CONTROL_LABELS = {"code": _l("mã hiệu"), "title": _l("tên tài liệu"),
                  "revision": _l("lần ban hành"), "issued_on": _l("ngày ban hành"),
                  "drafted_by": _l("người soạn thảo"), "reviewed_by": _l("người xem xét"),
                  "approved_by": _l("người phê duyệt")}


def missing_fields(form: ImportConfirmForm) -> list[str]:
    return [str(label) for name, label in CONTROL_LABELS.items()
            if not (getattr(form, name).data or (name == "code" and form.document.data))]


@bp.route("/import", methods=["GET", "POST"])
def import_docx(agency_code: str):
    """Step 1: the file, checked and converted; step 2 is the confirmation page."""
    agency = agency_or_404(agency_code)
    require(current_user, Action.DOC_CREATE, agency)
    form = ImportDocxForm()
    form.document.choices = import_targets(agency)
    if request.method == "POST":
        if form.validate_on_submit():
            data = docx_bytes(form)
            try:
                converted = docx_safety.convert(data, form.tracked.data)
            except InvalidInput as exc:
                flash(exc.message, "error")
                return render_template("documents/import.html", agency=agency, form=form), 422
            return confirm_page(agency, form, data, converted)
        flash_form_errors(form)
        return render_template("documents/import.html", agency=agency, form=form), 422
    return render_template("documents/import.html", agency=agency, form=form)


def confirm_page(agency: Agency, upload: ImportDocxForm, data: bytes,
                 converted: docx_safety.Converted):
    filename = nfc(upload.file.data.filename or "")[:255]
    digest = docx_import.sha256(data)
    existing = services.get_document(agency, upload.document.data) \
        if upload.document.data else None
    control = converted.control
    day = control.get("date")
    form = ImportConfirmForm(
        formdata=None, digest=digest, filename=filename,
        document=existing.slug if existing else "",
        code=existing.code if existing else (converted.code or
                                             docx_import.code_from_filename(filename)),
        title=converted.title or (existing.title if existing else
                                  docx_import.title_from_filename(filename)),
        kind=converted.kind, tthc_code=converted.tthc_code, body=converted.markdown,
        review_months=12, revision=control.get("revision"),
        issued_on=format_date(date.fromisoformat(day)) if day else "",
        drafted_by=control.get("drafted_by", ""), reviewed_by=control.get("reviewed_by", ""),
        approved_by=control.get("approved_by", ""))
    prior = docx_import.already_imported(agency, digest)
    if prior is not None:
        flash(_("Tệp này đã được nhập trước đó thành %(code)s: không thể nhập lại.",
                code=prior.document.code), "error")
    files = attachments_of.stored(repo_for(agency), converted.attachments) \
        if prior is None else []
    form.attachments.data = attachments_of.sign(agency.id, digest, files) if files else ""
    return render_template("documents/import_confirm.html", agency=agency, form=form,
                           existing=existing, converted=converted, missing=missing_fields(form),
                           files=files, html=content.render(converted.markdown))


@bp.route("/import/confirm", methods=["POST"])
def import_confirm(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.DOC_CREATE, agency)
    form = ImportConfirmForm()
    existing = services.get_document(agency, form.document.data) \
        if form.document.data and services.slugify(form.document.data) == form.document.data \
        else None
    if form.validate_on_submit():
        control = {"revision": form.revision.data, "date": form.issued_on.date,
                   "drafted_by": form.drafted_by.data, "reviewed_by": form.reviewed_by.data,
                   "approved_by": form.approved_by.data}
        try:
            files = attachments_of.unsign(form.attachments.data or "", agency.id,
                                          form.digest.data or "")
            revision, error = attempt(lambda: docx_import.import_docx(
                agency, current_user, digest=form.digest.data or "",
                filename=form.filename.data or "", code=form.code.data or "",
                fields=fields_from(form), body=form.body.data or "", control=control,
                existing=existing, attachments=files))
        except InvalidInput as exc:
            revision, error = None, exc
        except StoreError as exc:  # the page again, so what was checked is not lost
            current_app.logger.error("git store failed on import: %s", exc, exc_info=exc)
            flash(MESSAGES[503], "error")
            return render_template(
                "documents/import_confirm.html", agency=agency, form=form, existing=existing,
                converted=None, missing=missing_fields(form),
                html=content.render(nfc(form.body.data or ""))), 503, {"Retry-After": "5"}
        if revision is not None:
            flash(_("Đã nhập %(code)s thành dự thảo %(seq)s: hãy đọc lại rồi trình xem xét.",
                    code=revision.document.code, seq=revision.seq), "success")
            return redirect(draft_url(revision))
        if error is not None:
            flash(error.message, "error")
    else:
        flash_form_errors(form)
    return render_template("documents/import_confirm.html", agency=agency, form=form,
                           existing=existing, converted=None, missing=missing_fields(form),
                           html=content.render(nfc(form.body.data or ""))), 422


@bp.route("/<slug>/drafts/<int:seq>/upload", methods=["GET", "POST"])
def upload_draft(agency_code: str, slug: str, seq: int):
    """"Tải lên bản đã sửa": a draft edited in Word becomes its next save."""
    document = document_or_404(agency_code, slug)
    revision = draft_or_404(document, seq)
    require(current_user, Action.DOC_EDIT, revision)
    form = DocxUploadForm()
    page = {"document": document, "revision": revision, "form": form}
    if request.method == "GET":
        return render_template("documents/upload.html", **page)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_template("documents/upload.html", **page), 422
    try:
        converted = docx_safety.convert(docx_bytes(form), form.tracked.data)
        sha, error = attempt(docx_import.upload_to_draft, revision, current_user, converted)
    except InvalidInput as exc:
        flash(exc.message, "error")
        return render_template("documents/upload.html", **page), 422
    if error is None:
        for note in converted.notes + [_("Chưa nhập: %(item)s.", item=item)
                                       for item in converted.not_imported]:
            flash(note, "info")
        flash(_("Đã lưu bản sửa từ Word thành lần lưu mới của dự thảo.") if sha else
              _("Tệp không có thay đổi nào so với dự thảo: không lưu gì."), "success")
        return redirect(draft_url(revision))
    if isinstance(error, services.StaleDraft):
        edit_form = EditDraftForm(
            formdata=None, title=revision.title, kind=revision.kind,
            tthc_code=revision.tthc_code or "", field=revision.field or "",
            iso_clauses=revision.iso_clauses, review_months=revision.review_months,
            body=converted.markdown, change_location=revision.change_location,
            change_summary=revision.change_summary, reason=revision.reason)
        stale = stale_page(error, edit_form)
        stale["message"] = _("Tệp Word này được tải về từ một bản cũ của dự thảo: dự thảo "
                             "đã được lưu sau đó, nên bản của bạn CHƯA được lưu. Hãy xem bản "
                             "mới và phần khác biệt bên dưới, chép lại thay đổi của bạn rồi "
                             "lưu.")
        return render_template(
            "documents/editor.html", agency=document.agency, form=edit_form, document=document,
            revision=revision, stale=stale,
            action=url_for("documents.edit", agency_code=agency_code, slug=slug, seq=seq)), 409
    flash(error.message, "error")
    return render_template("documents/upload.html", **page), 422


@bp.route("/<slug>/attachments/<blob>/<name>")
def attachment(agency_code: str, slug: str, blob: str, name: str):
    """One attachment, if a revision the user may read names it (the same blob under
    another document, or in a draft they may not see, is a 404). Pictures may show in
    the page; anything else is only downloaded."""
    document = page_document_or_404(agency_code, slug, _revisions)
    require(current_user, Action.DOC_READ, document)
    found = attachments_of.find(document, current_user, blob)
    if found is None or found["name"] != name:
        abort(404)
    data = repo_for(document.agency).read_blob(found["blob"])
    inline = found["type"] in attachments_of.INLINE_TYPES
    response = Response(data, mimetype=found["type"] if inline
                        else "application/octet-stream")
    response.headers["Content-Disposition"] = \
        f"{'inline' if inline else 'attachment'}; filename={found['name']}"
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.route("/<slug>/drafts/<int:seq>/record-history", methods=["POST"])
def record_history(agency_code: str, slug: str, seq: int):
    """History migration: an imported draft recorded as an earlier lần ban hành."""
    revision = draft_or_404(document_or_404(agency_code, slug), seq)
    form = posted(Action.DOC_RECORD_HISTORY, revision, RecordHistoryForm)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(draft_url(revision))
    _done, error = attempt(docx_import.record_history, revision, current_user, form.number.data,
                       form.effective_date.date, form.reason.data or "")
    done = "" if error else _("Đã ghi nhận %(code)s lần %(number)s, hiệu lực từ %(date)s.",
                              code=revision.document.code, number=revision.number,
                              date=format_date(revision.effective_date))
    return answer(error, done, after(revision))


preview_bp = Blueprint("preview", __name__)


@preview_bp.route("/preview", methods=["POST"])
@login_required
def preview():
    """Live preview of the editor: the same sanitised rendering as the document page."""
    # cut before normalising: render() caps again, with a note saying so
    body = request.form.get("body", "")[:content.RENDER_MAX_CHARS + 1]
    return {"html": str(content.render(nfc(body)))}
