"""Findings and corrective actions of an agency: list (and CSV), raise, the finding page
with its transitions, linked document revision and evidence files."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from isodoc import policy
from isodoc.audits.models import Audit, ChecklistItem
from isodoc.auth.models import User
from isodoc.auth.services import members_of
from isodoc.auth.views import flash_form_errors
from isodoc.commands import attempt
from isodoc.documents import services as documents
from isodoc.documents.models import Document
from isodoc.documents.views import agency_or_404, owned_or_404
from isodoc.extensions import db
from isodoc.findings import reports, services
from isodoc.findings.forms import (
    AcceptForm,
    AttachForm,
    CommentForm,
    FindingForm,
    ImplementForm,
    ProposeForm,
    ReviseForm,
    VerifyForm,
)
from isodoc.findings.models import Attachment, Finding, FindingSource, FindingType
from isodoc.findings.workflow import Step
from isodoc.forms import data_options
from isodoc.i18n import _
from isodoc.policy import STEP_ACTIONS, Action, require

bp = Blueprint("findings", __name__, url_prefix="/agencies/<agency_code>/findings")


@bp.before_request
@login_required
def signed_in() -> None:
    """Every finding page needs a signed-in user."""


def finding_or_404(agency_code: str, finding_id: int) -> Finding:
    finding = owned_or_404(Finding, agency_code, finding_id)
    require(current_user, Action.QA_VIEW, finding)
    return finding


def finding_url(finding: Finding, anchor: str | None = None) -> str:
    return url_for("findings.show", agency_code=finding.agency.code, finding_id=finding.id,
                   _anchor=anchor)


@bp.route("")
def index(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.QA_VIEW, agency)
    query = reports.FindingQuery.from_args(request.args, agencies=[agency])
    rows = query.run()
    if request.args.get("format") == "csv":
        return reports.csv_response(rows, f"phat-hien-{agency.code}.csv")
    return render_template("findings/index.html", agency=agency, rows=rows, query=query)


def documents_of(agency) -> list[Document]:
    return [d for d in documents.agency_documents(agency) if documents.issued(d)]


@bp.route("/new", methods=["GET", "POST"])
def new(agency_code: str):
    agency = agency_or_404(agency_code)
    audit = item = None
    audit_id = request.values.get("audit", type=int)
    if audit_id:
        audit = db.session.get(Audit, audit_id)
        if audit is None or audit.agency_id != agency.id:
            abort(404)
        require(current_user, Action.FINDING_RAISE, audit)
        item_id = request.values.get("item", type=int)
        item = db.session.get(ChecklistItem, item_id) if item_id else None
        if item is not None and item.audit_id != audit.id:
            abort(404)
    else:
        require(current_user, Action.FINDING_RAISE, agency)
    form = FindingForm()
    if audit is not None:
        del form.source  # a finding from an audit has the audit as its source
    form.documents.choices = data_options((str(d.id), f"{d.code} — {d.title}")
                                     for d in documents_of(agency))
    if request.method == "GET":
        form.audit.data, form.item.data = audit_id or "", item.id if item else ""
        if item is not None:
            form.clauses.data = item.clause or ""
            form.documents.data = [str(item.document_id)] if item.document_id else []
            form.observed.data = item.evidence  # the type is the auditor's choice, not preset
    elif form.validate_on_submit():
        data = services.FindingInput(
            type=FindingType(form.type.data), clauses=form.clauses.data or "",
            requirement=form.requirement.data or "", observed=form.observed.data or "",
            documents=[d for d in documents_of(agency) if str(d.id) in form.documents.data],
            source=FindingSource.AUDIT if audit else FindingSource(form.source.data),
            source_note=form.source_note.data or "", response_due=form.response_due.date,
            audit=audit, checklist_item=item)
        finding, error = attempt(services.raise_finding, agency, current_user, data)
        if error is None:
            flash(_("Đã ghi nhận phát hiện %(code)s.", code=finding.code), "success")
            return redirect(finding_url(finding))
        flash(error.message, "error")
    else:
        flash_form_errors(form)
    return render_template("findings/new.html", agency=agency, form=form, audit=audit,
                           item=item), 422 if request.method == "POST" else 200


def step_forms(finding: Finding, bound: str | None = None) -> dict:
    """The finding page's forms; only the one named `bound` reads the posted data, the
    others show the finding as it is."""
    def make(key: str, form_class, **kwargs):
        return form_class(prefix=key, **kwargs) if key == bound else \
            form_class(prefix=key, formdata=None, **kwargs)

    propose = make("propose", ProposeForm)
    propose.owner.choices = data_options((str(u.id), u.full_name)
                                    for u in members_of(finding.agency))
    if bound != "propose":
        propose.correction.data, propose.root_cause.data = finding.correction, finding.root_cause
        propose.whys.data, propose.action_plan.data = finding.whys, finding.action_plan
        propose.owner.data = str(finding.owner_id or current_user.id)
        propose.due_date.data = finding.due_date.strftime("%d/%m/%Y") if finding.due_date \
            else ""
    revise = make("revise", ReviseForm)
    revise.document.choices = data_options((str(r.document.id), r.document.code)
                                      for r in finding.revisions)
    return {"propose": propose, "accept": make("accept", AcceptForm),
            "comment": make("comment", CommentForm),
            "implement": make("implement", ImplementForm),
            "verify": make("verify", VerifyForm), "revise": revise,
            "attach": make("attach", AttachForm)}


def linked_risks(finding: Finding) -> list:
    """The risks and opportunities of the register this finding is linked to, for those
    who may read the register."""
    from isodoc.risks.models import Risk, risk_finding

    if not policy.can(current_user, Action.RISK_VIEW, finding.agency):
        return []
    return list(db.session.scalars(db.select(Risk).join(
        risk_finding, risk_finding.c.risk_id == Risk.id).where(
        risk_finding.c.finding_id == finding.id).order_by(Risk.kind, Risk.seq).limit(50)))


def render_finding(finding: Finding, forms: dict | None = None, status: int = 200):
    steps = [s for s in Step if policy.can(current_user, STEP_ACTIONS[s], finding)]
    return render_template(
        "findings/show.html", finding=finding, agency=finding.agency,
        forms=forms or step_forms(finding), steps=steps, Step=Step,
        risks=linked_risks(finding),
        overdue=services.overdue_since(finding), issued=services.revision_issued(finding)), status


@bp.route("/<int:finding_id>")
def show(agency_code: str, finding_id: int):
    return render_finding(finding_or_404(agency_code, finding_id))


@bp.route("/<int:finding_id>/<step>", methods=["POST"])
def step(agency_code: str, finding_id: int, step: str):
    finding = finding_or_404(agency_code, finding_id)
    if step not in set(Step):
        abort(404)
    chosen = Step(step)
    require(current_user, STEP_ACTIONS[chosen], finding)
    key = {Step.PROPOSE: "propose", Step.ACCEPT: "accept", Step.IMPLEMENT: "implement",
           Step.VERIFY: "verify", Step.INEFFECTIVE: "verify"}.get(chosen, "comment")
    forms = step_forms(finding, key)
    form = forms[key]
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_finding(finding, forms, 422)
    _done, error = attempt(apply_step, finding, chosen, form)
    if error is not None:
        flash(error.message, "error")
        # the typed text stays in the form: nothing the user wrote is lost
        return render_finding(db.session.get(Finding, finding_id), forms, 422)
    flash(_("%(step)s: %(code)s chuyển sang «%(state)s».", step=chosen.label, code=finding.code,
            state=finding.state_enum.label), "success")
    return redirect(finding_url(finding))


def apply_step(finding: Finding, step: Step, form) -> None:
    if step is Step.PROPOSE:
        owner_id = form.owner.data or ""
        owner = db.session.get(User, int(owner_id)) if owner_id.isdigit() else None
        services.propose(finding, current_user, correction=form.correction.data or "",
                         root_cause=form.root_cause.data or "", whys=form.whys.data or "",
                         action_plan=form.action_plan.data or "", owner=owner,
                         due_date=form.due_date.date)
    elif step is Step.ACCEPT:
        services.accept(finding, current_user, form.verify_after.date,
                        form.comment.data or "")
    elif step is Step.IMPLEMENT:
        services.implement(finding, current_user, form.report.data or "")
    elif step in (Step.VERIFY, Step.INEFFECTIVE):
        services.verify(finding, current_user, step is Step.VERIFY, form.note.data or "")
    elif step is Step.RETURN:
        services.return_proposal(finding, current_user, form.comment.data or "")
    elif step is Step.CLOSE:
        services.close(finding, current_user, form.comment.data or "")
    elif step is Step.DISMISS:
        services.dismiss(finding, current_user, form.comment.data or "")


@bp.route("/<int:finding_id>/revise", methods=["POST"])
def revise(agency_code: str, finding_id: int):
    from isodoc.documents.views import draft_url

    finding = finding_or_404(agency_code, finding_id)
    require(current_user, Action.FINDING_REVISE_DOC, finding)
    forms = step_forms(finding, "revise")
    form = forms["revise"]
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_finding(finding, forms, 422)
    document = next((r.document for r in finding.revisions
                     if str(r.document.id) == form.document.data), None)
    if document is None:
        abort(404)
    revision, error = attempt(services.start_document_revision, finding, current_user, document)
    if error is not None:
        flash(error.message, "error")
        form.document.errors = [*form.document.errors, error.message]
        return render_finding(db.session.get(Finding, finding_id), forms, 422)
    flash(_("Đã mở dự thảo %(seq)s của %(document)s cho hành động khắc phục %(code)s.",
            seq=revision.seq, document=document.code, code=finding.code), "success")
    return redirect(draft_url(revision))


@bp.route("/<int:finding_id>/attachments", methods=["POST"])
def attach(agency_code: str, finding_id: int):
    finding = finding_or_404(agency_code, finding_id)
    require(current_user, Action.FINDING_ATTACH, finding)
    forms = step_forms(finding, "attach")
    form = forms["attach"]
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_finding(finding, forms, 422)
    upload = form.file.data
    _done, error = attempt(services.attach, finding, current_user, upload.filename or "",
                           upload.read(services.ATTACHMENT_MAX + 1),
                           services.stage_for(finding.state))
    if error is not None:
        flash(error.message, "error")
        # a file cannot be kept for the browser to send again: the reason stands beside it
        form.file.errors = [*form.file.errors, error.message]
        return render_finding(db.session.get(Finding, finding_id), forms, 422)
    flash(_("Đã đính kèm bằng chứng."), "success")
    return redirect(finding_url(finding, "evidence"))


@bp.route("/<int:finding_id>/attachments/<int:attachment_id>")
def attachment(agency_code: str, finding_id: int, attachment_id: int) -> Response:
    finding = finding_or_404(agency_code, finding_id)
    item = db.session.get(Attachment, attachment_id)
    if item is None or item.finding_id != finding.id:
        abort(404)
    path = services.attachment_path(item)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=item.content_type, as_attachment=True,
                     download_name=item.filename)
