"""Agency tree browser, agency pages, registry import/export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from isodoc import policy
from isodoc.agencies import registry_csv, services
from isodoc.agencies.forms import AgencyCreateForm, AgencyEditForm, DissolveForm
from isodoc.agencies.models import Agency, AgencyKind, QmsStatus
from isodoc.auth.models import Membership, User
from isodoc.auth.views import flash_form_errors
from isodoc.commands import attempt
from isodoc.extensions import db
from isodoc.forms import CsvUploadForm, data_options, options
from isodoc.i18n import _
from isodoc.policy import Action, require
from isodoc.timeutil import format_date, today_local

bp = Blueprint("agencies", __name__, url_prefix="/agencies")


@bp.before_request
@login_required
def signed_in() -> None:
    """Every registry page needs a signed-in user."""


def agency_or_404(code: str) -> Agency:
    agency = services.get_by_code(code)
    if agency is None:
        abort(404)
    return agency


def filters_from_request() -> services.AgencyFilter:
    from isodoc.programme.stage import Stage, stages

    year = request.args.get("plan_year", "")
    stage = request.args.get("stage", "")
    return services.AgencyFilter(
        stage=stage if stage in set(Stage) else "",
        # each agency's stage derived from its records: a few aggregate queries in all
        stages={i: s.value for i, s in stages(today_local()).items()},
        q=request.args.get("q", "")[:100],
        kind=request.args.get("kind", "") if request.args.get("kind") in set(AgencyKind) else "",
        status=(request.args.get("status", "")
                if request.args.get("status") in set(QmsStatus) else ""),
        plan_year=int(year) if year.isdigit() and len(year) == 4 else None,
        include_dissolved=request.args.get("dissolved") == "1",
    )


@bp.route("/")
def index():
    filters = filters_from_request()
    roots = services.prune(services.tree(filters))
    from isodoc.programme.stage import Stage

    return render_template("agencies/index.html", roots=roots, filters=filters,
                           import_form=CsvUploadForm(), Stage=Stage)


@bp.route("/<code>")
def detail(code: str):
    agency = agency_or_404(code)
    require(current_user, Action.AGENCY_VIEW, agency)
    return render_detail(agency)


def render_detail(agency: Agency, status: int = 200, *, create_form: AgencyCreateForm | None = None,
                  edit_form: AgencyEditForm | None = None,
                  dissolve_form: DissolveForm | None = None):
    """An agency's page; after a refused change, with that form as typed (422). The other
    forms never bind to the request."""
    if edit_form is None:
        edit_form = AgencyEditForm(formdata=None, name=agency.name, kind=agency.kind,
                                   plan_year=agency.plan_year,
                                   parent=agency.parent.code if agency.parent else "")
        edit_form.parent.choices = parent_choices(agency)
    if create_form is None:
        create_form = AgencyCreateForm(formdata=None)
        create_form.kind.choices = child_kind_choices(agency)
    from isodoc.programme.stage import stage_of_agency

    stage = stage_of_agency(agency, today_local())  # derived from its records, not typed
    if dissolve_form is None:
        dissolve_form = DissolveForm(formdata=None, on=format_date(today_local()))
        dissolve_form.successor.choices = successor_choices(agency)
    members = []
    if policy.can(current_user, Action.AGENCY_VIEW_MEMBERS, agency):
        members = db.session.scalars(
            select(Membership).join(User).where(Membership.agency_id == agency.id)
            .order_by(User.full_name, Membership.role)).all()
    open_findings = None
    if policy.can(current_user, Action.QA_VIEW, agency):
        from isodoc.findings.services import open_counts

        open_findings = open_counts(agency)
    tthc_coverage = None
    if policy.can(current_user, Action.COVERAGE_VIEW, agency):
        from isodoc.tthc.coverage import agency_coverage

        tthc_coverage = agency_coverage(agency).counts
        tthc_coverage = tthc_coverage if tthc_coverage.must else None
    return render_template(
        "agencies/detail.html", agency=agency, members=members, open_findings=open_findings,
        coverage=tthc_coverage,
        create_form=create_form,
        edit_form=edit_form, dissolve_form=dissolve_form, stage=stage,
        children=sorted(agency.children, key=lambda a: (services.kind_order(a), a.name))), status


def placement_choices(agency: Agency, none_label: str) -> list[SelectChoice]:
    """Agencies that may take `agency` in (as parent or successor): not itself, not
    below it, not dissolved."""
    everyone = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    return data_options([("", none_label)] + [
        (a.code, a.name) for a in everyone
        if agency not in a.lineage() and not a.is_dissolved()])


def child_kind_choices(parent: Agency) -> list[SelectChoice]:
    return options((k.value, k.label) for k in AgencyKind if parent.kind_enum in k.parent_kinds)


def parent_choices(agency: Agency) -> list[SelectChoice]:
    return placement_choices(agency, _("— không có (gốc) —"))


def successor_choices(agency: Agency) -> list[SelectChoice]:
    return placement_choices(agency, _("— giải thể, không sáp nhập —"))


def run_and_return(agency: Agency, message: Callable[[Any], str], refused: dict[str, Any],
                   command, *args, **kwargs):
    """Run the command, say how it went, go back to the agency page (of the new agency
    when one was created); when refused, show the page again with the form as typed."""
    result, error = attempt(command, *args, **kwargs)
    if error is not None:
        flash(error.message, "error")
        return render_detail(agency_or_404(agency.code), 422, **refused)
    flash(message(result), "success")
    agency = result if isinstance(result, Agency) else agency
    return redirect(url_for("agencies.detail", code=agency.code))


@bp.route("/<code>/children", methods=["POST"])
def create_child(code: str):
    parent = agency_or_404(code)
    require(current_user, Action.AGENCY_CREATE_CHILD, parent)
    form = AgencyCreateForm()
    form.kind.choices = child_kind_choices(parent)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_detail(parent, 422, create_form=form)
    return run_and_return(parent, lambda child: _("Đã tạo đơn vị %(name)s.", name=child.name),
                          {"create_form": form},
                          services.create_agency, services.AgencyData(
                              code=form.code.data, name=form.name.data,
                              kind=AgencyKind(form.kind.data), parent=parent,
                              plan_year=form.plan_year.data), current_user)


@bp.route("/<code>/edit", methods=["POST"])
def edit(code: str):
    agency = agency_or_404(code)
    require(current_user, Action.AGENCY_EDIT, agency)
    form = AgencyEditForm()
    form.parent.choices = parent_choices(agency)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_detail(agency, 422, edit_form=form)
    parent = services.get_by_code(form.parent.data) if form.parent.data else None
    return run_and_return(agency, lambda _r: _("Đã lưu thông tin đơn vị."), {"edit_form": form},
                          services.update_agency, agency, current_user, name=form.name.data,
                          kind=AgencyKind(form.kind.data), parent=parent,
                          plan_year=form.plan_year.data)


@bp.route("/<code>/dissolve", methods=["POST"])
def dissolve(code: str):
    agency = agency_or_404(code)
    require(current_user, Action.AGENCY_REORGANIZE, agency)
    form = DissolveForm()
    form.successor.choices = successor_choices(agency)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_detail(agency, 422, dissolve_form=form)
    successor = services.get_by_code(form.successor.data) if form.successor.data else None
    return run_and_return(
        agency, lambda _r: _("Đã ghi nhận giải thể/sáp nhập; tài liệu và lịch sử được giữ "
                             "nguyên."), {"dissolve_form": form},
        services.dissolve, agency, current_user, form.on.date, successor)


@bp.route("/export.csv")
def export():
    require(current_user, Action.REGISTRY_EXPORT)
    return Response(registry_csv.export_csv(), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": "attachment; filename=danh-muc-don-vi.csv"})


@bp.route("/import", methods=["POST"])
def import_registry():
    require(current_user, Action.REGISTRY_IMPORT)
    form = CsvUploadForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("agencies.index"))
    result, error = attempt(registry_csv.import_csv, form.file.data.read(), current_user)
    if error is not None:
        return render_template("import_errors.html", message=error.message,
                               problems=error.problems, back=url_for("agencies.index")), 422
    flash(_("Đã nhập danh mục: %(created)s đơn vị mới, %(updated)s cập nhật, "
            "%(unchanged)s không đổi.", created=result.created, updated=result.updated,
            unchanged=result.unchanged), "success")
    return redirect(url_for("agencies.index"))
