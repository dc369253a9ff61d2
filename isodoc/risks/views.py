"""The risks and opportunities register of an agency (ISO 9001:2015 6.1)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from isodoc.auth.services import members_of
from isodoc.auth.views import flash_form_errors
from isodoc.commands import attempt
from isodoc.documents import services as documents
from isodoc.documents.views import agency_or_404
from isodoc.extensions import db
from isodoc.forms import ConfirmForm, options
from isodoc.policy import Action, can, require
from isodoc.risks import services
from isodoc.risks.forms import ActionForm, RiskForm, ScaleForm
from isodoc.risks.models import Risk, RiskAction, RiskKind
from isodoc.timeutil import today_local

bp = Blueprint("risks", __name__, url_prefix="/agencies/<agency_code>/risks")


@bp.before_request
@login_required
def signed_in() -> None:
    """Every register page needs a signed-in user."""


def risk_or_404(agency_code: str, risk_id: int) -> Risk:
    agency = agency_or_404(agency_code)
    risk = db.session.get(Risk, risk_id)
    if risk is None or risk.agency_id != agency.id:
        abort(404)
    require(current_user, Action.RISK_VIEW, agency)
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
    return render_template(
        "risks/index.html", agency=agency, scale=services.scale_of(agency),
        sections=[(k, services.agency_risks(agency, k)) for k in RiskKind],
        overdue=services.overdue, scale_form=scale_form(agency))


@bp.route("/scale", methods=["POST"])
def scale(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.RISK_MANAGE, agency)
    form = scale_form(agency)
    if not form.validate_on_submit():
        flash_form_errors(form)
    else:
        _, error = attempt(services.set_scale, agency, current_user, form.likelihood_max.data,
                           form.impact_max.data, form.medium_from.data, form.high_from.data)
        flash(error.message if error else "Đã lưu thang đánh giá.",
              "error" if error else "success")
    return redirect(url_for("risks.index", agency_code=agency.code))


def agency_documents(agency):
    return [d for d in documents.agency_documents(agency) if documents.issued(d)]


@bp.route("/new", methods=["GET", "POST"])
def new(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.RISK_MANAGE, agency)
    form = RiskForm()
    docs = agency_documents(agency)
    form.document.choices = options([("", "—")] + [(str(d.id), f"{d.code} — {d.title}")
                                                   for d in docs])
    if request.method == "GET" and request.args.get("kind") in set(RiskKind):
        form.kind.data = request.args["kind"]
    if request.method == "POST":
        if form.validate_on_submit():
            data = services.RiskInput(
                kind=form.kind.data, process=form.process_name.data or "",
                description=form.description.data or "", cause=form.cause.data or "",
                likelihood=form.likelihood.data, impact=form.impact.data,
                review_date=form.review_date.date,
                document=next((d for d in docs if str(d.id) == form.document.data), None))
            risk, error = attempt(services.register, agency, current_user, data)
            if error is None:
                flash(f"Đã ghi {risk.kind_enum.label.lower()} {risk.code}.", "success")
                return redirect(risk_url(risk))
            flash(error.message, "error")
        else:
            flash_form_errors(form)
    return render_template("risks/new.html", agency=agency, form=form,
                           scale=services.scale_of(agency)), \
        422 if request.method == "POST" else 200


def action_form(risk: Risk) -> ActionForm:
    form = ActionForm(prefix="a")
    form.owner.choices = options((str(u.id), u.full_name) for u in members_of(risk.agency))
    return form


def render_risk(risk: Risk, form: ActionForm | None = None, status: int = 200):
    return render_template("risks/show.html", risk=risk, agency=risk.agency,
                           form=form or action_form(risk), confirm=ConfirmForm(),
                           overdue=services.overdue(risk), today=today_local(),
                           may_manage=can(current_user, Action.RISK_MANAGE, risk.agency)), status


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
    _, error = attempt(services.add_action, risk, current_user, form.action.data or "", owner,
                       form.due_date.date)
    if error is not None:
        flash(error.message, "error")
        return render_risk(db.session.get(Risk, risk_id), form, 422)
    flash("Đã thêm hành động.", "success")
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
    flash("Đã ghi nhận hoàn thành hành động.", "success")
    return redirect(risk_url(risk))
