"""Quality objectives of an agency: the year's list with latest values and trend charts,
setting an objective, entering a month's value, raising a finding from a missed target."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from isodoc.auth.services import members_of
from isodoc.auth.views import flash_form_errors
from isodoc.commands import attempt
from isodoc.documents.views import agency_or_404, owned_or_404
from isodoc.extensions import db
from isodoc.findings.models import FindingType
from isodoc.forms import data_options, options
from isodoc.i18n import _
from isodoc.objectives import services
from isodoc.objectives.chart import trend_svg
from isodoc.objectives.forms import (
    EditObjectiveForm,
    ImportForm,
    MeasurementForm,
    ObjectiveForm,
    RaiseFindingForm,
)
from isodoc.objectives.models import QualityObjective, format_number
from isodoc.policy import Action, can, require
from isodoc.timeutil import today_local

bp = Blueprint("objectives", __name__, url_prefix="/agencies/<agency_code>/objectives")


@bp.before_request
@login_required
def signed_in() -> None:
    """Every objectives page needs a signed-in user."""


def objective_or_404(agency_code: str, objective_id: int) -> QualityObjective:
    objective = owned_or_404(QualityObjective, agency_code, objective_id)
    require(current_user, Action.OBJECTIVE_VIEW, objective)
    return objective


def objective_url(objective: QualityObjective) -> str:
    return url_for("objectives.show", agency_code=objective.agency.code,
                   objective_id=objective.id)


@bp.route("")
def index(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.OBJECTIVE_VIEW, agency)
    year = request.args.get("year", type=int) or today_local().year
    if not services.YEAR_MIN <= year <= services.YEAR_MAX:
        abort(404)
    objectives = services.agency_objectives(agency, year)
    years = sorted(set(services.years_of(agency)) | {today_local().year}, reverse=True)
    return render_template("objectives/index.html", agency=agency, year=year, years=years,
                           objectives=objectives, chart=trend_svg)


@bp.route("/new", methods=["GET", "POST"])
def new(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.OBJECTIVE_MANAGE, agency)
    form = ObjectiveForm()
    form.owner.choices = data_options((str(u.id), u.full_name) for u in members_of(agency))
    if request.method == "GET":
        form.year.data = today_local().year
        form.owner.data = str(current_user.id)
    elif form.validate_on_submit():
        owner = next((u for u in members_of(agency) if str(u.id) == form.owner.data), None)
        data = services.ObjectiveInput(
            year=form.year.data, title=form.title.data or "", measure=form.measure.data or "",
            comparison=form.comparison.data, target=form.target.data or "",
            unit=form.unit.data or "", owner=owner, frequency=form.frequency.data,
            data_source=form.data_source.data or "")
        objective, error = attempt(services.create_objective, agency, current_user, data)
        if error is None:
            flash(_("Đã đặt mục tiêu %(code)s.", code=objective.code), "success")
            return redirect(objective_url(objective))
        flash(error.message, "error")
    else:
        flash_form_errors(form)
    return render_template("objectives/new.html", agency=agency, form=form), \
        422 if request.method == "POST" else 200


@bp.route("/<int:objective_id>/edit", methods=["GET", "POST"])
def edit(agency_code: str, objective_id: int):
    """Restate an objective: measure, target, owner, frequency, data source."""
    objective = objective_or_404(agency_code, objective_id)
    agency = objective.agency
    require(current_user, Action.OBJECTIVE_MANAGE, agency)
    form = EditObjectiveForm(obj=objective if request.method == "GET" else None)
    members = members_of(agency)
    form.owner.choices = data_options((str(u.id), u.full_name) for u in members)
    if request.method == "GET":
        form.owner.data = str(objective.owner_id)
        form.target.data = format_number(objective.target, grouped=False)
    elif form.validate_on_submit():
        owner = next((u for u in members if str(u.id) == form.owner.data), None)
        data = services.ObjectiveInput(
            year=objective.year, title=form.title.data or "", measure=form.measure.data or "",
            comparison=form.comparison.data, target=form.target.data or "",
            unit=form.unit.data or "", owner=owner, frequency=form.frequency.data,
            data_source=form.data_source.data or "")
        __, error = attempt(services.update_objective, objective, current_user, data)
        if error is None:
            flash(_("Đã lưu mục tiêu %(code)s.", code=objective.code), "success")
            return redirect(objective_url(objective))
        flash(error.message, "error")
        objective = db.session.get(QualityObjective, objective_id)
    else:
        flash_form_errors(form)
    return render_template("objectives/new.html", agency=agency, form=form,
                           objective=objective), 422 if request.method == "POST" else 200


def measurement_form(objective: QualityObjective, bound: bool = True) -> MeasurementForm:
    form = MeasurementForm(prefix="m") if bound else MeasurementForm(prefix="m", formdata=None)
    form.month.choices = options(
        (str(m), _("Tháng %(month)s/%(year)s", month=str(m).zfill(2), year=objective.year))
        for m in objective.frequency_enum.months)
    return form


def import_form(objective: QualityObjective, bound: bool = True) -> ImportForm:
    form = ImportForm(prefix="csv") if bound else ImportForm(prefix="csv", formdata=None)
    if not bound or request.method == "GET" or not form.is_submitted():
        # the column's name in the one-stop-shop system's export (data, not interface)
        form.period_column.data = objective.import_period_column or "Kỳ báo cáo"  # i18n: vi-only
        form.value_column.data = objective.import_value_column
    return form


def render_objective(objective: QualityObjective, form: MeasurementForm | None = None,
                     status: int = 200, csv_form: ImportForm | None = None,
                     problems: list[str] | None = None):
    if form is None:  # the forms not posted show the objective, never the request
        form = measurement_form(objective, bound=False)
        entered = {m.month for m in objective.measurements}
        today = today_local()
        due = [m for m in objective.frequency_enum.months
               if (objective.year, m) <= (today.year, today.month)]
        free = [m for m in due if m not in entered] or due[-1:]
        form.month.data = str(free[0] if free else objective.frequency_enum.months[-1])
    return render_template(
        "objectives/show.html", objective=objective, agency=objective.agency, form=form,
        finding_form=RaiseFindingForm(prefix="f", formdata=None), chart=trend_svg,
        csv_form=csv_form or import_form(objective, bound=False), problems=problems or [],
        may_import=can(current_user, Action.OBJECTIVE_MEASURE, objective),
        may_edit=can(current_user, Action.OBJECTIVE_MANAGE, objective.agency),
        may_measure=can(current_user, Action.OBJECTIVE_MEASURE, objective),
        may_raise=can(current_user, Action.FINDING_RAISE, objective.agency)), status


@bp.route("/<int:objective_id>")
def show(agency_code: str, objective_id: int):
    return render_objective(objective_or_404(agency_code, objective_id))


@bp.route("/<int:objective_id>/measurements", methods=["POST"])
def measure(agency_code: str, objective_id: int):
    objective = objective_or_404(agency_code, objective_id)
    require(current_user, Action.OBJECTIVE_MEASURE, objective)
    form = measurement_form(objective)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_objective(objective, form, 422)
    month = int(form.month.data)
    measurement, error = attempt(services.record_value, objective, current_user, month,
                                 form.value.data or "", form.note.data or "")
    if error is not None:
        flash(error.message, "error")
        return render_objective(db.session.get(QualityObjective, objective_id), form, 422)
    flash(_("Đã ghi kết quả kỳ %(period)s.", period=measurement.period_label) if measurement.met
          else _("Đã ghi kết quả kỳ %(period)s: không đạt chỉ tiêu.",
                 period=measurement.period_label),
          "success" if measurement.met else "error")
    return redirect(objective_url(objective))


@bp.route("/<int:objective_id>/import", methods=["POST"])
def import_values(agency_code: str, objective_id: int):
    """Values from the one-stop-shop system's CSV export (columns remembered)."""
    objective = objective_or_404(agency_code, objective_id)
    require(current_user, Action.OBJECTIVE_MEASURE, objective)
    if (request.content_length or 0) > services.IMPORT_BYTES + 4096:
        flash(_("Tệp CSV quá lớn (tối đa %(kb)s KB).", kb=services.IMPORT_BYTES // 1024),
              "error")
        return render_objective(objective, status=413)
    form = import_form(objective)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_objective(objective, status=422, csv_form=form)
    data = form.file.data.read(services.IMPORT_BYTES + 1)
    result, error = attempt(services.import_values, objective, current_user, data,
                            form.period_column.data or "", form.value_column.data or "")
    if error is not None:
        flash(error.message, "error")
        return render_objective(db.session.get(QualityObjective, objective_id), status=422,
                                csv_form=form, problems=error.problems)
    flash(_("Đã nhập từ tệp: %(added)s kỳ mới, %(corrected)s kỳ sửa, %(unchanged)s kỳ không "
            "đổi.", added=result.added, corrected=result.corrected,
            unchanged=result.unchanged), "success")
    return redirect(objective_url(objective))


@bp.route("/<int:objective_id>/measurements/<int:month>/finding", methods=["POST"])
def raise_finding(agency_code: str, objective_id: int, month: int):
    from isodoc.findings.views import finding_url

    objective = objective_or_404(agency_code, objective_id)
    require(current_user, Action.FINDING_RAISE, objective.agency)
    measurement = next((m for m in objective.measurements if m.month == month), None)
    if measurement is None:
        abort(404)
    form = RaiseFindingForm(prefix="f")
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_objective(objective, status=422)
    finding, error = attempt(services.raise_finding, measurement, current_user,
                             FindingType(form.type.data))
    if error is not None:
        flash(error.message, "error")
        return render_objective(db.session.get(QualityObjective, objective_id), status=422)
    flash(_("Đã ghi nhận phát hiện %(code)s từ kỳ %(period)s.", code=finding.code,
            period=measurement.period_label), "success")
    return redirect(finding_url(finding))
