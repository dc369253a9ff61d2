"""Internal audit screens: the year's programme, plan, audit page with team, conflicts
and checklist, the report (.docx)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from isodoc.agencies.models import Agency
from isodoc.audits import report, services
from isodoc.audits.forms import (
    AddItemForm,
    AuditForm,
    ConcludeForm,
    DecideForm,
    DeclareForm,
    ItemForm,
    ObjectivesForm,
    ReasonForm,
)
from isodoc.audits.models import Audit, AuditConflict, ChecklistItem, CheckResult, ConflictDecision
from isodoc.auth.models import User
from isodoc.auth.views import flash_form_errors
from isodoc.commands import attempt
from isodoc.documents import services as documents
from isodoc.documents.models import Document
from isodoc.documents.views import agency_or_404, owned_or_404
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.forms import ConfirmForm, data_options
from isodoc.i18n import _, ngettext
from isodoc.policy import Action, require
from isodoc.timeutil import format_date, today_local

bp = Blueprint("audits", __name__, url_prefix="/agencies/<agency_code>/audits")


@bp.before_request
@login_required
def signed_in() -> None:
    """Every audit page needs a signed-in user."""


def audit_or_404(agency_code: str, audit_id: int) -> Audit:
    audit = owned_or_404(Audit, agency_code, audit_id)
    require(current_user, Action.QA_VIEW, audit)
    return audit


def audit_url(audit: Audit, anchor: str | None = None) -> str:
    return url_for("audits.show", agency_code=audit.agency.code, audit_id=audit.id,
                   _anchor=anchor)


def plan_form(agency: Agency, audit: Audit | None = None) -> AuditForm:
    form = AuditForm(obj=None)
    people = services.auditors_of(agency)
    form.lead.choices = data_options((str(u.id), u.full_name) for u in people)
    form.team.choices = data_options((str(u.id), u.full_name) for u in people)
    form.documents.choices = data_options(
        (str(d.id), f"{d.code} — {d.title}") for d in documents.agency_documents(agency)
        if documents.issued(d))
    if audit is not None and request.method == "GET":
        form.title.data = audit.title
        form.planned_start.data = format_date(audit.planned_start)
        form.planned_end.data = format_date(audit.planned_end)
        form.lead.data = str(audit.lead_id)
        form.team.data = [str(m.user_id) for m in audit.members if m.user_id != audit.lead_id]
        form.scope_clauses.data = audit.scope_clauses
        form.documents.data = [str(d.id) for d in audit.documents]
        form.processes.data, form.plan.data = audit.processes, audit.plan
        form.uncertified_reason.data = next(
            (m.certificate_note for m in audit.members if m.certificate_note), "")
    elif request.method == "GET":
        form.lead.data = str(current_user.id)
    return form


def plan_from(form: AuditForm, agency: Agency) -> services.AuditPlan:
    def users(ids: list[str]) -> list[User]:
        return [u for i in ids if i.isdigit() and (u := db.session.get(User, int(i)))]

    lead = users([form.lead.data or ""])
    if not lead:
        raise InvalidInput(_("Vui lòng chọn trưởng đoàn."))
    docs = [d for i in form.documents.data or [] if i.isdigit()
            and (d := db.session.get(Document, int(i))) is not None]
    return services.AuditPlan(
        title=form.title.data or "", planned_start=form.planned_start.date,
        planned_end=form.planned_end.date, lead=lead[0], team=users(form.team.data or []),
        scope_clauses=form.scope_clauses.data or "", documents=docs,
        processes=form.processes.data or "", plan=form.plan.data or "",
        uncertified_reason=form.uncertified_reason.data or "")


def programme_year() -> int:
    """`?year=` within 2000..2100, else this year (an int of any size is never used)."""
    year = request.args.get("year", type=int)
    return year if year is not None and 2000 <= year <= 2100 else today_local().year


@bp.route("")
def programme(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.QA_VIEW, agency)
    year = programme_year()
    prog = services.programme(agency, year)
    return render_template("audits/programme.html", agency=agency, year=year, programme=prog,
                           audits=services.agency_audits(agency, year),
                           objectives_form=ObjectivesForm(
                               objectives=prog.objectives if prog else ""))


@bp.route("/objectives", methods=["POST"])
def objectives(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.AUDIT_PLAN, agency)
    year = programme_year()
    form = ObjectivesForm()
    if form.validate_on_submit():
        _done, error = attempt(services.set_objectives, agency, current_user, year,
                           form.objectives.data or "")
        flash(error.message if error else
              _("Đã lưu chương trình đánh giá nội bộ năm %(year)s.", year=year),
              "error" if error else "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("audits.programme", agency_code=agency.code, year=year))


@bp.route("/new", methods=["GET", "POST"])
def new(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.AUDIT_PLAN, agency)
    form = plan_form(agency)
    if form.validate_on_submit():
        audit, error = attempt(lambda: services.plan_audit(agency, current_user,
                                                           plan_from(form, agency)))
        if error is None:
            flash(_("Đã lập kế hoạch %(code)s.", code=audit.code), "success")
            return redirect(audit_url(audit))
        flash(error.message, "error")
    else:
        flash_form_errors(form)
    return render_template("audits/form.html", agency=agency, form=form, audit=None), \
        422 if request.method == "POST" else 200


@bp.route("/<int:audit_id>/edit", methods=["GET", "POST"])
def edit(agency_code: str, audit_id: int):
    audit = audit_or_404(agency_code, audit_id)
    require(current_user, Action.AUDIT_EDIT, audit)
    form = plan_form(audit.agency, audit)
    if form.validate_on_submit():
        _done, error = attempt(lambda: services.update_audit(audit, current_user,
                                                         plan_from(form, audit.agency)))
        if error is None:
            flash(_("Đã lưu kế hoạch."), "success")
            return redirect(audit_url(audit))
        flash(error.message, "error")
    else:
        flash_form_errors(form)
    return render_template("audits/form.html", agency=audit.agency, form=form, audit=audit), \
        422 if request.method == "POST" else 200


@bp.route("/<int:audit_id>")
def show(agency_code: str, audit_id: int):
    return render_audit(audit_or_404(agency_code, audit_id))


FORM_NAMES = {"ItemForm": "item_form", "AddItemForm": "add_form", "DeclareForm": "declare_form",
              "DecideForm": "decide_form", "ConcludeForm": "conclude_form",
              "ReasonForm": "reason_form"}


def render_audit(audit: Audit, status: int = 200, refused=None, refused_item: int | None = None):
    """The audit page; after a refused POST, with that form as it was typed (its errors
    next to its fields) and a 422."""
    from isodoc.findings.models import Finding

    findings = db.session.scalars(select(Finding).where(Finding.audit_id == audit.id)
                                  .order_by(Finding.seq)).all()
    by_item: dict[int, list] = {}
    for f in findings:
        if f.checklist_item_id:
            by_item.setdefault(f.checklist_item_id, []).append(f)
    blocked = {i.id: c for i in audit.items
               if (c := services.blocking_conflict(audit, current_user, i))}
    forms = {"item_form": ItemForm(formdata=None), "add_form": AddItemForm(formdata=None),
             "declare_form": DeclareForm(formdata=None), "decide_form": DecideForm(formdata=None),
             "conclude_form": ConcludeForm(formdata=None),
             "reason_form": ReasonForm(formdata=None)}
    if refused is not None and type(refused).__name__ in FORM_NAMES:
        forms[FORM_NAMES[type(refused).__name__]] = refused
    return render_template(
        "audits/show.html", audit=audit, agency=audit.agency, findings=findings,
        by_item=by_item, blocked=blocked, results=services.results_by_clause(audit),
        CheckResult=CheckResult, ConflictDecision=ConflictDecision,
        refused_item=refused_item, **forms), status


def act(audit: Audit, action: Action, form_class, apply, anchor: str | None = None,
        item_id: int | None = None):
    """Shared shape of the audit POSTs: refuse early, validate, run the command, go back.
    The command checks the policy and the state table itself. A refusal shows the page
    again with what was typed, the message next to its field (422)."""
    require(current_user, action, audit)
    form = form_class()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_audit(audit, 422, form, item_id)
    message, error = attempt(apply, form)
    if error is not None:
        flash(error.message, "error")
        return render_audit(db.session.get(Audit, audit.id), 422, form, item_id)
    flash(message, "success")
    return redirect(audit_url(audit, anchor))


@bp.route("/<int:audit_id>/checklist", methods=["POST"])
def regenerate(agency_code: str, audit_id: int):
    audit = audit_or_404(agency_code, audit_id)

    def apply(_form):
        services.generate_checklist(audit, current_user)
        return ngettext("Đã tạo danh mục kiểm tra (%(num)d câu hỏi).",
                        "Đã tạo danh mục kiểm tra (%(num)d câu hỏi).", len(audit.items))
    return act(audit, Action.AUDIT_EDIT, ConfirmForm, apply, "checklist")


@bp.route("/<int:audit_id>/start", methods=["POST"])
def start(agency_code: str, audit_id: int):
    audit = audit_or_404(agency_code, audit_id)

    def apply(_form):
        services.start(audit, current_user)
        return _("Đã bắt đầu cuộc đánh giá: đoàn ghi kết quả vào danh mục kiểm tra.")
    return act(audit, Action.AUDIT_LEAD, ConfirmForm, apply)


@bp.route("/<int:audit_id>/complete", methods=["POST"])
def complete(agency_code: str, audit_id: int):
    audit = audit_or_404(agency_code, audit_id)

    def apply(form):
        services.complete(audit, current_user, form.conclusion.data or "")
        return _("Đã hoàn thành cuộc đánh giá; báo cáo đã sẵn sàng.")
    return act(audit, Action.AUDIT_LEAD, ConcludeForm, apply)


@bp.route("/<int:audit_id>/cancel", methods=["POST"])
def cancel(agency_code: str, audit_id: int):
    audit = audit_or_404(agency_code, audit_id)

    def apply(form):
        services.cancel(audit, current_user, form.reason.data or "")
        return _("Đã huỷ cuộc đánh giá.")
    return act(audit, Action.AUDIT_LEAD, ReasonForm, apply)


@bp.route("/<int:audit_id>/declare", methods=["POST"])
def declare(agency_code: str, audit_id: int):
    audit = audit_or_404(agency_code, audit_id)

    def apply(form):
        services.declare_conflict(audit, current_user, form.clause.data or "",
                                  form.reason.data or "")
        return _("Đã ghi nhận; trưởng đoàn sẽ quyết định.")
    return act(audit, Action.AUDIT_DECLARE, DeclareForm, apply, "team")


@bp.route("/<int:audit_id>/conflicts/<int:conflict_id>", methods=["POST"])
def decide(agency_code: str, audit_id: int, conflict_id: int):
    audit = audit_or_404(agency_code, audit_id)
    conflict = db.session.get(AuditConflict, conflict_id)
    if conflict is None or conflict.audit_id != audit.id:
        abort(404)

    def apply(form):
        services.decide_conflict(conflict, current_user, ConflictDecision(form.decision.data),
                                 form.note.data or "")
        return _("Đã ghi quyết định của trưởng đoàn.")
    return act(audit, Action.AUDIT_LEAD, DecideForm, apply, "team")


@bp.route("/<int:audit_id>/items", methods=["POST"])
def add_item(agency_code: str, audit_id: int):
    audit = audit_or_404(agency_code, audit_id)

    def apply(form):
        item = services.add_item(audit, current_user, form.clause.data or "",
                                 form.question.data or "")
        return _("Đã thêm câu hỏi %(n)s.", n=item.position)
    action = Action.AUDIT_FILL if audit.state == "in_progress" else Action.AUDIT_EDIT
    return act(audit, action, AddItemForm, apply, "checklist")


@bp.route("/<int:audit_id>/items/<int:item_id>", methods=["POST"])
def fill(agency_code: str, audit_id: int, item_id: int):
    audit = audit_or_404(agency_code, audit_id)
    item = db.session.get(ChecklistItem, item_id)
    if item is None or item.audit_id != audit.id:
        abort(404)

    def apply(form):
        result = CheckResult(form.result.data) if form.result.data else None
        services.fill_item(item, current_user, result, form.evidence.data or "")
        return _("Đã lưu câu hỏi %(n)s.", n=item.position)
    return act(audit, Action.AUDIT_FILL, ItemForm, apply, f"item-{item.position}", item.id)


@bp.route("/<int:audit_id>/report.docx")
def report_docx(agency_code: str, audit_id: int):
    audit = audit_or_404(agency_code, audit_id)
    data = report.build(audit)
    name = f"bao-cao-danh-gia-noi-bo-{audit.programme.year}-{audit.seq:02d}.docx"
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument."
                                    "wordprocessingml.document",
                    headers={"Content-Disposition": f"attachment; filename={name}"})
