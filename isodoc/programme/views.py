"""The Sở KH&CN's pages: the dashboard, the list behind each figure, the plan (targets,
schedule, unit rates, import) and the appendices (page, .docx, .xlsx)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from isodoc.agencies.models import AgencyKind
from isodoc.agencies.services import root
from isodoc.audits.models import Audit, AuditState
from isodoc.auth.views import flash_form_errors
from isodoc.commands import attempt
from isodoc.documents.models import Document, Revision, RevisionState
from isodoc.extensions import db
from isodoc.forms import ConfirmForm, CsvUploadForm, data_options, options
from isodoc.i18n import _, ngettext
from isodoc.officedocs.layout import DOCX_MIMETYPE, XLSX_MIMETYPE
from isodoc.policy import Action, can, require
from isodoc.programme import appendices, chart, dashboard, services
from isodoc.programme.forms import PlanForm, TargetForm
from isodoc.programme.models import CostBasis, Measure, Plan, PlanTarget
from isodoc.programme.stage import Stage, end_of
from isodoc.timeutil import parse_date, today_local

bp = Blueprint("programme", __name__, url_prefix="/programme")
LIST_MAX = 500
APPENDICES = ("01", "02", "03")


@bp.before_request
@login_required
def signed_in() -> None:
    """Every programme page needs a signed-in user."""


def year_and_date() -> tuple[int, date]:
    """`year` (default: see dashboard.default_year) and `as_of` (dd/mm/yyyy or ISO;
    default the year's last day, or today in the current year), both bounded before any
    query: a past year reads as it ended, whatever mergers came later."""
    raw_year = request.args.get("year", "")
    if raw_year:
        if not (raw_year.isascii() and raw_year.isdigit() and len(raw_year) == 4) or \
                not services.YEAR_MIN <= int(raw_year) <= services.YEAR_MAX:
            abort(404)
        year = int(raw_year)
    else:
        year = dashboard.default_year(dashboard.plans())
    as_of = date(year, 12, 31)
    raw = request.args.get("as_of", "")[:20]
    if raw:
        try:
            as_of = date.fromisoformat(raw) if "-" in raw else parse_date(raw)
        except ValueError:
            abort(404)
    if as_of < date(year, 1, 1):
        as_of = date(year, 12, 31)
    return year, min(as_of, today_local())


def args_for(board: dashboard.Dashboard, **extra) -> dict:
    out = {"year": board.year, "as_of": board.as_of.isoformat()}
    out.update({k: v for k, v in extra.items() if v not in (None, "")})
    return out


@bp.route("/")
def index():
    require(current_user, Action.PROGRAMME_VIEW)
    year, as_of = year_and_date()
    board = dashboard.build(year, as_of)
    target_bars = [chart.Bar(
        f"{t.kind_label}: {t.scope_label.removeprefix('UBND ')}",
        t.percent / 100 if t.measure == Measure.PERCENT else
        (t.reached / max(t.value, t.total, 1)),
        t.value / 100 if t.measure == Measure.PERCENT else t.value / max(t.value, t.total, 1),
        (f"{chart.percent(t.percent)} / {t.value}%" if t.measure == Measure.PERCENT
         else f"{t.reached} / {t.value}"), t.met) for t in board.targets]
    district_bars = [chart.Bar(
        d.district.name, d.percent / 100,
        d.target.value / 100 if d.target and d.target.measure == Measure.PERCENT else None,
        chart.percent(d.percent) + (f" / {d.target.value}%" if d.target and
                                    d.target.measure == Measure.PERCENT else ""),
        bool(d.target is None or d.target.measure != Measure.PERCENT or
             d.percent >= d.target.value)) for d in board.districts]
    stage_rows = [(AgencyKind(k).label, dict(board.by_kind[k])) for k in board.kinds()]
    return render_template(
        "programme/dashboard.html", board=board, args=lambda **kw: args_for(board, **kw),
        target_chart=chart.bars_svg(target_bars, "targets") if target_bars else None,
        district_chart=chart.bars_svg(district_bars, "districts") if district_bars else None,
        stage_chart=chart.stages_svg(stage_rows) if stage_rows else None,
        Stage=Stage, AgencyKind=AgencyKind, percent=chart.percent,
        past_year=year < today_local().year)


@bp.route("/agencies")
def agencies():
    """The agencies behind a figure of the dashboard."""
    require(current_user, Action.PROGRAMME_VIEW)
    year, as_of = year_and_date()
    kind = request.args.get("kind", "")
    kind = kind if kind in set(AgencyKind) else ""
    stage = request.args.get("stage", "")
    stage = stage if stage in set(Stage) else ""
    at_least = request.args.get("at_least", "")
    at_least = at_least if at_least in set(Stage) else ""
    district = request.args.get("district", "")
    district_id = int(district) if district.isascii() and district.isdigit() and \
        len(district) < 10 else None
    scheduled = request.args.get("scheduled") == "1"
    plan = dashboard.plan_for(year, dashboard.plans())
    rows = dashboard.filter_agencies(
        dashboard.agency_rows(as_of, plan), kind=kind, stage=stage, at_least=at_least,
        district=district_id, scheduled=year if scheduled else None)
    names = {}
    if district_id is not None:
        from isodoc.agencies.models import Agency

        found = db.session.get(Agency, district_id)
        names[district_id] = found.name if found else ""
    return render_template("programme/agencies.html", rows=rows[:LIST_MAX],
                           hidden=max(0, len(rows) - LIST_MAX), total=len(rows), year=year,
                           as_of=as_of, kind=kind, stage=stage, at_least=at_least,
                           district=names.get(district_id, ""), scheduled=scheduled,
                           AgencyKind=AgencyKind, Stage=Stage)


@bp.route("/records/<what>")
def records(what: str):
    """Documents issued or revised, or internal audits completed, in the period."""
    require(current_user, Action.PROGRAMME_VIEW)
    if what not in ("issued", "revised", "audits"):
        abort(404)
    year, as_of = year_and_date()
    begin, limit = end_of(date(year - 1, 12, 31)), end_of(as_of)
    if what == "audits":
        stmt = (select(Audit).where(Audit.state == AuditState.COMPLETED,
                                    Audit.completed_at >= begin, Audit.completed_at < limit)
                .order_by(Audit.completed_at.desc()))
    else:
        number = Revision.number == 1 if what == "issued" else Revision.number > 1
        stmt = (select(Revision).join(Document, Document.id == Revision.document_id)
                .where(Revision.state == RevisionState.ISSUED, number,
                       Revision.issued_at >= begin, Revision.issued_at < limit)
                .order_by(Revision.issued_at.desc()))
    rows = db.session.scalars(stmt.limit(LIST_MAX + 1)).all()
    return render_template("programme/records.html", what=what, rows=rows[:LIST_MAX],
                           more=len(rows) > LIST_MAX, year=year, as_of=as_of)


# -- the plan --------------------------------------------------------------------------

def plan_or_404(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        abort(404)
    return plan


def target_form(plan: Plan, bound: bool = True) -> TargetForm:
    from isodoc.agencies.models import Agency

    form = TargetForm() if bound else TargetForm(formdata=None)
    form.year.choices = options((str(y), str(y)) for y in plan.years)
    districts = db.session.execute(select(Agency.code, Agency.name).where(
        Agency.kind == AgencyKind.DISTRICT, Agency.dissolved_on.is_(None))
        .order_by(Agency.name)).all()
    form.district.choices = data_options([("", _("Toàn tỉnh"))] + [tuple(d) for d in districts])
    return form


@bp.route("/plans")
def plans():
    require(current_user, Action.PROGRAMME_VIEW)
    all_plans = dashboard.plans()
    if all_plans and "new" not in request.args:
        return redirect(url_for("programme.plan", plan_id=all_plans[0].id))
    return render_template("programme/plans.html", plans=all_plans, form=PlanForm())


@bp.route("/plans", methods=["POST"])
def create_plan():
    require(current_user, Action.PROGRAMME_MANAGE)
    form = PlanForm()
    if form.validate_on_submit():
        plan, error = attempt(services.create_plan, current_user, services.PlanInput(
            form.number.data or "", form.title.data or "", form.signed_on.date,
            form.first_year.data, form.last_year.data))
        if error is None:
            flash(_("Đã tạo Kế hoạch %(number)s.", number=plan.number), "success")
            return redirect(url_for("programme.plan", plan_id=plan.id))
        form.number.errors = [*form.number.errors, error.message]
    return render_template("programme/plans.html", plans=dashboard.plans(), form=form), 422


@bp.route("/plans/<int:plan_id>")
def plan(plan_id: int):
    require(current_user, Action.PROGRAMME_VIEW)
    return render_plan(plan_or_404(plan_id))


def render_plan(plan_: Plan, status: int = 200, form: TargetForm | None = None,
                typed_rates: dict[int, str] | None = None, rates_error: str = ""):
    """A plan's page; after a refused target or rates, with what was typed (422)."""
    estimate = appendices.cost_estimate(plan_)
    header, cost_rows = appendices.cost_table(estimate)
    return render_template("programme/plan.html", plan=plan_, plans=dashboard.plans(),
                           form=form or target_form(plan_, bound=False),
                           import_form=CsvUploadForm(formdata=None),
                           delete_form=ConfirmForm(formdata=None), Stage=Stage,
                           AgencyKind=AgencyKind, cost_header=header, cost_rows=cost_rows,
                           lines={line.id: line for line in plan_.cost_lines},
                           categories=appendices.CATEGORY_LABELS,
                           bases={b.value: b.label for b in CostBasis},
                           typed_rates=typed_rates or {}, rates_error=rates_error,
                           can_manage=can(current_user, Action.PROGRAMME_MANAGE)), status


@bp.route("/plans/<int:plan_id>/targets", methods=["POST"])
def add_target(plan_id: int):
    require(current_user, Action.PROGRAMME_MANAGE)
    plan_ = plan_or_404(plan_id)
    form = target_form(plan_)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_plan(plan_, 422, form=form)
    _target, error = attempt(services.add_target, plan_, current_user, services.TargetInput(
        int(form.year.data), form.kind.data, form.stage.data, form.measure.data,
        form.value.data, form.district.data or "", form.note.data or ""))
    if error is not None:
        flash(error.message, "error")
        form.value.errors = [*form.value.errors, error.message]
        return render_plan(plan_or_404(plan_id), 422, form=form)
    flash(_("Đã thêm chỉ tiêu."), "success")
    return redirect(url_for("programme.plan", plan_id=plan_.id))


@bp.route("/plans/<int:plan_id>/targets/<int:target_id>/delete", methods=["POST"])
def remove_target(plan_id: int, target_id: int):
    require(current_user, Action.PROGRAMME_MANAGE)
    plan_ = plan_or_404(plan_id)
    target = db.session.get(PlanTarget, target_id)
    if target is None or target.plan_id != plan_.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    attempt(services.remove_target, target, current_user)
    flash(_("Đã xóa chỉ tiêu."), "success")
    return redirect(url_for("programme.plan", plan_id=plan_.id))


@bp.route("/plans/<int:plan_id>/rates", methods=["POST"])
def set_rates(plan_id: int):
    require(current_user, Action.PROGRAMME_MANAGE)
    plan_ = plan_or_404(plan_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    rates = {}
    for line in plan_.cost_lines:
        key = f"rate-{line.id}"
        if key in request.form:
            rates[line.id] = request.form[key][:30]
    changed, error = attempt(services.set_rates, plan_, current_user, rates)
    if error is not None:
        flash(error.message, "error")
        return render_plan(plan_or_404(plan_id), 422, typed_rates=rates,
                           rates_error=error.message)
    flash(ngettext("Đã lưu %(num)d đơn giá.", "Đã lưu %(num)d đơn giá.", changed), "success")
    return redirect(url_for("programme.plan", plan_id=plan_.id) + "#phu-luc-03")


@bp.route("/plans/<int:plan_id>/import", methods=["POST"])
def import_plan(plan_id: int):
    require(current_user, Action.PROGRAMME_MANAGE)
    plan_ = plan_or_404(plan_id)
    form = CsvUploadForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("programme.plan", plan_id=plan_.id))
    data = form.file.data.read(services.MAX_IMPORT_BYTES + 1)
    result, error = attempt(services.import_csv, plan_, current_user, data)
    if error is not None:
        return render_template("import_errors.html", message=error.message,
                               problems=error.problems,
                               back=url_for("programme.plan", plan_id=plan_.id)), 422
    flash(_("Đã nhập %(targets)s chỉ tiêu và %(agencies)s đơn vị theo kế hoạch.",
            targets=result[0], agencies=result[1]), "success")
    return redirect(url_for("programme.plan", plan_id=plan_.id))


@bp.route("/plans/<int:plan_id>/export.csv")
def export_plan(plan_id: int):
    require(current_user, Action.PROGRAMME_VIEW)
    plan_ = plan_or_404(plan_id)
    return Response(services.export_csv(plan_), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=ke-hoach-{plan_.first_year}-"
                               f"{plan_.last_year}.csv"})


