"""The risks and opportunities register of an agency (ISO 9001:2015 6.1)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from isodoc.auth.services import members_of
from isodoc.auth.views import flash_form_errors
from isodoc.commands import attempt
from isodoc.documents import services as documents
from isodoc.documents.views import agency_or_404, owned_or_404
from isodoc.extensions import db
from isodoc.findings.models import Finding, FindingType
from isodoc.forms import ConfirmForm, data_options
from isodoc.i18n import _
from isodoc.objectives.forms import RaiseFindingForm
from isodoc.policy import Action, can, require
from isodoc.risks import services
from isodoc.risks.forms import ActionForm, LinkFindingForm, ReassessForm, RiskForm, ScaleForm
from isodoc.risks.models import Risk, RiskAction, RiskKind
from isodoc.timeutil import format_date, today_local

bp = Blueprint("risks", __name__, url_prefix="/agencies/<agency_code>/risks")


@bp.before_request
@login_required
def signed_in() -> None:
    """Every register page needs a signed-in user."""


def risk_or_404(agency_code: str, risk_id: int) -> Risk:
    risk = owned_or_404(Risk, agency_code, risk_id)
    require(current_user, Action.RISK_VIEW, risk.agency)
    return risk


def risk_url(risk: Risk) -> str:
    return url_for("risks.show", agency_code=risk.agency.code, risk_id=risk.id)


def scale_form(agency) -> ScaleForm:
    scale = services.scale_of(agency)
    form = ScaleForm(prefix="s")
    if request.method == "GET":
        form.likelihood_max.data, form.impact_max.data = scale.likelihood_max, scale.impact_max
        form.medium_from.data, form.high_from.data = scale.medium_from, scale.high_from
    return form


@bp.route("")
def index(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.RISK_VIEW, agency)
    return render_index(agency, scale_form(agency))


def render_index(agency, form: ScaleForm, status: int = 200):
    """The register; after a refused scale, with the numbers as typed (422)."""
    return render_template(
        "risks/index.html", agency=agency, scale=services.scale_of(agency),
        sections=[(k, services.agency_risks(agency, k)) for k in RiskKind],
        overdue=services.overdue, scale_form=form), status


@bp.route("/scale", methods=["POST"])
def scale(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.RISK_MANAGE, agency)
    form = scale_form(agency)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_index(agency, form, 422)
    __, error = attempt(services.set_scale, agency, current_user, form.likelihood_max.data,
                        form.impact_max.data, form.medium_from.data, form.high_from.data)
    if error is not None:
        flash(error.message, "error")
        return render_index(agency_or_404(agency_code), form, 422)
    flash(_("Đã lưu thang đánh giá."), "success")
    return redirect(url_for("risks.index", agency_code=agency.code))


def agency_documents(agency):
    return [d for d in documents.agency_documents(agency) if documents.issued(d)]


def document_choices(form, docs) -> None:
    form.document.choices = data_options([("", "—")] + [(str(d.id), f"{d.code} — {d.title}")
                                                   for d in docs])


def risk_input(form, docs, kind: str) -> services.RiskInput:
    return services.RiskInput(
        kind=kind, process=form.process_name.data or "",
        description=form.description.data or "", cause=form.cause.data or "",
        likelihood=form.likelihood.data, impact=form.impact.data,
        review_date=form.review_date.date,
        document=next((d for d in docs if str(d.id) == form.document.data), None))


@bp.route("/new", methods=["GET", "POST"])
def new(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.RISK_MANAGE, agency)
    form = RiskForm()
    docs = agency_documents(agency)
    document_choices(form, docs)
    if request.method == "GET" and request.args.get("kind") in set(RiskKind):
        form.kind.data = request.args["kind"]
    if request.method == "POST":
        if form.validate_on_submit():
            risk, error = attempt(services.register, agency, current_user,
                                  risk_input(form, docs, form.kind.data))
            if error is None:
                flash(_("Đã ghi %(kind)s %(code)s.", kind=risk.kind_enum.label.lower(),
                        code=risk.code), "success")
                return redirect(risk_url(risk))
            flash(error.message, "error")
        else:
            flash_form_errors(form)
    return render_template("risks/new.html", agency=agency, form=form,
                           scale=services.scale_of(agency)), \
        422 if request.method == "POST" else 200


def action_form(risk: Risk, bound: bool = True) -> ActionForm:
    form = ActionForm(prefix="a") if bound else ActionForm(prefix="a", formdata=None)
    form.owner.choices = data_options((str(u.id), u.full_name) for u in members_of(risk.agency))
    return form


LINKABLE_FINDINGS = 200  # the newest findings of the agency offered for a link


def link_form(risk: Risk, bound: bool = True) -> LinkFindingForm:
    form = LinkFindingForm(prefix="l") if bound else LinkFindingForm(prefix="l", formdata=None)
    linked = {f.id for f in risk.findings}
    form.finding.choices = data_options((str(f.id), f"{f.code} — {f.observed[:80]}") for f in
                                   db.session.scalars(db.select(Finding).where(
                                       Finding.agency_id == risk.agency_id)
                                       .order_by(Finding.id.desc()).limit(LINKABLE_FINDINGS))
                                   if f.id not in linked)
    return form


def render_risk(risk: Risk, form: ActionForm | None = None, status: int = 200,
                linking: LinkFindingForm | None = None,
                finding_form: RaiseFindingForm | None = None):
    """A risk's page; after a refused form, with that form as posted (422). The others
    never read the request."""
    may_manage = can(current_user, Action.RISK_MANAGE, risk.agency)
    return render_template("risks/show.html", risk=risk, agency=risk.agency,
                           form=form or action_form(risk, bound=False),
                           confirm=ConfirmForm(formdata=None),
                           overdue=services.overdue(risk), today=today_local(),
                           link_form=(linking or link_form(risk, bound=False))
                           if may_manage else None,
                           finding_form=finding_form or RaiseFindingForm(prefix="f",
                                                                          formdata=None),
                           may_raise=can(current_user, Action.FINDING_RAISE, risk.agency),
                           may_manage=may_manage), status


@bp.route("/<int:risk_id>/edit", methods=["GET", "POST"])
def reassess(agency_code: str, risk_id: int):
    """Xem xét lại: reassess, change the text, the next review date, the status."""
    risk = risk_or_404(agency_code, risk_id)
    require(current_user, Action.RISK_MANAGE, risk.agency)
    docs = agency_documents(risk.agency)
    form = ReassessForm() if request.method == "POST" else ReassessForm(
        formdata=None, process_name=risk.process, description=risk.description,
        cause=risk.cause, likelihood=risk.likelihood, impact=risk.impact,
        review_date=format_date(risk.review_date), document=str(risk.document_id or ""),
        status=risk.status)
    document_choices(form, docs)
    if request.method == "POST":
        if form.validate_on_submit():
            __, error = attempt(services.reassess, risk, current_user,
                               risk_input(form, docs, risk.kind), form.status.data)
            if error is None:
                flash(_("Đã lưu kết quả xem xét lại %(code)s.", code=risk.code), "success")
                return redirect(risk_url(risk))
            flash(error.message, "error")
        else:
            flash_form_errors(form)
    return render_template("risks/edit.html", agency=risk.agency, risk=risk, form=form,
                           scale=services.scale_of(risk.agency)), \
        422 if request.method == "POST" else 200


@bp.route("/<int:risk_id>/findings", methods=["POST"])
def link_finding(agency_code: str, risk_id: int):
    risk = risk_or_404(agency_code, risk_id)
    require(current_user, Action.RISK_MANAGE, risk.agency)
    form = link_form(risk)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_risk(risk, status=422, linking=form)
    finding = db.session.get(Finding, int(form.finding.data))
    __, error = attempt(services.link_finding, risk, current_user, finding)
    if error is not None:
        flash(error.message, "error")
        form.finding.errors = [*form.finding.errors, error.message]
        return render_risk(db.session.get(Risk, risk_id), status=422, linking=form)
    flash(_("Đã liên kết %(code)s.", code=finding.code), "success")
    return redirect(risk_url(risk))


@bp.route("/<int:risk_id>/findings/<int:finding_id>/unlink", methods=["POST"])
def unlink_finding(agency_code: str, risk_id: int, finding_id: int):
    risk = risk_or_404(agency_code, risk_id)
    require(current_user, Action.RISK_MANAGE, risk.agency)
    finding = next((f for f in risk.findings if f.id == finding_id), None)
    if finding is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    attempt(services.unlink_finding, risk, current_user, finding)
    flash(_("Đã bỏ liên kết %(code)s.", code=finding.code), "success")
    return redirect(risk_url(risk))


@bp.route("/<int:risk_id>/finding", methods=["POST"])
def raise_finding(agency_code: str, risk_id: int):
    from isodoc.findings.views import finding_url

    risk = risk_or_404(agency_code, risk_id)
    require(current_user, Action.FINDING_RAISE, risk.agency)
    form = RaiseFindingForm(prefix="f")
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_risk(risk, status=422, finding_form=form)
    finding, error = attempt(services.raise_finding, risk, current_user,
                             FindingType(form.type.data))
    if error is not None:
        flash(error.message, "error")
        return render_risk(db.session.get(Risk, risk_id), status=422, finding_form=form)
    flash(_("Đã ghi nhận phát hiện %(code)s từ %(risk)s.", code=finding.code, risk=risk.code),
          "success")
    return redirect(finding_url(finding))


@bp.route("/<int:risk_id>")
def show(agency_code: str, risk_id: int):
    return render_risk(risk_or_404(agency_code, risk_id))


@bp.route("/<int:risk_id>/actions", methods=["POST"])
def add_action(agency_code: str, risk_id: int):
    risk = risk_or_404(agency_code, risk_id)
    require(current_user, Action.RISK_MANAGE, risk.agency)
    form = action_form(risk)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_risk(risk, form, 422)
    owner = next((u for u in members_of(risk.agency) if str(u.id) == form.owner.data), None)
    __, error = attempt(services.add_action, risk, current_user, form.action.data or "", owner,
                       form.due_date.date)
    if error is not None:
        flash(error.message, "error")
        return render_risk(db.session.get(Risk, risk_id), form, 422)
    flash(_("Đã thêm hành động."), "success")
    return redirect(risk_url(risk))


@bp.route("/<int:risk_id>/actions/<int:action_id>/done", methods=["POST"])
def complete_action(agency_code: str, risk_id: int, action_id: int):
    risk = risk_or_404(agency_code, risk_id)
    item = db.session.get(RiskAction, action_id)
    if item is None or item.risk_id != risk.id:
        abort(404)
    require(current_user, Action.RISK_ACTION_DONE, item)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    attempt(services.complete_action, item, current_user)
    flash(_("Đã ghi nhận hoàn thành hành động."), "success")
    return redirect(risk_url(risk))
