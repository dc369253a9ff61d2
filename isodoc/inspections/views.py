"""The Sở KH&CN's inspections (record, conclude, raise findings at the agency) and its
register of consultants (engagements, supervision visits, findings traced to them)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from isodoc.agencies.models import Agency
from isodoc.agencies.services import get_by_code
from isodoc.auth.views import flash_form_errors
from isodoc.commands import attempt
from isodoc.extensions import db
from isodoc.findings import services as findings
from isodoc.findings.models import FindingSource, FindingType
from isodoc.findings.views import documents_of, finding_url
from isodoc.forms import data_options
from isodoc.i18n import _
from isodoc.inspections import services
from isodoc.inspections.forms import (
    ConcludeForm,
    ConsultantForm,
    EngagementForm,
    InspectionFindingForm,
    InspectionForm,
    TraceForm,
    VisitForm,
)
from isodoc.inspections.models import Consultant, Engagement, Inspection
from isodoc.policy import Action, can, require
from isodoc.timeutil import today_local

bp = Blueprint("inspections", __name__)


@bp.before_request
@login_required
def signed_in() -> None:
    """Every page needs a signed-in user."""


def agency_choices() -> list:
    rows = db.session.execute(select(Agency.code, Agency.name).where(
        Agency.parent_id.is_not(None), Agency.dissolved_on.is_(None)).order_by(Agency.name))
    return data_options([("", _("— chọn đơn vị —")), *((code, name) for code, name in rows)])


def inspection_or_404(inspection_id: int) -> Inspection:
    found = db.session.get(Inspection, inspection_id)
    if found is None:
        abort(404)
    require(current_user, Action.INSPECTION_VIEW, found)
    return found


def inspection_url(inspection: Inspection) -> str:
    return url_for("inspections.show", inspection_id=inspection.id)


@bp.route("/inspections/")
def index():
    require(current_user, Action.DECLARATION_PROVINCE)
    year = request.args.get("year", type=int)
    if year is not None and not services.YEAR_MIN <= year <= services.YEAR_MAX:
        abort(404)
    return render_template("inspections/index.html", inspections=services.all_inspections(year),
                           year=year)


@bp.route("/inspections/new", methods=["GET", "POST"])
def new():
    require(current_user, Action.INSPECTION_MANAGE)
    form = InspectionForm()
    form.agency.choices = agency_choices()
    if request.method == "GET":
        form.agency.data = request.args.get("agency", "")[:64]
        form.inspected_on.data = today_local().strftime("%d/%m/%Y")
    elif form.validate_on_submit():
        data = services.InspectionInput(
            agency=get_by_code(form.agency.data) if form.agency.data else None,
            mode=form.mode.data, inspected_on=form.inspected_on.date,
            team=form.team.data or "", scope=form.scope.data or "")
        inspection, error = attempt(services.record_inspection, current_user, data)
        if error is None:
            flash(_("Đã ghi nhận đợt kiểm tra %(code)s.", code=inspection.code), "success")
            return redirect(inspection_url(inspection))
        flash(error.message, "error")
    else:
        flash_form_errors(form)
    return render_template("inspections/new.html", form=form), \
        422 if request.method == "POST" else 200


def render_inspection(inspection: Inspection, conclude_form: ConcludeForm | None = None,
                      status: int = 200):
    return render_template(
        "inspections/show.html", inspection=inspection, agency=inspection.agency,
        findings=services.inspection_findings(inspection),
        conclude_form=conclude_form or ConcludeForm(formdata=None),
        may_lead=can(current_user, Action.INSPECTION_LEAD, inspection),
        may_raise=can(current_user, Action.INSPECTION_FINDING, inspection)), status


@bp.route("/inspections/<int:inspection_id>")
def show(inspection_id: int):
    return render_inspection(inspection_or_404(inspection_id))


@bp.route("/inspections/<int:inspection_id>/conclude", methods=["POST"])
def conclude(inspection_id: int):
    inspection = inspection_or_404(inspection_id)
    require(current_user, Action.INSPECTION_LEAD, inspection)
    form = ConcludeForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_inspection(inspection, form, 422)
    _done, error = attempt(services.conclude, inspection, current_user,
                           form.conclusion.data or "")
    if error is not None:
        form.conclusion.errors = [error.message]
        return render_inspection(db.session.get(Inspection, inspection_id), form, 422)
    flash(_("Đã ghi kết luận đợt kiểm tra %(code)s.", code=inspection.code), "success")
    return redirect(inspection_url(inspection))


@bp.route("/inspections/<int:inspection_id>/findings/new", methods=["GET", "POST"])
def raise_finding(inspection_id: int):
    inspection = inspection_or_404(inspection_id)
    require(current_user, Action.INSPECTION_FINDING, inspection)
    agency = inspection.agency
    form = InspectionFindingForm()
    docs = documents_of(agency)
    engagements = services.agency_engagements(agency)
    form.documents.choices = data_options((str(d.id), f"{d.code} — {d.title}") for d in docs)
    form.engagement.choices = data_options([("", _("— không —")), *(
        (str(e.id), f"{e.consultant.name} ({e.year})") for e in engagements)])
    if request.method == "POST" and form.validate_on_submit():
        data = findings.FindingInput(
            type=FindingType(form.type.data), clauses=form.clauses.data or "",
            requirement=form.requirement.data or "", observed=form.observed.data or "",
            documents=[d for d in docs if str(d.id) in (form.documents.data or [])],
            source=FindingSource.INSPECTION, response_due=form.response_due.date)
        engagement = next((e for e in engagements if str(e.id) == form.engagement.data), None)
        finding, error = attempt(services.raise_finding, inspection, current_user, data,
                                 engagement)
        if error is None:
            flash(_("Đã ghi nhận phát hiện %(code)s tại %(agency)s.", code=finding.code,
                    agency=agency.name), "success")
            return redirect(finding_url(finding))
        flash(error.message, "error")
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("inspections/finding.html", inspection=inspection, agency=agency,
                           form=form), 422 if request.method == "POST" else 200


# -- consultants ----------------------------------------------------------------------

def consultant_or_404(consultant_id: int) -> Consultant:
    require(current_user, Action.CONSULTANT_MANAGE)
    found = db.session.get(Consultant, consultant_id)
    if found is None:
        abort(404)
    return found


@bp.route("/consultants/", methods=["GET", "POST"])
def consultants():
    require(current_user, Action.CONSULTANT_MANAGE)
    form = ConsultantForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            consultant, error = attempt(services.create_consultant, current_user,
                                        form.name.data or "", form.kind.data,
                                        form.contact.data or "", form.note.data or "")
            if error is None:
                flash(_("Đã thêm %(name)s.", name=consultant.name), "success")
                return redirect(url_for("inspections.consultant",
                                        consultant_id=consultant.id))
            form.name.errors = [error.message]
        else:
            flash_form_errors(form)
        status = 422
    return render_template("inspections/consultants.html", consultants=services.consultants(),
                           form=form), status


def render_consultant(consultant: Consultant, engagement_form: EngagementForm | None = None,
                      visit_form: VisitForm | None = None, status: int = 200,
                      trace_form: TraceForm | None = None, refused_engagement: int | None = None):
    """A consultant's page; after a refused form, with that form as typed (422): a visit or
    a trace shows its typed text in the row of its engagement only (`refused_engagement`)."""
    engagement_form = engagement_form or EngagementForm(prefix="e", formdata=None)
    if engagement_form.year.data is None:
        engagement_form.year.data = today_local().year
    engagement_form.agency.choices = agency_choices()
    return render_template("inspections/consultant.html", consultant=consultant,
                           engagement_form=engagement_form,
                           visit_form=VisitForm(prefix="v", formdata=None),
                           trace_form=TraceForm(prefix="t", formdata=None),
                           refused_visit=visit_form, refused_trace=trace_form,
                           refused_engagement=refused_engagement,
                           traced=services.traced_findings(consultant)), status


@bp.route("/consultants/<int:consultant_id>")
def consultant(consultant_id: int):
    return render_consultant(consultant_or_404(consultant_id))


@bp.route("/consultants/<int:consultant_id>/engagements", methods=["POST"])
def engage(consultant_id: int):
    consultant = consultant_or_404(consultant_id)
    form = EngagementForm(prefix="e")
    form.agency.choices = agency_choices()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_consultant(consultant, form, status=422)
    agency = get_by_code(form.agency.data) if form.agency.data else None
    _engagement, error = attempt(services.engage, consultant, current_user, agency,
                                 form.year.data, form.note.data or "")
    if error is not None:
        field = getattr(form, getattr(error, "field", "") or "agency", form.agency)
        field.errors = [error.message]
        return render_consultant(db.session.get(Consultant, consultant_id), form, status=422)
    flash(_("Đã ghi nhận cơ quan được tư vấn."), "success")
    return redirect(url_for("inspections.consultant", consultant_id=consultant_id))


def engagement_or_404(consultant_id: int, engagement_id: int) -> tuple[Consultant, Engagement]:
    consultant = consultant_or_404(consultant_id)
    engagement = db.session.get(Engagement, engagement_id)
    if engagement is None or engagement.consultant_id != consultant.id:
        abort(404)
    return consultant, engagement


@bp.route("/consultants/<int:consultant_id>/engagements/<int:engagement_id>/findings",
          methods=["POST"])
def trace(consultant_id: int, engagement_id: int):
    consultant, engagement = engagement_or_404(consultant_id, engagement_id)
    form = TraceForm(prefix="t")
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_consultant(consultant, status=422, trace_form=form,
                                 refused_engagement=engagement_id)
    link, error = attempt(services.trace_finding, engagement, current_user, form.code.data or "")
    if error is not None:
        flash(error.message, "error")
        form.code.errors = [*form.code.errors, error.message]
        return render_consultant(db.session.get(Consultant, consultant_id), status=422,
                                 trace_form=form, refused_engagement=engagement_id)
    flash(_("Đã gắn phát hiện %(code)s với %(name)s.", code=link.finding.code,
            name=consultant.name), "success")
    return redirect(url_for("inspections.consultant", consultant_id=consultant_id))


@bp.route("/consultants/<int:consultant_id>/engagements/<int:engagement_id>/visits",
          methods=["POST"])
def visit(consultant_id: int, engagement_id: int):
    consultant, engagement = engagement_or_404(consultant_id, engagement_id)
    form = VisitForm(prefix="v")
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_consultant(consultant, visit_form=form, status=422,
                                 refused_engagement=engagement_id)
    _visit, error = attempt(services.record_visit, engagement, current_user,
                            form.visited_on.date, form.conclusion.data or "")
    if error is not None:
        field = getattr(form, getattr(error, "field", "") or "conclusion", form.conclusion)
        field.errors = [error.message]
        return render_consultant(db.session.get(Consultant, consultant_id), visit_form=form,
                                 status=422, refused_engagement=engagement_id)
    flash(_("Đã ghi kết luận giám sát."), "success")
    return redirect(url_for("inspections.consultant", consultant_id=consultant_id))