def appendix_year(plan_: Plan) -> int:
    raw = request.args.get("year", "")
    if not raw:
        return plan_.first_year
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4) or \
            not plan_.first_year <= int(raw) <= plan_.last_year:
        abort(404)
    return int(raw)


@bp.route("/plans/<int:plan_id>/appendices/<which>")
def appendix(plan_id: int, which: str):
    require(current_user, Action.PROGRAMME_VIEW)
    plan_ = plan_or_404(plan_id)
    if which not in APPENDICES:
        abort(404)
    year = appendix_year(plan_)
    title, header, rows, notes = appendices.table_content(plan_, which, year)
    return render_template("programme/appendix.html", plan=plan_, which=which, year=year,
                           title=title, caption=appendices.caption(plan_), header=header,
                           rows=rows, notes=notes)


@bp.route("/plans/<int:plan_id>/appendices/<which>.<fmt>")
def appendix_file(plan_id: int, which: str, fmt: str):
    require(current_user, Action.PROGRAMME_VIEW)
    plan_ = plan_or_404(plan_id)
    if which not in APPENDICES or fmt not in ("docx", "xlsx"):
        abort(404)
    year = appendix_year(plan_)
    build = appendices.build_docx if fmt == "docx" else appendices.build_xlsx
    data = build(plan_, which, year, root(), today_local())
    suffix = f"-{year}" if which == "02" else ""
    return Response(data, mimetype=DOCX_MIMETYPE if fmt == "docx" else XLSX_MIMETYPE,
                    headers={"Content-Disposition": f"attachment; filename=phu-luc-{which}"
                                                    f"{suffix}.{fmt}"})
